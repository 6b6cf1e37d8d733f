import {
  Alert,
  Anchor,
  Box,
  Button,
  Center,
  Flex,
  Paper,
  PasswordInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { sessionInfo, signIn, type SessionInfo } from '../api/client';
import { humanize } from '../ui/format';
import type { Me } from '../api/types';
import { RedeemCode } from '../features/accounts/RedeemCode';

export function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [userId, setUserId] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [info, setInfo] = useState<SessionInfo>({ demo: false, accounts: [] });
  const [withCode, setWithCode] = useState(false);

  useEffect(() => {
    void sessionInfo().then(setInfo);
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const result = await signIn(userId.trim(), password);
    setBusy(false);
    if (result.ok) onSignedIn(result.value);
    else setError(result.error.message);
  }

  return (
    <Center mih="100vh" bg="gray.0" py="xl">
      {/* The demo accounts sit beside the form where the window is wide enough: under it, a
          short laptop window (1024 × 640) cut the list off at the bottom edge. */}
      <Flex gap="md" wrap="wrap" justify="center" align="flex-start">
        <Paper withBorder shadow="xs" p="xl" radius="md" w={400}>
          {withCode ? (
            <RedeemCode onSignedIn={onSignedIn} onBack={() => setWithCode(false)} />
          ) : (
            <form onSubmit={(e) => void submit(e)} aria-label="Sign in">
              <Stack gap="sm">
                <div>
                  <Title order={3}>Mediation Desk</Title>
                  <Text size="sm" c="dimmed">
                    Sign in to work the dispute queue.
                  </Text>
                </div>
                <TextInput
                  label="User id"
                  name="userId"
                  autoComplete="username"
                  autoFocus
                  required
                  value={userId}
                  onChange={(e) => setUserId(e.currentTarget.value)}
                />
                <PasswordInput
                  label="Password"
                  name="password"
                  autoComplete="current-password"
                  required
                  value={password}
                  onChange={(e) => setPassword(e.currentTarget.value)}
                />
                {error && (
                  <Alert color="red" variant="light" p="xs" role="alert">
                    {error}
                  </Alert>
                )}
                <Button type="submit" loading={busy} fullWidth>
                  Sign in
                </Button>
                <Anchor component="button" type="button" size="sm" onClick={() => setWithCode(true)}>
                  I have a one-time code
                </Anchor>
              </Stack>
            </form>
          )}
        </Paper>
        {info.demo && (
          <Box w={400}>
            <DemoAccounts
              accounts={info.accounts}
              onPick={(a) => {
                setUserId(a.userId);
                setPassword(a.password);
              }}
            />
          </Box>
        )}
      </Flex>
    </Center>
  );
}

function DemoAccounts({ accounts, onPick }: { accounts: SessionInfo['accounts']; onPick: (a: SessionInfo['accounts'][number]) => void }) {
  return (
    <Paper withBorder p="sm" radius="md" aria-label="Demo accounts">
      <Text size="xs" c="dimmed" mb={accounts.length ? 'xs' : 0}>
        {accounts.length ? 'Demo data is loaded. Pick an account to fill in the form:' : 'Demo data is loaded.'}
      </Text>
      {accounts.length > 0 && (
        <Table fz="xs" verticalSpacing={2} horizontalSpacing="xs" highlightOnHover>
          <Table.Tbody>
            {accounts.map((a) => (
              <Table.Tr key={a.userId}>
                <Table.Td>
                  <UnstyledButton fz="xs" ff="monospace" c="indigo" mih={24} miw={24} onClick={() => onPick(a)}>
                    {a.userId}
                  </UnstyledButton>
                </Table.Td>
                <Table.Td>{a.name}</Table.Td>
                <Table.Td>{humanize(a.role)}</Table.Td>
                <Table.Td ff="monospace">{a.password}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}

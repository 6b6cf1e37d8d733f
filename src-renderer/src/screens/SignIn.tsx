import { Alert, Button, Center, Code, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { sessionInfo, signIn } from '../client';
import type { Me } from '../types';

export function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [userId, setUserId] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [demo, setDemo] = useState(false);

  useEffect(() => {
    void sessionInfo().then((info) => setDemo(info.demo));
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
    <Center h="100vh" bg="gray.0">
      <Paper withBorder shadow="xs" p="xl" radius="md" w={380}>
        <form onSubmit={submit} aria-label="Sign in">
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
            {demo && (
              <Text size="xs" c="dimmed">
                Demo data is loaded. Try the mediator <Code>mira</Code> with password <Code>mira-demo</Code>.
              </Text>
            )}
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}

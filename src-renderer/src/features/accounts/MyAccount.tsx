import { Alert, Badge, Button, Divider, Group, Modal, PasswordInput, Stack, Table, Text, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useMethodMutation, useMethodQuery } from '../../api/queries';
import type { Me } from '../../api/types';
import { useToast } from '../../ui/Toast';
import { humanize } from '../../ui/format';
import { NewPasswordFields, passwordReady } from './PasswordFields';

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "My account": change one's password (needs the current one) and see and end one's sessions. */
export function MyAccount({ me, opened, onClose }: { me: Me; opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title={<Title order={4}>My account</Title>} size={720} centered>
      <Stack gap="md" data-testid="my-account">
        <Text fz="sm" c="dimmed">
          {me.name} · <span style={{ fontFamily: 'monospace' }}>{me.userId}</span> · {humanize(me.role)}
        </Text>
        <Sessions enabled={opened} />
        <Divider />
        <ChangePassword me={me} />
      </Stack>
    </Modal>
  );
}

function Sessions({ enabled }: { enabled: boolean }) {
  const sessions = useMethodQuery('session.list', {}, { enabled });
  const others = useMethodMutation('session.signOutOthers');
  const toast = useToast();
  const rows = sessions.data?.sessions ?? [];
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text fw={600} fz="sm">
          Where you are signed in
        </Text>
        <Button
          size="compact-sm"
          variant="light"
          color="red"
          disabled={rows.length < 2}
          loading={others.isPending}
          onClick={() =>
            void others
              .mutateAsync({})
              .then((r) => r.ok && toast({ message: `${r.value.sessionsEnded} other session(s) signed out.`, color: 'teal' }))
          }
        >
          Sign out the others
        </Button>
      </Group>
      {sessions.error && <Alert color="red">{sessions.error.message}</Alert>}
      <Table fz="xs" verticalSpacing={4} data-testid="sessions-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>From</Table.Th>
            <Table.Th>Signed in</Table.Th>
            <Table.Th>Last seen</Table.Th>
            <Table.Th>Ends at the latest</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((s) => (
            <Table.Tr key={s.id}>
              <Table.Td>
                {s.source}{' '}
                {s.current && (
                  <Badge size="xs" variant="light">
                    this one
                  </Badge>
                )}
                <Text fz={11} c="dimmed" lineClamp={1} title={s.userAgent} maw={260}>
                  {s.userAgent}
                </Text>
              </Table.Td>
              <Table.Td>{when(s.createdAt)}</Table.Td>
              <Table.Td>{when(s.lastSeenAt)}</Table.Td>
              <Table.Td>{when(s.expiresAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text fz="xs" c="dimmed">
        A session ends after 12 hours without use, 7 days after signing in, or when you sign it out.
      </Text>
    </Stack>
  );
}

function ChangePassword({ me }: { me: Me }) {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const change = useMethodMutation('password.change');
  const toast = useToast();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const r = await change.mutateAsync({ currentPassword: current, newPassword: password });
    if (!r.ok) return setError(r.error.message);
    setCurrent('');
    setPassword('');
    setRepeat('');
    toast({ message: `Password changed; ${r.value.sessionsEnded} other session(s) signed out.`, color: 'teal' });
  }

  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Change password">
      <Stack gap="xs">
        <Text fw={600} fz="sm">
          Change password
        </Text>
        <Group grow align="flex-start">
          <PasswordInput
            label="Current password"
            name="currentPassword"
            autoComplete="current-password"
            required
            value={current}
            onChange={(e) => setCurrent(e.currentTarget.value)}
          />
          <NewPasswordFields userId={me.userId} value={password} repeat={repeat} onChange={setPassword} onRepeat={setRepeat} />
        </Group>
        {error && (
          <Alert color="red" variant="light" p="xs" role="alert">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={change.isPending} disabled={!current || !passwordReady(me.userId, password, repeat)}>
            Change password
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

import {
  Alert,
  Badge,
  Box,
  Button,
  Code,
  Group,
  Modal,
  PasswordInput,
  Radio,
  ScrollArea,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { passwordProblem } from '../../../../src-main/contract/accounts';
import type { IssuedCode, UserSummary } from '../../../../src-main/contract/outputs/accounts';
import { useMethodMutation, useMethodQuery } from '../../api/queries';
import type { Me } from '../../api/types';
import { useToast } from '../../ui/Toast';
import { humanize } from '../../ui/format';

const ROLES = [
  { value: 'mediator', label: 'Mediator' },
  { value: 'supervisor', label: 'Supervisor' },
  { value: 'analyst', label: 'Analyst' },
];
type RoleValue = 'mediator' | 'supervisor' | 'analyst';
const date = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * Supervisors manage the team's accounts: add (with a one-time code, or a password they
 * hand over), change a role, reset a password (a new one-time code; the old password and
 * the user's sessions end), deactivate (the row and its history stay; sessions end).
 */
export function UsersScreen({ me, active }: { me: Me; active: boolean }) {
  const users = useMethodQuery('users.list', {}, { enabled: active });
  const [adding, setAdding] = useState(false);
  const [code, setCode] = useState<{ name: string; code: IssuedCode } | null>(null);
  const [confirm, setConfirm] = useState<{ kind: 'deactivate' | 'reset'; user: UserSummary } | null>(null);
  const setRole = useMethodMutation('users.setRole');
  const deactivate = useMethodMutation('users.deactivate');
  const reset = useMethodMutation('users.issueResetCode');
  const toast = useToast();
  const list = users.data?.users ?? [];
  const activeCount = list.filter((u) => u.active).length;

  async function changeRole(user: UserSummary, role: RoleValue) {
    const r = await setRole.mutateAsync({ userId: user.userId, role });
    if (!r.ok) toast({ title: 'Role not changed', message: r.error.message, color: 'red' });
    else toast({ message: `${user.name} is now ${humanize(role).toLowerCase()}.`, color: 'teal' });
  }

  async function confirmed() {
    if (!confirm) return;
    const { kind, user } = confirm;
    setConfirm(null);
    if (kind === 'deactivate') {
      const r = await deactivate.mutateAsync({ userId: user.userId });
      if (!r.ok) return toast({ title: 'Not deactivated', message: r.error.message, color: 'red' });
      toast({ message: `${user.name} is deactivated; ${r.value.sessionsEnded} session(s) ended.`, color: 'teal' });
    } else {
      const r = await reset.mutateAsync({ userId: user.userId });
      if (!r.ok) return toast({ title: 'No code issued', message: r.error.message, color: 'red' });
      setCode({ name: user.name, code: r.value.code });
    }
  }

  return (
    <Box p="md" h="100%" style={{ display: 'flex', flexDirection: 'column', gap: 12 }} data-testid="users-screen">
      <Group justify="space-between" wrap="nowrap">
        <div>
          <Title order={4}>Users</Title>
          <Text fz="sm" c="dimmed">
            {activeCount} active of {list.length}. Deactivated users stay listed: the case history names them.
          </Text>
        </div>
        <Button onClick={() => setAdding(true)} data-testid="add-user">
          Add user
        </Button>
      </Group>
      {users.error && <Alert color="red">{users.error.message}</Alert>}
      <ScrollArea style={{ flex: 1 }} type="auto">
        {/* No wider than 1,100 px: across a 1920 window a name stood 600 px from its user id, 70 % of the table blank. */}
        <Table striped highlightOnHover verticalSpacing={6} fz="sm" stickyHeader maw={1100}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>User id</Table.Th>
              <Table.Th w={150}>Role</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th w={230} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((u) => (
              <Table.Tr key={u.userId} data-testid={`user-row-${u.userId}`} c={u.active ? undefined : 'dimmed'}>
                <Table.Td fw={500}>
                  {u.name}
                  {u.userId === me.userId && (
                    <Text span fz="xs" c="dimmed">
                      {' '}
                      (you)
                    </Text>
                  )}
                </Table.Td>
                <Table.Td ff="monospace">{u.userId}</Table.Td>
                <Table.Td>
                  {u.active ? (
                    <Select
                      size="xs"
                      data={ROLES}
                      value={u.role}
                      allowDeselect={false}
                      aria-label={`Role of ${u.userId}`}
                      onChange={(v) => v && v !== u.role && void changeRole(u, v as RoleValue)}
                    />
                  ) : (
                    humanize(u.role)
                  )}
                </Table.Td>
                <Table.Td>
                  <StateBadge user={u} />
                </Table.Td>
                <Table.Td>
                  {u.active && u.userId !== me.userId && (
                    <Group gap={6} justify="flex-end" wrap="nowrap">
                      <Button size="compact-xs" variant="default" onClick={() => setConfirm({ kind: 'reset', user: u })}>
                        Reset password
                      </Button>
                      <Button size="compact-xs" variant="light" color="red" onClick={() => setConfirm({ kind: 'deactivate', user: u })}>
                        Deactivate
                      </Button>
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      <AddUser
        opened={adding}
        onClose={() => setAdding(false)}
        onCode={(name, issued) => {
          setAdding(false);
          setCode({ name, code: issued });
        }}
      />
      <Modal
        opened={confirm !== null}
        onClose={() => setConfirm(null)}
        title={confirm?.kind === 'deactivate' ? 'Deactivate user' : 'Reset password'}
        centered
      >
        {confirm && (
          <Stack gap="sm">
            <Text fz="sm">
              {confirm.kind === 'deactivate'
                ? `${confirm.user.name} will no longer be able to sign in, and their open sessions end now. Their cases and history stay as they are.`
                : `${confirm.user.name}'s current password stops working and their sessions end. You get a one-time code to hand over; with it they set a new password within 24 hours.`}
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setConfirm(null)}>
                Cancel
              </Button>
              <Button
                color={confirm.kind === 'deactivate' ? 'red' : undefined}
                onClick={() => void confirmed()}
                data-testid="confirm-user-action"
              >
                {confirm.kind === 'deactivate' ? 'Deactivate' : 'Reset and show code'}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
      <Modal opened={code !== null} onClose={() => setCode(null)} title="One-time code" centered>
        {code && (
          <Stack gap="sm">
            <Text fz="sm">
              Give this code to {code.name} in person or by phone. It is shown only now, works once and expires at{' '}
              {date(code.code.expiresAt)}.
            </Text>
            <Code block fz="xl" ta="center" data-testid="one-time-code">
              {code.code.code}
            </Code>
            <Text fz="xs" c="dimmed">
              On the sign-in screen: “I have a one-time code”, then user id <b>{code.code.userId}</b>, the code and a new password.
            </Text>
            <Group justify="flex-end">
              <Button onClick={() => setCode(null)}>Done</Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Box>
  );
}

function StateBadge({ user }: { user: UserSummary }) {
  if (!user.active)
    return (
      <Text fz="xs">
        <Badge color="gray" variant="light" size="sm">
          Deactivated
        </Badge>{' '}
        {user.deactivatedAt && `${date(user.deactivatedAt)} by ${user.deactivatedBy ?? '?'}`}
      </Text>
    );
  if (!user.passwordSet)
    return (
      <Badge
        color="yellow"
        variant="light"
        size="sm"
        title={user.codeExpiresAt ? `Code valid until ${date(user.codeExpiresAt)}` : 'The code expired: reset again'}
      >
        {user.codeExpiresAt ? 'Waiting for a password' : 'Code expired'}
      </Badge>
    );
  return (
    <Badge color="teal" variant="light" size="sm">
      Active
    </Badge>
  );
}

function AddUser({ opened, onClose, onCode }: { opened: boolean; onClose: () => void; onCode: (name: string, code: IssuedCode) => void }) {
  const [name, setName] = useState('');
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<RoleValue>('mediator');
  const [how, setHow] = useState<'code' | 'password'>('code');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = useMethodMutation('users.add');
  const toast = useToast();
  const problem = how === 'password' && password ? passwordProblem(password, userId.trim()) : null;

  const close = () => {
    setName('');
    setUserId('');
    setPassword('');
    setError(null);
    onClose();
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const r = await add.mutateAsync({ userId: userId.trim(), name: name.trim(), role, ...(how === 'password' ? { password } : {}) });
    if (!r.ok) return setError(r.error.message);
    const added = name.trim();
    close();
    if (r.value.code) onCode(added, r.value.code);
    else toast({ message: `${added} can sign in now.`, color: 'teal' });
  }

  return (
    <Modal opened={opened} onClose={close} title="Add user" centered>
      <form onSubmit={(e) => void submit(e)} aria-label="Add user">
        <Stack gap="sm">
          <TextInput label="Full name" name="name" required data-autofocus value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <TextInput
            label="User id"
            name="userId"
            description="Letters, digits, dots, dashes; cannot be changed later."
            required
            value={userId}
            onChange={(e) => setUserId(e.currentTarget.value)}
          />
          <Select label="Role" data={ROLES} value={role} allowDeselect={false} onChange={(v) => v && setRole(v as RoleValue)} />
          <Radio.Group label="First password" value={how} onChange={(v) => setHow(v)}>
            <Stack gap={6} mt={4}>
              <Radio value="code" label="Give them a one-time code; they choose the password (recommended)" />
              <Radio value="password" label="Set a password now and hand it over" />
            </Stack>
          </Radio.Group>
          {how === 'password' && (
            <PasswordInput
              label="Password"
              name="password"
              autoComplete="new-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={problem ? `The password ${problem}.` : undefined}
            />
          )}
          {error && (
            <Alert color="red" variant="light" p="xs" role="alert">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              type="submit"
              loading={add.isPending}
              disabled={!name.trim() || !userId.trim() || (how === 'password' && (!password || !!problem))}
            >
              Add user
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

import { Alert, Button, Center, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { signIn } from '../../api/client';
import { useMethodMutation } from '../../api/queries';
import type { Me } from '../../api/types';
import { NewPasswordFields, passwordReady } from './PasswordFields';

/**
 * First run: while the installation has no user at all, this is the only thing the app
 * offers. The core creates the supervisor only if still nobody exists (two racing
 * submissions: one wins, the other is told to sign in), then this signs them in.
 */
export function FirstRun({ onSignedIn, onTaken }: { onSignedIn: (me: Me) => void; onTaken: () => void }) {
  const [name, setName] = useState('');
  const [userId, setUserId] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const create = useMethodMutation('setup.createFirstSupervisor');

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const id = userId.trim();
    const r = await create.mutateAsync({ userId: id, name: name.trim(), password });
    if (!r.ok) {
      if (r.error.code === 'CONFLICT') return onTaken();
      return setError(r.error.message);
    }
    const signedIn = await signIn(id, password);
    if (signedIn.ok) onSignedIn(signedIn.value);
    else setError(signedIn.error.message);
  }

  return (
    <Center mih="100vh" bg="gray.0" py="xl">
      <Paper withBorder shadow="xs" p="xl" radius="md" w={440}>
        <form onSubmit={(e) => void submit(e)} aria-label="Create the first supervisor">
          <Stack gap="sm">
            <div>
              <Title order={3}>Create the first supervisor</Title>
              <Text size="sm" c="dimmed">
                This Mediation Desk has no users yet. The first one is a supervisor, who then adds the team on the Users screen.
              </Text>
            </div>
            <TextInput label="Full name" name="name" required autoFocus value={name} onChange={(e) => setName(e.currentTarget.value)} />
            <TextInput
              label="User id"
              description="What you type to sign in: letters, digits, dots, dashes."
              name="userId"
              autoComplete="username"
              required
              value={userId}
              onChange={(e) => setUserId(e.currentTarget.value)}
            />
            <NewPasswordFields
              userId={userId.trim()}
              value={password}
              repeat={repeat}
              onChange={setPassword}
              onRepeat={setRepeat}
              label="Password"
            />
            {error && (
              <Alert color="red" variant="light" p="xs" role="alert">
                {error}
              </Alert>
            )}
            <Button
              type="submit"
              loading={create.isPending}
              disabled={!name.trim() || !userId.trim() || !passwordReady(userId.trim(), password, repeat)}
            >
              Create supervisor and sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}

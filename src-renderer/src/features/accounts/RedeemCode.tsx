import { Alert, Anchor, Button, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { signIn } from '../../api/client';
import { useMethodMutation } from '../../api/queries';
import type { Me } from '../../api/types';
import { NewPasswordFields, passwordReady } from './PasswordFields';

/** A new user, or one whose password was reset, sets a password with the supervisor's one-time code. */
export function RedeemCode({ onSignedIn, onBack }: { onSignedIn: (me: Me) => void; onBack: () => void }) {
  const [userId, setUserId] = useState('');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const redeem = useMethodMutation('password.redeemCode');

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const id = userId.trim();
    const r = await redeem.mutateAsync({ userId: id, code, newPassword: password });
    if (!r.ok) return setError(r.error.message);
    const signedIn = await signIn(id, password);
    if (signedIn.ok) onSignedIn(signedIn.value);
    else setError(signedIn.error.message);
  }

  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Set a password with a one-time code">
      <Stack gap="sm">
        <div>
          <Title order={3}>Set your password</Title>
          <Text size="sm" c="dimmed">
            Enter the one-time code a supervisor gave you. It works once and expires after 24 hours.
          </Text>
        </div>
        <TextInput
          label="User id"
          name="userId"
          autoComplete="username"
          required
          autoFocus
          value={userId}
          onChange={(e) => setUserId(e.currentTarget.value)}
        />
        <TextInput
          label="One-time code"
          name="code"
          placeholder="XXXX-XXXX-XXXX"
          autoComplete="one-time-code"
          required
          ff="monospace"
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
        />
        <NewPasswordFields userId={userId.trim()} value={password} repeat={repeat} onChange={setPassword} onRepeat={setRepeat} />
        {error && (
          <Alert color="red" variant="light" p="xs" role="alert">
            {error}
          </Alert>
        )}
        <Button
          type="submit"
          loading={redeem.isPending}
          disabled={!userId.trim() || !code.trim() || !passwordReady(userId.trim(), password, repeat)}
        >
          Set password and sign in
        </Button>
        <Anchor component="button" type="button" size="sm" onClick={onBack}>
          Back to sign-in
        </Anchor>
      </Stack>
    </form>
  );
}

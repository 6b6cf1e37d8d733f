import { PasswordInput, Stack, Text } from '@mantine/core';
import { passwordProblem, PASSWORD_MIN } from '../../../../src-main/contract/accounts';

/** A new password twice, with the policy's own words (contract/accounts.ts) under it. */
export function NewPasswordFields({
  userId,
  value,
  repeat,
  onChange,
  onRepeat,
  label = 'New password',
}: {
  userId: string;
  value: string;
  repeat: string;
  onChange: (v: string) => void;
  onRepeat: (v: string) => void;
  label?: string;
}) {
  const problem = value ? passwordProblem(value, userId) : null;
  const differs = repeat !== '' && repeat !== value;
  return (
    <Stack gap={6}>
      <PasswordInput
        label={label}
        name="newPassword"
        autoComplete="new-password"
        required
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        error={problem ? `The password ${problem}.` : undefined}
      />
      <PasswordInput
        label="Repeat it"
        name="repeatPassword"
        autoComplete="new-password"
        required
        value={repeat}
        onChange={(e) => onRepeat(e.currentTarget.value)}
        error={differs ? 'The two passwords differ.' : undefined}
      />
      <Text fz="xs" c="dimmed">
        At least {PASSWORD_MIN} characters; a few words with spaces make a good passphrase. Not your user id.
      </Text>
    </Stack>
  );
}

/** True when the pair may be sent (the core checks again). */
export const passwordReady = (userId: string, value: string, repeat: string) =>
  value !== '' && value === repeat && !passwordProblem(value, userId);

import { Alert, Button, Group, Kbd, Text } from '@mantine/core';
import type { KeyboardEvent } from 'react';
import type { AppError } from '../../../src-main/contract/errors';
import { IconAlert } from './Icons';

/** Pieces every command dialog shares: Ctrl+Enter to send, the refusal as the core said it, the footer. */

/** Ctrl/Cmd+Enter sends the form from anywhere inside it. */
export const ctrlEnter = (submit: () => void) => (e: KeyboardEvent) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    submit();
  }
};

/** The engine's refusal, as it said it; what the user typed stays in the form. */
export function Refusal({ error }: { error: AppError | null }) {
  if (!error) return null;
  return (
    <Alert color="red" variant="light" icon={<IconAlert size={18} />} title="Refused" role="alert" data-testid="refusal">
      <Text fz="sm">{error.message}</Text>
      <Text fz="xs" c="dimmed" mt={2}>
        {error.code}
      </Text>
    </Alert>
  );
}

export function Footer({
  busy,
  label,
  disabled,
  onCancel,
  color,
  testId,
}: {
  busy: boolean;
  label: string;
  disabled?: boolean;
  onCancel: () => void;
  color?: string;
  testId?: string;
}) {
  return (
    <Group justify="space-between" mt="xs" className="dialog-footer">
      <Text fz="xs" c="dimmed">
        <Kbd size="xs">Ctrl</Kbd> + <Kbd size="xs">Enter</Kbd> to send · <Kbd size="xs">Esc</Kbd> to cancel
      </Text>
      <Group gap="xs">
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" loading={busy} disabled={disabled} color={color} data-testid={testId}>
          {label}
        </Button>
      </Group>
    </Group>
  );
}

import { Alert, Button, Group, Kbd, Text, Textarea, TextInput, type TextareaProps, type TextInputProps } from '@mantine/core';
import type { KeyboardEvent } from 'react';
import type { AppError } from '../../../src-main/contract/errors';
import { formatMoney } from './format';
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

/**
 * A free-text row of a form (reasons, a note, a request): grows with its text from `rows`
 * lines, bounded like the contract bounds it (`maxLength`, 2,000 unless said).
 */
export function TextRow({
  value,
  onChange,
  rows = 2,
  maxLength = 2000,
  ...rest
}: Omit<TextareaProps, 'value' | 'onChange'> & { value: string; onChange: (text: string) => void; rows?: number }) {
  return (
    <Textarea value={value} onChange={(e) => onChange(e.currentTarget.value)} autosize minRows={rows} maxLength={maxLength} {...rest} />
  );
}

/** A refund amount typed in the order's currency, with the range it must fall in said below it. */
export function AmountRow({
  value,
  onChange,
  currency,
  totalMinor,
  ...rest
}: Omit<TextInputProps, 'value' | 'onChange'> & { value: string; onChange: (text: string) => void; currency: string; totalMinor: number }) {
  return (
    <TextInput
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      description={`Between ${formatMoney(1, currency)} and the order total ${formatMoney(totalMinor, currency)}`}
      styles={{ input: { textAlign: 'right' } }}
      inputMode="decimal"
      {...rest}
    />
  );
}

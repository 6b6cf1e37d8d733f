import { Text, Tooltip } from '@mantine/core';
import { formatInstant, formatRemaining } from '../format';
import { useNow } from '../hooks';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A deadline with its live countdown; red once it has passed, orange within the last day. */
export function Countdown({ at, size = 'sm' }: { at: string | null | undefined; size?: 'xs' | 'sm' }) {
  const now = useNow();
  if (!at) return <Text size={size} c="dimmed">—</Text>;
  const due = Date.parse(at);
  if (Number.isNaN(due)) return <Text size={size}>{at}</Text>;
  const left = due - now;
  const color = left <= 0 ? 'red.7' : left < DAY_MS ? 'orange.7' : undefined;
  return (
    <Tooltip label={`Due ${formatInstant(at, true)}`} openDelay={300}>
      <Text size={size} c={color} ff="monospace" style={{ whiteSpace: 'nowrap' }} data-testid="countdown">
        {left <= 0 ? `overdue ${formatRemaining(-left)}` : formatRemaining(left)}
      </Text>
    </Tooltip>
  );
}

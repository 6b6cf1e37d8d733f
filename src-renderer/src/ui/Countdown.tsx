import { Text, Tooltip } from '@mantine/core';
import { formatDuration, formatInstant, URGENT_MS } from './format';
import { useNow } from './clock';

/**
 * A deadline's live countdown ("in 2 d 4 h"), red under 12 h and once passed. Every
 * countdown on screen reads the one shared clock (useNow): one timer for the whole list.
 */
export function Countdown({ at, size = 'sm', prefix }: { at: string | null | undefined; size?: 'xs' | 'sm' | 'md'; prefix?: string }) {
  const now = useNow();
  if (!at)
    return (
      <Text span size={size} c="dimmed">
        —
      </Text>
    );
  const due = Date.parse(at);
  if (Number.isNaN(due))
    return (
      <Text span size={size}>
        {at}
      </Text>
    );
  const left = due - now;
  const urgent = left < URGENT_MS;
  const text = left <= 0 ? `overdue ${formatDuration(left)}` : `in ${formatDuration(left)}`;
  return (
    <Tooltip label={`Due ${formatInstant(at, true)}`} openDelay={400} withArrow>
      <Text
        span
        size={size}
        c={urgent ? 'red.7' : undefined}
        fw={urgent ? 600 : 500}
        className="tabular"
        style={{ whiteSpace: 'nowrap' }}
        data-testid="countdown"
        data-urgent={urgent || undefined}
      >
        {prefix ? `${prefix} ` : ''}
        {text}
      </Text>
    </Tooltip>
  );
}

import { Badge, Tooltip } from '@mantine/core';
import { formatDuration } from './format';

const HOUR = 3_600_000;
/** An appeal waiting this long is amber, then red: appeals hold a refund (or a seller's money) in suspense. */
export const AGE_WARN_MS = 48 * HOUR;
export const AGE_LATE_MS = 120 * HOUR;
export const ageTone = (ms: number): 'late' | 'warn' | 'fresh' => (ms >= AGE_LATE_MS ? 'late' : ms >= AGE_WARN_MS ? 'warn' : 'fresh');
const AGE_COLOR = { late: 'red', warn: 'orange', fresh: 'gray' } as const;

export function AgeBadge({ ms, testId = 'age' }: { ms: number; testId?: string }) {
  const tone = ageTone(ms);
  return (
    <Tooltip
      label={tone === 'late' ? 'Waiting more than 5 days' : tone === 'warn' ? 'Waiting more than 2 days' : 'Waiting less than 2 days'}
      openDelay={300}
      withArrow
    >
      <Badge
        size="md"
        radius="sm"
        variant={tone === 'late' ? 'filled' : 'light'}
        color={AGE_COLOR[tone]}
        className="tabular"
        style={{ textTransform: 'none', fontWeight: 600, minWidth: 64 }}
        data-testid={testId}
        data-tone={tone}
      >
        {formatDuration(ms)}
      </Badge>
    </Tooltip>
  );
}

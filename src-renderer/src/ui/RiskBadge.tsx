import { Badge, Group, Tooltip } from '@mantine/core';
import { riskColor } from './format';
import { IconFlag } from './Icons';

/** The buyer's fraud-pattern score and, when an analyst flagged the account, a red flag. */
export function RiskBadge({ score, flagged, size = 'sm' }: { score: number | null; flagged: boolean; size?: 'xs' | 'sm' | 'md' | 'lg' }) {
  return (
    <Group gap={4} wrap="nowrap" data-testid="risk" style={{ flexShrink: 0 }}>
      <Tooltip label={score == null ? 'Score not computed yet' : `Buyer fraud-pattern score ${score} of 100`} openDelay={400} withArrow>
        <Badge
          size={size}
          radius="sm"
          variant={score != null && score >= 40 ? 'filled' : 'light'}
          color={riskColor(score)}
          className="tabular"
          style={{ minWidth: size === 'lg' ? 44 : 32, textTransform: 'none' }}
        >
          {score ?? '–'}
        </Badge>
      </Tooltip>
      {flagged && (
        <Tooltip label="Flagged as a serial disputer by an analyst" openDelay={200} withArrow>
          <span style={{ color: 'var(--mantine-color-red-7)', display: 'inline-flex' }} aria-label="Flagged serial disputer" role="img">
            <IconFlag size={size === 'lg' ? 18 : 14} />
          </span>
        </Tooltip>
      )}
    </Group>
  );
}

import { Badge, Text } from '@mantine/core';

/** Decision outcomes and appeal grounds as the case screen and the supervisors' screens show them. */

export type OutcomeKey = 'full' | 'partial' | 'return' | 'none';
export const OUTCOME_ORDER: OutcomeKey[] = ['full', 'return', 'partial', 'none'];
/** Short names for dense tables (the long ones are in contract/letters.ts). */
export const OUTCOME_SHORT: Record<string, string> = { full: 'Full refund', partial: 'Partial', return: 'Return', none: 'No refund' };
/** More money to the buyer reads greener; nothing refunded is grey. */
export const OUTCOME_COLOR: Record<string, string> = { full: 'teal', return: 'blue', partial: 'yellow', none: 'gray' };

export function OutcomeBadge({ outcome, size = 'sm' }: { outcome: string | null; size?: 'xs' | 'sm' | 'md' }) {
  if (outcome === null)
    return (
      <Text span fz="xs" c="dimmed">
        undecided
      </Text>
    );
  return (
    <Badge
      size={size}
      radius="sm"
      variant="light"
      color={OUTCOME_COLOR[outcome] ?? 'gray'}
      style={{ textTransform: 'none', flexShrink: 0 }}
      data-testid="outcome-badge"
    >
      {OUTCOME_SHORT[outcome] ?? outcome}
    </Badge>
  );
}

export const GROUNDS_LABELS: Record<string, string> = {
  outcome: 'Contests the outcome',
  mediator_conduct: 'Mediator’s conduct',
  new_evidence: 'New evidence',
};

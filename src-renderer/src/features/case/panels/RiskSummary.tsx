import { Group, Text } from '@mantine/core';
import { RiskBadge } from '../../../ui/RiskBadge';
import { riskColor } from '../../../ui/format';
import type { CaseView } from '../../../api/types';
import { summaryReasons } from './riskSummaryText';

/** How many of the model's reasons the compact summary names (the buyer panel lists them all). */
const TOP_REASONS = 2;

/**
 * The buyer's risk in one or two lines, for the Decide dialog: it covers the buyer panel, and
 * a decision must not be taken without seeing a score of 92/100 and why.
 */
export function RiskSummary({ view }: { view: CaseView }) {
  const risk = view.buyerRisk;
  const flagged = view.buyer.label === 'serial_disputer';
  const more = risk.reasons.length - TOP_REASONS;
  return (
    <Group
      gap="sm"
      wrap="nowrap"
      align="flex-start"
      p="xs"
      bg={`${riskColor(risk.score)}.0`}
      style={{ borderRadius: 'var(--mantine-radius-sm)' }}
      data-testid="decide-risk"
    >
      <RiskBadge score={risk.score} flagged={flagged} size="md" />
      <Text fz="sm" lh={1.35} style={{ minWidth: 0 }}>
        <Text span inherit fw={600}>
          Buyer risk {risk.score}/100{flagged ? ', flagged as a serial disputer' : ''}
        </Text>
        {risk.reasons.length === 0 ? (
          <Text span inherit c="dimmed">
            {' '}
            · no risk signals
          </Text>
        ) : (
          <>
            {': '}
            {summaryReasons(risk.reasons, TOP_REASONS).join('; ')}
            {more > 0 && (
              <Text span inherit c="dimmed">
                {' '}
                (+{more} more in the buyer panel)
              </Text>
            )}
          </>
        )}
      </Text>
    </Group>
  );
}

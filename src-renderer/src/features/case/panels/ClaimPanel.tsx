import { Blockquote, Group, Text } from '@mantine/core';
import { Money } from '../../../ui/Money';
import { Fact, Section } from '../../../ui/Section';
import { formatInstant, formatMoney, reasonLabel } from '../../../ui/format';
import type { CaseView } from '../../../api/types';

export function ClaimPanel({ view }: { view: CaseView }) {
  return (
    <Section title={`The buyer’s claim · ${reasonLabel(view.reason)}`} testId="claim-panel">
      <Group gap="xl" mb={view.description ? 'sm' : 0}>
        <Fact label="Asks for">{view.claim.remedy === 'refund_only' ? 'Refund only, keeps the item' : 'Return the item and a refund'}</Fact>
        <Fact label="Amount claimed">
          <Money minor={view.claim.amountMinor} currency={view.order.currency} strong />
          <Text span fz="xs" c="dimmed">
            {' '}
            of {formatMoney(view.order.totalMinor, view.order.currency)}
          </Text>
        </Fact>
        <Fact label="Opened">{formatInstant(view.openedAt)}</Fact>
        <Fact label="Escalated">{formatInstant(view.escalatedAt)}</Fact>
      </Group>
      {view.description && (
        <Blockquote color="gray" p="sm" fz="sm" style={{ whiteSpace: 'pre-wrap' }} iconSize={0}>
          {view.description}
        </Blockquote>
      )}
    </Section>
  );
}

import { Badge, Group, SimpleGrid, Text } from '@mantine/core';
import { Countdown } from '../../../ui/Countdown';
import { Money } from '../../../ui/Money';
import { Fact, Section } from '../../../ui/Section';
import { formatInstant, humanize } from '../../../ui/format';
import type { CaseView } from '../../../api/types';

const OPTION_LABELS: Record<string, string> = {
  partial: 'A · Partial refund, keep the item',
  return: 'B · Return for a full refund',
  full: 'Full refund, no return',
};

function replyText(choice: string | null) {
  if (choice === null)
    return (
      <Text span c="dimmed" fz="sm">
        no reply yet
      </Text>
    );
  if (choice === 'reject')
    return (
      <Text span c="red.7" fz="sm" fw={500}>
        rejected both
      </Text>
    );
  return (
    <Text span c="teal.8" fz="sm" fw={500}>
      accepted {choice === 'partial' ? 'A' : choice === 'return' ? 'B' : choice}
    </Text>
  );
}

export function ProposalPanel({ view }: { view: CaseView }) {
  const p = view.proposal;
  if (!p) return null;
  const open = view.status === 'awaiting_replies';
  return (
    <Section
      title="Published resolutions"
      testId="proposal-panel"
      extra={
        <Text fz="xs" c="dimmed">
          by {p.proposedBy}, {formatInstant(p.proposedAt)}
        </Text>
      }
    >
      <SimpleGrid cols={p.options.length > 1 ? 2 : 1} spacing="sm" mb="sm">
        {p.options.map((o) => (
          <div key={o.kind} className="option-card" data-recommended={o.kind === p.recommended}>
            <Group justify="space-between" wrap="nowrap" mb={4} align="flex-start">
              <Text fz="sm" fw={600}>
                {OPTION_LABELS[o.kind] ?? humanize(o.kind)}
              </Text>
              {o.kind === p.recommended && (
                <Badge color="teal" size="xs" variant="light" radius="sm" style={{ flexShrink: 0 }}>
                  Recommended
                </Badge>
              )}
            </Group>
            <Money minor={o.amountMinor} currency={view.order.currency} strong fz="lg" />
            <Text fz="xs" c="dimmed" mt={4}>
              {o.computation}
            </Text>
          </div>
        ))}
      </SimpleGrid>
      <Text fz="sm" mb="xs">
        <Text span inherit fw={500}>
          Why {p.recommended === 'partial' ? 'A' : p.recommended === 'return' ? 'B' : 'this'}:{' '}
        </Text>
        {p.recommendationReason}
      </Text>
      {p.overrideNote && (
        <Text fz="sm" mb="xs">
          <Text span inherit fw={500}>
            Mediator’s note on the amount:{' '}
          </Text>
          {p.overrideNote}
        </Text>
      )}
      <Group gap="xl" pt={6} style={{ borderTop: '1px solid var(--mantine-color-gray-2)' }}>
        <Fact label="Buyer">{replyText(p.replies.buyer)}</Fact>
        <Fact label="Seller">{replyText(p.replies.seller)}</Fact>
        <Fact label={open ? 'Replies due' : 'Reply period ended'}>
          {open ? <Countdown at={p.replyDueAt} /> : formatInstant(p.replyDueAt)}
        </Fact>
      </Group>
    </Section>
  );
}

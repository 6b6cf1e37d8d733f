import { Alert, Badge, Group, Text } from '@mantine/core';
import { Countdown } from '../../../ui/Countdown';
import { Money } from '../../../ui/Money';
import { Fact, Section } from '../../../ui/Section';
import { formatInstant, formatMoney, humanize, outcomeLabel } from '../../../ui/format';
import type { CaseView } from '../../../api/types';

export function DecisionPanel({ view }: { view: CaseView }) {
  const d = view.decision;
  if (!d) return null;
  const cur = view.order.currency;
  return (
    <Section
      title="Decision"
      testId="decision-panel"
      extra={
        <Badge
          size="sm"
          radius="sm"
          variant="light"
          color={d.basis === 'default' ? 'orange' : d.basis === 'agreement' ? 'teal' : 'indigo'}
          style={{ textTransform: 'none' }}
        >
          {d.basis === 'default'
            ? 'By default'
            : d.basis === 'agreement'
              ? 'Agreed by both parties'
              : d.basis === 'appeal'
                ? 'On appeal'
                : 'By the mediator'}
        </Badge>
      }
    >
      <Group gap="xl" mb="sm" align="flex-start">
        <Fact label="Outcome">
          <Text fw={600} fz="sm" data-testid="decision-outcome">
            {outcomeLabel(d.outcome)}
          </Text>
        </Fact>
        <Fact label="Refund">
          <Money minor={d.amountMinor} currency={cur} strong />
        </Fact>
        <Fact label="Decided">
          {formatInstant(d.decidedAt)} · {d.decidedBy}
        </Fact>
        <Fact label="Under policy">
          <span data-testid="decision-policy-version">version {d.policyVersion}</span>
        </Fact>
        <Fact label="Appeal window">
          {d.appealUntil ? (
            view.status === 'closed' ? (
              <Countdown at={d.appealUntil} />
            ) : (
              `until ${formatInstant(d.appealUntil)}`
            )
          ) : (
            'Not appealable'
          )}
        </Fact>
      </Group>
      <Text fz="sm" style={{ whiteSpace: 'pre-wrap' }}>
        {d.reasons}
      </Text>
      {view.refund && (
        <Group gap="xl" mt="sm" pt={6} style={{ borderTop: '1px solid var(--mantine-color-gray-2)' }}>
          <Fact label="Refund status">{humanize(view.refund.status)}</Fact>
          {view.refund.reference && <Fact label="Payment reference">{view.refund.reference}</Fact>}
          {view.refund.failureReason && <Fact label="Payment failed">{view.refund.failureReason}</Fact>}
          {view.refund.returnTrackingNumber && <Fact label="Return tracking">{view.refund.returnTrackingNumber}</Fact>}
          {view.returnDueAt && view.refund.status === 'awaiting_return' && (
            <Fact label="Return due">
              <Countdown at={view.returnDueAt} />
            </Fact>
          )}
        </Group>
      )}
      {view.appeal && (
        <Alert
          mt="sm"
          color={view.appeal.status === 'pending' ? 'red' : 'gray'}
          variant="light"
          title={`Appeal by the ${view.appeal.party} (${humanize(view.appeal.grounds)}) · ${view.appeal.status}`}
        >
          <Text fz="sm">{view.appeal.text}</Text>
          {view.appeal.reasons && (
            <Text fz="sm" mt={4}>
              Review: {view.appeal.reasons}
            </Text>
          )}
        </Alert>
      )}
      {view.previousDecisions.length > 0 && (
        <Text fz="xs" c="dimmed" mt="sm">
          Replaced:{' '}
          {view.previousDecisions
            .map((p) => `${outcomeLabel(p.outcome)} ${formatMoney(p.amountMinor, cur)} (${formatInstant(p.decidedAt)})`)
            .join('; ')}
        </Text>
      )}
    </Section>
  );
}

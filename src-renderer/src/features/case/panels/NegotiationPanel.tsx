import { Alert, Text } from '@mantine/core';
import { IconAlert } from '../../../ui/Icons';
import { Money } from '../../../ui/Money';
import { Section } from '../../../ui/Section';
import { ACTOR_COLORS, actorKind, formatInstant, humanize } from '../../../ui/format';
import type { CaseView } from '../../../api/types';

export function NegotiationPanel({ view }: { view: CaseView }) {
  const cur = view.order.currency;
  return (
    <Section title="Negotiation before escalation" testId="negotiation-panel">
      {view.negotiationWarnings.map((w) => (
        <Alert
          key={w.code + w.text}
          color="orange"
          variant="light"
          mb="sm"
          icon={<IconAlert size={16} />}
          title="Warning"
          data-testid="negotiation-warning"
        >
          <Text fz="sm">{w.text}</Text>
        </Alert>
      ))}
      {view.negotiation.length === 0 ? (
        <Text fz="sm" c="dimmed">
          The parties made no proposals before escalation.
        </Text>
      ) : (
        <table className="data-table content-width">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>Proposal</th>
              <th style={{ textAlign: 'right' }}>Amount</th>
              <th>Comment</th>
            </tr>
          </thead>
          <tbody>
            {view.negotiation.map((n, i) => (
              <tr key={i}>
                <td style={{ whiteSpace: 'nowrap' }}>{formatInstant(n.at)}</td>
                <td>
                  <Text span fz="sm" fw={500} c={`${ACTOR_COLORS[actorKind(n.by)]}.8`}>
                    {humanize(n.by)}
                  </Text>
                </td>
                <td style={{ whiteSpace: 'nowrap' }}>{n.remedy === 'refund_only' ? 'Refund only' : 'Return and refund'}</td>
                <td className="num">
                  <Money minor={n.amountMinor} currency={cur} c={n.amountMinor === 0 ? 'red.7' : undefined} />
                </td>
                <td>
                  <Text fz="sm" c={n.comment ? undefined : 'dimmed'}>
                    {n.comment || '—'}
                  </Text>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

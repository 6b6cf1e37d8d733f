import { Group, Text } from '@mantine/core';
import { Section } from '../../../ui/Section';
import { ACTOR_COLORS, actorKind, formatInstant, formatMoney, humanize, outcomeLabel } from '../../../ui/format';
import type { CaseView } from '../../../api/types';

const EVENT_LABELS: Record<string, string> = {
  'case.imported': 'Escalated to the platform',
  'case.claimed': 'Claimed',
  'case.assigned': 'Assigned',
  'case.reassigned': 'Reassigned',
  'evidence.requested': 'Evidence requested',
  'evidence.submitted': 'Evidence submitted',
  'evidence.expired': 'Evidence request expired',
  'evidence.missed': 'Missed evidence: default applies',
  'evidence.round_ended': 'Evidence round ended',
  'proposal.published': 'Resolutions published',
  'reply.received': 'Reply received',
  'reply_period.ended': 'Reply period ended',
  'case.decided': 'Decided',
  'case.finalized': 'Final',
  'return.shipped': 'Return shipped',
  'return.received': 'Return received',
  'appeal.filed': 'Appeal filed',
  'appeal.reviewed': 'Appeal reviewed',
  'refund.cancelled': 'Refund cancelled',
  'refund.updated': 'Refund stage reported',
  'command.refused': 'Refused',
};

/** The action a refusal names, in the words of the case screen's buttons (not a method name). */
const ACTION_LABELS: Record<string, string> = {
  claim: 'Claim',
  release: 'Release',
  assign: 'Assign',
  reassign: 'Reassign',
  requestEvidence: 'Request evidence',
  propose: 'Publish the resolutions',
  decide: 'Decide',
  reviewAppeal: 'Review the appeal',
  submitEvidence: 'Evidence from a party',
  reply: 'A party’s reply',
  shipReturn: 'Return shipped',
  confirmReturn: 'Return received',
  appeal: 'An appeal',
  refundUpdate: 'A refund update',
};

function refusedAction(d: Record<string, unknown>): string {
  const raw = typeof d.command === 'string' ? d.command : typeof d.method === 'string' ? d.method.split('.').pop()! : '';
  return ACTION_LABELS[raw] ?? humanize(raw.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase());
}

type Event = CaseView['events'][number];
/** One line of the timeline: an event, or a run of refused attempts shown as one. */
type Entry = { event: Event; refusals: number };

/** Refused attempts in a row (a person retrying, a feed resending) are one entry with a count, not a red wall. */
function entriesOf(events: Event[]): Entry[] {
  const out: Entry[] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (e.type === 'command.refused' && last?.event.type === 'command.refused') last.refusals += 1;
    else out.push({ event: e, refusals: e.type === 'command.refused' ? 1 : 0 });
  }
  return out;
}

function eventSummary(type: string, details: unknown, currency: string): string {
  const d = (details ?? {}) as Record<string, unknown>;
  const s = (k: string) => (typeof d[k] === 'string' ? d[k] : undefined);
  switch (type) {
    case 'case.claimed':
    case 'case.assigned':
    case 'case.reassigned':
      return s('assignee') ? `to ${s('assignee')}` : '';
    case 'evidence.requested':
      return `${s('party') ?? ''}: ${s('request') ?? ''}`;
    case 'evidence.submitted':
      return `${s('name') ?? ''} (${s('mediaType') ?? ''})`;
    case 'evidence.expired':
    case 'evidence.missed':
      return s('party') ? `${s('party')} did not answer` : '';
    case 'proposal.published': {
      const opts = Array.isArray(d.options) ? (d.options as Array<{ kind: string; amountMinor: number }>) : [];
      return opts.map((o) => `${o.kind} ${formatMoney(o.amountMinor, currency)}`).join(' · ');
    }
    case 'reply.received':
      return `chose ${s('choice') ?? '?'}`;
    case 'reply_period.ended':
      return d.forcedDecision ? 'no agreement: the mediator must decide' : '';
    case 'case.decided':
      return `${outcomeLabel(s('outcome') ?? '')} ${typeof d.amountMinor === 'number' ? formatMoney(d.amountMinor, currency) : ''} · ${s('basis') ?? ''}`;
    case 'command.refused':
      return `${refusedAction(d)}: ${s('message') ?? s('code') ?? ''}`;
    case 'case.finalized':
    case 'refund.cancelled':
      return s('because') ?? '';
    case 'appeal.filed':
      return `${s('grounds') ?? ''}: ${s('text') ?? ''}`;
    case 'refund.updated':
      return [s('status'), s('reference'), s('reason')].filter(Boolean).join(' · ');
    default:
      return '';
  }
}

export function TimelinePanel({ view }: { view: CaseView }) {
  const cur = view.order.currency;
  // Newest first; a run of refusals shows the latest one's message.
  const entries = entriesOf([...view.events].reverse());
  return (
    <Section
      title={`Timeline · ${view.events.length} events`}
      testId="timeline-panel"
      extra={
        <Group gap="sm">
          {(['buyer', 'seller', 'platform', 'system'] as const).map((k) => (
            <Group key={k} gap={4} wrap="nowrap">
              <span
                className="timeline-dot"
                style={{ background: `var(--mantine-color-${ACTOR_COLORS[k]}-6)`, marginTop: 0, width: 8, height: 8 }}
              />
              <Text fz="xs" c="dimmed">
                {k === 'platform' ? 'platform / mediator' : k}
              </Text>
            </Group>
          ))}
        </Group>
      }
    >
      {entries.map(({ event: e, refusals }, i) => {
        const kind = actorKind(e.actor);
        const summary = eventSummary(e.type, e.details, cur);
        return (
          <div key={i} className="timeline-item" data-testid="timeline-event" data-actor={kind}>
            <span className="timeline-dot" style={{ background: `var(--mantine-color-${ACTOR_COLORS[kind]}-6)` }} />
            <Text fz="xs" c="dimmed" className="tabular" pt={2}>
              {formatInstant(e.at)}
            </Text>
            <div style={{ minWidth: 0 }}>
              <Text fz="sm" component="div">
                <Text span inherit fw={600} c={e.type === 'command.refused' ? 'red.7' : undefined}>
                  {EVENT_LABELS[e.type] ?? humanize(e.type)}
                  {refusals > 1 && ` · ${refusals} attempts`}
                </Text>
                <Text span fz="xs" fw={600} c={`${ACTOR_COLORS[kind]}.8`} ml={8}>
                  {e.actor}
                </Text>
              </Text>
              {summary && (
                <Text fz="sm" c="dimmed" lineClamp={2}>
                  {summary}
                </Text>
              )}
            </div>
          </div>
        );
      })}
    </Section>
  );
}

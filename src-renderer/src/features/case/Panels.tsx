import { Alert, Badge, Blockquote, Box, Button, Group, Kbd, List, SimpleGrid, Stack, Text, Tooltip, UnstyledButton } from '@mantine/core';
import type { ReactNode } from 'react';
import { Countdown } from '../../ui/Countdown';
import { IconAlert, IconFile } from '../../ui/Icons';
import { Money } from '../../ui/Money';
import { RiskBadge } from '../../ui/RiskBadge';
import { Fact, Section } from '../../ui/Section';
import {
  ACTOR_COLORS,
  actorKind,
  formatAge,
  formatBytes,
  formatInstant,
  formatMoney,
  humanize,
  outcomeLabel,
  reasonLabel,
  riskColor,
} from '../../ui/format';
import { useNow } from '../../ui/clock';
import { loudWarnings } from '../evidence/model';
import { EvidenceThumb, WarningBadges } from '../evidence/Thumb';
import type { CaseView } from '../../api/types';

type V = CaseView;

const DELIVERY_COLORS: Record<string, string> = { delivered: 'teal', in_transit: 'blue', returned_to_sender: 'orange', no_info: 'gray' };
const OPTION_LABELS: Record<string, string> = {
  partial: 'A · Partial refund, keep the item',
  return: 'B · Return for a full refund',
  full: 'Full refund, no return',
};
const DEADLINE_LABELS: Record<string, string> = {
  evidence: 'Evidence request',
  reply: 'Reply period',
  appeal: 'Appeal window',
  return: 'Return shipment',
};

function Row({ label, children, strong }: { label: ReactNode; children: ReactNode; strong?: boolean }) {
  return (
    <Group justify="space-between" wrap="nowrap" gap="sm" py={3}>
      <Text fz="sm" c="dimmed">
        {label}
      </Text>
      <Text fz="sm" fw={strong ? 600 : undefined} component="div" ta="right">
        {children}
      </Text>
    </Group>
  );
}

// ---------------------------------------------------------------- side column

export function OrderPanel({ view }: { view: V }) {
  const o = view.order;
  return (
    <Section title="Order & tracking" testId="order-panel">
      <Text fw={600} fz="sm" mb={6}>
        {o.item.quantity > 1 ? `${o.item.quantity} × ` : ''}
        {o.item.title}
      </Text>
      <Fact label="Order">
        <span className="mono">{o.id}</span>
      </Fact>
      <SimpleGrid cols={2} spacing="xs" mb="sm" mt={6}>
        <Fact label="Placed">{formatInstant(o.placedAt)}</Fact>
        <Fact label="Shipped">{formatInstant(o.shippedAt)}</Fact>
      </SimpleGrid>
      <Box
        style={{ borderTop: '1px solid var(--mantine-color-gray-2)', borderBottom: '1px solid var(--mantine-color-gray-2)' }}
        py={4}
        mb="sm"
      >
        <Row label="Item price">
          <Money minor={o.itemPriceMinor} currency={o.currency} />
        </Row>
        <Row label="Shipping">
          <Money minor={o.shippingMinor} currency={o.currency} />
        </Row>
        <Row label="Order total" strong>
          <Money minor={o.totalMinor} currency={o.currency} strong />
        </Row>
      </Box>
      <SimpleGrid cols={2} spacing="xs">
        <Fact label="Tracking number">
          <span className="mono" data-testid="tracking-number">
            {o.tracking.number ?? '—'}
          </span>
        </Fact>
        <Fact label="Carrier">{o.tracking.carrier ?? '—'}</Fact>
        <Fact label="Delivery status">
          <Badge
            size="sm"
            variant="light"
            radius="sm"
            color={DELIVERY_COLORS[o.tracking.status] ?? 'gray'}
            style={{ textTransform: 'none' }}
          >
            {humanize(o.tracking.status)}
          </Badge>
        </Fact>
        <Fact label="Delivered">{formatInstant(o.tracking.deliveredAt)}</Fact>
      </SimpleGrid>
    </Section>
  );
}

export function BuyerPanel({ view }: { view: V }) {
  const now = useNow();
  const b = view.buyer;
  const risk = view.buyerRisk;
  const flagged = b.label === 'serial_disputer';
  return (
    <Section
      title="Buyer"
      testId="buyer-panel"
      extra={
        b.label ? (
          <Badge
            color={flagged ? 'red' : 'teal'}
            variant={flagged ? 'filled' : 'light'}
            size="sm"
            radius="sm"
            style={{ textTransform: 'none' }}
          >
            {flagged ? 'Flagged: serial disputer' : `Analyst: ${humanize(b.label)}`}
          </Badge>
        ) : undefined
      }
    >
      <PartyHead name={b.name} id={b.id} country={b.country} />
      <PartyFacts createdAt={b.createdAt} history={b.history} now={now} my="sm" />
      <Box p="sm" bg={`${riskColor(risk.score)}.0`} style={{ borderRadius: 'var(--mantine-radius-sm)' }} data-testid="buyer-risk">
        <Group gap="sm" mb={risk.reasons.length ? 6 : 0} wrap="nowrap">
          <RiskBadge score={risk.score} flagged={flagged} size="lg" />
          <div>
            <Text fz="sm" fw={600}>
              Fraud-pattern score {risk.score}/100
            </Text>
            <Text fz="xs" c="dimmed">
              Shown for judgement; it never decides a case.
            </Text>
          </div>
        </Group>
        {risk.reasons.length > 0 ? (
          <List size="sm" spacing={2} withPadding>
            {risk.reasons.map((r) => (
              <List.Item key={r}>{r}</List.Item>
            ))}
          </List>
        ) : (
          <Text fz="xs" c="dimmed" mt={4}>
            No risk signals.
          </Text>
        )}
      </Box>
      {b.labelNote && (
        <Text fz="sm" mt="sm">
          <Text span c="dimmed" fz="xs">
            Analyst note:{' '}
          </Text>
          {b.labelNote}
        </Text>
      )}
    </Section>
  );
}

/** Account age, orders and disputes of a party (the buyer's and the seller's panels). */
function PartyFacts({
  createdAt,
  history,
  now,
  ...margins
}: {
  createdAt: string | null;
  history: V['buyer']['history'];
  now: number;
  my?: string;
  mt?: string;
}) {
  return (
    <SimpleGrid cols={3} spacing="xs" {...margins}>
      <Fact label="Account age">{formatAge(createdAt, now)}</Fact>
      <Fact label="Orders">{history?.orders ?? '—'}</Fact>
      <Fact label="Disputes">
        {history ? (
          <>
            {history.disputes}
            {history.openDisputes > 1 && (
              <Text span fz="xs" c="dimmed">
                {' '}
                ({history.openDisputes} open)
              </Text>
            )}
          </>
        ) : (
          '—'
        )}
      </Fact>
    </SimpleGrid>
  );
}

export function SellerPanel({ view }: { view: V }) {
  const now = useNow();
  const s = view.seller;
  return (
    <Section title="Seller" testId="seller-panel">
      <PartyHead name={s.name} id={s.id} country={s.country} />
      <PartyFacts createdAt={s.createdAt ?? null} history={s.history} now={now} mt="sm" />
    </Section>
  );
}

function PartyHead({ name, id, country }: { name: string; id: string; country: string }) {
  return (
    <Group gap="xs" wrap="nowrap">
      <Text fw={600} fz="sm" truncate>
        {name}
      </Text>
      <Badge variant="outline" color="gray" size="xs" radius="sm" style={{ flexShrink: 0, overflow: 'visible' }}>
        {country}
      </Badge>
      <Text fz="xs" c="dimmed" className="mono" style={{ flexShrink: 0 }}>
        {id}
      </Text>
    </Group>
  );
}

export function DeadlinesPanel({ view }: { view: V }) {
  if (!view.deadlines.length) return null;
  return (
    <Section title="Deadlines" testId="deadlines-panel">
      <Stack gap="sm">
        {view.deadlines.map((d) => (
          <div key={d.key} data-testid="deadline-row">
            <Group justify="space-between" wrap="nowrap" gap="xs">
              <Text fz="sm" fw={600}>
                {DEADLINE_LABELS[d.kind] ?? humanize(d.kind)}
              </Text>
              <Countdown at={d.dueAt} />
            </Group>
            <Text fz="xs" c="dimmed">
              Due {formatInstant(d.dueAt)}
            </Text>
            <Text fz="xs" mt={2} c="dark.4">
              {d.whenPassed}
            </Text>
          </div>
        ))}
      </Stack>
    </Section>
  );
}

// ---------------------------------------------------------------- main column

export function ClaimPanel({ view }: { view: V }) {
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

export function ProposalPanel({ view }: { view: V }) {
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

export function DecisionPanel({ view }: { view: V }) {
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

export function EvidencePanel({ view, onOpenReview }: { view: V; onOpenReview?: (index: number | null) => void }) {
  const requests = view.evidenceRequests;
  const requestNo = new Map(requests.map((r, i) => [r.id, i + 1]));
  const flagged = view.evidence.filter((e) => loudWarnings(e).length > 0).length;
  return (
    <Section
      title={`Evidence · ${view.evidence.length} file${view.evidence.length === 1 ? '' : 's'}`}
      testId="evidence-panel"
      extra={
        onOpenReview && view.evidence.length > 0 ? (
          <Group gap="xs" wrap="nowrap">
            {flagged > 0 && (
              <Text fz="xs" c="red.7" fw={600} data-testid="evidence-flagged-count">
                {flagged} with warnings
              </Text>
            )}
            <Button
              size="compact-sm"
              variant="light"
              onClick={() => onOpenReview(null)}
              rightSection={<Kbd size="xs">v</Kbd>}
              aria-keyshortcuts="v"
              data-testid="open-evidence-review"
            >
              Open evidence review
            </Button>
          </Group>
        ) : undefined
      }
    >
      {requests.length > 0 && (
        <Stack gap={6} mb="md">
          {requests.map((r, i) => (
            <Group key={r.id} gap="sm" wrap="nowrap" align="flex-start" data-testid="evidence-request">
              <Badge
                size="sm"
                radius="sm"
                variant="light"
                color={r.status === 'open' ? 'orange' : r.status === 'fulfilled' ? 'teal' : 'red'}
                w={86}
                style={{ flexShrink: 0, textTransform: 'none' }}
              >
                #{i + 1} {r.status}
              </Badge>
              <div style={{ minWidth: 0, flex: 1 }}>
                <Text fz="sm">
                  <Text span inherit fw={600} c={`${ACTOR_COLORS[r.party]}.8`}>
                    {r.party === 'buyer' ? 'Buyer' : 'Seller'}:
                  </Text>{' '}
                  {r.request}
                </Text>
                <Text fz="xs" c="dimmed">
                  asked by {r.requestedBy}, {formatInstant(r.requestedAt)} ·{' '}
                  {r.status === 'open' ? (
                    <Countdown at={r.dueAt} size="xs" prefix="due" />
                  ) : r.resolvedAt ? (
                    `${r.status} ${formatInstant(r.resolvedAt)}`
                  ) : (
                    `due ${formatInstant(r.dueAt)}`
                  )}
                </Text>
              </div>
            </Group>
          ))}
        </Stack>
      )}
      {view.evidence.length === 0 ? (
        <Text fz="sm" c="dimmed">
          No files yet.
        </Text>
      ) : (
        <table className="data-table" data-testid="evidence-table">
          <thead>
            <tr>
              <th>From</th>
              <th>File</th>
              <th>Type</th>
              <th style={{ textAlign: 'right' }}>Size</th>
              <th>SHA-256</th>
              <th>Submitted</th>
              <th>Answers</th>
            </tr>
          </thead>
          <tbody>
            {view.evidence.map((e, i) => (
              <tr key={`${e.sha256}-${i}`} data-testid="evidence-row">
                <td>
                  <Text span fz="sm" fw={500} c={`${ACTOR_COLORS[actorKind(e.party)]}.8`}>
                    {humanize(e.party)}
                  </Text>
                </td>
                <td style={{ maxWidth: 280 }}>
                  <Group gap={8} wrap="nowrap" align="flex-start">
                    {e.file?.stored && onOpenReview ? (
                      <UnstyledButton onClick={() => onOpenReview(i)} aria-label={`Review ${e.name}`} style={{ flexShrink: 0 }}>
                        <EvidenceThumb entry={e} size={40} />
                      </UnstyledButton>
                    ) : (
                      <IconFile size={14} color="var(--mantine-color-gray-6)" style={{ flexShrink: 0, marginTop: 3 }} />
                    )}
                    <div style={{ minWidth: 0 }}>
                      <Text fz="sm" truncate title={e.name}>
                        {e.name}
                      </Text>
                      {e.note && (
                        <Text fz="xs" c="dimmed">
                          {e.note}
                        </Text>
                      )}
                      <WarningBadges entry={e} />
                    </div>
                  </Group>
                </td>
                <td>
                  <Text fz="xs" c="dimmed">
                    {e.mediaType}
                  </Text>
                </td>
                <td className="num">{formatBytes(e.sizeBytes)}</td>
                <td>
                  <Tooltip label={e.sha256} openDelay={300}>
                    <span className="mono">{e.sha256.slice(0, 10)}…</span>
                  </Tooltip>
                </td>
                <td style={{ whiteSpace: 'nowrap' }}>{formatInstant(e.submittedAt)}</td>
                <td style={{ whiteSpace: 'nowrap' }}>
                  {e.requestId ? (
                    `Request #${requestNo.get(e.requestId) ?? '?'}`
                  ) : (
                    <Text span fz="sm" c="dimmed">
                      before escalation
                    </Text>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

export function NegotiationPanel({ view }: { view: V }) {
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
        <table className="data-table">
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

export function MessagesPanel({ view }: { view: V }) {
  return (
    <Section title={`Messages between the parties · ${view.messages.length}`} testId="messages-panel">
      {view.messages.length === 0 ? (
        <Text fz="sm" c="dimmed">
          No messages.
        </Text>
      ) : (
        <Stack gap={8}>
          {view.messages.map((m, i) => (
            <div key={i} className="message" data-by={m.by}>
              <Text fz="xs" c="dimmed" mb={2}>
                <Text span inherit fw={600} c={`${ACTOR_COLORS[actorKind(m.by)]}.8`}>
                  {humanize(m.by)}
                </Text>{' '}
                · {formatInstant(m.at)}
              </Text>
              {m.text}
            </div>
          ))}
        </Stack>
      )}
    </Section>
  );
}

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
  'command.refused': 'Refused',
};

function eventSummary(type: string, details: unknown, currency: string): string {
  const d = (details ?? {}) as Record<string, unknown>;
  const s = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
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
      return `${outcomeLabel(String(d.outcome ?? ''))} ${typeof d.amountMinor === 'number' ? formatMoney(d.amountMinor, currency) : ''} · ${String(d.basis ?? '')}`;
    case 'command.refused':
      return `${String(d.command ?? d.method ?? '')}: ${String(d.message ?? d.code ?? '')}`;
    case 'case.finalized':
    case 'refund.cancelled':
      return s('because') ?? '';
    case 'appeal.filed':
      return `${s('grounds') ?? ''}: ${s('text') ?? ''}`;
    default:
      return '';
  }
}

export function TimelinePanel({ view }: { view: V }) {
  const cur = view.order.currency;
  const events = [...view.events].reverse();
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
      {events.map((e, i) => {
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

export function WaitingOnYou({ view }: { view: V }) {
  if (view.status !== 'in_review') return null;
  if (view.forcedDecision)
    return (
      <Alert
        color="red"
        variant="light"
        icon={<IconAlert size={18} />}
        title="Forced decision: the reply period ended without agreement"
        data-testid="forced-callout"
      >
        Decide by picking one of the published options. The parties’ replies are under “Published resolutions”.
      </Alert>
    );
  return (
    <Group
      gap={8}
      px="sm"
      py={6}
      bg="violet.0"
      wrap="nowrap"
      style={{ borderRadius: 'var(--mantine-radius-sm)', borderLeft: '3px solid var(--mantine-color-violet-5)' }}
    >
      <Text fz="sm" fw={600} c="violet.8">
        Your move.
      </Text>
      <Text fz="sm" c="dark.5">
        Nothing runs on this case until you request evidence, publish the resolutions or decide.
      </Text>
    </Group>
  );
}

import { Alert, Badge, Button, Group, Kbd, Modal, Radio, SimpleGrid, Stack, Text, Tooltip } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { isNotReceived, type Outcome } from '../../../../../src-main/contract/domain';
import type { AppError } from '../../../../../src-main/contract/errors';
import { decisionAmount } from '../../../../../src-main/contract/letters';
import { minorToInput, parseMinor } from '../../../../../src-main/contract/money-format';
import { useMethodMutation } from '../../../api/queries';
import { AmountRow, ctrlEnter, Footer, Refusal, TextRow } from '../../../ui/FormParts';
import { IconAlert } from '../../../ui/Icons';
import { Money } from '../../../ui/Money';
import { Fact, Section } from '../../../ui/Section';
import { ACTOR_COLORS, formatInstant, formatMoney, humanize, outcomeLabel } from '../../../ui/format';
import { useNow } from '../../../ui/clock';
import type { CaseView, Me } from '../../../api/types';
import { appealReview } from '../permissions';
import { AgeBadge } from '../../../ui/AgeBadge';
import { GROUNDS_LABELS, OutcomeBadge } from '../../../ui/outcomes';

export type Verdict = 'uphold' | 'overturn';

/**
 * On an appealed case, for supervisors: the appeal beside the decision it contests, and
 * uphold / overturn. When the supervisor decided or handled the case the panel says why
 * they may not review and the buttons stay disabled; the core refuses it anyway
 * (SEPARATION_OF_DUTIES), so this is a courtesy, not the rule. The case screen owns the
 * dialog and its shortcuts u / o, so a key pressed while the case is still loading waits for it.
 */
export function AppealReviewPanel({
  view,
  me,
  verdict: dialog,
  onVerdict: setDialog,
  onDone,
}: {
  view: CaseView;
  me: Me;
  verdict: Verdict | null;
  onVerdict: (verdict: Verdict | null) => void;
  onDone: (message: string) => void;
}) {
  const rights = appealReview(view, me);
  const now = useNow();
  if (!rights.shown || !view.appeal || !view.decision) return null;
  const a = view.appeal;
  const d = view.decision;
  const cur = view.order.currency;
  const age = now - Date.parse(a.filedAt);
  const scrollToEvidence = () =>
    document.querySelector('[data-testid="evidence-panel"]')?.scrollIntoView({ behavior: 'smooth', block: 'start' });

  return (
    <Section
      title="Appeal review"
      testId="appeal-review-panel"
      extra={
        <Group gap={6} wrap="nowrap">
          <Text fz="xs" c="dimmed">
            waiting
          </Text>
          <AgeBadge ms={Math.max(0, age)} testId="appeal-age" />
        </Group>
      }
    >
      <div className="sv-versus">
        <div data-side="appeal" data-testid="appeal-side">
          <Group gap={6} mb={6} wrap="nowrap">
            <Badge size="sm" radius="sm" variant="filled" color={ACTOR_COLORS[a.party]} style={{ textTransform: 'none' }}>
              {humanize(a.party)} appeals
            </Badge>
            <Text fz="sm" fw={600}>
              {GROUNDS_LABELS[a.grounds]}
            </Text>
          </Group>
          <Text fz="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="appeal-full-text">
            {a.text}
          </Text>
          <Text fz="xs" c="dimmed" mt={6}>
            Filed {formatInstant(a.filedAt)}
          </Text>
        </div>
        <div data-side="decision" data-testid="appealed-decision">
          <Group gap={6} mb={6} wrap="nowrap">
            <Text fz="xs" fw={700} tt="uppercase" c="dimmed" style={{ letterSpacing: '0.04em' }}>
              The decision appealed
            </Text>
            <Badge size="xs" radius="sm" variant="outline" color="gray" style={{ textTransform: 'none' }}>
              policy v{d.policyVersion}
            </Badge>
          </Group>
          <Group gap={8} mb={6} wrap="nowrap">
            <OutcomeBadge outcome={d.outcome} size="md" />
            <Money minor={d.amountMinor} currency={cur} strong fz="lg" />
            <Text fz="xs" c="dimmed">
              of <Money minor={view.order.totalMinor} currency={cur} />
            </Text>
          </Group>
          <Text fz="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} lineClamp={8} title={d.reasons}>
            {d.reasons}
          </Text>
          <Text fz="xs" c="dimmed" mt={6}>
            {d.basis === 'default' ? 'Applied by default' : d.basis === 'mediator' ? 'Decided' : humanize(d.basis)} by{' '}
            <Text span inherit fw={600} c={d.decidedBy === me.userId ? 'red.7' : 'dark'}>
              {d.decidedBy === me.userId ? 'you' : d.decidedBy}
            </Text>
            , {formatInstant(d.decidedAt)}
          </Text>
        </div>
      </div>

      <Group justify="space-between" mt="sm" wrap="nowrap" align="center">
        <Button variant="subtle" size="compact-sm" color="gray" onClick={scrollToEvidence}>
          Evidence: {view.evidence.length} file{view.evidence.length === 1 ? '' : 's'}, {view.evidenceRequests.length} request
          {view.evidenceRequests.length === 1 ? '' : 's'} ↓
        </Button>
        <Group gap="xs" wrap="nowrap">
          <ReviewButton
            may={rights.may}
            whyNot={rights.whyNot}
            label="Uphold"
            shortcut="u"
            variant="default"
            onClick={() => setDialog('uphold')}
          />
          <ReviewButton
            may={rights.may}
            whyNot={rights.whyNot}
            label="Overturn…"
            shortcut="o"
            variant="filled"
            onClick={() => setDialog('overturn')}
          />
        </Group>
      </Group>
      {!rights.may && (
        <Alert
          mt="sm"
          color="orange"
          variant="light"
          icon={<IconAlert size={18} />}
          title="You may not review this appeal"
          data-testid="review-blocked"
        >
          {rights.whyNot}
        </Alert>
      )}
      {dialog !== null && <AppealReviewDialog view={view} initial={dialog} onClose={() => setDialog(null)} onDone={onDone} />}
    </Section>
  );
}

function ReviewButton({
  may,
  whyNot,
  label,
  shortcut,
  variant,
  onClick,
}: {
  may: boolean;
  whyNot: string | null;
  label: string;
  shortcut: string;
  variant: 'default' | 'filled';
  onClick: () => void;
}) {
  const button = (
    <Button
      variant={variant}
      color={variant === 'filled' ? 'red' : undefined}
      disabled={!may}
      onClick={onClick}
      rightSection={<Kbd size="xs">{shortcut}</Kbd>}
      aria-keyshortcuts={shortcut}
      data-testid={`review-${label.replace('…', '').toLowerCase()}`}
    >
      {label}
    </Button>
  );
  if (may) return button;
  // A disabled button gets no pointer events: the tooltip sits on a wrapper.
  return (
    <Tooltip label={whyNot} multiline maw={300} withArrow>
      <span tabIndex={0} aria-label={`${label}: ${whyNot ?? 'not allowed'}`}>
        {button}
      </span>
    </Tooltip>
  );
}

export function AppealReviewDialog({
  view,
  initial,
  onClose,
  onDone,
}: {
  view: CaseView;
  initial: Verdict;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const d = view.decision!;
  const cur = view.order.currency;
  const total = view.order.totalMinor;
  const outcomes: Outcome[] = isNotReceived(view.reason) ? ['full', 'partial', 'none'] : ['full', 'return', 'partial', 'none'];
  const [verdict, setVerdict] = useState<Verdict>(initial);
  const [outcome, setOutcome] = useState<Outcome>(() => outcomes.find((o) => o !== d.outcome) ?? 'full');
  const [amount, setAmount] = useState(() => minorToInput(d.outcome === 'partial' ? d.amountMinor : view.claim.amountMinor, cur));
  const [reasons, setReasons] = useState('');
  const review = useMethodMutation('appeal.review');
  const busy = review.isPending;
  const [error, setError] = useState<AppError | null>(null);

  const parsed = verdict === 'overturn' && outcome === 'partial' ? parseMinor(amount, cur) : undefined;
  const amountError =
    parsed === null
      ? 'Not an amount'
      : parsed !== undefined && (parsed < 1 || parsed > total)
        ? `Between ${formatMoney(1, cur)} and the order total ${formatMoney(total, cur)}`
        : undefined;
  const after =
    verdict === 'uphold'
      ? { outcome: d.outcome, amountMinor: d.amountMinor }
      : { outcome, amountMinor: decisionAmount(outcome, parsed ?? null, total) };
  const same = verdict === 'overturn' && after.outcome === d.outcome && after.amountMinor === d.amountMinor;
  const blocked = !reasons.trim() || !!amountError || same;

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    if (busy || blocked) return;
    const r = await review.mutateAsync({
      caseId: view.id,
      verdict,
      reasons: reasons.trim(),
      ...(verdict === 'overturn' ? { outcome, ...(outcome === 'partial' && parsed != null ? { amountMinor: parsed } : {}) } : {}),
    });
    if (!r.ok) return setError(r.error);
    onClose();
    onDone(
      verdict === 'uphold'
        ? `Appeal on ${view.id} rejected: the decision stands and is final.`
        : `Decision on ${view.id} overturned: ${outcomeLabel(after.outcome).toLowerCase()}, ${formatMoney(after.amountMinor, cur)}. The case is final.`,
    );
  }

  return (
    <Modal opened onClose={onClose} title={`Review the appeal · ${view.id}`} size={760}>
      <form onSubmit={(e) => void submit(e)} onKeyDown={ctrlEnter(() => void submit())} data-testid="appeal-review-form">
        <Stack gap="sm">
          <Radio.Group value={verdict} onChange={(v) => setVerdict(v)} label="Verdict" name="verdict">
            <SimpleGrid cols={2} spacing={8} mt={6}>
              <Radio.Card
                value="uphold"
                radius="md"
                p="sm"
                className="option-card"
                data-selected={verdict === 'uphold'}
                data-testid="verdict-uphold"
              >
                <Group wrap="nowrap" gap="xs" align="flex-start">
                  <Radio.Indicator size="sm" mt={2} />
                  <div>
                    <Text fz="sm" fw={600}>
                      Uphold the decision
                    </Text>
                    <Text fz="xs" c="dimmed">
                      {outcomeLabel(d.outcome)}, {formatMoney(d.amountMinor, cur)} stays.
                    </Text>
                  </div>
                </Group>
              </Radio.Card>
              <Radio.Card
                value="overturn"
                radius="md"
                p="sm"
                className="option-card"
                data-selected={verdict === 'overturn'}
                data-testid="verdict-overturn"
              >
                <Group wrap="nowrap" gap="xs" align="flex-start">
                  <Radio.Indicator size="sm" mt={2} />
                  <div>
                    <Text fz="sm" fw={600}>
                      Overturn with a new decision
                    </Text>
                    <Text fz="xs" c="dimmed">
                      Replaces the outcome and the refund.
                    </Text>
                  </div>
                </Group>
              </Radio.Card>
            </SimpleGrid>
          </Radio.Group>

          {verdict === 'overturn' && (
            <Group align="flex-start" wrap="nowrap" gap="md">
              <Radio.Group value={outcome} onChange={(v) => setOutcome(v)} label="New outcome" name="new-outcome" style={{ flex: 1 }}>
                <SimpleGrid cols={2} spacing={6} mt={6}>
                  {outcomes.map((o) => (
                    <Radio.Card
                      key={o}
                      value={o}
                      radius="md"
                      p="xs"
                      className="option-card"
                      data-selected={o === outcome}
                      data-testid={`new-outcome-${o}`}
                    >
                      <Group wrap="nowrap" gap="xs" align="flex-start">
                        <Radio.Indicator size="sm" mt={2} />
                        <div style={{ minWidth: 0 }}>
                          <Text fz="sm" fw={500} lh={1.3}>
                            {outcomeLabel(o)}
                          </Text>
                          <Text fz="xs" c="dimmed">
                            {o === 'partial' ? 'an amount you set' : formatMoney(o === 'none' ? 0 : total, cur)}
                            {o === d.outcome ? ' · the current outcome' : ''}
                          </Text>
                        </div>
                      </Group>
                    </Radio.Card>
                  ))}
                </SimpleGrid>
              </Radio.Group>
              {outcome === 'partial' && (
                <AmountRow
                  label={`Refund amount (${cur})`}
                  value={amount}
                  onChange={setAmount}
                  currency={cur}
                  totalMinor={total}
                  error={amountError}
                  w={200}
                  mt={0}
                  aria-label="Refund amount"
                />
              )}
            </Group>
          )}

          <Group gap="sm" p="xs" bg="gray.0" style={{ borderRadius: 'var(--mantine-radius-sm)' }} data-testid="review-change">
            <Fact label="Now">
              <Group gap={6} wrap="nowrap">
                <OutcomeBadge outcome={d.outcome} />
                <Money minor={d.amountMinor} currency={cur} />
              </Group>
            </Fact>
            <Text c="dimmed">→</Text>
            <Fact label="After the review">
              <Group gap={6} wrap="nowrap">
                <OutcomeBadge outcome={after.outcome} />
                <Money minor={after.amountMinor} currency={cur} strong />
                {after.amountMinor !== d.amountMinor && (
                  <Text span fz="xs" fw={600} c={after.amountMinor > d.amountMinor ? 'teal.8' : 'red.7'} className="tabular">
                    {after.amountMinor > d.amountMinor ? '+' : '−'}
                    {formatMoney(Math.abs(after.amountMinor - d.amountMinor), cur)} to the buyer
                  </Text>
                )}
              </Group>
            </Fact>
            <Text fz="xs" c="dimmed" ml="auto">
              Either way the case becomes final.
            </Text>
          </Group>
          {same && (
            <Text fz="xs" c="orange.8">
              That is the decision already in force: choose “Uphold”, or another outcome or amount.
            </Text>
          )}

          <TextRow
            label="Reasons"
            description="Both parties receive these with the result of their appeal."
            value={reasons}
            onChange={setReasons}
            rows={4}
            maxRows={10}
            maxLength={10000}
            required
            data-autofocus
            aria-label="Review reasons"
          />
          <Refusal error={error} />
          <Footer
            busy={busy}
            disabled={blocked}
            onCancel={onClose}
            color={verdict === 'overturn' ? 'red' : 'indigo'}
            testId="review-submit"
            label={verdict === 'uphold' ? 'Uphold and close the appeal' : 'Overturn and send the new decision'}
          />
        </Stack>
      </form>
    </Modal>
  );
}

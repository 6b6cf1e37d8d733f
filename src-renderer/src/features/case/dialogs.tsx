import {
  Alert,
  Badge,
  Checkbox,
  Group,
  Loader,
  Modal,
  Radio,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { isNotReceived, type Outcome, type Party } from '../../../../src-main/contract/domain';
import type { AppError } from '../../../../src-main/contract/errors';
import { decisionAmount } from '../../../../src-main/contract/letters';
import { LetterPreview } from './LetterPreview';
import { checkAmount, minorToInput } from '../../../../src-main/contract/money-format';
import { decisionTemplatesFor, evidenceTemplatesFor } from '../../../../src-main/contract/templates';
import { useMethodMutation, useMethodQuery } from '../../api/queries';
import { AmountRow, ctrlEnter, Footer, Refusal, TextRow } from '../../ui/FormParts';
import { Money } from '../../ui/Money';
import { formatMoney, outcomeLabel } from '../../ui/format';
import type { CaseView, ProposalPreview } from '../../api/types';
import { draftKey, StaleNotice, useDraft, useStaleGuard } from './guard';

/** Refusal shows everything but STALE, which the stale notice explains. */
const notStale = (error: AppError | null) => (error?.code === 'STALE' ? null : error);
import { RiskSummary } from './panels/RiskSummary';
import { ConsistencyBox, useConsistency } from '../casework/ConsistencyBox';

interface DialogProps {
  opened: boolean;
  onClose: () => void;
  view: CaseView;
  /** The signed-in person: drafts are kept per user and case. */
  userId: string;
  /** Called after the core accepted the command (accepted or refused, the case refetches: a refusal is in its log too). */
  onDone: (message: string) => void;
}

function TemplatePicker({ items, onPick }: { items: Array<{ id: string; title: string; text: string }>; onPick: (text: string) => void }) {
  if (!items.length) return null;
  return (
    <div>
      <Text fz="xs" c="dimmed" mb={4}>
        Templates: click to insert, then edit
      </Text>
      <Group gap={6}>
        {items.map((t) => (
          <UnstyledButton key={t.id} onClick={() => onPick(t.text)} title={t.text} data-testid="template">
            <Badge
              variant="outline"
              color="gray"
              radius="sm"
              size="md"
              style={{ textTransform: 'none', cursor: 'pointer', fontWeight: 500 }}
            >
              {t.title}
            </Badge>
          </UnstyledButton>
        ))}
      </Group>
    </div>
  );
}

const insert = (current: string, text: string) => (current.trim() ? `${current.trimEnd()}\n\n${text}` : text);

// ---------------------------------------------------------------- request evidence

export function RequestEvidenceDialog({ opened, onClose, view, userId, onDone }: DialogProps) {
  // What the evidence checklist finds missing, per party: the case screen has loaded it, so an
  // empty draft starts from it when the dialog opens (nothing moves under the pointer later).
  const missingText = useMethodQuery('case.checklist', { caseId: view.id }).data?.requestText ?? null;
  const [draft, update, clearDraft] = useDraft<{ party: Party; text: string }>(draftKey(userId, view.id, 'evidence'), () => ({
    party: 'buyer',
    text: missingText?.buyer ?? '',
  }));
  const { party, text } = draft;
  const setText = (next: string | ((cur: string) => string)) => update({ text: typeof next === 'function' ? next(text) : next });
  const request = useMethodMutation('case.requestEvidence');
  const busy = request.isPending;
  const [error, setError] = useState<AppError | null>(null);
  const guard = useStaleGuard(view, opened);
  const templates = evidenceTemplatesFor(view.reason, party);
  const missing = missingText?.[party] ?? null;

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    if (!text.trim() || busy || guard.stale) return;
    const r = await request.mutateAsync({ caseId: view.id, party, request: text.trim(), basedOnVersion: guard.basedOnVersion });
    if (!r.ok) return setError(r.error);
    setError(null);
    clearDraft();
    onDone(`Evidence requested from the ${party}.`);
  }

  return (
    <Modal opened={opened} onClose={onClose} title={`Request evidence · ${view.id}`} size="lg" className="md-command-dialog">
      <form onSubmit={(e) => void submit(e)} onKeyDown={ctrlEnter(() => void submit())} data-testid="request-evidence-form">
        <Stack gap="sm">
          <StaleNotice guard={guard} error={error} onAcknowledge={() => (guard.acknowledge(), setError(null))} />
          <div>
            <Text fz="sm" fw={500} mb={4}>
              From
            </Text>
            <SegmentedControl
              value={party}
              onChange={(v) => update({ party: v })}
              data={[
                { value: 'buyer', label: `Buyer · ${view.buyer.name}` },
                { value: 'seller', label: `Seller · ${view.seller.name}` },
              ]}
              fullWidth
            />
          </div>
          <TemplatePicker items={templates} onPick={(t) => setText((cur) => insert(cur, t))} />
          {missing && (
            <Group gap="xs" wrap="nowrap">
              <Text fz="xs" c="dimmed" data-testid="checklist-prefill" style={{ minWidth: 0 }}>
                {text === missing
                  ? `Started from the evidence checklist: what is missing from the ${party}. Edit before sending.`
                  : `The evidence checklist finds something missing from the ${party}.`}
              </Text>
              {text !== missing && (
                <UnstyledButton onClick={() => update({ text: missing })} fz="xs" c="indigo.8" fw={500} data-testid="checklist-fill">
                  Use the checklist’s text
                </UnstyledButton>
              )}
            </Group>
          )}
          <TextRow
            label="What exactly should they send?"
            description="The party sees this text as written. Be specific: what to show, and how."
            value={text}
            onChange={setText}
            rows={5}
            maxRows={12}
            required
            data-autofocus
            aria-label="Request text"
          />
          <Group justify="space-between">
            <Text fz="xs" c="dimmed">
              The {party} gets the policy’s evidence deadline (72 h by default). Files: images up to 2 MB, videos up to 100 MB.
            </Text>
            <Text fz="xs" c="dimmed" className="tabular">
              {text.length}/2000
            </Text>
          </Group>
          <Refusal error={notStale(error)} />
          <Footer busy={busy} label="Send request" disabled={!text.trim() || guard.stale} onCancel={onClose} />
        </Stack>
      </form>
    </Modal>
  );
}

// ---------------------------------------------------------------- publish the resolutions

const OPTION_TITLES: Record<string, string> = {
  partial: 'A · Partial refund, buyer keeps the item',
  return: 'B · Return for a full refund',
  full: 'Full refund, no return',
};

export function ProposeDialog({ opened, onClose, view, userId, onDone }: DialogProps) {
  const currency = view.order.currency;
  const [draft, update, clearDraft] = useDraft(draftKey(userId, view.id, 'propose'), () => ({ override: false, amount: '', note: '' }));
  const { override, amount, note } = draft;
  const setOverride = (v: boolean) => update({ override: v });
  const setAmount = (v: string) => update({ amount: v });
  const setNote = (v: string) => update({ note: v });
  const propose = useMethodMutation('case.propose');
  const busy = propose.isPending;
  const [error, setError] = useState<AppError | null>(null);
  const guard = useStaleGuard(view, opened);
  // An emptied field starts again from the computed amount (below), so only typed text is checked.
  const amountCheck = override && amount.trim() ? checkAmount(amount, currency, view.order.totalMinor) : null;
  const parsed = amountCheck ? (amountCheck.ok ? amountCheck.minor : null) : undefined;
  const amountError = amountCheck && !amountCheck.ok ? amountCheck.message : null;
  const [debouncedAmount] = useDebouncedValue(parsed, 300);
  const notReceived = isNotReceived(view.reason);

  // What would be published for the amount typed; the last good answer stays while typing and beside a refusal.
  const previewQuery = useMethodQuery(
    'case.previewProposal',
    opened && debouncedAmount !== null
      ? { caseId: view.id, ...(debouncedAmount !== undefined ? { partialAmountMinor: debouncedAmount } : {}) }
      : null,
  );
  // Kept in step while rendering (each step re-renders at once, before anything is shown):
  // an answer replaces the preview and clears the error; a refusal without an answer shows
  // beside the last good preview.
  const [preview, setPreview] = useState<ProposalPreview | null>(null);
  const [previewError, setPreviewError] = useState<AppError | null>(null);
  if (previewQuery.data) {
    if (previewQuery.data !== preview || previewError !== null) {
      setPreview(previewQuery.data);
      setPreviewError(null);
    }
  } else if (previewQuery.error && previewQuery.error !== previewError) setPreviewError(previewQuery.error);

  // Start the override from the computed amount (and again if the field is emptied).
  if (override && !amount && preview) {
    const partial = preview.options.find((o) => o.kind === 'partial');
    if (partial) setAmount(minorToInput(partial.amountMinor, currency));
  }

  const noteMissing = override && !note.trim();
  async function submit(e?: FormEvent) {
    e?.preventDefault();
    if (busy || parsed === null || noteMissing || guard.stale) return;
    const r = await propose.mutateAsync({
      caseId: view.id,
      basedOnVersion: guard.basedOnVersion,
      ...(override && parsed !== undefined ? { partialAmountMinor: parsed, note: note.trim() } : {}),
    });
    if (!r.ok) return setError(r.error);
    setError(null);
    clearDraft();
    onDone('Resolutions published to both parties.');
  }

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={`Publish the standard resolutions · ${view.id}`}
      size={860}
      className="md-command-dialog"
    >
      <form onSubmit={(e) => void submit(e)} onKeyDown={ctrlEnter(() => void submit())} data-testid="propose-form">
        <Stack gap="sm">
          <StaleNotice guard={guard} error={error} onAcknowledge={() => (guard.acknowledge(), setError(null))} />
          {!preview && !previewError ? (
            <Group justify="center" p="lg">
              <Loader size="sm" />
            </Group>
          ) : preview ? (
            <>
              <SimpleGrid cols={preview.options.length > 1 ? 2 : 1} spacing="sm">
                {preview.options.map((o) => (
                  <div key={o.kind} className="option-card" data-recommended={o.kind === preview.recommended} data-testid="proposal-option">
                    <Group justify="space-between" mb={4} wrap="nowrap" align="flex-start">
                      <Text fz="sm" fw={600}>
                        {OPTION_TITLES[o.kind] ?? o.kind}
                      </Text>
                      {o.kind === preview.recommended && (
                        <Badge color="teal" size="xs" variant="light" radius="sm" style={{ flexShrink: 0 }}>
                          Recommended
                        </Badge>
                      )}
                    </Group>
                    {o.kind === 'partial' && amountError ? (
                      // Never an amount the core would refuse: the card says what to fix instead.
                      <Text fz="sm" c="red.8" data-testid="computation">
                        {amountError}
                      </Text>
                    ) : (
                      <>
                        <Money minor={o.amountMinor} currency={currency} strong fz="xl" />
                        <Text fz="xs" c="dimmed" mt={6} data-testid="computation">
                          {o.computation}
                        </Text>
                      </>
                    )}
                  </div>
                ))}
              </SimpleGrid>
              <Alert color="teal" variant="light" p="sm" data-testid="recommendation">
                <Text fz="sm">
                  <Text span inherit fw={600}>
                    Recommended: {OPTION_TITLES[preview.recommended]?.replace(/^[AB] · /, '') ?? preview.recommended}.{' '}
                  </Text>
                  {preview.recommendationReason}
                </Text>
              </Alert>
            </>
          ) : null}
          {previewError && !override && <Refusal error={previewError} />}
          {!notReceived && (
            <Stack gap={6}>
              <Checkbox
                label="Set the partial amount myself (the parties see your note)"
                checked={override}
                onChange={(e) => setOverride(e.currentTarget.checked)}
              />
              {override && (
                <Group align="flex-start" wrap="nowrap">
                  <AmountRow
                    label={`Partial amount (${currency})`}
                    value={amount}
                    onChange={setAmount}
                    currency={currency}
                    totalMinor={view.order.totalMinor}
                    error={amountError ?? (previewError && override ? previewError.message : undefined)}
                    w={240}
                    style={{ flexShrink: 0 }}
                    aria-label="Partial amount"
                  />
                  <TextRow
                    label="Note on the changed amount"
                    value={note}
                    onChange={setNote}
                    required
                    error={noteMissing ? 'Required when you change the amount' : undefined}
                    aria-label="Override note"
                    style={{ flex: 1 }}
                  />
                </Group>
              )}
            </Stack>
          )}
          <Text fz="xs" c="dimmed">
            Both parties get {preview?.replyPeriodHours ?? 96} h to accept an option or reject. Both accept the same option → decided at
            once; one accepts and the other stays silent → that option by default; otherwise you decide among these options.
          </Text>
          <Refusal error={notStale(error)} />
          <Footer
            busy={busy}
            label="Publish to both parties"
            disabled={parsed === null || noteMissing || !preview || guard.stale}
            onCancel={onClose}
          />
        </Stack>
      </form>
    </Modal>
  );
}

// ---------------------------------------------------------------- decide

interface Choice {
  outcome: Outcome;
  /** Fixed by a published option (forced decision). */
  fixedAmount?: number;
}

export function DecideDialog({ opened, onClose, view, userId, onDone }: DialogProps) {
  const currency = view.order.currency;
  const total = view.order.totalMinor;
  const forced = view.forcedDecision && view.proposal !== null;
  const choices: Choice[] = useMemo(() => {
    if (forced) return view.proposal!.options.map((o) => ({ outcome: o.kind, fixedAmount: o.amountMinor }));
    return (isNotReceived(view.reason) ? ['full', 'partial', 'none'] : ['partial', 'return', 'full', 'none']).map((o) => ({
      outcome: o as Outcome,
    }));
  }, [forced, view.proposal, view.reason]);
  const publishedPartial = view.proposal?.options.find((o) => o.kind === 'partial')?.amountMinor;

  const [draft, update, clearDraft] = useDraft(draftKey(userId, view.id, 'decide'), () => ({
    outcome: choices[0]!.outcome,
    amount: minorToInput(publishedPartial ?? view.claim.amountMinor, currency),
    reasons: '',
  }));
  const { outcome, amount, reasons } = draft;
  const setOutcome = (v: Outcome) => update({ outcome: v });
  const setAmount = (v: string) => update({ amount: v });
  const setReasons = (next: string | ((cur: string) => string)) => update({ reasons: typeof next === 'function' ? next(reasons) : next });
  const decide = useMethodMutation('case.decide');
  const busy = decide.isPending;
  const [error, setError] = useState<AppError | null>(null);
  const guard = useStaleGuard(view, opened);

  const choice = choices.find((c) => c.outcome === outcome) ?? choices[0]!;
  const partialTyped = outcome === 'partial' && choice.fixedAmount === undefined;
  const amountCheck = partialTyped ? checkAmount(amount, currency, total) : null;
  const parsed = amountCheck ? (amountCheck.ok ? amountCheck.minor : null) : undefined;
  const amountMinor = choice.fixedAmount ?? (outcome === 'partial' ? (parsed ?? null) : null);
  const resolved = decisionAmount(outcome, amountMinor, total);
  const templates = decisionTemplatesFor(view.reason, outcome);
  // Far from the nearest past decisions: the core requires a consistency note (kept internal).
  const [consistencyNote, setConsistencyNote] = useState('');
  const needsNote = !!useConsistency(view.id, outcome, amountMinor).data?.far && !consistencyNote.trim();

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    if (busy || !reasons.trim() || parsed === null || guard.stale || needsNote) return;
    const r = await decide.mutateAsync({
      caseId: view.id,
      outcome,
      reasons: reasons.trim(),
      basedOnVersion: guard.basedOnVersion,
      ...(consistencyNote.trim() ? { consistencyNote: consistencyNote.trim() } : {}),
      ...(outcome === 'partial' && amountMinor !== null ? { amountMinor } : {}),
    });
    if (!r.ok) return setError(r.error);
    setError(null);
    clearDraft();
    onDone(`Decided: ${outcomeLabel(outcome).toLowerCase()}, ${formatMoney(resolved, currency)}. The letters are on their way.`);
  }

  return (
    // 16 px from the window's edges, not 5 % (32 px at 1024 × 640): the form column gets the difference (desk.css .dialog-column).
    <Modal
      opened={opened}
      onClose={onClose}
      title={`Decide · ${view.id}`}
      size={1180}
      yOffset="min(5dvh, 16px)"
      className="md-command-dialog"
    >
      <form onSubmit={(e) => void submit(e)} onKeyDown={ctrlEnter(() => void submit())} data-testid="decide-form">
        {(forced || error || guard.stale) && (
          <Stack gap="xs" mb="sm">
            <StaleNotice guard={guard} error={error} onAcknowledge={() => (guard.acknowledge(), setError(null))} />
            {forced && (
              <Alert color="red" variant="light" p="xs">
                <Text fz="sm">The reply period ended without agreement: pick one of the published options.</Text>
              </Alert>
            )}
            <Refusal error={notStale(error)} />
          </Stack>
        )}
        <SimpleGrid cols={2} spacing="lg" style={{ gridTemplateColumns: 'minmax(0, 460px) minmax(0, 1fr)' }}>
          {/* The form column scrolls inside itself on short windows, so the send button stays in view. */}
          <Stack gap="sm" className="dialog-column">
            <RiskSummary view={view} />
            <Radio.Group value={outcome} onChange={(v) => setOutcome(v)} label="Outcome" name="outcome">
              <SimpleGrid cols={2} spacing={6} mt={6}>
                {choices.map((c) => (
                  <Radio.Card
                    key={c.outcome}
                    value={c.outcome}
                    radius="md"
                    p="xs"
                    className="option-card"
                    data-selected={c.outcome === outcome}
                    data-testid={`outcome-${c.outcome}`}
                  >
                    <Group wrap="nowrap" gap="xs" align="flex-start">
                      <Radio.Indicator size="sm" mt={2} />
                      <div style={{ minWidth: 0 }}>
                        <Text fz="sm" fw={500} lh={1.3}>
                          {outcomeLabel(c.outcome)}
                        </Text>
                        <OutcomeAmount choice={c} total={total} currency={currency} />
                      </div>
                    </Group>
                  </Radio.Card>
                ))}
              </SimpleGrid>
            </Radio.Group>
            {partialTyped && (
              <AmountRow
                label={`Refund amount (${currency})`}
                value={amount}
                onChange={setAmount}
                currency={currency}
                totalMinor={total}
                error={amountCheck && !amountCheck.ok ? amountCheck.message : undefined}
                // The range in one line over a 260-pixel field (the whole field 260 wide, it took two: 14 px of a short window).
                styles={{ input: { textAlign: 'right', width: 260 } }}
                aria-label="Refund amount"
              />
            )}
            {/* The reasons before the templates and the nearest past decisions: neither may push the
                field every decision needs below the fold (1440 × 900; 1024 × 700 with the templates). */}
            <TextRow
              label="Reasons"
              description="Both parties read these in their letters."
              value={reasons}
              onChange={setReasons}
              rows={4}
              maxRows={9}
              maxLength={10000}
              required
              aria-label="Reasons"
            />
            <TemplatePicker items={templates} onPick={(t) => setReasons((cur) => insert(cur, t))} />
            <ConsistencyBox
              caseId={view.id}
              outcome={outcome}
              amountMinor={amountMinor}
              note={consistencyNote}
              onNote={setConsistencyNote}
            />
          </Stack>
          <LetterPreview view={view} outcome={outcome} amountMinor={amountMinor} reasons={reasons} />
        </SimpleGrid>
        <Footer
          busy={busy}
          label="Decide and send the letters"
          disabled={!reasons.trim() || parsed === null || guard.stale || needsNote}
          onCancel={onClose}
        />
      </form>
    </Modal>
  );
}

function OutcomeAmount({ choice, total, currency }: { choice: Choice; total: number; currency: string }): ReactNode {
  if (choice.fixedAmount !== undefined) return <Money minor={choice.fixedAmount} currency={currency} fz="xs" c="dimmed" />;
  if (choice.outcome === 'none') return <Money minor={0} currency={currency} fz="xs" c="dimmed" />;
  if (choice.outcome === 'partial')
    return (
      <Text fz="xs" c="dimmed">
        an amount you set
      </Text>
    );
  return <Money minor={total} currency={currency} fz="xs" c="dimmed" />;
}

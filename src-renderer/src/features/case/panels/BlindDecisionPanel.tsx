import { Alert, Badge, Button, Group, SegmentedControl, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { Outcome } from '../../../../../src-main/contract/domain';
import type { AppError } from '../../../../../src-main/contract/errors';
import { parseMinor } from '../../../../../src-main/contract/money-format';
import { useMethodMutation, useMethodQuery } from '../../../api/queries';
import { AmountRow, Refusal, TextRow } from '../../../ui/FormParts';
import { Money } from '../../../ui/Money';
import { Fact, Section } from '../../../ui/Section';
import { formatInstant, outcomeLabel } from '../../../ui/format';
import type { CaseView } from '../../../api/types';

const OUTCOMES: Outcome[] = ['full', 'partial', 'return', 'none'];

/**
 * A blind double decision (issue 18). For the chosen second mediator, until they decide: a
 * form to decide the case afresh; the core has left the first decision, its refund and its
 * letters out of the case (app/case/double-view.ts). For everyone else, once made: the second
 * decision beside the first. It never changes the case's outcome.
 */
export function BlindDecisionPanel({ view, onDone }: { view: CaseView; onDone: (message: string) => void }) {
  const dd = view.doubleDecision;
  if (!dd) return null;
  if (dd.blindForYou) return <BlindForm view={view} onDone={onDone} />;
  if (!dd.second) return null;
  return (
    <Section
      title="Blind second decision"
      testId="double-decision-panel"
      extra={
        <Badge
          size="sm"
          radius="sm"
          variant="light"
          color={dd.second.outcome === view.decision?.outcome ? 'teal' : 'orange'}
          style={{ textTransform: 'none' }}
        >
          {dd.second.outcome === view.decision?.outcome ? 'Same outcome' : 'Different outcome'}
        </Badge>
      }
    >
      <Group gap="xl" mb="xs" align="flex-start">
        <Fact label="Outcome">{outcomeLabel(dd.second.outcome)}</Fact>
        <Fact label="Refund">
          <Money minor={dd.second.amountMinor} currency={view.order.currency} />
        </Fact>
        <Fact label="Decided">
          {dd.secondDecider} · {formatInstant(dd.second.decidedAt)}
        </Fact>
      </Group>
      <Text fz="sm" style={{ whiteSpace: 'pre-wrap' }}>
        {dd.second.reasons}
      </Text>
      <Text fz="xs" c="dimmed" mt="xs">
        Recorded for the noise audit; the case keeps the first decision.
      </Text>
    </Section>
  );
}

function BlindForm({ view, onDone }: { view: CaseView; onDone: (message: string) => void }) {
  const [outcome, setOutcome] = useState<Outcome>('partial');
  const [amount, setAmount] = useState('');
  const [reasons, setReasons] = useState('');
  const [error, setError] = useState<AppError | null>(null);
  const decide = useMethodMutation('double.decide');
  const currency = view.order.currency;
  const amountMinor = outcome === 'partial' ? parseMinor(amount, currency) : undefined;
  const amountWrong = outcome === 'partial' && (amountMinor === null || amountMinor === undefined);

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    if (decide.isPending || amountWrong || !reasons.trim()) return;
    const r = await decide.mutateAsync({
      caseId: view.id,
      outcome,
      ...(outcome === 'partial' && amountMinor != null ? { amountMinor } : {}),
      reasons: reasons.trim(),
    });
    if (!r.ok) return setError(r.error);
    setError(null);
    onDone(`Blind second decision on ${view.id} recorded (${outcomeLabel(r.value.outcome)}).`);
  }

  return (
    <Section title="Blind second decision" testId="blind-decision">
      <Alert color="violet" variant="light" mb="sm" data-testid="blind-notice">
        This case was drawn for a blind second decision, and you were drawn to make it. Decide it on the file as if it were yours: the first
        decision, its refund and its letters stay hidden until you have decided. Your decision does not change the case.
      </Alert>
      <form onSubmit={(e) => void submit(e)}>
        <Stack gap="xs">
          <SegmentedControl
            value={outcome}
            onChange={(v) => setOutcome(v)}
            data={OUTCOMES.map((o) => ({ value: o, label: outcomeLabel(o) }))}
            aria-label="Outcome of your blind decision"
            data-testid="blind-outcome"
          />
          {outcome === 'partial' && (
            <AmountRow
              label={`Refund (${currency})`}
              value={amount}
              onChange={setAmount}
              currency={currency}
              totalMinor={view.order.totalMinor}
              error={amount && amountWrong ? 'Enter an amount such as 12.50' : undefined}
              data-testid="blind-amount"
            />
          )}
          <TextRow label="Reasons" value={reasons} onChange={setReasons} rows={3} maxLength={10_000} data-testid="blind-reasons" />
          <Refusal error={error} />
          <Group justify="flex-end">
            <Button type="submit" loading={decide.isPending} disabled={amountWrong || !reasons.trim()} data-testid="blind-submit">
              Record my blind decision
            </Button>
          </Group>
        </Stack>
      </form>
    </Section>
  );
}

/** The mediator's blind second decisions waiting, above the queue (nothing when none). */
export function BlindDecisionsWaiting({ onOpen, active }: { onOpen: (caseId: string) => void; active: boolean }) {
  const mine = useBlindMine(active);
  if (!mine.length) return null;
  return (
    <Alert color="violet" variant="light" mx="md" mt="xs" py={6} data-testid="blind-waiting">
      <Group gap="xs">
        <Text fz="sm">Blind second decisions waiting for you:</Text>
        {mine.map((r) => (
          <Button key={r.caseId} size="compact-xs" variant="light" color="violet" onClick={() => onOpen(r.caseId)} className="mono">
            {r.caseId}
          </Button>
        ))}
      </Group>
    </Alert>
  );
}

function useBlindMine(active: boolean) {
  return useMethodQuery('double.mine', {}, { enabled: active }).data ?? [];
}

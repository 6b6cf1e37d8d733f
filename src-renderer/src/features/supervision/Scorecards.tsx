import { Badge, Button, Group, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import {
  CRITERION_LABELS,
  LOW_MARK,
  ROOT_CAUSE_LABELS,
  ROOT_CAUSES,
  SCORE_CRITERIA,
  type RootCause,
  type ScorecardView,
  type ScoreCriterion,
} from '../../../../src-main/contract/scorecards';
import type { AppError } from '../../../../src-main/contract/errors';
import type { QualityRow } from '../../../../src-main/contract/supervision';
import { useMethodMutation, useMethodQuery } from '../../api/queries';
import { Refusal, TextRow } from '../../ui/FormParts';
import { useToast } from '../../ui/Toast';
import { formatInstant } from '../../ui/format';
import { Empty, pct, userName } from './shared';

type Mark = { score: number; rootCause: RootCause | null; note: string };
const CAUSE_OPTIONS = ROOT_CAUSES.map((c) => ({ value: c, label: ROOT_CAUSE_LABELS[c] }));
const fresh = (): Record<ScoreCriterion, Mark> =>
  Object.fromEntries(SCORE_CRITERIA.map((c) => [c, { score: 4, rootCause: null, note: '' }])) as Record<ScoreCriterion, Mark>;

/** A supervisor's scorecard of one sampled decision: 1–5 per criterion, a root cause for each low mark, the verdict. */
export function ScorecardForm({ row, onDone }: { row: QualityRow; onDone: (caseId: string) => void }) {
  const [marks, setMarks] = useState(fresh);
  const [verdict, setVerdict] = useState<'agree' | 'disagree'>('agree');
  const [note, setNote] = useState('');
  const [error, setError] = useState<AppError | null>(null);
  const score = useMethodMutation('quality.score');
  const toast = useToast();
  const set = (c: ScoreCriterion, m: Partial<Mark>) => setMarks((all) => ({ ...all, [c]: { ...all[c], ...m } }));
  const missingCause = SCORE_CRITERIA.some((c) => marks[c].score <= LOW_MARK && !marks[c].rootCause);

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    if (score.isPending || missingCause) return;
    const scores = Object.fromEntries(
      SCORE_CRITERIA.map((c) => {
        const m = marks[c];
        const low = m.score <= LOW_MARK;
        return [
          c,
          { score: m.score, ...(low && m.rootCause ? { rootCause: m.rootCause } : {}), ...(m.note.trim() ? { note: m.note.trim() } : {}) },
        ];
      }),
    ) as Record<ScoreCriterion, { score: number; rootCause?: RootCause; note?: string }>;
    const r = await score.mutateAsync({ caseId: row.caseId, scores, verdict, note: note.trim() });
    if (!r.ok) return setError(r.error);
    toast({ message: `Scorecard for ${row.caseId} recorded${r.value.calibration ? ' (calibration)' : ''}.`, color: 'teal' });
    onDone(row.caseId);
  }

  return (
    <form onSubmit={(e) => void submit(e)} data-testid="scorecard-form">
      <Stack gap="xs">
        {row.calibration && (
          <Text fz="xs" c="violet.7" data-testid="calibration-note">
            Calibration sample: another supervisor scores it too. Their marks are hidden until you have given yours
            {row.hiddenScorecards ? ` (${row.hiddenScorecards} given)` : ''}.
          </Text>
        )}
        {SCORE_CRITERIA.map((c) => (
          <div key={c} data-testid={`criterion-${c}`}>
            <Group justify="space-between" wrap="nowrap" gap="xs">
              <Text fz="sm" fw={500}>
                {CRITERION_LABELS[c]}
              </Text>
              <SegmentedControl
                size="xs"
                value={String(marks[c].score)}
                onChange={(v) => set(c, { score: Number(v), ...(Number(v) > LOW_MARK ? { rootCause: null } : {}) })}
                data={['1', '2', '3', '4', '5']}
                aria-label={`${CRITERION_LABELS[c]}, mark 1 to 5`}
                color={marks[c].score <= LOW_MARK ? 'red' : undefined}
              />
            </Group>
            {marks[c].score <= LOW_MARK && (
              <Group gap="xs" mt={4} grow wrap="nowrap">
                <Select
                  size="xs"
                  placeholder="Root cause"
                  data={CAUSE_OPTIONS}
                  value={marks[c].rootCause}
                  onChange={(v) => set(c, { rootCause: v ?? null })}
                  error={!marks[c].rootCause ? 'A low mark needs a root cause' : undefined}
                  aria-label={`Root cause for ${CRITERION_LABELS[c]}`}
                  data-testid={`cause-${c}`}
                />
                <TextInput
                  size="xs"
                  placeholder="Note (optional)"
                  value={marks[c].note}
                  onChange={(e) => set(c, { note: e.currentTarget.value })}
                  maxLength={1000}
                />
              </Group>
            )}
          </div>
        ))}
        <SegmentedControl
          fullWidth
          value={verdict}
          onChange={(v) => setVerdict(v)}
          color={verdict === 'agree' ? 'teal' : 'red'}
          data={[
            { value: 'agree', label: 'Agree with the decision' },
            { value: 'disagree', label: 'Disagree' },
          ]}
          aria-label="Verdict"
          data-testid="quality-verdict"
        />
        <TextRow label="Note to the mediator" value={note} onChange={setNote} maxRows={6} aria-label="Quality note" />
        <Refusal error={error} />
        <Group justify="flex-end">
          <Button type="submit" loading={score.isPending} disabled={missingCause} data-testid="quality-submit">
            Record scorecard
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The scorecards given on a sample (shown once the viewer may see them). */
export function ScorecardList({ cards, names }: { cards: ScorecardView[]; names: Map<string, string> }) {
  if (!cards.length) return null;
  return (
    <Stack gap="xs" mt="sm" data-testid="scorecards">
      {cards.map((card) => (
        <div key={card.reviewer} data-testid="scorecard">
          <Text fz="xs" c="dimmed">
            {userName(names, card.reviewer)} · {formatInstant(card.at)} · {card.verdict === 'agree' ? 'agreed' : 'disagreed'}
          </Text>
          <Group gap={6}>
            {SCORE_CRITERIA.map((c) => (
              <Badge
                key={c}
                size="sm"
                radius="sm"
                variant="light"
                color={card.scores[c].score <= LOW_MARK ? 'red' : 'gray'}
                style={{ textTransform: 'none' }}
              >
                {CRITERION_LABELS[c]} {card.scores[c].score}
                {card.scores[c].rootCause ? ` · ${ROOT_CAUSE_LABELS[card.scores[c].rootCause]}` : ''}
              </Badge>
            ))}
          </Group>
        </div>
      ))}
    </Stack>
  );
}

/** How far supervisors agree on the samples two of them scored (last 90 days). */
export function CalibrationCard({ active }: { active: boolean }) {
  const q = useMethodQuery('quality.calibration', { days: 90 }, { enabled: active });
  const c = q.data;
  return (
    <div className="sv-card" data-testid="calibration">
      <div className="sv-card-head">
        <span className="sv-card-title">Calibration between supervisors</span>
        <Text fz="xs" c="dimmed">
          {c ? `${c.samples} shared samples · 90 days` : ''}
        </Text>
      </div>
      {c && c.samples > 0 ? (
        <table className="sv-table">
          <thead>
            <tr>
              <th>Criterion</th>
              <th style={{ textAlign: 'right' }}>Same mark</th>
              <th style={{ textAlign: 'right' }}>Within 1</th>
            </tr>
          </thead>
          <tbody>
            {c.criteria.map((k) => (
              <tr key={k.criterion} data-testid="calibration-row" data-criterion={k.criterion}>
                <td>{k.label}</td>
                <td className="num">{pct(k.exact)}</td>
                <td className="num">{pct(k.withinOne)}</td>
              </tr>
            ))}
            <tr>
              <td>Verdict</td>
              <td className="num">{pct(c.verdict.exact)}</td>
              <td />
            </tr>
          </tbody>
        </table>
      ) : (
        <Empty title="No shared samples yet." hint="A quarter of the samples are scored by two supervisors; their agreement shows here." />
      )}
    </div>
  );
}

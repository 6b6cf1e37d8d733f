import { z } from 'zod';
import { Outcome } from './domain';
import { Id, RequiredText, Text } from './primitives';

/**
 * Quality scorecards, calibration and blind double decisions (issue 18): a supervisor scores
 * a sampled decision on four criteria, a share of samples is scored by two supervisors to
 * measure how well they agree, and a keyed-random share of cases is decided a second time by
 * a mediator who cannot see the first decision (the noise audit). Spread into methods.ts.
 */

export const SCORE_CRITERIA = ['evidence', 'reasons', 'policy', 'letters'] as const;
export type ScoreCriterion = (typeof SCORE_CRITERIA)[number];
export const CRITERION_LABELS: Record<ScoreCriterion, string> = {
  evidence: 'Evidence handling',
  reasons: 'Quality of reasons',
  policy: 'Policy adherence',
  letters: 'Letter clarity',
};

/** A mark at or below this needs a root cause. */
export const LOW_MARK = 2;

/** Why a mark is low: one fixed list, so the causes can be counted across reviews. */
export const ROOT_CAUSES = [
  'evidence_not_requested',
  'evidence_misread',
  'evidence_ignored',
  'reasons_missing',
  'reasons_inconsistent',
  'policy_misapplied',
  'deadline_mishandled',
  'amount_miscalculated',
  'letter_unclear',
  'letter_wrong_language',
  'tone',
  'other',
] as const;
export const RootCause = z.enum(ROOT_CAUSES);
export type RootCause = z.infer<typeof RootCause>;
export const ROOT_CAUSE_LABELS: Record<RootCause, string> = {
  evidence_not_requested: 'Evidence that was needed was not requested',
  evidence_misread: 'Evidence was misread',
  evidence_ignored: 'Evidence on file was not considered',
  reasons_missing: 'Reasons missing or too thin to follow',
  reasons_inconsistent: 'Reasons do not support the outcome',
  policy_misapplied: 'Policy rule or rate misapplied',
  deadline_mishandled: 'Deadline or default mishandled',
  amount_miscalculated: 'Refund amount miscalculated',
  letter_unclear: 'Letter unclear to the party',
  letter_wrong_language: 'Letter not in the party’s language',
  tone: 'Tone unprofessional or partial',
  other: 'Other (explain in the note)',
};

const CriterionScore = z
  .object({
    score: z.number().int('must be a whole mark').min(1, 'must be between 1 and 5').max(5, 'must be between 1 and 5'),
    rootCause: RootCause.optional(),
    note: Text(1_000).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.score <= LOW_MARK && !c.rootCause)
      ctx.addIssue({ code: 'custom', path: ['rootCause'], message: `is required for a mark of ${LOW_MARK} or less` });
    if (c.score > LOW_MARK && c.rootCause)
      ctx.addIssue({ code: 'custom', path: ['rootCause'], message: `is only for a mark of ${LOW_MARK} or less` });
    if (c.rootCause === 'other' && !c.note?.trim())
      ctx.addIssue({ code: 'custom', path: ['note'], message: 'must say what went wrong when the root cause is "other"' });
  });
export type CriterionScore = z.output<typeof CriterionScore>;

export const Scores = z
  .object(Object.fromEntries(SCORE_CRITERIA.map((c) => [c, CriterionScore])) as Record<ScoreCriterion, typeof CriterionScore>)
  .strict();
export type Scores = z.output<typeof Scores>;

/** The band within which two amounts count as the same decision, in percent of the order total. */
const BandPct = z.number().min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100');

export const scorecardMethods = {
  /**
   * A supervisor's scorecard of a sampled decision: the first one also settles the sample's
   * agree/disagree verdict; a second supervisor's is a calibration scorecard.
   */
  'quality.score': {
    input: z.object({ caseId: Id, scores: Scores, verdict: z.enum(['agree', 'disagree']), note: Text(2_000).default('') }).strict(),
    who: ['supervisor'],
  },
  /** How far supervisors agree on the samples two or more of them scored, per criterion and per supervisor. */
  'quality.calibration': {
    input: z.object({ days: z.number().int().min(1).max(400).default(90) }).strict(),
    who: ['supervisor'],
  },
  /** The blind second decisions waiting for the signed-in mediator. */
  'double.mine': { input: z.object({}).strict(), who: ['mediator', 'supervisor'] },
  /** The blind second decision: recorded for the noise audit, never changes the case's outcome or refund. */
  'double.decide': {
    input: z.object({ caseId: Id, outcome: Outcome, amountMinor: z.number().int().optional(), reasons: RequiredText(10_000) }).strict(),
    who: ['mediator', 'supervisor'],
  },
  /** Agreement of first and blind second decisions (same outcome; amount within the band), per reason and per mediator. */
  'double.agreement': {
    input: z.object({ days: z.number().int().min(1).max(400).default(90), bandPct: BandPct.default(10) }).strict(),
    who: ['supervisor'],
  },
} as const;

export interface ScorecardView {
  reviewer: string;
  scores: Record<ScoreCriterion, { score: number; rootCause: RootCause | null; note: string }>;
  verdict: 'agree' | 'disagree';
  note: string;
  at: string;
}

export interface ScoreResult {
  caseId: string;
  decisionSeq: number;
  /** True when this was a further (calibration) scorecard of a sample already reviewed. */
  calibration: boolean;
}

export interface AgreementFigure {
  /** Pairs of scorecards of the same sample compared. */
  pairs: number;
  /** Share (0–1) of pairs with the same mark, and within one point; null with no pairs. */
  exact: number | null;
  withinOne: number | null;
}
export interface CalibrationView {
  days: number;
  /** Samples scored by two or more supervisors in the window. */
  samples: number;
  criteria: Array<{ criterion: ScoreCriterion; label: string } & AgreementFigure>;
  verdict: AgreementFigure;
  /** Per supervisor: the mean absolute difference of their marks from their peers' on the same samples. */
  supervisors: Array<{ userId: string; name: string; pairs: number; meanAbsDiff: number | null; exact: number | null }>;
  /** How often each root cause was given (all scorecards in the window). */
  rootCauses: Array<{ cause: RootCause; label: string; count: number }>;
}

export interface DoubleMineRow {
  caseId: string;
  reason: string;
  currency: string;
  totalMinor: number;
  selectedAt: string;
}

export interface DoubleDecisionResult {
  caseId: string;
  outcome: z.infer<typeof Outcome>;
  amountMinor: number;
  /** Shown only now that the second decider has decided. */
  sameOutcome: boolean;
}

export interface DoubleAgreementRow {
  key: string;
  label: string;
  /** Cases decided twice. */
  pairs: number;
  sameOutcome: number;
  amountWithinBand: number;
  /** Shares 0–1; null with no pairs. */
  sameOutcomeShare: number | null;
  amountWithinBandShare: number | null;
}
export interface DoubleAgreementView {
  days: number;
  bandPct: number;
  /** Blind second decisions still waiting. */
  pending: number;
  total: DoubleAgreementRow;
  byReason: DoubleAgreementRow[];
  /** A mediator's row counts the pairs where they made either decision. */
  byMediator: DoubleAgreementRow[];
}

/** The case screen's word on a blind double decision (null when the case has none). */
export interface DoubleDecisionOnCase {
  /** The viewer is the second decider and has not decided yet: the first decision is hidden from them. */
  blindForYou: boolean;
  status: 'pending' | 'decided';
  secondDecider: string;
  second: { outcome: string; amountMinor: number; reasons: string; decidedAt: string } | null;
}

export interface ScorecardOutputs {
  'quality.score': ScoreResult;
  'quality.calibration': CalibrationView;
  'double.mine': DoubleMineRow[];
  'double.decide': DoubleDecisionResult;
  'double.agreement': DoubleAgreementView;
}

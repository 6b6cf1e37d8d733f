import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaseView } from '../../src-main/contract/outputs/case';
import type { CalibrationView, DoubleAgreementView, DoubleMineRow, Scores, ScoreResult } from '../../src-main/contract/scorecards';
import type { QualityListView } from '../../src-main/contract/supervision';
import { isCalibrationSample, sampleDraw, SECRET_KEY } from '../../src-main/app/supervision/quality';
import { DEFAULT_POLICY } from '../../src-main/contract/policy';
import { DIALECTS } from './harness';
import { as, openDesk, type Desk } from './quality-desk';

/**
 * Quality scorecards, calibration and blind double decisions through the contract, on every
 * dialect (SQLite, PGlite, and PostgreSQL when TEST_DATABASE_URL names a server): validation,
 * separation of duties, the calibration figures against marks the test chose, the blind view
 * of the second decider, and the agreement figures against decisions the test made.
 */

const M1 = as('m1', 'mediator');
const M2 = as('m2', 'mediator');
const M3 = as('m3', 'mediator');
const S1 = as('s1', 'supervisor');
const S2 = as('s2', 'supervisor');
const S3 = as('s3', 'supervisor');
const A1 = as('a1', 'analyst');
const TEAM: Array<[string, 'mediator' | 'supervisor' | 'analyst']> = [
  ['m1', 'mediator'],
  ['m2', 'mediator'],
  ['m3', 'mediator'],
  ['s1', 'supervisor'],
  ['s2', 'supervisor'],
  ['s3', 'supervisor'],
  ['a1', 'analyst'],
];

const mark = (score: number, rootCause?: string, note?: string) => ({
  score,
  ...(rootCause ? { rootCause } : {}),
  ...(note ? { note } : {}),
});
const good: Scores = { evidence: mark(4), reasons: mark(5), policy: mark(4), letters: mark(3) } as Scores;

describe.each(DIALECTS)('quality scorecards on $name', ({ url }) => {
  let desk: Desk;
  beforeEach(async () => {
    desk = await openDesk(url(), TEAM);
    // A known sampling secret, so the test knows in advance which samples are calibration samples.
    await desk.db.insertInto('settings').values({ key: SECRET_KEY, value: 'test-secret-of-this-installation' }).execute();
    await desk.rates(S1, { qualitySampleRate: 1, doubleDecisionRate: 0 });
  });
  afterEach(async () => {
    await desk.db.destroy();
  });

  const secret = async () =>
    (await desk.db.selectFrom('settings').select('value').where('key', '=', SECRET_KEY).executeTakeFirstOrThrow()).value;
  /** Case ids, in order, whose sample the keyed draw makes a calibration sample (or not). */
  const idsWhere = async (calibration: boolean, n: number, prefix: string, share = DEFAULT_POLICY.calibrationShare) => {
    const key = await secret();
    const out: string[] = [];
    for (let i = 0; out.length < n; i++) {
      const id = `${prefix}-${i}`;
      if (isCalibrationSample(key, id, 1, share) === calibration) out.push(id);
    }
    return out;
  };
  const isMarked = async (id: string) =>
    (await desk.ok<QualityListView>('quality.list', {}, S1)).rows.find((r) => r.caseId === id)!.calibration;

  it('takes the calibration share from the policy (default 25 %), validated like the other shares', async () => {
    // Under the default share: one case the draw marks, one it does not.
    const [marked] = await idsWhere(true, 1, 'CS-a');
    const [unmarked] = await idsWhere(false, 1, 'CS-b');
    await desk.decided(marked!, M1, 'full');
    await desk.decided(unmarked!, M1, 'full');
    expect([await isMarked(marked!), await isMarked(unmarked!)]).toEqual([true, false]);
    // Every sample, then none: the same draws now fall the other way.
    await desk.rates(S1, { calibrationShare: 1 });
    const [wasUnmarked] = await idsWhere(false, 1, 'CS-c');
    await desk.decided(wasUnmarked!, M1, 'full');
    expect(await isMarked(wasUnmarked!)).toBe(true);
    await desk.rates(S1, { calibrationShare: 0 });
    const [wasMarked] = await idsWhere(true, 1, 'CS-d');
    await desk.decided(wasMarked!, M1, 'full');
    expect(await isMarked(wasMarked!)).toBe(false);
    // A share outside 0–1 is refused, naming the field; the policy in force keeps 0.
    const current = await desk.ok<{ version: number; policy: Record<string, unknown> }>('policy.get', {}, S1);
    for (const bad of [1.5, -0.1, '0.3'])
      expect(
        await desk.refused(
          'policy.publish',
          { policy: { ...current.policy, calibrationShare: bad }, note: 'x', basedOnVersion: current.version },
          S1,
        ),
      ).toMatchObject({ code: 'VALIDATION', field: 'policy.calibrationShare' });
    expect((await desk.ok<{ policy: { calibrationShare: number } }>('policy.get', {}, S1)).policy.calibrationShare).toBe(0);
  });

  it('refuses a low mark without a root cause, "other" without a note, and marks outside 1–5, naming the field', async () => {
    await desk.decided('Q-1', M1, 'none');
    const low = await desk.refused('quality.score', { caseId: 'Q-1', scores: { ...good, reasons: mark(2) }, verdict: 'disagree' }, S1);
    expect(low.code).toBe('VALIDATION');
    expect(low.message).toMatch(/rootCause/);
    expect(low.message).toMatch(/mark of 2 or less/);
    const other = await desk.refused(
      'quality.score',
      { caseId: 'Q-1', scores: { ...good, letters: mark(1, 'other') }, verdict: 'agree' },
      S1,
    );
    expect(other.message).toMatch(/note/);
    for (const score of [0, 6, 2.5])
      expect(
        (await desk.refused('quality.score', { caseId: 'Q-1', scores: { ...good, policy: mark(score) }, verdict: 'agree' }, S1)).code,
      ).toBe('VALIDATION');
    const causeOnHigh = await desk.refused(
      'quality.score',
      { caseId: 'Q-1', scores: { ...good, policy: mark(4, 'tone') }, verdict: 'agree' },
      S1,
    );
    expect(causeOnHigh.message).toMatch(/only for a mark of 2 or less/);
    const unknownCause = await desk.refused(
      'quality.score',
      { caseId: 'Q-1', scores: { ...good, policy: mark(1, 'bad luck') }, verdict: 'agree' },
      S1,
    );
    expect(unknownCause.code).toBe('VALIDATION');
    // Nothing was half-written: the sample still waits.
    const list = await desk.ok<QualityListView>('quality.list', {}, S1);
    expect(list.rows.map((r) => [r.caseId, r.review, r.scorecards.length])).toEqual([['Q-1', null, 0]]);
  });

  it('is for supervisors who did not handle the case, once each', async () => {
    await desk.decided('Q-2', M1, 'partial', 4_000);
    expect((await desk.refused('quality.score', { caseId: 'Q-2', scores: good, verdict: 'agree' }, M2)).code).toBe('FORBIDDEN');
    expect((await desk.refused('quality.score', { caseId: 'Q-2', scores: good, verdict: 'agree' }, A1)).code).toBe('FORBIDDEN');
    expect((await desk.refused('quality.score', { caseId: 'NOPE', scores: good, verdict: 'agree' }, S1)).code).toBe('NOT_FOUND');
    // A supervisor who decided a case may not score it.
    await desk.decided('Q-3', S2, 'full');
    const own = await desk.refused('quality.score', { caseId: 'Q-3', scores: good, verdict: 'agree' }, S2);
    expect(own.code).toBe('SEPARATION_OF_DUTIES');
    expect(own.message).toMatch(/You decided case Q-3/);
    expect((await desk.ok<QualityListView>('quality.list', {}, S2)).rows.find((r) => r.caseId === 'Q-3')!.mayScore).toBe(false);
  });

  it('stores the marks and root causes, settles the verdict, and leaves an audited event', async () => {
    const [id] = await idsWhere(false, 1, 'QS');
    await desk.decided(id!, M1, 'partial', 2_000);
    const scores = {
      evidence: mark(2, 'evidence_not_requested', 'No photo of the box was asked for.'),
      reasons: mark(1, 'reasons_missing'),
      policy: mark(3),
      letters: mark(5),
    };
    const r = await desk.ok<ScoreResult>(
      'quality.score',
      { caseId: id, scores, verdict: 'disagree', note: 'Ask for the box next time.' },
      S1,
    );
    expect(r).toEqual({ caseId: id, decisionSeq: 1, calibration: false });
    const reviewed = await desk.ok<QualityListView>('quality.list', { status: 'reviewed' }, S3);
    const row = reviewed.rows.find((x) => x.caseId === id)!;
    expect(row.review).toMatchObject({ verdict: 'disagree', by: 's1', note: 'Ask for the box next time.' });
    expect(row.scorecards).toHaveLength(1);
    expect(row.scorecards[0]!.scores).toEqual({
      evidence: { score: 2, rootCause: 'evidence_not_requested', note: 'No photo of the box was asked for.' },
      reasons: { score: 1, rootCause: 'reasons_missing', note: '' },
      policy: { score: 3, rootCause: null, note: '' },
      letters: { score: 5, rootCause: null, note: '' },
    });
    expect(row.mayScore).toBe(false);
    const view = await desk.ok<CaseView>('case.get', { caseId: id }, S1);
    const event = view.events.find((e) => e.type === 'quality.scored')!;
    expect(event.actor).toBe('s1');
    expect(event.details).toMatchObject({
      decisionSeq: 1,
      decidedBy: 'm1',
      verdict: 'disagree',
      marks: { evidence: 2, reasons: 1, policy: 3, letters: 5 },
    });
    // Not a calibration sample: nobody adds a second scorecard, and s1 cannot score twice.
    expect((await desk.refused('quality.score', { caseId: id, scores: good, verdict: 'agree' }, S2)).code).toBe('INVALID_STATE');
    expect((await desk.refused('quality.score', { caseId: id, scores: good, verdict: 'agree' }, S1)).code).toBe('INVALID_STATE');
    const calibration = await desk.ok<CalibrationView>('quality.calibration', {}, S1);
    expect(calibration.samples).toBe(0);
    expect(calibration.rootCauses.map((c) => [c.cause, c.count])).toEqual([
      ['evidence_not_requested', 1],
      ['reasons_missing', 1],
    ]);
  });

  it('calibration samples take a second, independent scorecard, and agreement is measured per criterion', async () => {
    const ids = await idsWhere(true, 2, 'QC');
    for (const id of ids) await desk.decided(id, M1, 'partial', 3_000);
    const [a, b] = ids as [string, string];
    // Sample a: s1 4/2/5/3, s2 5/2/3/3 → evidence within one, reasons exact, policy apart, letters exact.
    await desk.ok(
      'quality.score',
      {
        caseId: a,
        scores: { evidence: mark(4), reasons: mark(2, 'reasons_inconsistent'), policy: mark(5), letters: mark(3) },
        verdict: 'agree',
      },
      S1,
    );
    // Before s2 scores, s1's marks and verdict are hidden from s2, and the sample is still pending for s2.
    const forS2 = (await desk.ok<QualityListView>('quality.list', {}, S2)).rows.find((r) => r.caseId === a)!;
    expect(forS2).toMatchObject({ calibration: true, review: null, scorecards: [], hiddenScorecards: 1, mayScore: true });
    const second = await desk.ok<ScoreResult>(
      'quality.score',
      {
        caseId: a,
        scores: { evidence: mark(5), reasons: mark(2, 'reasons_missing'), policy: mark(3), letters: mark(3) },
        verdict: 'disagree',
      },
      S2,
    );
    expect(second.calibration).toBe(true);
    // Two scorecards: no third.
    expect((await desk.refused('quality.score', { caseId: a, scores: good, verdict: 'agree' }, S3)).code).toBe('INVALID_STATE');
    // The first verdict stands as the sample's review.
    const reviewed = (await desk.ok<QualityListView>('quality.list', { status: 'reviewed' }, S2)).rows.find((r) => r.caseId === a)!;
    expect(reviewed.review!.by).toBe('s1');
    expect(reviewed.scorecards.map((c) => c.reviewer).sort()).toEqual(['s1', 's2']);
    // Sample b: s3 and s1 give the same marks.
    await desk.ok('quality.score', { caseId: b, scores: good, verdict: 'agree' }, S3);
    await desk.ok('quality.score', { caseId: b, scores: good, verdict: 'agree' }, S1);

    const c = await desk.ok<CalibrationView>('quality.calibration', { days: 30 }, S1);
    expect(c.samples).toBe(2);
    const by = Object.fromEntries(c.criteria.map((x) => [x.criterion, x]));
    expect(by.evidence).toMatchObject({ pairs: 2, exact: 0.5, withinOne: 1 });
    expect(by.reasons).toMatchObject({ pairs: 2, exact: 1, withinOne: 1 });
    expect(by.policy).toMatchObject({ pairs: 2, exact: 0.5, withinOne: 0.5 });
    expect(by.letters).toMatchObject({ pairs: 2, exact: 1, withinOne: 1 });
    expect(c.verdict).toMatchObject({ pairs: 2, exact: 0.5 });
    const sup = Object.fromEntries(c.supervisors.map((s) => [s.userId, s]));
    // s1: pair a (diffs 1,0,2,0) and pair b (all 0) → 3 / 8; s2: pair a only → 3 / 4; s3: pair b → 0.
    expect(sup.s1).toMatchObject({ pairs: 2, meanAbsDiff: 3 / 8, exact: 6 / 8 });
    expect(sup.s2).toMatchObject({ pairs: 1, meanAbsDiff: 3 / 4, exact: 0.5 });
    expect(sup.s3).toMatchObject({ pairs: 1, meanAbsDiff: 0, exact: 1 });
    // The window: 30 days later these scorecards are out of a 7-day view.
    desk.clock.set(desk.clock.now() + 30 * 24 * 3_600_000);
    expect((await desk.ok<CalibrationView>('quality.calibration', { days: 7 }, S1)).samples).toBe(0);
  });
});

describe.each(DIALECTS)('blind double decisions on $name', ({ url }) => {
  let desk: Desk;
  beforeEach(async () => {
    desk = await openDesk(url(), TEAM);
    await desk.rates(S1, { qualitySampleRate: 0, doubleDecisionRate: 1 });
  });
  afterEach(async () => {
    await desk.db.destroy();
  });

  const secondOf = async (caseId: string) => {
    for (const m of [M1, M2, M3]) if ((await desk.ok<DoubleMineRow[]>('double.mine', {}, m)).some((r) => r.caseId === caseId)) return m;
    return null;
  };

  it('hides the first decision from the second decider in main until they decide, and never changes the outcome', async () => {
    await desk.newCase('D-1');
    await desk.ok('case.claim', { caseId: 'D-1' }, M1);
    await desk.ok('case.decide', { caseId: 'D-1', outcome: 'partial', amountMinor: 6_000, reasons: 'The dent is cosmetic.' }, M1);
    const second = (await secondOf('D-1'))!;
    expect(second).not.toBeNull();
    expect(second).not.toBe(M1);
    const other = [M2, M3].find((m) => m !== second)!;
    const idOf = (m: typeof M1) => (m.kind === 'user' ? m.userId : '');

    const blind = await desk.ok<CaseView>('case.get', { caseId: 'D-1' }, second);
    expect(blind.decision).toBeNull();
    expect(blind.refund).toBeNull();
    expect(blind.previousDecisions).toEqual([]);
    expect(blind.deadlines.filter((d) => d.kind === 'appeal')).toEqual([]);
    expect(blind.events.some((e) => e.type === 'case.decided' || e.type.startsWith('refund'))).toBe(false);
    expect(JSON.stringify(blind)).not.toContain('The dent is cosmetic.');
    expect(blind.doubleDecision).toMatchObject({ blindForYou: true, status: 'pending', second: null });
    // Everyone else sees the case as it is.
    for (const who of [M1, other, S1]) {
      const v = await desk.ok<CaseView>('case.get', { caseId: 'D-1' }, who);
      expect(v.decision).toMatchObject({ outcome: 'partial', amountMinor: 6_000, decidedBy: 'm1' });
      expect(v.doubleDecision).toMatchObject({ blindForYou: false, status: 'pending', secondDecider: idOf(second) });
    }

    // Only the chosen mediator decides it; the amount follows the rules of a first decision.
    expect((await desk.refused('double.decide', { caseId: 'D-1', outcome: 'none', reasons: 'x' }, M1)).code).toBe('FORBIDDEN');
    expect((await desk.refused('double.decide', { caseId: 'D-1', outcome: 'none', reasons: 'x' }, other)).code).toBe('FORBIDDEN');
    expect((await desk.refused('double.decide', { caseId: 'D-1', outcome: 'none', reasons: 'x' }, A1)).code).toBe('FORBIDDEN');
    const tooMuch = await desk.refused('double.decide', { caseId: 'D-1', outcome: 'partial', amountMinor: 10_001, reasons: 'x' }, second);
    expect(tooMuch).toMatchObject({ code: 'AMOUNT_OUT_OF_RANGE', field: 'amountMinor' });
    expect((await desk.refused('double.decide', { caseId: 'D-1', outcome: 'partial', reasons: 'x' }, second)).code).toBe('VALIDATION');
    expect((await desk.refused('double.decide', { caseId: 'D-1', outcome: 'none', reasons: '   ' }, second)).code).toBe('VALIDATION');
    expect((await desk.refused('double.decide', { caseId: 'D-404', outcome: 'none', reasons: 'x' }, second)).code).toBe('NOT_FOUND');

    const r = await desk.ok<{ sameOutcome: boolean; amountMinor: number }>(
      'double.decide',
      { caseId: 'D-1', outcome: 'full', reasons: 'A dent on a lamp is damage.' },
      second,
    );
    expect(r).toMatchObject({ sameOutcome: false, amountMinor: 10_000 });
    expect((await desk.refused('double.decide', { caseId: 'D-1', outcome: 'none', reasons: 'again' }, second)).code).toBe('INVALID_STATE');
    expect(await desk.ok<DoubleMineRow[]>('double.mine', {}, second)).toEqual([]);

    const after = await desk.ok<CaseView>('case.get', { caseId: 'D-1' }, second);
    // The case's own outcome and refund are the first decision's.
    expect(after.decision).toMatchObject({ outcome: 'partial', amountMinor: 6_000, decidedBy: 'm1' });
    expect(after.refund).toMatchObject({ amountMinor: 6_000 });
    expect(after.doubleDecision).toMatchObject({ blindForYou: false, status: 'decided', second: { outcome: 'full', amountMinor: 10_000 } });
    expect(after.events.find((e) => e.type === 'double.decided')).toMatchObject({ actor: idOf(second) });
    const row = await desk.db.selectFrom('decisions').selectAll().where('case_id', '=', 'D-1').execute();
    expect(row).toHaveLength(1);
  });

  it('never picks a mediator who handled the case', async () => {
    await desk.newCase('D-2');
    // m2 claimed it and gave it back; m1 then decided it: only m3 is left.
    await desk.ok('case.claim', { caseId: 'D-2' }, M2);
    await desk.ok('case.release', { caseId: 'D-2', reason: 'Going off shift.' }, M2);
    await desk.ok('case.claim', { caseId: 'D-2' }, M1);
    await desk.ok('case.decide', { caseId: 'D-2', outcome: 'none', reasons: 'No damage shown.' }, M1);
    expect(await secondOf('D-2')).toBe(M3);
    // Nobody left: m3 handled it too, so the case is not audited.
    await desk.newCase('D-3');
    for (const m of [M2, M3]) {
      await desk.ok('case.claim', { caseId: 'D-3' }, m);
      await desk.ok('case.release', { caseId: 'D-3', reason: 'Not mine.' }, m);
    }
    await desk.ok('case.claim', { caseId: 'D-3' }, M1);
    await desk.ok('case.decide', { caseId: 'D-3', outcome: 'none', reasons: 'No damage shown.' }, M1);
    expect(await secondOf('D-3')).toBeNull();
    expect((await desk.ok<DoubleAgreementView>('double.agreement', {}, S1)).pending).toBe(1);
  });

  it('chooses a keyed share of cases from the case id alone, and only first decisions by a mediator', async () => {
    await desk.rates(S1, { doubleDecisionRate: 0.3 });
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await desk.decided(`K-${i}`, M1, 'none'));
    const key = (await desk.db.selectFrom('settings').select('value').where('key', '=', SECRET_KEY).executeTakeFirstOrThrow()).value;
    const expected = ids.filter((id) => sampleDraw(key, `double:${id}`, 1) < 0.3).sort();
    const chosen = (await desk.db.selectFrom('double_decisions').select('case_id').orderBy('case_id').execute()).map((r) => r.case_id);
    expect(chosen).toEqual(expected);
    expect(chosen.length).toBeGreaterThan(0);
    expect(chosen.length).toBeLessThan(30);
    // Rate 0: none.
    await desk.rates(S1, { doubleDecisionRate: 0 });
    await desk.decided('K-off', M1, 'none');
    expect(
      await desk.db.selectFrom('double_decisions').select('case_id').where('case_id', '=', 'K-off').executeTakeFirst(),
    ).toBeUndefined();
  });

  it('shows agreement per reason and per mediator: same outcome, amount within the band', async () => {
    // Three cases of m1's, each decided again blind: agree; same outcome but 20 % apart; different outcome.
    const plan: Array<[string, string, number, 'full' | 'partial' | 'none', number | undefined]> = [
      ['A-1', 'damaged', 5_000, 'partial', 5_500],
      ['A-2', 'damaged', 5_000, 'partial', 7_000],
      ['A-3', 'defective', 0, 'full', undefined],
    ];
    for (const [id, reason, firstAmount, ,] of plan)
      await desk.decided(id, M1, firstAmount ? 'partial' : 'none', firstAmount || undefined, reason);
    for (const [id, , , outcome, amount] of plan) {
      const second = (await secondOf(id))!;
      await desk.ok('double.decide', { caseId: id, outcome, amountMinor: amount, reasons: 'Blind look.' }, second);
    }
    const view = await desk.ok<DoubleAgreementView>('double.agreement', { bandPct: 10 }, S1);
    expect(view.pending).toBe(0);
    expect(view.total).toMatchObject({ pairs: 3, sameOutcome: 2, amountWithinBand: 1 });
    expect(view.total.sameOutcomeShare).toBeCloseTo(2 / 3);
    const reason = Object.fromEntries(view.byReason.map((r) => [r.key, r]));
    expect(reason.damaged).toMatchObject({
      pairs: 2,
      sameOutcome: 2,
      amountWithinBand: 1,
      sameOutcomeShare: 1,
      amountWithinBandShare: 0.5,
    });
    expect(reason.defective).toMatchObject({ pairs: 1, sameOutcome: 0, amountWithinBand: 0 });
    const m1 = view.byMediator.find((r) => r.key === 'm1')!;
    expect(m1).toMatchObject({ label: 'm1', pairs: 3, sameOutcome: 2 });
    const seconds = view.byMediator.filter((r) => r.key !== 'm1');
    expect(seconds.reduce((n, r) => n + r.pairs, 0)).toBe(3);
    // A wider band takes in the 20 % apart pair.
    expect((await desk.ok<DoubleAgreementView>('double.agreement', { bandPct: 25 }, S1)).total.amountWithinBand).toBe(2);
    expect((await desk.refused('double.agreement', { bandPct: 101 }, S1)).code).toBe('VALIDATION');
    expect((await desk.refused('double.agreement', {}, M1)).code).toBe('FORBIDDEN');
  });
});

import type BetterSqlite3 from 'better-sqlite3';
import { IntegrityMonitor } from '../app/audit/integrity';
import { verifyChains } from '../app/audit/verify';
import type { Db } from '../db/connect';
import { eventHash } from '../db/repos/audit-chain';
import { setVerifiedThrough, type ChainRow } from '../db/repos/audit-reads';
import { inWriteTx } from '../db/tx';

/** Our walk may take this many times the raw loop: it pages, reads decisions/refunds and checks links too. */
const MAX_RATIO = 4;
/** The whole walk (`audit verify`, and the app's background walk): at most this per million events. */
const VERIFY_SECONDS_PER_MILLION = 60;
/** A restart after this many new events re-checks only their cases … */
const NEW_EVENTS_AT_RESTART = 1_000;
/** … within this, whatever the size of the history. */
const RESTART_CHECK_MS = 500;

/** A chained row as raw better-sqlite3 returns it (seq is never null: the queries ask for chained rows). */
type RawRow = Omit<ChainRow, 'id'>;

const CHAIN_COLUMNS = 'case_id, seq, at, actor, type, details, bound, prev_hash, hash';

/** The floor any verifier pays: read the rows in chain order with raw better-sqlite3 and hash each one. */
function rawRehash(rows: Iterable<RawRow>): { events: number; mismatched: number } {
  let events = 0;
  let mismatched = 0;
  for (const r of rows) {
    const h = eventHash({
      caseId: r.case_id,
      seq: r.seq!,
      type: r.type,
      actor: r.actor,
      at: r.at,
      details: r.details,
      bound: r.bound,
      prev: r.prev_hash,
    });
    if (h !== r.hash) mismatched++;
    events++;
  }
  return { events, mismatched };
}

const seconds = (from: number) => (performance.now() - from) / 1000;
const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * `audit verify` over every event the bench's import and sweep wrote (1M cases: at least 1M
 * events), against a raw better-sqlite3 loop that reads the same rows in chain order and
 * hashes each one; then the application's start-up check (app/audit/integrity.ts) on the
 * same history: a restart with nothing new and one after NEW_EVENTS_AT_RESTART events, both
 * from the stored watermark, beside the raw loop over just the cases those events touched.
 */
export async function benchAuditVerify(db: Db, raw: BetterSqlite3.Database, log: (m: string) => void) {
  log('audit verify: the whole chain…');
  let started = performance.now();
  const report = await verifyChains(db, { keep: 10 });
  const walkSeconds = seconds(started);

  log('audit verify: raw baseline loop…');
  started = performance.now();
  const all = rawRehash(
    raw
      .prepare(`SELECT ${CHAIN_COLUMNS} FROM case_events WHERE seq IS NOT NULL ORDER BY case_id, seq`)
      .iterate() as IterableIterator<RawRow>,
  );
  const baselineSeconds = seconds(started);
  const ratio = round2(walkSeconds / baselineSeconds);
  const goalSeconds = round2((VERIFY_SECONDS_PER_MILLION * report.events) / 1_000_000);
  log(`audit verify: ${report.events} events in ${walkSeconds.toFixed(1)} s; raw loop ${baselineSeconds.toFixed(1)} s (×${ratio})`);

  const startup = await benchStartupCheck(db, raw, report.maxEventId, log);
  return {
    events: report.events,
    cases: report.cases,
    seconds: round2(walkSeconds),
    eventsPerSecond: Math.round(report.events / walkSeconds),
    projectedSecondsAtMillion: round2((walkSeconds * 1_000_000) / Math.max(1, report.events)),
    brokenCases: report.brokenCases,
    baseline: { seconds: round2(baselineSeconds), events: all.events, mismatched: all.mismatched },
    ratio,
    target: {
      seconds: goalSeconds,
      ratio: MAX_RATIO,
      note: `the full walk within ${VERIFY_SECONDS_PER_MILLION} s per million events and ${MAX_RATIO}× a raw read-and-hash loop over the same rows`,
    },
    startup,
    pass:
      report.brokenCases === 0 &&
      all.mismatched === 0 &&
      all.events === report.events &&
      ratio <= MAX_RATIO &&
      walkSeconds <= goalSeconds &&
      startup.pass,
  };
}

/** The start-up check alone (the background full walk off), timed from opening to its verdict. */
async function timedStartupCheck(db: Db): Promise<{ ms: number; state: string; brokenCases: number }> {
  const started = performance.now();
  const monitor = new IntegrityMonitor(db, { now: () => Date.now(), fullWalk: false });
  await monitor.done;
  const view = monitor.view();
  return { ms: round2(performance.now() - started), state: view.state, brokenCases: view.brokenCases };
}

async function benchStartupCheck(db: Db, raw: BetterSqlite3.Database, maxEventId: number, log: (m: string) => void) {
  // As after a clean start: the watermark at the newest event.
  await inWriteTx(db, (tx) => setVerifiedThrough(tx, maxEventId, Date.now()));
  log('audit start-up check: restart with nothing new…');
  const nothingNew = await timedStartupCheck(db);

  // As if the last NEW_EVENTS_AT_RESTART events had been written since: the watermark before them.
  const since = (
    raw.prepare('SELECT id FROM case_events ORDER BY id DESC LIMIT 1 OFFSET ?').get(NEW_EVENTS_AT_RESTART - 1) as { id: number } | undefined
  )?.id;
  const watermark = since === undefined ? 0 : since - 1;
  await inWriteTx(db, (tx) => setVerifiedThrough(tx, watermark, Date.now()));
  log(`audit start-up check: restart after ${NEW_EVENTS_AT_RESTART} new events…`);
  const afterNew = await timedStartupCheck(db);

  const started = performance.now();
  const touched = rawRehash(
    raw
      .prepare(
        `SELECT ${CHAIN_COLUMNS} FROM case_events WHERE seq IS NOT NULL AND case_id IN (SELECT case_id FROM case_events WHERE id > ?) ORDER BY case_id, seq`,
      )
      .iterate(watermark) as IterableIterator<RawRow>,
  );
  const baselineMs = round2(performance.now() - started);
  log(
    `audit start-up check: ${nothingNew.ms} ms with nothing new, ${afterNew.ms} ms after ${NEW_EVENTS_AT_RESTART} (raw ${baselineMs} ms)`,
  );
  return {
    nothingNewMs: nothingNew.ms,
    afterNewEvents: { newEvents: NEW_EVENTS_AT_RESTART, ms: afterNew.ms, eventsRechecked: touched.events },
    baseline: { ms: baselineMs, events: touched.events, note: 'raw read-and-hash of the cases the new events touched' },
    target: {
      ms: RESTART_CHECK_MS,
      note: `a restart checks from the stored watermark: within ${RESTART_CHECK_MS} ms after ${NEW_EVENTS_AT_RESTART} new events, at any history size (the full walk then runs in the background)`,
    },
    pass:
      nothingNew.state === 'done' &&
      afterNew.state === 'done' &&
      afterNew.brokenCases === 0 &&
      nothingNew.ms <= RESTART_CHECK_MS &&
      afterNew.ms <= RESTART_CHECK_MS,
  };
}

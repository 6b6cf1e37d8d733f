import type BetterSqlite3 from 'better-sqlite3';
import { verifyChains } from '../app/audit/verify';
import type { Db } from '../db/connect';
import { eventHash } from '../db/repos/audit-chain';

/** Our walk may take this many times the raw loop: it pages, reads decisions/refunds and checks links too. */
const MAX_RATIO = 4;

/**
 * `audit verify` over every event the bench's import and sweep wrote (1M cases: at least 1M
 * events), against a raw better-sqlite3 loop that reads the same rows in chain order and
 * hashes each one: the floor any verifier has to pay.
 */
export async function benchAuditVerify(db: Db, raw: BetterSqlite3.Database, log: (m: string) => void) {
  log('audit verify: the whole chain…');
  let started = performance.now();
  const report = await verifyChains(db, { keep: 10 });
  const seconds = (performance.now() - started) / 1000;

  log('audit verify: raw baseline loop…');
  started = performance.now();
  let hashed = 0;
  let mismatched = 0;
  const rows = raw
    .prepare(
      'SELECT case_id, seq, at, actor, type, details, bound, prev_hash, hash FROM case_events WHERE seq IS NOT NULL ORDER BY case_id, seq',
    )
    .iterate() as IterableIterator<{
    case_id: string;
    seq: number;
    at: number;
    actor: string;
    type: string;
    details: string;
    bound: string | null;
    prev_hash: string | null;
    hash: string;
  }>;
  for (const r of rows) {
    const h = eventHash({
      caseId: r.case_id,
      seq: r.seq,
      type: r.type,
      actor: r.actor,
      at: r.at,
      details: r.details,
      bound: r.bound,
      prev: r.prev_hash,
    });
    if (h !== r.hash) mismatched++;
    hashed++;
  }
  const baselineSeconds = (performance.now() - started) / 1000;
  const ratio = Math.round((seconds / baselineSeconds) * 100) / 100;
  log(`audit verify: ${report.events} events in ${seconds.toFixed(1)} s; raw loop ${baselineSeconds.toFixed(1)} s (×${ratio})`);
  return {
    events: report.events,
    cases: report.cases,
    seconds: Math.round(seconds * 100) / 100,
    eventsPerSecond: Math.round(report.events / seconds),
    brokenCases: report.brokenCases,
    baseline: { seconds: Math.round(baselineSeconds * 100) / 100, events: hashed, mismatched },
    ratio,
    target: { ratio: MAX_RATIO, note: 'the full walk within 4× a raw read-and-hash loop over the same rows' },
    pass: report.brokenCases === 0 && mismatched === 0 && hashed === report.events && ratio <= MAX_RATIO,
  };
}

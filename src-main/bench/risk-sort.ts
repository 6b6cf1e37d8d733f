import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import * as m0034 from '../../migrations/0034_cases_buyer_score';
import * as m0042 from '../../migrations/0042_fewer_status_indexes';
import { queuePage, type QueueQuery } from '../app/queue/queue';
import { openDatabase, type Db } from '../db/connect';
import { ensurePolicy } from '../db/repos/policy';
import { syncAllCaseScores, syncCaseScores } from '../db/repos/risk/case-scores';
import { inWriteTx } from '../db/tx';
import { BENCH_MEDIATORS } from './fill-cases';
import { onScratchPostgres } from './scratch-pg';

/**
 * The queue sorted by buyer risk at N cases (issue 17), on SQLite and (with a server) PostgreSQL:
 * first pages and a later page of the risk order (an index walk on cases.buyer_score, migrations/0034)
 * beside the claim-sorted first page (its own index: the baseline), medians of `runs` calls of
 * queuePage; the write side: migration 0034 itself on N cases (the backfill and the three indexes),
 * one buyer's score change copied into their cases (p50 / p99), and the full recompute's pass over
 * every case when nothing changed. N/4 buyers with four cases each, scored (7919·k + 13) mod 101.
 */
const ALL = { scope: 'all' as const, limit: 50 };
const UNASSIGNED = { scope: 'unassigned' as const, limit: 50 };
const risk = (dir: 'asc' | 'desc') => ({ by: 'risk' as const, dir });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quantile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const ms = (x: number) => Math.round(x * 100) / 100;

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await f();
  return [performance.now() - t0, r];
}

/** The same synthetic population as fillCasesPostgres, written with a recursive series (SQLite). */
async function fillCasesSqlite(db: Db, opts: { cases: number; now: number; closedShare?: number }): Promise<void> {
  const n = opts.cases;
  const buyers = Math.max(1, Math.floor(n / 4));
  const closed = Math.floor(n * (opts.closedShare ?? 0.7));
  const mediators = BENCH_MEDIATORS.length;
  // Numbers as literals: better-sqlite3 binds a JS number as REAL ('BB-' || 2.0).
  const series = (to: number) => sql`WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${sql.lit(to)})`;
  await inWriteTx(db, async (tx) => {
    await sql`${series(buyers)} INSERT INTO accounts (id, role, name, country, created_at)
      SELECT 'BB-' || g, 'buyer', 'Bench Buyer ' || g, 'DE', ${sql.lit(opts.now - 400 * 86_400_000)} FROM s`.execute(tx);
    await sql`${series(1_000)} INSERT INTO accounts (id, role, name, country, created_at)
      SELECT 'BS-' || g, 'seller', 'Bench Seller ' || g, 'CN', ${sql.lit(opts.now - 800 * 86_400_000)} FROM s`.execute(tx);
    await sql`${series(n)} INSERT INTO orders (id, buyer_id, seller_id, placed_at, shipped_at, currency, item_title, quantity,
        item_price_minor, shipping_minor, total_minor, tracking_number, carrier, delivery_status, delivered_at)
      SELECT 'BO-' || g, 'BB-' || (g % ${sql.lit(buyers)} + 1), 'BS-' || (g % 1000 + 1), ${sql.lit(opts.now - 30 * 86_400_000)},
        ${sql.lit(opts.now - 29 * 86_400_000)}, 'EUR', 'Bench item ' || g, 1, 4500 + g % 500, 500, 5000 + g % 500, 'LP' || g,
        'Cainiao', 'delivered', ${sql.lit(opts.now - 20 * 86_400_000)} FROM s`.execute(tx);
    await sql`${series(n)} INSERT INTO cases (id, order_id, buyer_id, seller_id, reason, claim_remedy, claim_amount_minor, currency,
        total_minor, description, opened_at, escalated_at, status, assignee_id, content_hash, created_at, updated_at)
      SELECT 'BC-' || printf('%08d', g), 'BO-' || g, 'BB-' || (g % ${sql.lit(buyers)} + 1), 'BS-' || (g % 1000 + 1),
        'defective', 'refund_only', 5000 + g % 500, 'EUR', 5000 + g % 500, 'Bench case ' || g,
        ${sql.lit(opts.now)} - (${sql.lit(n)} - g + 1440) * 60000, ${sql.lit(opts.now)} - (${sql.lit(n)} - g + 1) * 60000,
        CASE WHEN g <= ${sql.lit(closed)} THEN (CASE WHEN g % 2 = 0 THEN 'closed' ELSE 'final' END)
             WHEN g % 10 < 4 THEN 'escalated' WHEN g % 10 < 7 THEN 'in_review'
             WHEN g % 10 < 9 THEN 'awaiting_evidence' ELSE 'awaiting_replies' END,
        CASE WHEN g > ${sql.lit(closed)} AND g % 10 < 4 THEN NULL ELSE 'bm' || (g % ${sql.lit(mediators)}) END,
        'bench', ${sql.lit(opts.now)}, ${sql.lit(opts.now)} FROM s`.execute(tx);
  });
  await sql`ANALYZE`.execute(db);
}

/** Every bench buyer scored, written straight into buyer_risk (the cases' copy is brought level by the migration, timed). */
async function scoreBuyers(db: Db, now: number): Promise<void> {
  await sql`INSERT INTO buyer_risk (buyer_id, score, base_score, risky, reasons, scored_at, links, ref_at, decayed,
      n_orders, n_delivered, n_disputes, n_excused, n_nrd, n_decided, n_lost, n_threat, n_off_platform, n_photo_own, n_photo_shared)
    SELECT id, (CAST(substr(id, 4) AS integer) * 7919 + 13) % 101, 0, 0, '[]', ${now}, '[]', ${now}, '{}', 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0
    FROM accounts WHERE role = 'buyer'`.execute(db);
}

async function measure(db: Db, opts: { cases: number; runs: number; now: number; dialect: string; log: (m: string) => void }) {
  const { now, runs, log } = opts;
  await scoreBuyers(db, now);
  // Migration 0034 as it runs on a database of this size: the backfill of the scored buyers' cases,
  // then the three indexes, of which 0042 keeps two and adds the escalated cases' one.
  // (The column's ADD with a constant default is a change of the catalogue alone on both dialects.)
  for (const name of ['cases_escalated_by_risk', 'cases_open_by_risk', 'cases_by_risk']) await sql`DROP INDEX ${sql.raw(name)}`.execute(db);
  await sql`UPDATE cases SET buyer_score = -1`.execute(db);
  const [backfillMs] = await timed(() => m0034.copyScores(db));
  const [indexesMs] = await timed(async () => {
    await m0034.createRiskIndexes(db);
    await sql`DROP INDEX cases_queue_by_risk`.execute(db);
    await m0042.createEscalatedRiskIndex(db);
  });
  log(
    `${opts.dialect}: migration 0034 on ${opts.cases.toLocaleString('en')} cases: backfill ${Math.round(backfillMs)} ms, indexes ${Math.round(indexesMs)} ms`,
  );
  await sql`ANALYZE`.execute(db);

  const page = async (q: Partial<QueueQuery>, me: string | null = null) => {
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < runs; i++) {
      const [t, p] = await timed(() => queuePage(db, q as QueueQuery, me, now));
      times.push(t);
      rows = p.rows.length;
    }
    return { medianMs: ms(median(times)), minMs: ms(Math.min(...times)), rows };
  };
  /** The cursor after `pages` pages of q (untimed). */
  const cursorAfter = async (q: Partial<QueueQuery>, pages: number) => {
    let after: QueueQuery['after'];
    for (let i = 0; i < pages; i++)
      after = (await queuePage(db, { ...q, ...(after ? { after } : {}) } as QueueQuery, null, now)).nextCursor ?? undefined;
    return after;
  };
  const deepRisk = await cursorAfter({ ...UNASSIGNED, sort: risk('desc') }, 20);
  const deepAll = await cursorAfter({ ...ALL, sort: risk('asc') }, 20);
  const deepClaim = await cursorAfter({ ...UNASSIGNED, sort: { by: 'claim', dir: 'desc' } }, 20);
  const reads = {
    claimFirstPage: await page({ ...UNASSIGNED, sort: { by: 'claim', dir: 'desc' } }),
    claimPage21: await page({ ...UNASSIGNED, sort: { by: 'claim', dir: 'desc' }, after: deepClaim }),
    riskUnassignedDescFirstPage: await page({ ...UNASSIGNED, sort: risk('desc') }),
    riskUnassignedAscFirstPage: await page({ ...UNASSIGNED, sort: risk('asc') }),
    riskAllOpenDescFirstPage: await page({ ...ALL, sort: risk('desc') }),
    riskAllOpenAscFirstPage: await page({ ...ALL, sort: risk('asc') }),
    riskUnassignedDescPage21: await page({ ...UNASSIGNED, sort: risk('desc'), after: deepRisk }),
    riskAllOpenAscPage21: await page({ ...ALL, sort: risk('asc'), after: deepAll }),
    riskAllOpenFilteredNothing: await page({ ...ALL, sort: risk('desc'), reason: ['not_as_described'] }),
    riskMineFirstPage: await page({ scope: 'mine', limit: 50, sort: risk('desc') }, 'bm5'),
  };

  // One buyer's score changed and copied into their four cases, in one transaction each (the
  // flush's added work: db/repos/risk/case-scores.ts), over `changes` buyers.
  const changes = Math.max(50, runs * 20);
  const buyerCount = Math.max(1, Math.floor(opts.cases / 4));
  const copy: number[] = [];
  for (let i = 0; i < changes; i++) {
    const buyer = `BB-${((i * 104_729) % buyerCount) + 1}`;
    const [t] = await timed(() =>
      inWriteTx(db, async (tx) => {
        await tx
          .updateTable('buyer_risk')
          .set({ score: sql<number>`(score + 37) % 101` })
          .where('buyer_id', '=', buyer)
          .execute();
        await syncCaseScores(tx, [buyer]);
      }),
    );
    copy.push(t);
  }
  const [syncAllMs, rewritten] = await timed(() => inWriteTx(db, (tx) => syncAllCaseScores(tx)));
  return {
    migration0034: { backfillMs: Math.round(backfillMs), indexesMs: Math.round(indexesMs) },
    reads,
    scoreChange: {
      note: 'UPDATE of buyer_risk.score + syncCaseScores (4 cases), one transaction with its commit',
      p50Ms: ms(quantile(copy, 0.5)),
      p99Ms: ms(quantile(copy, 0.99)),
      changes,
    },
    recomputeCopyPass: { ms: Math.round(syncAllMs), rowsRewritten: rewritten },
  };
}

export async function benchRiskSort(opts: { cases: number; runs: number; now: number; pgUrl?: string; log: (m: string) => void }) {
  const loadAvgAtStart = loadavg().map((x) => Math.round(x * 100) / 100);
  const dir = mkdtempSync(join(tmpdir(), 'mediation-desk-risk-sort-'));
  let sqlite;
  try {
    const db = await openDatabase({ url: join(dir, 'risk-sort.sqlite') });
    try {
      await ensurePolicy(db, opts.now);
      opts.log(`sqlite: filling ${opts.cases.toLocaleString('en')} cases…`);
      await fillCasesSqlite(db, { cases: opts.cases, now: opts.now });
      sqlite = await measure(db, { ...opts, dialect: 'sqlite' });
    } finally {
      await db.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const postgres = opts.pgUrl
    ? await onScratchPostgres({ url: opts.pgUrl, prefix: 'risksort', cases: opts.cases, now: opts.now, log: opts.log }, (db) =>
        measure(db, { ...opts, dialect: 'postgres' }),
      )
    : { skipped: 'no PostgreSQL server given (--pg <url> or BENCH_DATABASE_URL)' };
  return {
    cases: opts.cases,
    runs: opts.runs,
    loadAvgAtStart,
    loadAvgAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
    sqlite,
    postgres,
    pass: true,
  };
}

import { CompiledQuery, sql } from 'kysely';
import { RISK_MODEL } from '../../../engine/risk';
import { insertObjects, insertRows } from '../../batch';
import { BUYER_ROW_COLUMNS } from './rows';
import { dialectOf } from '../../dialect';
import type { Database } from '../../schema';
import { takeRiskTurn } from './turn';
import type { Reader, WriteTx } from '../../tx';

/**
 * The full recompute's queries (app/risk/recompute.ts): keyset pages over the source tables
 * (accounts, orders, cases, evidence, account_links), each along one index, and multi-row
 * inserts into the model's tables (precompiled, batch.ts insertObjects: no query-builder work
 * per row; COPY on PostgreSQL), emptied first in the same transaction.
 */

const DAY = 86_400_000;

/** Empties the model's tables (not the model row: its priors may be kept). */
export async function clearRiskRows(tx: WriteTx): Promise<void> {
  await takeRiskTurn(tx);
  for (const t of ['buyer_risk', 'risk_disputes', 'risk_photos', 'risk_photo_uses', 'risk_link_groups', 'seller_risk'] as const)
    await tx.deleteFrom(t).execute();
}

/** Buyer accounts after `after`, by id. */
export async function buyerAccountsPage(db: Reader, after: string, limit: number) {
  return db
    .selectFrom('accounts')
    .select(['id', 'label', 'orders_placed', 'orders_delivered', 'created_at'])
    .where('role', '=', 'buyer')
    .where('id', '>', after)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/**
 * Orders summed per buyer by the database, a page of buyers after `after` at a time: counts,
 * delivered counts, and their sums decayed to `asOf` (exp(−(asOf − t) · ln 2 / half-life),
 * the slow and the velocity half-life).
 *
 * On PostgreSQL each float sum names its order (placed_at, delivery_status: the terms depend on
 * nothing else, so rows tying on both add equal terms): a plain sum adds the rows in the order its
 * plan reads them, which changed between two recomputes of one database (the buyer index, or a
 * seq scan + hash aggregate) and moved a sum's last bit. SQLite reads the buyer index, always in
 * that order, and its sum() compensates rounding: its query is left as it was (same rows).
 * The order costs PostgreSQL 15 a small sort per buyer and sum (16 and later can take it from the index): at
 * 100k buyers / 800k orders the pass took ~2.1 s of CPU (app + server) against ~1.0 s unordered;
 * reading the rows in index order and summing them in JS took ~2.4 s (session 28).
 */
export async function orderSumsPage(db: Reader, asOf: number, after: string, limit: number) {
  const t = sql`cast(${sql.ref('placed_at')} - ${asOf} as double precision)`;
  const slow = sql`exp(${t} * ${Math.LN2 / (RISK_MODEL.halfLifeDays * DAY)})`;
  const fast = sql`exp(${t} * ${Math.LN2 / (RISK_MODEL.velocityHalfLifeDays * DAY)})`;
  const delivered = sql`(case when ${sql.ref('delivery_status')} = 'delivered' then 1 else 0 end)`;
  const inOrder = dialectOf(db) === 'postgres' ? sql` order by ${sql.ref('placed_at')}, ${sql.ref('delivery_status')}` : sql``;
  return db
    .selectFrom('orders')
    .select([
      'buyer_id',
      sql<number>`count(*)`.as('n'),
      sql<number>`sum(${delivered})`.as('nd'),
      sql<number>`sum(${slow}${inOrder})`.as('w'),
      sql<number>`sum(${delivered} * ${slow}${inOrder})`.as('wd'),
      sql<number>`sum(${fast}${inOrder})`.as('f'),
    ])
    .where('buyer_id', '>', after)
    .groupBy('buyer_id')
    .orderBy('buyer_id')
    .limit(limit)
    .execute();
}

/**
 * Every order's buyer, seller and delivery status for the buyers after `after` (null: from the
 * start) up to `last` (null: to the end), in buyer order: one range of orders_by_buyer_delivery,
 * read from the index alone (it holds the seller since migration 0044). The recompute counts
 * them per (buyer, seller) and per seller itself: asking SQLite to group them sorted each page
 * in a temporary b-tree, and the sellers' totals were a second read of the whole table.
 */
export async function buyerSellerOrderRows(db: Reader, after: string | null, last: string | null) {
  let q = db.selectFrom('orders').select(['buyer_id', 'seller_id', 'delivery_status']);
  if (after !== null) q = q.where('buyer_id', '>', after);
  if (last !== null) q = q.where('buyer_id', '<=', last);
  return q.orderBy('buyer_id').execute();
}

export async function insertRebuiltSellers(tx: WriteTx, rows: Array<Database['seller_risk']>): Promise<void> {
  await insertObjects(tx, 'seller_risk', rows);
}

/**
 * How many cases there are and how many buyers have one (one walk of `cases_by_buyer`): the
 * recompute sizes its per-dispute arrays to these once, instead of doubling them as it reads.
 */
export async function caseCounts(db: Reader): Promise<{ cases: number; buyers: number }> {
  const r = await db
    .selectFrom('cases')
    .select((eb) => [
      eb.fn.countAll<number | string | bigint>().as('cases'),
      eb.fn.count<number | string | bigint>('buyer_id').distinct().as('buyers'),
    ])
    .executeTakeFirst();
  return { cases: Number(r?.cases ?? 0), buyers: Number(r?.buyers ?? 0) };
}

/** Cases after `after`, by id, with their order's delivery status. */
export async function disputeCasesPage(db: Reader, after: string, limit: number) {
  return db
    .selectFrom('cases')
    .innerJoin('orders', 'orders.id', 'cases.order_id')
    .select([
      'cases.id',
      'cases.buyer_id',
      'cases.order_id',
      'cases.opened_at',
      'cases.reason',
      'orders.delivery_status',
      'orders.seller_id',
    ])
    .where('cases.id', '>', after)
    .orderBy('cases.id')
    .limit(limit)
    .execute();
}

/** What a page of cases adds to their ledger rows: decisions, buyer messages, buyer evidence (three queries at once). */
export async function disputeSignalsOf(db: Reader, caseIds: string[]) {
  const [decisions, messages, evidence] = await Promise.all([
    db.selectFrom('decisions').select(['case_id', 'seq', 'outcome']).where('case_id', 'in', caseIds).execute(),
    db.selectFrom('messages').select(['case_id', 'text']).where('case_id', 'in', caseIds).where('by', '=', 'buyer').execute(),
    db.selectFrom('evidence').select(['case_id', 'sha256']).where('case_id', 'in', caseIds).where('party', '=', 'buyer').execute(),
  ]);
  return { decisions, messages, evidence };
}

export async function insertRebuiltDisputes(tx: WriteTx, rows: Array<Database['risk_disputes']>): Promise<void> {
  await insertObjects(tx, 'risk_disputes', rows);
}

/** A buyer's file on a case, with the case's buyer and opening instant. */
export interface BuyerEvidenceRow {
  sha256: string;
  case_id: string;
  buyer_id: string;
  opened_at: number;
  /** The seller of the case's order (null: the order is not known). */
  seller_id: string | null;
}

/** Buyer evidence by sha256 from `from` (inclusive or not), with its case's buyer. */
async function buyerEvidencePage(db: Reader, from: string, inclusive: boolean, limit: number): Promise<BuyerEvidenceRow[]> {
  return (
    db
      .selectFrom('evidence')
      .innerJoin('cases', 'cases.id', 'evidence.case_id')
      .leftJoin('orders', 'orders.id', 'cases.order_id')
      .select(['evidence.sha256', 'evidence.case_id', 'cases.buyer_id', 'cases.opened_at', 'orders.seller_id'])
      .where('evidence.party', '=', 'buyer')
      .where('evidence.sha256', inclusive ? '>=' : '>', from)
      .orderBy('evidence.sha256')
      // Within one sha256 a fixed order, whatever the plan (a hash join gives them in any order): the
      // weights a photo adds are summed in this order, and a float sum's last bit depends on it.
      .orderBy('evidence.case_id')
      .orderBy('evidence.seq')
      .limit(limit)
      .execute()
  );
}

/** Every buyer use of one sha256 (a photo that fills a whole page). */
async function buyerEvidenceOfSha(db: Reader, sha256: string): Promise<BuyerEvidenceRow[]> {
  return await db
    .selectFrom('evidence')
    .innerJoin('cases', 'cases.id', 'evidence.case_id')
    .leftJoin('orders', 'orders.id', 'cases.order_id')
    .select(['evidence.sha256', 'evidence.case_id', 'cases.buyer_id', 'cases.opened_at', 'orders.seller_id'])
    .where('evidence.party', '=', 'buyer')
    .where('evidence.sha256', '=', sha256)
    .orderBy('evidence.case_id')
    .orderBy('evidence.seq')
    .execute();
}

/** The recompute's photo pass reads every buyer file, in sha256 order, through this. */
export interface BuyerEvidenceSource {
  /** Files from `from` (inclusive or not), by sha256, at most `limit`. */
  page(from: string, inclusive: boolean, limit: number): Promise<BuyerEvidenceRow[]>;
  /** Every file of one sha256 (a photo that fills a whole page). */
  ofSha(sha256: string): Promise<BuyerEvidenceRow[]>;
  /** Drops what was staged (in the same transaction). */
  close(): Promise<void>;
}

const STAGED = 'risk_buyer_evidence';
/**
 * Files sorted in one run of the staging: ~190 bytes a row in SQLite's sorter, so ~8 MB (its
 * list doubles as it grows: up to twice that). Smaller runs cost little more to stage but
 * more to read (one arm each in the merge); past RUNS_BEFORE_DOUBLING runs each run is twice
 * as large, so a file of tens of millions stays well under SQLite's 500 arms a compound.
 */
const ROWS_PER_RUN = 40_000;
const RUNS_BEFORE_DOUBLING = 128;
/** The temporary table's own page cache while staged (KiB): appends and one leaf per run read. */
const STAGED_CACHE_KIB = 2_048;

/**
 * Every buyer file with its case's buyer and opening instant and its order's seller, for the
 * full recompute's photo pass (in `tx`, which it must end in).
 *
 * SQLite: staged first in a temporary table, in runs: each run is one join over a range of
 * cases in their own order (evidence along its primary key, the order by its id, near the case
 * that made it), sorted by (sha256, evidence rowid) and appended under its run number; the
 * pages are then read along that key by merging the runs (one arm per run, each along the key,
 * SQLite's merge of an ordered UNION ALL: no sort at read time). Read straight in sha256 order,
 * each file costs a case and an order looked up at random in tables the size of the database
 * (five b-tree descents a file: 4 to 6 s of CPU for 191,000 files at 300k buyers against ~1.9 s
 * staged, and most of the photo pass's 40 s of wall at a million disputes, where the file is 3.4
 * GB). Sorted in one statement, the whole staging went through SQLite's sorter at once, whose
 * in-memory list grows up to the main page cache's size (64 MB in the recompute) before it
 * spills, and whose spilled runs are read back through mmap (resident again): +57 MB on the
 * process's peak at a 200,000-dispute import's shape (333,849 files), against +10 MB in runs
 * of ~ROWS_PER_RUN rows, where the sorter holds one run at a time;
 * the temporary table's cache is cut to STAGED_CACHE_KIB meanwhile (SQLite's default is 16 MB).
 * Within one sha256 the rows come in evidence rowid order, as the index read gave them: the
 * weights a photo adds are summed in the same order. The temporary table lives in SQLite's temp
 * file (TEMP_STORE=1), not in memory, and is dropped by `close` (or with the transaction's
 * rollback).
 *
 * PostgreSQL plans the join by hashing: read directly, in (sha256, case, file) order (session 29: a
 * recompute beside other work once summed a shared photo's weights in another order, a last-bit
 * difference between two recomputes of one database). `rowsPerRun`: a few in tests, to merge many runs.
 */
export async function buyerEvidenceSource(tx: WriteTx, rowsPerRun = ROWS_PER_RUN): Promise<BuyerEvidenceSource> {
  if (dialectOf(tx) !== 'sqlite')
    return {
      page: (from, inclusive, limit) => buyerEvidencePage(tx, from, inclusive, limit),
      ofSha: (sha256) => buyerEvidenceOfSha(tx, sha256),
      close: async () => {},
    };
  await sql
    .raw(
      `CREATE TEMP TABLE ${STAGED} (run INTEGER NOT NULL, sha256 TEXT NOT NULL, ev INTEGER NOT NULL, case_id TEXT NOT NULL, ` +
        `buyer_id TEXT NOT NULL, opened_at INTEGER NOT NULL, seller_id TEXT, PRIMARY KEY (run, sha256, ev)) WITHOUT ROWID`,
    )
    .execute(tx);
  const tempCache = Object.values((await sql.raw('PRAGMA temp.cache_size').execute(tx)).rows[0] as Record<string, unknown>)[0];
  await sql.raw(`PRAGMA temp.cache_size = -${STAGED_CACHE_KIB}`).execute(tx);
  const lastCase = Number((await sql<{ last: number | null }>`SELECT max(rowid) AS last FROM cases`.execute(tx)).rows[0]?.last ?? 0);
  let runs = 0;
  // The first run's cases: as many as the rows wanted (a case has at least one file or none).
  let span = rowsPerRun;
  for (let after = 0; after < lastCase;) {
    const wanted = rowsPerRun * 2 ** Math.floor(runs / RUNS_BEFORE_DOUBLING);
    const upTo = Math.min(lastCase, after + span);
    // Sorted before it is inserted (SQLite's sorter): the run is appended in key order.
    const r = await sql`
      INSERT INTO temp.${sql.raw(STAGED)} (run, sha256, ev, case_id, buyer_id, opened_at, seller_id)
      SELECT ${runs}, e.sha256, e.rowid, e.case_id, c.buyer_id, c.opened_at, o.seller_id
      FROM cases c CROSS JOIN evidence e ON e.case_id = c.id LEFT JOIN orders o ON o.id = c.order_id
      WHERE c.rowid > ${after} AND c.rowid <= ${upTo} AND e.party = 'buyer'
      ORDER BY 2, 3`.execute(tx);
    const rows = Number(r.numAffectedRows ?? 0n);
    if (rows > 0) runs++;
    // The next run's cases from this one's files per case, at most twice as many.
    span = Math.max(1, Math.min(2 * span, Math.round((span * wanted) / Math.max(rows, 1))));
    after = upTo;
  }
  const cols = 'sha256, ev, case_id, buyer_id, opened_at, seller_id';
  // One arm per run, each read along the key from `where`; SQLite merges them in key order.
  const merged = (where: string) =>
    Array.from({ length: Math.max(runs, 1) }, (_, k) => `SELECT ${cols} FROM temp.${STAGED} WHERE run = ${k} AND ${where}`).join(
      ' UNION ALL ',
    );
  const read = async (text: string, params: unknown[]): Promise<BuyerEvidenceRow[]> =>
    // (`ev` comes along: the merge orders by it.)
    (await tx.executeQuery<BuyerEvidenceRow>(CompiledQuery.raw(text, params))).rows;
  const arms = Math.max(runs, 1);
  return {
    page: (from, inclusive, limit) =>
      read(`${merged(`sha256 ${inclusive ? '>=' : '>'} ?`)} ORDER BY sha256, ev LIMIT ?`, [...Array<string>(arms).fill(from), limit]),
    ofSha: (sha256) => read(`${merged('sha256 = ?')} ORDER BY sha256, ev`, Array<string>(arms).fill(sha256)),
    close: async () => {
      await sql.raw(`DROP TABLE IF EXISTS temp.${STAGED}`).execute(tx);
      await sql.raw(`PRAGMA temp.cache_size = ${Math.trunc(Number(tempCache))}`).execute(tx);
    },
  };
}

/** Stored files in a near-duplicate cluster headed by another file. */
export async function clusteredFiles(db: Reader) {
  return db
    .selectFrom('evidence_files')
    .select(['sha256', 'cluster_key'])
    .where('cluster_key', 'is not', null)
    .whereRef('cluster_key', '!=', 'sha256')
    .execute();
}

export async function insertRebuiltPhotos(tx: WriteTx, rows: Array<Database['risk_photos']>): Promise<void> {
  await insertObjects(tx, 'risk_photos', rows);
}

export async function insertRebuiltPhotoUses(tx: WriteTx, rows: Array<Database['risk_photo_uses']>): Promise<void> {
  await insertObjects(tx, 'risk_photo_uses', rows);
}

export interface LinkRow {
  kind: string;
  value: string;
  account_id: string;
}

/** One kind's link values from `from` (inclusive or not): a range of the (kind, value) index. */
export async function linkValuesPage(db: Reader, kind: string, from: string, inclusive: boolean, limit: number): Promise<LinkRow[]> {
  return await db
    .selectFrom('account_links')
    .select(['kind', 'value', 'account_id'])
    .where('kind', '=', kind)
    .where('value', inclusive ? '>=' : '>', from)
    .orderBy('value')
    .limit(limit)
    .execute();
}

/** Every account of one link value (a group that fills a whole page: a parcel locker). */
export async function linkValueMembers(db: Reader, kind: string, value: string): Promise<LinkRow[]> {
  return await db
    .selectFrom('account_links')
    .select(['kind', 'value', 'account_id'])
    .where('kind', '=', kind)
    .where('value', '=', value)
    .execute();
}

export async function insertRebuiltLinkGroups(tx: WriteTx, rows: Array<Database['risk_link_groups']>): Promise<void> {
  await insertObjects(tx, 'risk_link_groups', rows);
}

/** The links of the accounts from `first` to `last`: one range of the primary key (account_id, kind, value). */
export async function linksOfAccountRange(db: Reader, first: string, last: string) {
  return db
    .selectFrom('account_links')
    .select(['account_id', 'kind', 'value'])
    .where('account_id', '>=', first)
    .where('account_id', '<=', last)
    .execute();
}

/**
 * For the full rebuild of buyer_risk (emptied by clearRiskRows, then every row inserted): on
 * SQLite its secondary indexes are dropped here and made again, from their stored CREATE text,
 * by the function returned, once the last row is in: one sorted build instead of a million
 * inserts into the (score, buyer_id) index at as many places as there are scores. Measured at
 * 100k buyers (session 29): the inserts' CPU 0.57–0.60 s without the index plus 0.05 s to build it,
 * against 0.68–0.73 s with it. In the same transaction: a reader sees the old table and its
 * indexes until the commit, or the new ones after it. PostgreSQL: left alone (DROP INDEX takes an
 * ACCESS EXCLUSIVE lock: the other desks' reads of the old scores would wait for the whole recompute).
 */
export async function setAsideBuyerIndexes(tx: WriteTx): Promise<() => Promise<void>> {
  return setAsideIndexes(tx, 'buyer_risk');
}

/**
 * On SQLite, drops the secondary indexes of `table` (those `which` picks) and returns the function
 * that makes them again from their stored CREATE text, in the same transaction; PostgreSQL: nothing
 * (see setAsideBuyerIndexes).
 */
export async function setAsideIndexes(
  tx: WriteTx,
  table: 'buyer_risk' | 'cases',
  which: (i: { sql: string }) => boolean = () => true,
): Promise<() => Promise<void>> {
  if (dialectOf(tx) !== 'sqlite') return async () => {};
  const indexes = (
    await sql<{ name: string; sql: string }>`
      SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ${table} AND sql IS NOT NULL ORDER BY name`.execute(tx)
  ).rows.filter(which);
  for (const i of indexes) await sql`DROP INDEX ${sql.id(i.name)}`.execute(tx);
  return async () => {
    for (const i of indexes) await sql.raw(i.sql).execute(tx);
  };
}

/** Buyer rows as `buyerRowValues` gives them (rows.ts: one value per BUYER_ROW_COLUMNS). */
export async function insertRebuiltBuyers(tx: WriteTx, rows: ReadonlyArray<readonly unknown[]>): Promise<void> {
  await insertRows(tx, { table: 'buyer_risk', columns: BUYER_ROW_COLUMNS }, rows);
}

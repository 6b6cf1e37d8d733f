import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect-helpers';

/**
 * Frozen once released: the supervisors' reports read summaries instead of scanning cases.
 * - report_cases: one row per case that has a first decision (decisions.seq = 1): its day
 *   (UTC, epoch days), the group keys (who decided, reason, buyer country), basis, the
 *   time-to-decision histogram bucket (hours from escalation; the bounds below), and what
 *   happened to it since (appealed, overturned, evidence requests and the expired ones, the
 *   reply period and whether a party let it run out, the refund due or paid per currency).
 *   Triggers on decisions, appeals, evidence_requests, proposals, refunds, cases and accounts
 *   recompute the case's row in the very transaction that changed it, whatever wrote it
 *   (commands, the sweep, intake, a COPY import). It also serves the drill-down (indexed by
 *   each dimension and time) and the partial days at the edges of a period.
 * - report_facts: the sums of report_cases per (day, decided_by, reason, country, refund
 *   currency: '' when none), with the histogram as columns h0..h17, kept by triggers on
 *   report_cases. A report over whole days sums these few rows.
 * The backfill counts whatever is there already (under the migration lock).
 */

/** Upper bounds (hours) of the time-to-decision buckets; the last bucket (h17) is open. */
const HOUR_BUCKETS = [1, 2, 4, 8, 12, 24, 36, 48, 72, 96, 120, 168, 240, 336, 504, 720, 1440];
const DAY_MS = 86_400_000;
const H = HOUR_BUCKETS.map((_, i) => `h${i}`).concat(`h${HOUR_BUCKETS.length}`);

const CASE_COLUMNS = [
  'case_id',
  'day',
  'decided_at',
  'decided_by',
  'reason',
  'country',
  'basis',
  'bucket',
  'appealed',
  'overturned',
  'ev_requests',
  'ev_expired',
  'reply_periods',
  'reply_missed',
  'refund_currency',
  'refund_amount',
];

/** A case's facts, computed from the tables (the same figures the direct report counts). */
const caseFacts = (where: string) => `
  SELECT d.case_id, d.decided_at / ${DAY_MS} AS day, d.decided_at, d.decided_by, c.reason, a.country, d.basis,
    CASE ${HOUR_BUCKETS.map((h, i) => `WHEN d.decided_at - c.escalated_at < ${h * 3_600_000} THEN ${i}`).join(' ')} ELSE ${HOUR_BUCKETS.length} END AS bucket,
    CASE WHEN ap.case_id IS NOT NULL THEN 1 ELSE 0 END AS appealed,
    CASE WHEN ap.status = 'overturned' THEN 1 ELSE 0 END AS overturned,
    (SELECT COUNT(*) FROM evidence_requests er WHERE er.case_id = d.case_id) AS ev_requests,
    (SELECT COUNT(*) FROM evidence_requests er WHERE er.case_id = d.case_id AND er.status = 'expired') AS ev_expired,
    CASE WHEN p.case_id IS NOT NULL THEN 1 ELSE 0 END AS reply_periods,
    CASE WHEN p.case_id IS NOT NULL AND (p.buyer_reply IS NULL OR p.seller_reply IS NULL) THEN 1 ELSE 0 END AS reply_missed,
    CASE WHEN r.status <> 'cancelled' AND r.amount_minor > 0 THEN r.currency ELSE '' END AS refund_currency,
    CASE WHEN r.status <> 'cancelled' AND r.amount_minor > 0 THEN r.amount_minor ELSE 0 END AS refund_amount
  FROM decisions d
  JOIN cases c ON c.id = d.case_id
  JOIN accounts a ON a.id = c.buyer_id
  LEFT JOIN appeals ap ON ap.case_id = d.case_id
  LEFT JOIN proposals p ON p.case_id = d.case_id
  LEFT JOIN refunds r ON r.case_id = d.case_id
  WHERE d.seq = 1 AND ${where}`;

const FACT_KEYS = ['day', 'decided_by', 'reason', 'country', 'currency'];
/** What one report_cases row (alias `r`) adds to its report_facts row. */
const contribution = (r: string): Array<[string, string]> => [
  ['decided', '1'],
  ['by_default', `CASE WHEN ${r}.basis = 'default' THEN 1 ELSE 0 END`],
  ['by_agreement', `CASE WHEN ${r}.basis = 'agreement' THEN 1 ELSE 0 END`],
  ['by_mediator', `CASE WHEN ${r}.basis = 'mediator' THEN 1 ELSE 0 END`],
  ['appealed', `${r}.appealed`],
  ['overturned', `${r}.overturned`],
  ['ev_requests', `${r}.ev_requests`],
  ['ev_expired', `${r}.ev_expired`],
  ['reply_periods', `${r}.reply_periods`],
  ['reply_missed', `${r}.reply_missed`],
  ['refunds', `CASE WHEN ${r}.refund_currency <> '' THEN 1 ELSE 0 END`],
  ['refund_amount', `${r}.refund_amount`],
  ...H.map((h, i): [string, string] => [h, `CASE WHEN ${r}.bucket = ${i} THEN 1 ELSE 0 END`]),
];
const COUNTERS = contribution('r').map(([c]) => c);
const keyValues = (r: string) => [`${r}.day`, `${r}.decided_by`, `${r}.reason`, `${r}.country`, `${r}.refund_currency`];
const onConflict = (f: string) =>
  `ON CONFLICT (${FACT_KEYS.join(', ')}) DO UPDATE SET ${COUNTERS.map((c) => `${c} = ${f}.${c} + excluded.${c}`).join(', ')}`;

/** Where a source table's change sends a refresh of report_cases (the case ids it touched). */
const SOURCES: Array<{ table: string; id: string; columns: string[]; insertDelete: boolean }> = [
  { table: 'decisions', id: 'case_id', columns: ['case_id', 'seq', 'decided_at', 'decided_by', 'basis'], insertDelete: true },
  { table: 'appeals', id: 'case_id', columns: ['case_id', 'status'], insertDelete: true },
  { table: 'evidence_requests', id: 'case_id', columns: ['case_id', 'status'], insertDelete: true },
  { table: 'proposals', id: 'case_id', columns: ['case_id', 'buyer_reply', 'seller_reply'], insertDelete: true },
  { table: 'refunds', id: 'case_id', columns: ['case_id', 'status', 'amount_minor', 'currency'], insertDelete: true },
  // A case is inserted before its decisions; deleted after them (foreign keys), or alone.
  { table: 'cases', id: 'id', columns: ['reason', 'escalated_at', 'buyer_id'], insertDelete: false },
];

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  let t = db.schema
    .createTable('report_cases')
    .addColumn('case_id', 'text', (c) => c.primaryKey())
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('decided_at', 'bigint', (c) => c.notNull())
    .addColumn('decided_by', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('basis', 'text', (c) => c.notNull())
    .addColumn('bucket', 'integer', (c) => c.notNull());
  for (const c of ['appealed', 'overturned', 'ev_requests', 'ev_expired', 'reply_periods', 'reply_missed'])
    t = t.addColumn(c, 'integer', (col) => col.notNull());
  await t
    .addColumn('refund_currency', 'text', (c) => c.notNull())
    .addColumn('refund_amount', 'bigint', (c) => c.notNull())
    .execute();
  let f = db.schema
    .createTable('report_facts')
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('decided_by', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull());
  for (const c of COUNTERS) f = f.addColumn(c, 'bigint', (col) => col.notNull());
  await f.addPrimaryKeyConstraint('report_facts_pkey', ['day', 'decided_by', 'reason', 'country', 'currency']).execute();

  // The backfill, before the triggers (one pass each, not a row at a time).
  await sql.raw(`INSERT INTO report_cases (${CASE_COLUMNS.join(', ')}) ${caseFacts('1 = 1')}`).execute(db);
  await sql
    .raw(
      `INSERT INTO report_facts (${FACT_KEYS.join(', ')}, ${COUNTERS.join(', ')})
       SELECT ${keyValues('r').join(', ')}, ${contribution('r')
         .map(([, e]) => `SUM(${e})`)
         .join(', ')}
       FROM report_cases r GROUP BY ${keyValues('r').join(', ')}`,
    )
    .execute(db);

  // The drill-down: the cases of a period, by each dimension, newest first.
  await db.schema.createIndex('report_cases_by_time').on('report_cases').columns(['decided_at', 'case_id']).execute();
  for (const k of ['decided_by', 'reason', 'country'])
    await db.schema.createIndex(`report_cases_by_${k}`).on('report_cases').columns([k, 'decided_at', 'case_id']).execute();

  if (dialect === 'sqlite') await sqliteTriggers(db);
  else await postgresTriggers(db);
}

async function sqliteTriggers(db: Kysely<any>) {
  const bump = (row: 'NEW' | 'OLD', sign: 1 | -1) =>
    `INSERT INTO report_facts AS f (${FACT_KEYS.join(', ')}, ${COUNTERS.join(', ')})
     VALUES (${keyValues(row).join(', ')}, ${contribution(row)
       .map(([, e]) => `${sign} * (${e})`)
       .join(', ')}) ${onConflict('f')};`;
  await sql.raw(`CREATE TRIGGER report_facts_add AFTER INSERT ON report_cases BEGIN ${bump('NEW', 1)} END`).execute(db);
  await sql.raw(`CREATE TRIGGER report_facts_remove AFTER DELETE ON report_cases BEGIN ${bump('OLD', -1)} END`).execute(db);

  const refresh = (idCondition: string, factsWhere: string) =>
    `DELETE FROM report_cases WHERE case_id IN (${idCondition});
     INSERT INTO report_cases (${CASE_COLUMNS.join(', ')}) ${caseFacts(factsWhere)};`;
  const one = (id: string) => refresh(`SELECT ${id}`, `d.case_id = ${id}`);
  for (const s of SOURCES) {
    if (s.insertDelete)
      await sql.raw(`CREATE TRIGGER report_${s.table}_insert AFTER INSERT ON ${s.table} BEGIN ${one(`NEW.${s.id}`)} END`).execute(db);
    await sql.raw(`CREATE TRIGGER report_${s.table}_delete AFTER DELETE ON ${s.table} BEGIN ${one(`OLD.${s.id}`)} END`).execute(db);
    // The case before and after (one case unless the row moved to another).
    const changed = s.columns.map((c) => `OLD.${c} IS NOT NEW.${c}`).join(' OR ');
    const both = refresh(`SELECT OLD.${s.id} UNION SELECT NEW.${s.id}`, `d.case_id IN (OLD.${s.id}, NEW.${s.id})`);
    await sql
      .raw(
        `CREATE TRIGGER report_${s.table}_update AFTER UPDATE OF ${s.columns.join(', ')} ON ${s.table} WHEN ${changed} BEGIN ${both} END`,
      )
      .execute(db);
  }
  // A buyer's country moves all of the buyer's cases.
  await sql
    .raw(
      `CREATE TRIGGER report_accounts_update AFTER UPDATE OF country ON accounts WHEN OLD.country IS NOT NEW.country BEGIN
       ${refresh('SELECT id FROM cases WHERE buyer_id = NEW.id', 'c.buyer_id = NEW.id')} END`,
    )
    .execute(db);
}

async function postgresTriggers(db: Kysely<any>) {
  // report_cases → report_facts: one upsert per key the statement touched, in key order.
  const fold = (rows: string, sign: 1 | -1) => `
    INSERT INTO report_facts AS f (${FACT_KEYS.join(', ')}, ${COUNTERS.join(', ')})
    SELECT ${keyValues('r').join(', ')}, ${contribution('r')
      .map(([, e]) => `${sign} * SUM(${e})`)
      .join(', ')}
    FROM ${rows} r GROUP BY ${keyValues('r').join(', ')} ORDER BY ${keyValues('r').join(', ')}
    ${onConflict('f')}`;
  const fn = (name: string, body: string) =>
    sql.raw(`CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body}; RETURN NULL; END $$`).execute(db);
  const trigger = (name: string, event: string, table: string, tables: string, fnName: string) =>
    sql
      .raw(`CREATE TRIGGER ${name} AFTER ${event} ON ${table} REFERENCING ${tables} FOR EACH STATEMENT EXECUTE FUNCTION ${fnName}()`)
      .execute(db);
  await fn('report_facts_added', fold('new_rows', 1));
  await fn('report_facts_removed', fold('old_rows', -1));
  await trigger('report_facts_add', 'INSERT', 'report_cases', 'NEW TABLE AS new_rows', 'report_facts_added');
  await trigger('report_facts_remove', 'DELETE', 'report_cases', 'OLD TABLE AS old_rows', 'report_facts_removed');

  // Any source change → recompute the rows of the cases it touched, as a set.
  await sql
    .raw(
      `CREATE OR REPLACE FUNCTION report_refresh(ids text[]) RETURNS void LANGUAGE plpgsql AS $$ BEGIN
         IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
         DELETE FROM report_cases WHERE case_id = ANY(ids);
         INSERT INTO report_cases (${CASE_COLUMNS.join(', ')}) ${caseFacts('d.case_id = ANY(ids)')};
       END $$`,
    )
    .execute(db);
  const refresh = (ids: string) => `PERFORM report_refresh(ARRAY(SELECT DISTINCT id FROM (${ids}) AS touched(id) ORDER BY 1))`;
  for (const s of SOURCES) {
    const changed = s.columns.map((c) => `n.${c} IS DISTINCT FROM o.${c}`).join(' OR ');
    // No UPDATE OF with transition tables: the changed rows are picked here (by primary key).
    const pk =
      s.table === 'decisions'
        ? 'n.case_id = o.case_id AND n.seq = o.seq'
        : s.table === 'evidence_requests'
          ? 'n.id = o.id'
          : `n.${s.id} = o.${s.id}`;
    await fn(
      `report_${s.table}_updated`,
      refresh(`SELECT o.${s.id} FROM new_rows n JOIN old_rows o ON ${pk} WHERE ${changed} UNION ALL
               SELECT n.${s.id} FROM new_rows n JOIN old_rows o ON ${pk} WHERE ${changed}`),
    );
    await trigger(
      `report_${s.table}_update`,
      'UPDATE',
      s.table,
      'OLD TABLE AS old_rows NEW TABLE AS new_rows',
      `report_${s.table}_updated`,
    );
    await fn(`report_${s.table}_deleted`, refresh(`SELECT ${s.id} FROM old_rows`));
    await trigger(`report_${s.table}_delete`, 'DELETE', s.table, 'OLD TABLE AS old_rows', `report_${s.table}_deleted`);
    if (s.insertDelete) {
      await fn(`report_${s.table}_inserted`, refresh(`SELECT ${s.id} FROM new_rows`));
      await trigger(`report_${s.table}_insert`, 'INSERT', s.table, 'NEW TABLE AS new_rows', `report_${s.table}_inserted`);
    }
  }
  await fn(
    'report_accounts_updated',
    refresh(`SELECT c.id FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN cases c ON c.buyer_id = n.id
             WHERE n.country IS DISTINCT FROM o.country`),
  );
  await trigger('report_accounts_update', 'UPDATE', 'accounts', 'OLD TABLE AS old_rows NEW TABLE AS new_rows', 'report_accounts_updated');
}

const TRIGGERS: Array<[string, string]> = [
  ['report_facts_add', 'report_cases'],
  ['report_facts_remove', 'report_cases'],
  ['report_accounts_update', 'accounts'],
  ...SOURCES.flatMap((s): Array<[string, string]> =>
    ['insert', 'update', 'delete'].map((e): [string, string] => [`report_${s.table}_${e}`, s.table]),
  ),
];

export async function down(db: Kysely<any>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  for (const [name, table] of TRIGGERS)
    await sql.raw(pg ? `DROP TRIGGER IF EXISTS ${name} ON ${table}` : `DROP TRIGGER IF EXISTS ${name}`).execute(db);
  if (pg) {
    const fns = ['report_facts_added', 'report_facts_removed', 'report_accounts_updated'].concat(
      SOURCES.flatMap((s) => ['inserted', 'updated', 'deleted'].map((e) => `report_${s.table}_${e}`)),
    );
    for (const f of fns) await sql.raw(`DROP FUNCTION IF EXISTS ${f}()`).execute(db);
    await sql`DROP FUNCTION IF EXISTS report_refresh(text[])`.execute(db);
  }
  await db.schema.dropTable('report_facts').execute();
  await db.schema.dropTable('report_cases').execute();
}

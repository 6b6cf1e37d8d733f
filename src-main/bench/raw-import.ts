/**
 * The bench's yardstick for `import`: the fastest honest hand-written importer straight on
 * better-sqlite3. Same input file, same schema (created by the real migration), same
 * durability and connection settings as the real import (`openDatabase`'s WAL, foreign keys,
 * synchronous=NORMAL for the batches of a first load and FULL for its last commit, the 64 MB page cache `importStream` sets), same batch size and one
 * transaction per batch, same tables and columns, the same existence check per case and a
 * content hash of the same canonical form; the same tricks the product is allowed: the chunked
 * line reader, the secondary indexes of an empty database built once at the end, and prepared
 * statements (single-row: prepared once, no SQL text per row). What it leaves out is what the product adds: schema
 * validation with per-line reports, the query builder, and the buyer-risk rows
 * (risk_disputes, buyer_risk, photo and link-group rows) the product keeps per batch.
 */
import { createReadStream } from 'node:fs';
import { ndjsonLines } from '../util/ndjson-lines';
import BetterSqlite3 from 'better-sqlite3';
import { contentHash } from '../app/intake/intake';
import type { Dispute } from '../contract/dispute';
import { toMs } from '../contract/primitives';

export interface RawImportResult {
  read: number;
  created: number;
  seconds: number;
}

// The same instant reader as the product's rows (the hand-written parser, Date.parse for the rest).
const ms = (iso: string | null | undefined): number | null => (iso ? toMs(iso) : null);

/** Imports `file` into the (already migrated, empty) SQLite database at `path`. */
export async function rawImport(path: string, file: string, opts: { now: number; batchSize?: number }): Promise<RawImportResult> {
  const batchSize = opts.batchSize ?? 2_000;
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // As the product's first load into an empty database (db/repos/bulk-load.ts withRelaxedCommits):
  // batches committed without waiting for fsync, the index build at the end a durable commit.
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536'); // as importStream does for the duration of an import
  db.pragma('wal_autocheckpoint = 65536'); // as withRelaxedCommits: a checkpoint per 256 MiB of WAL, not per batch
  const started = performance.now();
  // The product's deferral, by hand: plain indexes of the written tables dropped now, built at the end.
  const deferred = db
    .prepare(
      `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'
       AND tbl_name IN ('accounts', 'account_links', 'orders', 'cases', 'evidence', 'case_events', 'buyer_risk')`,
    )
    .all() as Array<{ name: string; sql: string }>;
  for (const i of deferred) db.exec(`DROP INDEX "${i.name}"`);
  const existing = db.prepare('SELECT id, content_hash, status FROM cases WHERE id = ?');
  const account = db.prepare(
    `INSERT INTO accounts (id, role, name, country, created_at, label, label_note, labelled_by, labelled_at) VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, country = excluded.country, created_at = excluded.created_at`,
  );
  const link = db.prepare('INSERT INTO account_links (account_id, kind, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  const order = db.prepare(
    `INSERT INTO orders (id, buyer_id, seller_id, placed_at, shipped_at, currency, item_title, quantity, item_price_minor, shipping_minor, total_minor, tracking_number, carrier, delivery_status, delivered_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET buyer_id = excluded.buyer_id, seller_id = excluded.seller_id, placed_at = excluded.placed_at, shipped_at = excluded.shipped_at,
       currency = excluded.currency, item_title = excluded.item_title, quantity = excluded.quantity, item_price_minor = excluded.item_price_minor,
       shipping_minor = excluded.shipping_minor, total_minor = excluded.total_minor, tracking_number = excluded.tracking_number, carrier = excluded.carrier,
       delivery_status = excluded.delivery_status, delivered_at = excluded.delivered_at`,
  );
  const kase = db.prepare(
    `INSERT INTO cases (id, order_id, buyer_id, seller_id, reason, claim_remedy, claim_amount_minor, currency, total_minor, description, opened_at, escalated_at,
       status, assignee_id, forced_decision, evidence_round, policy_version, content_hash, next_due_at, version, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'escalated', NULL, 0, 0, NULL, ?, NULL, 0, ?, ?)`,
  );
  const negotiation = db.prepare(
    'INSERT INTO negotiation (case_id, seq, at, by, remedy, amount_minor, comment) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const message = db.prepare('INSERT INTO messages (case_id, seq, at, by, text) VALUES (?, ?, ?, ?, ?)');
  const evidence = db.prepare(
    'INSERT INTO evidence (case_id, seq, party, name, media_type, size_bytes, sha256, submitted_at, request_id, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)',
  );
  const event = db.prepare("INSERT INTO case_events (case_id, at, actor, type, details) VALUES (?, ?, 'intake', 'case.escalated', ?)");

  const now = opts.now;
  // Each line is trusted to be a valid dispute: this yardstick leaves validation out on purpose.
  const write = db.transaction((batch: Dispute[]) => {
    let created = 0;
    for (const d of batch) {
      if (existing.get(d.id)) continue;
      const hash = contentHash(d); // the same canonical form and hash function as intake
      for (const [a, role] of [
        [d.buyer, 'buyer'],
        [d.seller, 'seller'],
      ] as const) {
        account.run(a.id, role, a.name, a.country, ms(a.createdAt));
        for (const kind of ['device', 'address', 'payment'] as const) for (const v of a.links?.[kind] ?? []) link.run(a.id, kind, v);
      }
      const o = d.order;
      order.run(
        o.id,
        d.buyer.id,
        d.seller.id,
        ms(o.placedAt),
        ms(o.shippedAt),
        o.currency,
        o.item.title,
        o.item.quantity,
        o.itemPriceMinor,
        o.shippingMinor,
        o.totalMinor,
        o.tracking.number ?? null,
        o.tracking.carrier ?? null,
        o.tracking.status,
        ms(o.tracking.deliveredAt),
      );
      kase.run(
        d.id,
        o.id,
        d.buyer.id,
        d.seller.id,
        d.reason,
        d.claim.remedy,
        d.claim.amountMinor,
        o.currency,
        o.totalMinor,
        d.description ?? '',
        ms(d.openedAt),
        ms(d.escalatedAt),
        hash,
        now,
        now,
      );
      (d.negotiation ?? []).forEach((n, i) => negotiation.run(d.id, i + 1, ms(n.at), n.by, n.remedy, n.amountMinor, n.comment ?? ''));
      (d.messages ?? []).forEach((m, i) => message.run(d.id, i + 1, ms(m.at), m.by, m.text));
      (d.evidence ?? []).forEach((e, i) =>
        evidence.run(d.id, i + 1, e.party, e.name, e.mediaType, e.sizeBytes, e.sha256, ms(e.submittedAt)),
      );
      event.run(d.id, now, JSON.stringify({ escalatedAt: d.escalatedAt, reason: d.reason, claim: d.claim }));
      created++;
    }
    return created;
  });

  let read = 0;
  let created = 0;
  let batch: Dispute[] = [];
  for await (const { text } of ndjsonLines(createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }))) {
    if (!text.trim()) continue;
    read++;
    batch.push(JSON.parse(text) as Dispute);
    if (batch.length >= batchSize) {
      created += write(batch);
      batch = [];
    }
  }
  if (batch.length) created += write(batch);
  db.pragma('synchronous = FULL');
  db.pragma('wal_autocheckpoint = 1000');
  db.transaction(() => deferred.forEach((i) => db.exec(i.sql)))();
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return { read, created, seconds };
}

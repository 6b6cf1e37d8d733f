import type { Insertable, Selectable } from 'kysely';
import { chunks, insertChunked } from '../batch';
import type { Database } from '../schema';
import { inWriteTx, type Reader, type WriteTx } from '../tx';

/** Rows of migrations/0005: stored evidence files and their near-duplicate matches. */

export type NewEvidenceFile = Insertable<Database['evidence_files']>;
export type EvidenceFileRow = Selectable<Database['evidence_files']>;
export type NewEvidenceMatch = Database['evidence_matches'];

const MAX_IDS = 500;

/**
 * A file already stored is the same file (same sha256): the first row stays. In the caller's
 * transaction, joined; tests, benches and seeds call it with a plain connection, and get one.
 */
export async function insertEvidenceFiles(db: Reader, rows: NewEvidenceFile[]): Promise<void> {
  if (!rows.length) return;
  await inWriteTx(db, (tx) =>
    insertChunked(rows, (chunk) =>
      tx
        .insertInto('evidence_files')
        .values(chunk)
        .onConflict((oc) => oc.column('sha256').doNothing())
        .execute(),
    ),
  );
}

export async function insertEvidenceMatches(tx: WriteTx, rows: NewEvidenceMatch[]): Promise<void> {
  await insertChunked(rows, (chunk) =>
    tx
      .insertInto('evidence_matches')
      .values(chunk)
      .onConflict((oc) => oc.columns(['sha256', 'other_sha256']).doNothing())
      .execute(),
  );
}

const numeric = (r: Record<string, unknown>) => r as unknown as EvidenceFileRow;
function fileFromRow(r: EvidenceFileRow): EvidenceFileRow {
  // PostgreSQL returns bigint columns through the int8 parser (numbers); normalise the rest.
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return numeric({
    ...r,
    seq: Number(r.seq),
    size_bytes: Number(r.size_bytes),
    width: n(r.width),
    height: n(r.height),
    frames: n(r.frames),
    captured_at: n(r.captured_at),
    captured_at_has_offset: Number(r.captured_at_has_offset),
    phash_hi: n(r.phash_hi),
    phash_lo: n(r.phash_lo),
    stored_at: Number(r.stored_at),
  });
}

export async function evidenceFileBySha(db: Reader, sha256: string): Promise<EvidenceFileRow | null> {
  const r = await db.selectFrom('evidence_files').selectAll().where('sha256', '=', sha256).executeTakeFirst();
  return r ? fileFromRow(r) : null;
}

export async function evidenceFilesBySha(db: Reader, sha256s: Iterable<string>): Promise<Map<string, EvidenceFileRow>> {
  const out = new Map<string, EvidenceFileRow>();
  for (const ids of chunks([...new Set(sha256s)], MAX_IDS)) {
    if (!ids.length) continue;
    for (const r of await db.selectFrom('evidence_files').selectAll().where('sha256', 'in', ids).execute())
      out.set(r.sha256, fileFromRow(r));
  }
  return out;
}

/** A reuse index entry: the perceptual hash's halves and the matcher's signature (null: none). */
export interface HashRow {
  seq: number;
  hi: number | null;
  lo: number | null;
  sig: string | null;
}

/** The reuse index's incremental load: rows after `afterSeq` in seq order (videos too, so gaps in seq are seen). */
export async function evidenceHashesAfter(db: Reader, afterSeq: number, limit: number): Promise<HashRow[]> {
  const rows = await db
    .selectFrom('evidence_files')
    .select(['seq', 'phash_hi', 'phash_lo', 'match_sig'])
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map(hashRow);
}

const hashRow = (r: { seq: number; phash_hi: number | null; phash_lo: number | null; match_sig: string | null }): HashRow => ({
  seq: Number(r.seq),
  hi: r.phash_hi === null ? null : Number(r.phash_hi),
  lo: r.phash_lo === null ? null : Number(r.phash_lo),
  sig: r.match_sig ?? null,
});

/** Rows with these seqs (the ones a sync skipped because they were not committed yet). */
export async function evidenceHashesBySeq(db: Reader, seqs: number[]): Promise<HashRow[]> {
  const out: HashRow[] = [];
  for (const ids of chunks(seqs, MAX_IDS)) {
    if (!ids.length) continue;
    for (const r of await db
      .selectFrom('evidence_files')
      .select(['seq', 'phash_hi', 'phash_lo', 'match_sig'])
      .where('seq', 'in', ids)
      .execute())
      out.push(hashRow(r));
  }
  return out.sort((a, b) => a.seq - b.seq);
}

/** The photo matcher's stored prints (migrations/0013), by sha256; files without one are absent. */
export async function evidencePrintsBySha(db: Reader, sha256s: Iterable<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const ids of chunks([...new Set(sha256s)], MAX_IDS)) {
    if (!ids.length) continue;
    for (const r of await db.selectFrom('evidence_prints').select(['sha256', 'print']).where('sha256', 'in', ids).execute())
      out.set(r.sha256, r.print);
  }
  return out;
}

export async function insertEvidencePrints(tx: WriteTx, rows: Array<{ sha256: string; print: string }>): Promise<void> {
  await insertChunked(rows, (chunk) =>
    tx
      .insertInto('evidence_prints')
      .values(chunk)
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute(),
  );
}

/** What a reuse match needs to know about the earlier file: its name and its cluster. */
export async function evidenceKeysBySeq(db: Reader, seqs: number[]): Promise<Map<number, { sha256: string; clusterKey: string }>> {
  const out = new Map<number, { sha256: string; clusterKey: string }>();
  for (const ids of chunks([...new Set(seqs)], MAX_IDS)) {
    if (!ids.length) continue;
    for (const r of await db.selectFrom('evidence_files').select(['seq', 'sha256', 'cluster_key']).where('seq', 'in', ids).execute())
      out.set(Number(r.seq), { sha256: r.sha256, clusterKey: r.cluster_key ?? r.sha256 });
  }
  return out;
}

/**
 * The buyer score's photo key of each sha256: its near-duplicate cluster when the file is
 * stored, else the sha256 itself (a file known only by its description).
 */
export async function photoKeysOf(db: Reader, sha256s: Iterable<string>): Promise<Map<string, string>> {
  const all = [...new Set(sha256s)];
  const out = new Map(all.map((s) => [s, s]));
  if (!all.length) return out;
  // Nothing stored yet (every database before issue 5, million-case imports without bytes): one probe, no lookups.
  if (!(await db.selectFrom('evidence_files').select('seq').limit(1).executeTakeFirst())) return out;
  for (const ids of chunks(all, MAX_IDS))
    for (const r of await db
      .selectFrom('evidence_files')
      .select(['sha256', 'cluster_key'])
      .where('sha256', 'in', ids)
      .where('cluster_key', 'is not', null)
      .execute())
      out.set(r.sha256, r.cluster_key!);
  return out;
}

export interface CaseReuseRow {
  /** This case's file. */
  sha256: string;
  /** The other case's file (equal to sha256 when the very same bytes were sent again). */
  otherSha256: string;
  caseId: string;
  party: string;
  /** The account that sent the other file (the case's buyer or seller, by party). */
  accountId: string;
  submittedAt: number;
  /** 0 and 'identical' for the same bytes; else the perceptual distance and the transform that matched. */
  distance: number;
  transform: string;
}

/**
 * Where the files of a case were seen elsewhere, across every case and account: the same
 * bytes (evidence.sha256), a newer file that looks like one of ours, and an earlier file one
 * of ours looks like. Bounded by `limit` per case (a blank white photo can match thousands).
 */
export async function reuseOfCase(db: Reader, caseId: string, limit = 200): Promise<CaseReuseRow[]> {
  const own = await db.selectFrom('evidence').select('sha256').where('case_id', '=', caseId).execute();
  const shas = [...new Set(own.map((r) => r.sha256))];
  if (!shas.length) return [];
  const pairs: Array<{ sha256: string; other: string; distance: number; transform: string }> = shas.map((s) => ({
    sha256: s,
    other: s,
    distance: 0,
    transform: 'identical',
  }));
  for (const ids of chunks(shas, MAX_IDS)) {
    const [newer, older] = await Promise.all([
      db
        .selectFrom('evidence_matches')
        .select(['sha256', 'other_sha256', 'distance', 'transform'])
        .where('other_sha256', 'in', ids)
        .limit(limit)
        .execute(),
      db
        .selectFrom('evidence_matches')
        .select(['sha256', 'other_sha256', 'distance', 'transform'])
        .where('sha256', 'in', ids)
        .limit(limit)
        .execute(),
    ]);
    for (const m of newer) pairs.push({ sha256: m.other_sha256, other: m.sha256, distance: Number(m.distance), transform: m.transform });
    for (const m of older) pairs.push({ sha256: m.sha256, other: m.other_sha256, distance: Number(m.distance), transform: m.transform });
  }
  const byOther = new Map<string, Array<(typeof pairs)[number]>>();
  for (const p of pairs) (byOther.get(p.other) ?? byOther.set(p.other, []).get(p.other)!).push(p);
  const out: CaseReuseRow[] = [];
  for (const ids of chunks([...byOther.keys()], MAX_IDS)) {
    const uses = await db
      .selectFrom('evidence')
      .innerJoin('cases', 'cases.id', 'evidence.case_id')
      .select(['evidence.sha256', 'evidence.case_id', 'evidence.party', 'evidence.submitted_at', 'cases.buyer_id', 'cases.seller_id'])
      .where('evidence.sha256', 'in', ids)
      .where('evidence.case_id', '!=', caseId)
      .orderBy('evidence.submitted_at')
      .limit(limit)
      .execute();
    for (const u of uses)
      for (const p of byOther.get(u.sha256) ?? [])
        out.push({
          sha256: p.sha256,
          otherSha256: u.sha256,
          caseId: u.case_id,
          party: u.party,
          accountId: u.party === 'seller' ? u.seller_id : u.buyer_id,
          submittedAt: Number(u.submitted_at),
          distance: p.distance,
          transform: p.transform,
        });
  }
  return out.sort((a, b) => a.distance - b.distance || a.submittedAt - b.submittedAt || a.caseId.localeCompare(b.caseId)).slice(0, limit);
}

/** What serving a file needs: its media type (from the bytes, at intake) and its derived copies. */
export async function servedFileOf(db: Reader, sha256: string): Promise<{ media_type: string; variants: string } | undefined> {
  return db.selectFrom('evidence_files').select(['media_type', 'variants']).where('sha256', '=', sha256).executeTakeFirst();
}

/** Which of these sha256s have an evidence_files row (one batch of the store's garbage collection). */
export async function recordedShas(db: Reader, sha256s: string[]): Promise<Set<string>> {
  return new Set((await db.selectFrom('evidence_files').select('sha256').where('sha256', 'in', sha256s).execute()).map((r) => r.sha256));
}

/** Whether any case names this sha256 among its evidence (a file known by its description only). */
export async function isDescribedEvidence(db: Reader, sha256: string): Promise<boolean> {
  return !!(await db.selectFrom('evidence').select('case_id').where('sha256', '=', sha256).limit(1).executeTakeFirst());
}

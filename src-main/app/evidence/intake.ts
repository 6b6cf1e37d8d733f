import { AppFailure } from '../../contract/errors';
import type { EvidenceVerifyView } from '../../contract/evidence';
import type { MethodInput } from '../../contract/methods';
import type { Policy } from '../../contract/policy';
import type { Party } from '../../contract/domain';
import { toIso } from '../../contract/primitives';
import {
  evidenceFileBySha,
  evidenceFilesBySha,
  evidencePrintsBySha,
  insertEvidenceFiles,
  insertEvidenceMatches,
  insertEvidencePrints,
  isDescribedEvidence,
  type NewEvidenceFile,
  type NewEvidenceMatch,
} from '../../db/repos/evidence';
import { inWriteTx, type Reader } from '../../db/tx';
import type { Actor, FileDescription } from '../../engine/commands';
import { ingestFile, type Analyzer, type IngestedFile } from '../../files/ingest';
import { sanitizeFileName } from '../../files/names';
import { MAX_MATCHES, ReuseIndex, splitPhash, type ReuseMatch } from './reuse-index';
import type { ImageFacts, PhotoMatchFacts } from '../../files/analyze';
import { decodePrint } from '../../files/match/codec';
import { signatureVariants } from '../../files/match/signature';
import { storedPrint, transformName, verifySamePhoto, type PhotoPrint } from '../../files/match/verify';
import { SNIFF_BYTES, sniffType } from '../../files/sniff';
import { ContentStore, formatMB, tooLargeMessage, unsupportedMessage, type StoreLimits } from '../../files/store';
import type { BlobStore } from '../../files/blob-store';
import { sharedEvidenceWorkers } from '../../files/workers';
import type { QueueKey } from '../../files/fair-queue';
import { rekeyDisputePhotos } from '../risk/buyer-risk';
import { runCaseCommand } from '../case/commands';
import type { CommandResult } from '../../contract/outputs/case';
import type { ServiceContext } from '../handlers';
import { currentPolicy } from '../../db/repos/policy';

/**
 * Evidence files coming in with their bytes (issue 5): `party.submitEvidence` with
 * `file.contentBase64`, and the `import` command's files next to its NDJSON (bulk-import.ts).
 * Both go the same way: the bytes into the content store (type from the magic bytes, the
 * policy's size limit while counting), images analysed in a worker, then ONE transaction that
 * records the case event, the evidence row, the file's row and its look-alikes.
 */

/** What a process needs to take files in: the blob store, its reuse index and the image analyser. */
export interface EvidenceFiles<S extends BlobStore = BlobStore> {
  store: S;
  reuse: ReuseIndex;
  analyzer: Analyzer;
}

/** On an evidence folder (a path), or on a blob store the composition root chose (the team database's). */
export function openEvidenceFiles(rootDir: string, analyzer?: Analyzer): EvidenceFiles<ContentStore>;
export function openEvidenceFiles<S extends BlobStore>(store: S, analyzer?: Analyzer): EvidenceFiles<S>;
export function openEvidenceFiles(where: string | BlobStore, analyzer: Analyzer = sharedEvidenceWorkers()): EvidenceFiles {
  return { store: typeof where === 'string' ? new ContentStore(where) : where, reuse: new ReuseIndex(), analyzer };
}

export const limitsOf = (p: Policy): StoreLimits => ({ maxImageBytes: p.maxImageBytes, maxVideoBytes: p.maxVideoBytes });

/** An ingested file with the name it is recorded under. */
export interface NamedFile extends IngestedFile {
  name: string;
}

/**
 * Stores and analyses one file, given as a stream or its bytes. `queueKey` says whose work the
 * image analysis is ({source: a feed's id or 'desk', group: the case}), so the worker pool
 * shares itself fairly; a full pool refuses with UNAVAILABLE (retry shortly).
 */
export async function takeFile(
  db: Reader,
  files: EvidenceFiles,
  name: string,
  source: AsyncIterable<Uint8Array> | Uint8Array,
  limits: StoreLimits,
  totalBytes?: number,
  queueKey?: QueueKey,
): Promise<NamedFile> {
  const ingested = await ingestFile(files.store, source, limits, {
    name,
    ...(totalBytes !== undefined ? { totalBytes } : {}),
    ...(queueKey ? { queueKey } : {}),
    analyzer: files.analyzer,
    alreadyKnown: async (sha) => !!(await evidenceFileBySha(db, sha)),
  });
  return { ...ingested, name };
}

/**
 * The decoded size of a base64 text, and its type from the first bytes, checked against the
 * limit BEFORE the whole text is decoded (a 300 MB string is refused without a 225 MB buffer).
 */
export function checkBase64(name: string, base64: string, limits: StoreLimits): number {
  const pad = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  const size = Math.floor((base64.length * 3) / 4) - pad;
  if (size <= 0) throw new AppFailure('UNSUPPORTED_FILE', `${name} is empty.`);
  const head = Buffer.from(base64.slice(0, Math.ceil(SNIFF_BYTES / 3) * 4), 'base64').subarray(0, SNIFF_BYTES);
  const sniffed = sniffType(head);
  if (!sniffed) throw new AppFailure('UNSUPPORTED_FILE', unsupportedMessage(name));
  const max = sniffed.kind === 'image' ? limits.maxImageBytes : limits.maxVideoBytes;
  if (size > max) throw new AppFailure('FILE_TOO_LARGE', tooLargeMessage(name, sniffed.kind, max, size));
  return size;
}

/**
 * Records files just taken in, inside the transaction that also records their use (a case
 * event, an imported dispute): one evidence_files row per new sha256 with its cluster, and a
 * match row per earlier file that looks like it (reuse index + the files before it in this
 * call). Files already recorded are left as they are.
 */
export async function recordEvidenceFiles(tx: Reader, reuse: ReuseIndex, files: IngestedFile[], now: number): Promise<void> {
  const unique = [...new Map(files.map((f) => [f.sha256, f])).values()];
  if (!unique.length) return;
  // The caller's transaction (bulk import, a case command), joined: callers still hand it over as a plain handle.
  await inWriteTx(tx, async (w) => {
    // Before this transaction inserts anything: the index must never hold a row that could roll back.
    await reuse.sync(w);
    const known = await evidenceFilesBySha(
      w,
      unique.map((f) => f.sha256),
    );
    const rows: NewEvidenceFile[] = [];
    const matchRows: NewEvidenceMatch[] = [];
    const printRows: Array<{ sha256: string; print: string }> = [];
    const earlier: Array<{ sha256: string; print: PhotoPrint; clusterKey: string }> = [];
    for (const f of unique) {
      if (known.has(f.sha256)) continue;
      let clusterKey: string | null = null;
      const match = f.facts?.match;
      if (f.facts) {
        const found = match ? await verifiedMatches(w, reuse, f.sha256, f.facts, match, earlier) : [];
        clusterKey = found[0]?.clusterKey ?? f.sha256;
        for (const m of found.slice(0, MAX_MATCHES))
          matchRows.push({ sha256: f.sha256, other_sha256: m.sha256, distance: m.distance, transform: m.transform, found_at: now });
      }
      if (match && clusterKey) {
        earlier.push({ sha256: f.sha256, print: storedPrint(match.query), clusterKey });
        printRows.push({ sha256: f.sha256, print: match.print });
      }
      rows.push(fileRow(f, clusterKey, now));
    }
    await insertEvidenceFiles(w, rows);
    await insertEvidenceMatches(w, matchRows);
    await insertEvidencePrints(w, printRows);
  });
}

/**
 * The earlier files that ARE the same photo as a new one (issue 15): candidates from the reuse
 * index (perceptual hash, matcher signature) and the files before it in this call, each
 * verified by its local features and an overlay of the two pictures; closest first by the
 * number of corners that agree. A candidate without a stored print (a file recorded before
 * migration 0013) cannot be verified and is not a match: the buyer score and the case screen's
 * warning count verified matches only.
 */
async function verifiedMatches(
  w: Reader,
  reuse: ReuseIndex,
  sha256: string,
  facts: Pick<ImageFacts, 'phash' | 'phashVariants'>,
  match: PhotoMatchFacts,
  earlier: Array<{ sha256: string; print: PhotoPrint; clusterKey: string }>,
): Promise<Array<Omit<ReuseMatch, 'seq'>>> {
  const phashVariants = facts.phashVariants.length ? facts.phashVariants : [{ transform: 'same' as const, phash: facts.phash }];
  const candidates = await reuse.candidatesFor(w, phashVariants, signatureVariants(match.query.stored, match.query.thumb), {
    exclude: sha256,
    sync: false,
  });
  const prints = await evidencePrintsBySha(
    w,
    candidates.map((c) => c.sha256),
  );
  const checks: Array<{ sha256: string; clusterKey: string; distance: number; print: PhotoPrint }> = [];
  for (const c of candidates) {
    const text = prints.get(c.sha256);
    if (text) checks.push({ sha256: c.sha256, clusterKey: c.clusterKey, distance: c.distance, print: decodePrint(text) });
  }
  for (const e of earlier) checks.push({ ...e, distance: 64 });
  const found: Array<Omit<ReuseMatch, 'seq'> & { inliers: number }> = [];
  for (const c of checks) {
    const verdict = verifySamePhoto(match.query, c.print);
    if (verdict.same)
      found.push({
        sha256: c.sha256,
        clusterKey: c.clusterKey,
        distance: Math.min(c.distance, 64),
        transform: transformName(verdict),
        inliers: verdict.inliers,
      });
  }
  // Stable: the index's earlier files first on ties.
  return found.sort((a, b) => b.inliers - a.inliers).map(({ inliers: _, ...m }) => m);
}

function fileRow(f: IngestedFile, clusterKey: string | null, now: number): NewEvidenceFile {
  const facts = f.facts;
  const halves = facts ? splitPhash(facts.phash) : null;
  return {
    sha256: f.sha256,
    media_type: f.sniffed.mediaType,
    kind: f.sniffed.kind,
    size_bytes: f.sizeBytes,
    width: facts?.width ?? null,
    height: facts?.height ?? null,
    frames: facts?.frames ?? null,
    captured_at: facts?.capturedAt
      ? Date.parse(facts.capturedAt.endsWith('Z') || /[+-]\d\d:\d\d$/.test(facts.capturedAt) ? facts.capturedAt : `${facts.capturedAt}Z`)
      : null,
    captured_at_has_offset: facts?.capturedAtHasOffset ? 1 : 0,
    device: facts?.device ?? null,
    phash: facts?.phash ?? null,
    phash_hi: halves?.hi ?? null,
    phash_lo: halves?.lo ?? null,
    cluster_key: clusterKey,
    match_sig: facts?.match?.sig ?? null,
    variants: f.variants.join(','),
    stored_at: now,
  };
}

/**
 * `party.submitEvidence`: the description form goes straight to the engine; the bytes form is
 * stored and analysed first, and the engine then judges the file by what the bytes are (the
 * sniffed type, the real size; the declared name is only a sanitised label). `files` (several
 * files answering one request) goes the same way: every file's bytes are checked before any is
 * stored, then all of them go to the engine as ONE command in one transaction, so a bad file
 * refuses the whole answer and nothing of it is recorded.
 */
export async function submitEvidence(
  ctx: ServiceContext,
  input: MethodInput<'party.submitEvidence'>,
  actor: Actor,
): Promise<CommandResult> {
  const now = ctx.clock.now(); // the moment it arrived: storing and analysing do not make it late
  const { described, taken } = await takeSentFiles(ctx, input);
  return recordSubmittedEvidence(ctx, { caseId: input.caseId, party: input.party, note: input.note }, described, taken, actor, now);
}

/**
 * The first half of `party.submitEvidence`: every file given with its bytes is checked, stored
 * and analysed (outside any transaction: the bytes are content-addressed, and a file nobody
 * records is collected later); described files pass through as they are.
 */
export async function takeSentFiles(
  ctx: ServiceContext,
  input: MethodInput<'party.submitEvidence'>,
  /** Who sent the files, for the image queue's fair share (a feed's id); the desk's own calls share one. */
  queueSource?: string,
): Promise<{ described: FileDescription[]; taken: NamedFile[] }> {
  const sent = input.files ?? (input.file ? [input.file] : []);
  // Where a refusal points: `file…` for the single form, `files.<i>…` for the list.
  const fieldOf = (i: number, rest: string) => (input.files ? `files.${i}.${rest}` : `file.${rest}`);
  // A description of bytes the desk already holds must tell their truth (checked before anything is stored).
  await checkDescriptionsOfKnownBytes(
    ctx.db,
    sent.flatMap((f, i) => ('contentBase64' in f ? [] : [{ file: f, field: (rest: string) => fieldOf(i, rest) }])),
  );
  if (!sent.some((f) => 'contentBase64' in f)) return { described: sent as FileDescription[], taken: [] };
  const files = ctx.evidence;
  const firstBytes = sent.findIndex((f) => 'contentBase64' in f);
  if (!files)
    throw new AppFailure(
      'VALIDATION',
      'This desk keeps no evidence files (a replay keeps descriptions only); send the file description instead.',
      fieldOf(firstBytes, 'contentBase64'),
    );
  const limits = limitsOf((await currentPolicy(ctx.db)).policy);
  // Every file's type and size first (cheap, from the base64 text), so one bad file refuses before any is stored.
  const checked = sent.map((f, i) => {
    if (!('contentBase64' in f)) return null;
    const name = sanitizeFileName(f.name);
    return {
      name,
      size: pointAt(() => checkBase64(name, f.contentBase64, limits), input.files ? fieldOf(i, 'contentBase64') : undefined),
    };
  });
  const taken: NamedFile[] = [];
  const described: FileDescription[] = [];
  for (const [i, f] of sent.entries()) {
    const c = checked[i];
    if (!c || !('contentBase64' in f)) {
      described.push(f as FileDescription);
      continue;
    }
    const t = await pointAtAsync(
      () =>
        takeFile(ctx.db, files, c.name, Buffer.from(f.contentBase64, 'base64'), limits, c.size, {
          source: queueSource ?? 'desk',
          group: input.caseId,
        }),
      input.files ? fieldOf(i, 'contentBase64') : undefined,
    );
    taken.push(t);
    described.push({ name: c.name, mediaType: t.sniffed.mediaType, sizeBytes: t.sizeBytes, sha256: t.sha256 });
  }
  return { described, taken };
}

/**
 * The second half: ONE case command for all the files (so a bad file refuses the whole answer
 * and nothing of it is recorded), whose transaction also records the stored files' rows. Also
 * the way in for files streamed by the feed API (app/feed/upload.ts), which took them itself.
 */
export async function recordSubmittedEvidence(
  ctx: ServiceContext,
  answer: { caseId: string; party: Party; note?: string | undefined },
  described: FileDescription[],
  taken: NamedFile[],
  actor: Actor,
  now: number,
): Promise<CommandResult> {
  const files = ctx.evidence;
  if (taken.length && files) await files.reuse.sync(ctx.db); // the first full load outside the transaction
  const result = await runCaseCommand(
    ctx.db,
    answer.caseId,
    { type: 'submitEvidence', party: answer.party, files: described, note: answer.note },
    actor,
    now,
    {
      // A described file may be one whose bytes came earlier: the buyer score then counts its cluster.
      alsoInTransaction: (tx) =>
        inWriteTx(tx, async (w) => {
          if (taken.length && files) await recordEvidenceFiles(w, files.reuse, taken, now);
          if (answer.party === 'buyer') await rekeyDisputePhotos(w, answer.caseId, now);
        }),
    },
  );
  ctx.notify([answer.caseId], 'command');
  return result;
}

/**
 * The description form (`{name, mediaType, sizeBytes, sha256}`) names bytes by their sha256.
 * When the desk already holds those bytes (their evidence_files row), the row's type and size
 * are facts measured from the bytes; a description that disagrees is refused (VALIDATION)
 * rather than corrected: the case would otherwise say "image/jpeg, 1 B" of a 2,241-byte MP4,
 * and silently rewriting what a caller sent would hide the bug (or the lie) on its side and
 * record in the command log something it never said. Bytes the desk does not hold stay
 * descriptions only, as before (a replay, a marketplace that keeps its own files).
 */
async function checkDescriptionsOfKnownBytes(
  db: Reader,
  described: Array<{ file: FileDescription; field: (rest: string) => string }>,
): Promise<void> {
  if (!described.length) return;
  const known = await evidenceFilesBySha(
    db,
    described.map((d) => d.file.sha256),
  );
  for (const { file, field } of described) {
    const row = known.get(file.sha256);
    if (!row || (row.media_type === file.mediaType && row.size_bytes === file.sizeBytes)) continue;
    throw new AppFailure(
      'VALIDATION',
      `${sanitizeFileName(file.name)} is described as ${file.mediaType} of ${bytesText(file.sizeBytes)}, but the desk already holds ` +
        `the file with this sha256 and it is ${row.media_type} of ${bytesText(row.size_bytes)}. ` +
        'Describe it as it is, or send the file itself.',
      field(row.media_type !== file.mediaType ? 'mediaType' : 'sizeBytes'),
    );
  }
}
const bytesText = (n: number): string => `${n.toLocaleString('en-US')} ${n === 1 ? 'byte' : 'bytes'}`;

/** A refusal about one file of a `files` list names its place in the list (the message already names the file). */
function pointAt<T>(run: () => T, field: string | undefined): T {
  try {
    return run();
  } catch (e) {
    throw withField(e, field);
  }
}
async function pointAtAsync<T>(run: () => Promise<T>, field: string | undefined): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw withField(e, field);
  }
}
const withField = (e: unknown, field: string | undefined): unknown =>
  field !== undefined && e instanceof AppFailure && e.field === undefined && !e.logged ? new AppFailure(e.code, e.message, field) : e;

/** "Evidence intact": the stored bytes are re-read and hashed now. */
export async function verifyEvidence(ctx: ServiceContext, sha256: string): Promise<EvidenceVerifyView> {
  const row = await evidenceFileBySha(ctx.db, sha256);
  if (!row) {
    const described = await isDescribedEvidence(ctx.db, sha256);
    throw new AppFailure(
      'NOT_FOUND',
      described
        ? 'Only the description of this file was recorded (its bytes never reached the desk), so there is nothing to re-check.'
        : 'There is no evidence file with this sha256.',
    );
  }
  if (!ctx.evidence) throw new AppFailure('NOT_FOUND', 'This desk keeps no evidence files, so the bytes cannot be re-checked here.');
  const checkedAt = toIso(ctx.clock.now());
  const v = await ctx.evidence.store.verify(sha256);
  const intact = v.intact && v.sizeBytes === row.size_bytes;
  const message = intact
    ? `Evidence intact: the stored file (${formatMB(v.sizeBytes)}) still has sha256 ${sha256.slice(0, 12)}…, the hash recorded when it was received.`
    : !v.present
      ? ctx.evidence.store.kind === 'database'
        ? "The file's bytes are missing from the team database's evidence store. Restore them from a backup of the database."
        : "The file's bytes are missing from this computer's evidence folder. Restore the folder from a backup (or open the case on the desk that received the file)."
      : 'The stored file has changed since it was received: its bytes no longer match the recorded sha256. Treat it as tampered with and restore it from a backup.';
  return { sha256, intact, sizeBytes: v.sizeBytes, checkedAt, message };
}

import { Dispute, DisputeWithFiles } from '../../contract/dispute';
import { canonicalJson, canonicalJsonFor, hashOfCanonical } from './content-hash';

/**
 * One import line checked whole: parsed, validated and (when its content is final) hashed.
 * The same function runs on the import's parse workers (check-worker.ts) and, where no
 * worker can start or the records are values already, on the importing thread.
 */

export interface ImportProblem {
  line: number;
  id?: string;
  code: 'VALIDATION' | 'DUPLICATE' | 'UNSUPPORTED_FILE' | 'FILE_TOO_LARGE';
  field?: string;
  message: string;
}

/** A line of input: either raw JSON text or an already parsed value. */
export type ImportRecord = { line: number; text: string } | { line: number; value: unknown };

/**
 * A valid dispute (with its content hash unless its evidence names files, which change it
 * once stored) or the line's first problem.
 */
export type CheckedRecord =
  { line: number; ok: true; dispute: Dispute | DisputeWithFiles; hash?: string } | { line: number; ok: false; problem: ImportProblem };

/**
 * As a check worker sends it back: the valid dispute as JSON text (its canonical text when
 * hashed, which is the same value with its keys sorted) instead of the object, because
 * JSON.parse on the writing thread costs a fraction of structured cloning the object.
 */
export type CheckedText = { line: number; ok: true; text: string; hash?: string } | { line: number; ok: false; problem: ImportProblem };

/** Milliseconds spent, added up by whoever checks lines. */
export interface CheckTimings {
  parseMs: number;
  validateMs: number;
  hashMs: number;
}

/** The canonical text of each schema's output, compiled once (content-hash.ts); the generic one where it cannot be. */
const canonicalOf = {
  plain: canonicalJsonFor(Dispute) ?? canonicalJson,
  withFiles: canonicalJsonFor(DisputeWithFiles) ?? canonicalJson,
};

export const noCheckTimings = (): CheckTimings => ({ parseMs: 0, validateMs: 0, hashMs: 0 });

/** Checks one record; null for a blank line (not counted as read). `withFiles`: evidence may name files. */
export function checkRecord(rec: ImportRecord, withFiles: boolean, t: CheckTimings): CheckedRecord | null {
  const c = check(rec, withFiles, t, false);
  return c && (c.ok ? { line: c.line, ok: true, dispute: c.dispute, ...(c.hash ? { hash: c.hash } : {}) } : c);
}

/** checkRecord as a check worker answers it: a valid dispute as its JSON text. */
export function checkRecordAsText(rec: ImportRecord, withFiles: boolean, t: CheckTimings): CheckedText | null {
  const c = check(rec, withFiles, t, true);
  return c && (c.ok ? { line: c.line, ok: true, text: c.text!, ...(c.hash ? { hash: c.hash } : {}) } : c);
}

function check(
  rec: ImportRecord,
  withFiles: boolean,
  t: CheckTimings,
  asText: boolean,
):
  | { line: number; ok: true; dispute: Dispute | DisputeWithFiles; text?: string; hash?: string }
  | { line: number; ok: false; problem: ImportProblem }
  | null {
  let value: unknown;
  if ('text' in rec) {
    if (rec.text.trim() === '') return null;
    const t0 = performance.now();
    try {
      value = JSON.parse(rec.text);
    } catch (e) {
      return {
        line: rec.line,
        ok: false,
        problem: { line: rec.line, code: 'VALIDATION', message: `not valid JSON: ${(e as Error).message}` },
      };
    } finally {
      t.parseMs += performance.now() - t0;
    }
  } else value = rec.value;
  const t1 = performance.now();
  const parsed = (withFiles ? DisputeWithFiles : Dispute).safeParse(value);
  const t2 = performance.now();
  t.validateMs += t2 - t1;
  if (!parsed.success) {
    const id = typeof (value as { id?: unknown })?.id === 'string' ? (value as { id: string }).id : undefined;
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.');
    return {
      line: rec.line,
      ok: false,
      problem: { line: rec.line, ...(id ? { id } : {}), code: 'VALIDATION', field, message: `${field || 'dispute'}: ${issue.message}` },
    };
  }
  const dispute = parsed.data;
  if (withFiles && dispute.evidence.some((e) => 'file' in e && e.file !== undefined))
    return { line: rec.line, ok: true, dispute, ...(asText ? { text: JSON.stringify(dispute) } : {}) };
  const text = (withFiles ? canonicalOf.withFiles : canonicalOf.plain)(dispute);
  const hash = hashOfCanonical(text);
  t.hashMs += performance.now() - t2;
  return { line: rec.line, ok: true, dispute, text, hash };
}

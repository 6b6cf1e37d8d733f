import { Readable } from 'node:stream';
import type { AppError, ErrorCode } from '../../contract/errors';
import { servedFileOf } from '../../db/repos/evidence';
import type { Reader } from '../../db/tx';
import type { Identity } from '../identity';
import { SHA256_HEX } from '../../contract/primitives';
import type { BlobStore } from '../../files/blob-store';

/**
 * Serving stored evidence files to the renderer, for both carriers: the `evidence://`
 * protocol under Electron and `GET /api/evidence/<sha256>` under `npm run serve`. One
 * carrier-neutral function decides everything (who may read, which bytes, which headers);
 * the carriers only copy its answer onto their response objects.
 *
 * The request names a file by its content hash and a variant from a fixed list, nothing
 * else: the path on disk always comes from the store, never from the request, and the
 * content type always comes from the database (decided from the bytes at intake), never
 * from a file name. Files are content-addressed, so a response never goes stale.
 */

export const EVIDENCE_VARIANTS = ['original', 'display', 'thumb'] as const;
export type EvidenceVariant = (typeof EVIDENCE_VARIANTS)[number];

/** What serving needs from the blob store (src-main/files/blob-store.ts: the folder or the team database). */
export type EvidenceFileSource = Pick<BlobStore, 'sizeOf' | 'read'>;

export interface EvidenceRequest {
  /** The file's sha256 as the request spelled it (validated here). */
  sha256: string;
  /** The variant as the request spelled it (validated here); absent means 'original'. */
  variant?: string | null;
  /** The raw `Range` header, if any. */
  range?: string | null;
  /** A HEAD request: the same status and headers, no body. */
  head?: boolean;
}

export interface EvidenceResponse {
  status: number;
  headers: Record<string, string>;
  /** The bytes (a file stream), a small JSON error envelope, or nothing (HEAD, 416). */
  body: Readable | Buffer | null;
}

/** The roles that read cases (case.get) read their files. */
const READERS = new Set(['mediator', 'supervisor', 'analyst']);
/** Content-addressed: the bytes under one hash never change. A year, private to the signed-in user. */
const CACHE_FOR = 'private, max-age=31536000, immutable';
/** Derived copies are JPEGs (orientation applied, metadata stripped), whatever the original was. */
const DERIVED_TYPE = 'image/jpeg';
/** A media type recorded at intake looks like this; anything else is served as opaque bytes. */
const SAFE_MEDIA_TYPE = /^(image|video)\/[a-z0-9][a-z0-9.+-]{0,60}$/;
const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/bmp': 'bmp',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'video/quicktime': 'mov',
};

export async function serveEvidence(
  db: Reader,
  store: EvidenceFileSource | null | undefined,
  identity: Identity,
  req: EvidenceRequest,
): Promise<EvidenceResponse> {
  if (identity.kind === 'anonymous') return failure(401, 'UNAUTHENTICATED', 'Sign in to see evidence files.');
  if (identity.kind !== 'user' || !READERS.has(identity.role))
    return failure(403, 'FORBIDDEN', 'Only mediators, supervisors and analysts see evidence files.');
  if (typeof req.sha256 !== 'string' || !SHA256_HEX.test(req.sha256))
    return failure(400, 'VALIDATION', 'An evidence file is named by its sha256: 64 lowercase hex digits.');
  const variant = req.variant == null || req.variant === '' ? 'original' : req.variant;
  if (!isVariant(variant)) return failure(400, 'VALIDATION', `Unknown variant; use one of ${EVIDENCE_VARIANTS.join(', ')}.`);
  if (!store) return failure(404, 'NOT_FOUND', 'This desk keeps no evidence files.');

  const row = await servedFileOf(db, req.sha256);
  if (!row) return failure(404, 'NOT_FOUND', 'There is no stored evidence file with this sha256.');
  if (variant !== 'original' && !row.variants.split(',').includes(variant)) {
    return failure(404, 'NOT_FOUND', `This file has no ${variant} copy; ask for the original.`);
  }
  const contentType =
    variant === 'original' ? (SAFE_MEDIA_TYPE.test(row.media_type) ? row.media_type : 'application/octet-stream') : DERIVED_TYPE;

  const size = await store.sizeOf(req.sha256, variant);
  // Recorded but not in the store (a folder copied without its files, a file removed by hand).
  if (size === null) return failure(404, 'NOT_FOUND', 'The file is recorded but its bytes are missing from the evidence store.');
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    'X-Content-Type-Options': 'nosniff',
    'Content-Disposition': `inline; filename="${fileName(req.sha256, variant, contentType)}"`,
    'Cache-Control': CACHE_FOR,
    'Accept-Ranges': 'bytes',
    // The bytes are user-supplied: never let them run as a document, even if opened directly.
    'Content-Security-Policy': "default-src 'none'; sandbox",
  };
  const range = parseRange(req.range, size);
  if (range === 'unsatisfiable') {
    return { status: 416, headers: { ...headers, 'Content-Range': `bytes */${size}`, 'Content-Length': '0' }, body: null };
  }
  const [start, end] = range ?? [0, size - 1];
  const length = size === 0 ? 0 : end - start + 1;
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  headers['Content-Length'] = String(length);
  const status = range ? 206 : 200;
  if (req.head || length === 0) return { status, headers, body: null };
  // Streamed: the folder reads the byte range from the file, the database only the chunks it covers.
  return { status, headers, body: Readable.from(store.read(req.sha256, variant, { start, end }), { objectMode: false }) };
}

const isVariant = (v: string): v is EvidenceVariant => (EVIDENCE_VARIANTS as readonly string[]).includes(v);

/** Built from the hash and the type only: no byte of a party's file name reaches a header. */
function fileName(sha256: string, variant: EvidenceVariant, contentType: string): string {
  const ext = EXTENSIONS[contentType] ?? 'bin';
  return `evidence-${sha256.slice(0, 16)}${variant === 'original' ? '' : `-${variant}`}.${ext}`;
}

/**
 * One byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) → inclusive [start, end]; null to
 * serve the whole file (no header, a malformed one or several ranges, which RFC 9110 lets
 * a server ignore); 'unsatisfiable' when the range starts past the end (416).
 */
export function parseRange(header: string | null | undefined, size: number): [number, number] | 'unsatisfiable' | null {
  if (typeof header !== 'string') return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return null;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return null;
  // More digits than any file has bytes: past the end (Number() would lose precision).
  const num = (s: string) => (s.length > 15 ? Number.MAX_SAFE_INTEGER : Number(s));
  if (a === '') {
    const suffix = num(b);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = num(a);
  if (b !== '' && num(b) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return [start, b === '' ? size - 1 : Math.min(num(b), size - 1)];
}

function failure(status: number, code: ErrorCode, message: string): EvidenceResponse {
  const error: AppError = { code, message };
  const body = Buffer.from(JSON.stringify({ ok: false, error }));
  return {
    status,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(body.length),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
    body,
  };
}

import { z } from 'zod';
import { Id, RequiredText } from './primitives';

/**
 * A dispute file imported from the supervisors' Feeds screen (issue 16 item 3), the same import
 * as `cli import` with its progress in the app. The file travels in chunks through the one
 * contract, so the desktop (IPC) and the browser (HTTP) send it alike: `imports.begin` names it,
 * `imports.append` adds each chunk at its offset (a retried chunk is harmless), `imports.start`
 * imports it in the background, and `imports.status` (polled, and announced to every window as
 * change notices with `progress`) shows where it stands. One import at a time per desk.
 */

/** Raw bytes per chunk: its base64 (×4/3) stays inside the HTTP carrier's 1 MB request body. */
export const IMPORT_CHUNK_BYTES = 512 * 1024;
/** A million disputes are ~2 GB of NDJSON; the file waits on the desk's disk while it is imported. */
export const MAX_IMPORT_BYTES = 4 * 1024 ** 3;
/** Refused lines kept for the screen (all are counted). */
export const IMPORT_PROBLEMS_SHOWN = 100;

const Base64Chunk = z
  .string()
  .min(4, 'must hold at least one byte')
  .max(Math.ceil(IMPORT_CHUNK_BYTES / 3) * 4, `must be at most ${IMPORT_CHUNK_BYTES / 1024} KB before base64`)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')
  .refine((s) => s.length % 4 === 0, 'must be base64 (a length that is a multiple of 4)');

const ImportRef = z.object({ importId: Id }).strict();

export const importMethods = {
  'imports.begin': {
    input: z
      .object({
        fileName: RequiredText(200),
        sizeBytes: z
          .number()
          .int('must be a whole number of bytes')
          .min(1, 'the file is empty')
          .max(MAX_IMPORT_BYTES, `the file is larger than ${MAX_IMPORT_BYTES / 1024 ** 3} GB: import it with \`cli import\``),
      })
      .strict(),
    who: ['supervisor'],
  },
  'imports.append': {
    input: z.object({ importId: Id, offset: z.number().int().min(0).max(MAX_IMPORT_BYTES), dataBase64: Base64Chunk }).strict(),
    who: ['supervisor'],
  },
  'imports.start': { input: ImportRef, who: ['supervisor'] },
  'imports.cancel': { input: ImportRef, who: ['supervisor'] },
  /** The import under way, or the last one this desk ran (null: none since it started). */
  'imports.status': { input: z.object({}).strict(), who: ['supervisor'] },
} as const;

export type ImportState = 'uploading' | 'importing' | 'done' | 'failed' | 'cancelled';

export interface ImportView {
  importId: string;
  fileName: string;
  state: ImportState;
  startedBy: string;
  /** When the upload began, when the import began and ended (ISO). */
  begunAt: string;
  importStartedAt: string | null;
  finishedAt: string | null;
  sizeBytes: number;
  receivedBytes: number;
  /** Lines read, bytes of the file read, and the rate and time left estimated from them. */
  progress: { lines: number; bytesRead: number; percent: number; perSecond: number; secondsLeft: number | null };
  /** Counted as `cli import` counts them. */
  counts: { read: number; created: number; updated: number; unchanged: number; refused: number };
  /** The first refused lines, each with its line number, field and reason. */
  problems: Array<{ line: number; code: string; field?: string; message: string }>;
  /** Why the import stopped (failed), as a sentence. */
  error: string | null;
}

export interface ImportOutputs {
  'imports.begin': ImportView;
  'imports.append': { importId: string; receivedBytes: number; sizeBytes: number };
  'imports.start': ImportView;
  'imports.cancel': ImportView;
  'imports.status': { current: ImportView | null };
}

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Dispute, DisputeWithFiles } from '../../contract/dispute';
import { tsWorkerEntry } from '../../util/ts-worker';
import { checkRecord, type CheckedRecord, type CheckTimings, type ImportRecord } from './check-line';
import type { CheckReply, CheckRequest, CheckWorkerMessage } from './check-worker';

/**
 * The import's lines checked (parsed, validated, hashed: check-line.ts) on worker threads while
 * the importing thread writes the batches before them: with two cores, SQLite's work and the
 * checking overlap instead of taking turns. Results come back in input order; at most
 * `windowLines` lines are in flight at once, so memory stays bounded by the window, not the
 * file. Lines already parsed (values), or no worker at all (no worker code found, or it
 * cannot start), are checked on the calling thread: the same function, the same results.
 */

const BUILT_ENTRY = 'import-check-worker.js';
const SOURCE_ENTRY = './check-worker.ts';
/** Lines per request: large enough that a message's cost is small next to its work. */
const CHUNK_LINES = 256;
/** Characters per request at most (a chunk of 256 ordinary ~2 KB lines is ~0.5 MB): the worker's heap holds one chunk. */
const CHUNK_CHARS = 1 << 20;
/**
 * A longer line (a valid dispute may carry 5,000 messages of 20,000 characters: ~100 MB) is
 * checked on the calling thread, whose heap is not capped, in its place in the order: a
 * worker's heap is kept small (WORKER_HEAP) and such a line would exhaust it and stop the import.
 */
export const WORKER_LINE_CHARS = 512 * 1024;
/**
 * A worker's heap: its code (~10 MB) and one chunk being checked (its lines, their parsed values
 * and canonical texts, ~10× the chunk's characters). It was 96 + 16 MB; 32 + 8 took 20–30 MB off
 * the import's peak RSS at 20,000 disputes, for the same CPU.
 */
const WORKER_HEAP = { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 24 };

export interface CheckPoolOptions {
  withFiles: boolean;
  /** The most lines sent and not yet taken back (default 4,096). */
  windowLines?: number;
  /** Worker threads (default: one core left to the writer, between 1 and 3; 0: check on this thread). */
  workers?: number;
  /** Time spent checking, added to (on the workers: their own time, overlapping the writer's). */
  timings: CheckTimings;
  /** Milliseconds the calling thread waited, idle, for a worker's reply (added to when given). */
  idle?: { ms: number };
}

/** Where this process's imports checked their lines (the tests read it to know the workers were used). */
export const checkRuns = { workerChunks: 0, inProcessLines: 0 };

export async function* checkedRecords(
  records: AsyncIterable<ImportRecord> | Iterable<ImportRecord>,
  opts: CheckPoolOptions,
): AsyncGenerator<CheckedRecord> {
  const pool = await startPool(opts.workers ?? Math.max(1, Math.min(3, availableParallelism() - 1)));
  const window = Math.max(CHUNK_LINES, opts.windowLines ?? 4_096);
  const inFlight: Array<{ lines: number; reply: Promise<CheckReply> }> = [];
  let flying = 0;
  let chunk: Array<{ line: number; text: string }> = [];
  let chunkChars = 0;
  const send = () => {
    if (!chunk.length || !pool) return;
    const reply = pool.check({ lines: chunk, withFiles: opts.withFiles });
    reply.catch(() => {}); // a dead worker's failure is thrown where its reply is awaited, in order
    inFlight.push({ lines: chunk.length, reply });
    flying += chunk.length;
    chunk = [];
    chunkChars = 0;
  };
  const take = async function* (): AsyncGenerator<CheckedRecord> {
    const next = inFlight.shift()!;
    flying -= next.lines;
    const t0 = performance.now();
    const reply = await next.reply;
    if (opts.idle) opts.idle.ms += performance.now() - t0;
    checkRuns.workerChunks++;
    for (const k of ['parseMs', 'validateMs', 'hashMs'] as const) opts.timings[k] += reply.timings[k];
    for (const c of reply.checked)
      yield c.ok
        ? {
            line: c.line,
            ok: true as const,
            dispute: JSON.parse(c.text) as Dispute | DisputeWithFiles,
            ...(c.hash ? { hash: c.hash } : {}),
          }
        : c;
  };
  try {
    for await (const rec of records) {
      if (pool && 'text' in rec && rec.text.length <= WORKER_LINE_CHARS) {
        if (chunkChars + rec.text.length > CHUNK_CHARS) send();
        chunk.push({ line: rec.line, text: rec.text });
        chunkChars += rec.text.length;
        if (chunk.length >= CHUNK_LINES) send();
        while (flying >= window) yield* take();
        continue;
      }
      // A value, a line too long for a worker (or no worker): everything before it first, then this one here.
      send();
      while (inFlight.length) yield* take();
      checkRuns.inProcessLines++;
      const c = checkRecord(rec, opts.withFiles, opts.timings);
      if (c) yield c;
    }
    send();
    while (inFlight.length) yield* take();
  } finally {
    await pool?.close();
  }
}

interface Pool {
  check(req: Omit<CheckRequest, 'id'>): Promise<CheckReply>;
  close(): Promise<void>;
}

/** Starts `n` check workers; null when none can start (the caller checks on its own thread). */
async function startPool(n: number): Promise<Pool | null> {
  if (n < 1) return null;
  const entry = tsWorkerEntry(import.meta.url, BUILT_ENTRY, SOURCE_ENTRY);
  if (!entry) return null;
  const workers: Worker[] = [];
  const pending = new Map<number, { ok: (r: CheckReply) => void; ko: (e: Error) => void }>();
  let failure: Error | null = null;
  const fail = (e: Error) => {
    failure ??= e;
    for (const p of pending.values()) p.ko(failure);
    pending.clear();
  };
  const started = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<boolean>((ready) => {
          let w: Worker;
          try {
            // A worker holds a chunk or two at a time: a small heap keeps the process's peak down.
            w = new Worker(entry.spec, { ...entry.options, resourceLimits: WORKER_HEAP });
          } catch {
            return ready(false);
          }
          workers.push(w);
          let isReady = false;
          w.on('message', (m: CheckWorkerMessage) => {
            if ('ready' in m) {
              isReady = true;
              return ready(true);
            }
            const p = pending.get(m.id);
            pending.delete(m.id);
            p?.ok(m);
          });
          w.on('error', (e) => (isReady ? fail(e) : ready(false)));
          w.on('exit', (code) =>
            isReady ? pending.size && fail(new Error(`import check worker stopped (exit code ${code})`)) : ready(false),
          );
        }),
    ),
  );
  if (started.some((ok) => !ok)) {
    await Promise.all(workers.map((w) => w.terminate()));
    return null;
  }
  let nextId = 0;
  return {
    check(req) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<CheckReply>((ok, ko) => {
        pending.set(id, { ok, ko });
        workers[id % workers.length]!.postMessage({ id, ...req } satisfies CheckRequest);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

import { randomUUID } from 'node:crypto';
import { closeSync, createReadStream, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskProgress } from '../../contract/bridge';
import { AppFailure } from '../../contract/errors';
import { IMPORT_PROBLEMS_SHOWN, type ImportView } from '../../contract/imports';
import { toIso } from '../../contract/primitives';
import type { Db } from '../../db/connect';
import type { Clock } from '../../runtime/clock';
import { LineTooLong, ndjsonLines } from '../../util/ndjson-lines';
import { importStream } from './bulk-import';

/**
 * The dispute file a supervisor imports from the Feeds screen (contract/imports.ts): uploaded in
 * chunks to a file in the desk's data folder, then imported in the background by the same
 * `importStream` as `cli import`, in smaller batches (each batch is one transaction on the
 * connection the windows' requests use, so a batch is what a request may wait behind). Its
 * progress goes to every window as change notices with `progress` (at most one a second) and is
 * read with `imports.status`. One import at a time per desk; the file is deleted when it ends.
 */

/** An upload nobody added to for this long may be replaced by a new one. */
const STALE_UPLOAD_MS = 10 * 60_000;
/** Lines per transaction: ~20-40 ms of writing, so a window's request waits at most that long. */
const APP_BATCH = 250;
const NOTICE_EVERY_MS = 1_000;

interface Job {
  view: ImportView;
  path: string;
  /** Wall time of the last chunk (for STALE_UPLOAD_MS) and of the import's start (rates). */
  lastChunkAt: number;
  startedAtMs: number;
  cancelRequested: boolean;
  done: Promise<void>;
}

export interface ImportJobsDeps {
  db: Db;
  /** Where uploads wait while they are imported (the desk's data folder). */
  dir: string;
  clock: Clock;
  announce(progress: TaskProgress): void;
}

export class ImportJobs {
  private job: Job | null = null;

  constructor(private readonly deps: ImportJobsDeps) {}

  status(): ImportView | null {
    return this.job ? structuredClone(this.job.view) : null;
  }

  /** Settles when the running import (if any) has ended: for tests and shutdown. */
  async settled(): Promise<void> {
    await this.job?.done;
  }

  begin(fileName: string, sizeBytes: number, userId: string): ImportView {
    const current = this.job;
    if (current?.view.state === 'importing' || (current?.view.state === 'uploading' && Date.now() - current.lastChunkAt < STALE_UPLOAD_MS))
      throw new AppFailure(
        'CONFLICT',
        `${current.view.startedBy} is importing ${current.view.fileName}; wait for it to finish (Feeds screen) or cancel it first.`,
      );
    if (current?.view.state === 'uploading') rmSync(current.path, { force: true });
    mkdirSync(this.deps.dir, { recursive: true });
    const importId = `imp-${randomUUID()}`;
    const path = join(this.deps.dir, `${importId}.ndjson`);
    closeSync(openSync(path, 'w'));
    this.job = {
      path,
      lastChunkAt: Date.now(),
      startedAtMs: 0,
      cancelRequested: false,
      done: Promise.resolve(),
      view: {
        importId,
        fileName,
        state: 'uploading',
        startedBy: userId,
        begunAt: toIso(this.deps.clock.now()),
        importStartedAt: null,
        finishedAt: null,
        sizeBytes,
        receivedBytes: 0,
        progress: { lines: 0, bytesRead: 0, percent: 0, perSecond: 0, secondsLeft: null },
        counts: { read: 0, created: 0, updated: 0, unchanged: 0, refused: 0 },
        problems: [],
        error: null,
      },
    };
    return this.status()!;
  }

  /** Writes a chunk at its offset; a chunk sent again (a retry) changes nothing, a gap is refused. */
  append(importId: string, offset: number, bytes: Buffer): { importId: string; receivedBytes: number; sizeBytes: number } {
    const job = this.find(importId, 'uploading');
    const v = job.view;
    if (offset > v.receivedBytes)
      throw new AppFailure(
        'VALIDATION',
        `This chunk starts at byte ${offset}, but ${v.receivedBytes} bytes have arrived: send the chunk at ${v.receivedBytes} first.`,
        'offset',
      );
    if (offset + bytes.length > v.sizeBytes)
      throw new AppFailure('VALIDATION', `The chunk runs past the file's ${v.sizeBytes} bytes given when the upload began.`, 'dataBase64');
    if (offset + bytes.length > v.receivedBytes) {
      const fd = openSync(job.path, 'r+');
      try {
        writeSync(fd, bytes, 0, bytes.length, offset);
      } finally {
        closeSync(fd);
      }
      v.receivedBytes = offset + bytes.length;
    }
    job.lastChunkAt = Date.now();
    return { importId, receivedBytes: v.receivedBytes, sizeBytes: v.sizeBytes };
  }

  start(importId: string): ImportView {
    const job = this.find(importId, 'uploading');
    const v = job.view;
    if (v.receivedBytes !== v.sizeBytes)
      throw new AppFailure(
        'VALIDATION',
        `Only ${v.receivedBytes} of the file's ${v.sizeBytes} bytes have arrived; send the rest before starting.`,
      );
    v.state = 'importing';
    v.importStartedAt = toIso(this.deps.clock.now());
    job.startedAtMs = performance.now();
    job.done = this.run(job);
    return this.status()!;
  }

  cancel(importId: string): ImportView {
    const job = this.find(importId);
    const v = job.view;
    if (v.state === 'uploading') {
      rmSync(job.path, { force: true });
      v.state = 'cancelled';
      v.finishedAt = toIso(this.deps.clock.now());
    } else if (v.state === 'importing') job.cancelRequested = true;
    else throw new AppFailure('INVALID_STATE', `This import has already ended (${v.state}).`);
    return this.status()!;
  }

  /** The desk is closing: a running import stops at its next line. */
  cancelRunning(): void {
    if (this.job?.view.state === 'importing') this.job.cancelRequested = true;
  }

  private find(importId: string, state?: ImportView['state']): Job {
    const job = this.job;
    if (!job || job.view.importId !== importId)
      throw new AppFailure('NOT_FOUND', 'There is no such import on this desk; begin the upload again.');
    if (state && job.view.state !== state)
      throw new AppFailure('INVALID_STATE', `This import is ${job.view.state}, not ${state}; begin a new upload to import again.`);
    return job;
  }

  private async run(job: Job): Promise<void> {
    const v = job.view;
    const stream = createReadStream(job.path, { encoding: 'utf8', highWaterMark: 1 << 20 });
    let lastNotice = 0;
    const progress = (finished: boolean): TaskProgress => {
      const seconds = (performance.now() - job.startedAtMs) / 1000;
      const fraction = v.sizeBytes ? Math.min(1, v.progress.bytesRead / v.sizeBytes) : 1;
      v.progress.percent = Math.round(fraction * 1000) / 10;
      v.progress.perSecond = seconds > 0 ? Math.round(v.progress.lines / seconds) : 0;
      v.progress.secondsLeft = finished ? 0 : fraction > 0 ? Math.round((seconds * (1 - fraction)) / fraction) : null;
      const left = fraction > 0 ? Math.round((v.progress.lines * (1 - fraction)) / fraction) : 0;
      return { task: 'import', done: v.progress.lines, remainingAtLeast: finished ? 0 : left, finished };
    };
    async function* lines() {
      for await (const l of ndjsonLines(stream)) {
        if (job.cancelRequested) return;
        v.progress.lines = l.line;
        v.progress.bytesRead = l.bytesRead;
        yield l;
      }
    }
    try {
      const summary = await importStream(this.deps.db, lines(), {
        now: this.deps.clock.now(),
        batchSize: APP_BATCH,
        deferIndexes: false,
        onProblem: (p) => {
          if (v.problems.length < IMPORT_PROBLEMS_SHOWN)
            v.problems.push({ line: p.line, code: p.code, ...(p.field ? { field: p.field } : {}), message: p.message });
        },
        onProgress: (read) => {
          v.counts.read = read;
          const p = progress(false);
          if (performance.now() - lastNotice >= NOTICE_EVERY_MS) {
            lastNotice = performance.now();
            this.deps.announce(p);
          }
        },
      });
      const { read, created, updated, unchanged, refused } = summary;
      v.counts = { read, created, updated, unchanged, refused };
      v.state = job.cancelRequested ? 'cancelled' : 'done';
    } catch (e) {
      v.state = 'failed';
      v.error =
        e instanceof LineTooLong
          ? `${v.fileName}: ${e.message}`
          : e instanceof AppFailure
            ? e.message
            : 'The import stopped on an unexpected error; the disputes of the batches before it are imported, and importing the file again skips them.';
      if (!(e instanceof LineTooLong) && !(e instanceof AppFailure)) console.error('[import] stopped:', e);
    } finally {
      stream.destroy();
      rmSync(job.path, { force: true });
      v.finishedAt = toIso(this.deps.clock.now());
      this.deps.announce(progress(true));
    }
  }
}

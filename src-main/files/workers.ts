import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppFailure } from '../contract/errors';
import { tsWorkerEntry, type TsWorkerEntry } from '../util/ts-worker';
import type { ImageFacts, ImageLimits } from './analyze';
import { FairQueue, type Lane, type LaneLimits, type QueueKey } from './fair-queue';
import { decodeCost } from './image-header';
import type { SniffedType } from './sniff';
import type { AnalyzeRequest, WorkerMessage } from './worker';

/**
 * A small pool of worker threads running `analyzeImage` (worker.ts), so decoding a photo never
 * blocks the main thread that answers every other request.
 *
 * The worker's code is found by util/ts-worker.ts: `out/main/evidence-worker.js` in the desktop
 * build, worker.ts through tsx under vitest and `tsx … serve`. Neither found, or a worker cannot
 * start at all: analysis runs in-process (logged once), correct but on the main thread.
 *
 * A worker that dies or hangs on a file takes only that file down: its job is refused with
 * UNSUPPORTED_FILE and a new worker replaces it. Workers are unref'd while idle, so an idle
 * pool never keeps a CLI process alive.
 *
 * Jobs wait in a FairQueue (fair-queue.ts): a small lane (decode cost up to SMALL_IMAGE_COST
 * pixels, from the header) with one worker of its own on top of `size`, and a large lane served
 * by the `size` general workers (which take small jobs when no large one waits); round-robin
 * over sources and cases in each lane; bounded, so a full lane answers UNAVAILABLE at once.
 */

const BUILT_ENTRY = 'evidence-worker.js';
const SOURCE_ENTRY = './worker.ts';
const DEFAULT_JOB_TIMEOUT_MS = 60_000;
/** A worker's own JS heap; the pixels live in native memory, bounded by the pixel limit. */
const WORKER_HEAP_MB = 256;

interface Job {
  bytes: Uint8Array;
  sniffed: SniffedType;
  limits: ImageLimits | undefined;
  resolve: (facts: ImageFacts) => void;
  reject: (e: unknown) => void;
}

/**
 * Up to this many pixels to decode (JPEG counted shrunk, see decodeCost) is a small image: a
 * phone photo of 12 MP as a JPEG, a 2000 × 2000 PNG. Such a decode takes well under a second.
 */
export const SMALL_IMAGE_COST = 4_000_000;

export const DEFAULT_LANE_LIMITS: Record<Lane, LaneLimits> = {
  // Large images: a few seconds each; beyond this many waiting, a sender is better told to retry.
  large: { maxWaiting: 32, maxWaitingPerSource: 12, maxWaitingBytes: 64 * 1024 * 1024 },
  small: { maxWaiting: 256, maxWaitingPerSource: 96, maxWaitingBytes: 128 * 1024 * 1024 },
};

export const BUSY_MESSAGE =
  'The desk is busy processing other photos right now, so this one was not taken in. Please send it again in a minute.';
const SOURCE_BUSY_MESSAGE =
  'Too many photos from this sender are waiting to be processed, so this one was not taken in. Please send it again in a minute.';

export interface AnalyzeOptions {
  limits?: ImageLimits;
  /** Whose work this is, for the fair share (default: the desk, no case). */
  key?: QueueKey;
}

interface Slot {
  /** The small lane's own worker takes small jobs only. */
  smallOnly: boolean;
  worker: Worker;
  ready: boolean;
  job: (Job & { id: number }) | null;
  timer: NodeJS.Timeout | null;
  timedOut: boolean;
}

export interface EvidenceWorkersOptions {
  /** A job taking longer than this terminates its worker and is refused. */
  jobTimeoutMs?: number;
  /** Force analysis on the calling thread (also the automatic fallback). */
  inProcess?: boolean;
  /** How many jobs may wait, per lane. */
  laneLimits?: Record<Lane, LaneLimits>;
}

let warnedInProcess = false;

/** How the worker is started here, or null when no worker code can be found. */
export function workerEntry(): TsWorkerEntry | null {
  return tsWorkerEntry(import.meta.url, BUILT_ENTRY, SOURCE_ENTRY);
}

export class EvidenceWorkers {
  private readonly size: number;
  /** A job running longer terminates its worker and is refused (read at each job's start). */
  jobTimeoutMs: number;
  private readonly slots: Slot[] = [];
  private readonly queue: FairQueue<Job>;
  /** In-process fallback: jobs running on this thread, per kind of slot (same bounds as workers). */
  private readonly running = { general: 0, small: 0 };
  private nextId = 1;
  private closed = false;
  private inProcess: boolean;
  /** Workers that exited before saying ready, in a row: two means workers cannot run here. */
  private failedStarts = 0;
  private sharpLoaded: Promise<unknown> | null = null;

  constructor(size: number = defaultPoolSize(), options: EvidenceWorkersOptions = {}) {
    this.size = Math.max(1, Math.floor(size));
    this.jobTimeoutMs = options.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
    this.inProcess = options.inProcess ?? false;
    this.queue = new FairQueue(options.laneLimits ?? DEFAULT_LANE_LIMITS);
  }

  /** Jobs waiting for a worker (not running), in one lane or both. */
  waiting(lane?: Lane): number {
    return this.queue.waiting(lane);
  }

  /** Workers started and ready for a job (busy or idle): the small lane's own, or the general ones. */
  readyWorkers(kind: 'general' | 'small'): number {
    return this.slots.filter((s) => s.ready && s.smallOnly === (kind === 'small')).length;
  }

  /** How analysis runs now: in worker threads, or on the calling thread (fallback). */
  get mode(): 'workers' | 'in-process' {
    return this.inProcess ? 'in-process' : 'workers';
  }

  /** Analyses an image in a worker; refuses with UNAVAILABLE at once when its lane is full. */
  analyze(bytes: Buffer, sniffed: SniffedType, options: AnalyzeOptions | ImageLimits = {}): Promise<ImageFacts> {
    if (this.closed) return Promise.reject(new AppFailure('INTERNAL', 'The evidence workers are shut down.'));
    const { limits, key } = 'maxPixels' in options ? { limits: options, key: undefined } : options;
    // Reading the header is cheap (no decoding): it says which lane the job belongs in.
    const lane: Lane = decodeCost(bytes, sniffed, limits) <= SMALL_IMAGE_COST ? 'small' : 'large';
    return new Promise<ImageFacts>((resolve, reject) => {
      const refused = this.queue.push(
        lane,
        key ?? { source: 'desk', group: '' },
        { bytes, sniffed, limits, resolve, reject },
        bytes.byteLength,
      );
      if (refused) {
        reject(new AppFailure('UNAVAILABLE', refused === 'full' ? BUSY_MESSAGE : SOURCE_BUSY_MESSAGE));
        return;
      }
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.drain()) job.reject(new AppFailure('INTERNAL', 'The evidence workers are shut down.'));
    await Promise.all(this.slots.splice(0).map((s) => this.stop(s)));
  }

  private stop(slot: Slot): Promise<number> {
    if (slot.timer) clearTimeout(slot.timer);
    slot.job?.reject(new AppFailure('INTERNAL', 'The evidence workers are shut down.'));
    slot.job = null;
    return slot.worker.terminate();
  }

  /** The next job for a slot: the small lane's own slot takes small jobs only; general slots prefer large ones. */
  private nextFor(smallOnly: boolean): Job | undefined {
    return smallOnly ? this.queue.shift('small') : (this.queue.shift('large') ?? this.queue.shift('small'));
  }

  private pump(): void {
    if (this.closed) return;
    if (this.inProcess) {
      for (
        let job = this.running.small < 1 ? this.nextFor(true) : undefined;
        job;
        job = this.running.small < 1 ? this.nextFor(true) : undefined
      )
        this.runHere(job, 'small');
      for (
        let job = this.running.general < this.size ? this.nextFor(false) : undefined;
        job;
        job = this.running.general < this.size ? this.nextFor(false) : undefined
      )
        this.runHere(job, 'general');
      return;
    }
    for (const slot of this.slots) {
      if (!slot.ready || slot.job) continue;
      const job = this.nextFor(slot.smallOnly);
      if (job) this.assign(slot, job);
    }
    if (!this.queue.waiting()) return;
    // Start the small lane's worker when small jobs wait and it does not exist yet; another
    // general worker only if every existing one is busy (not merely starting).
    if (this.queue.waiting('small') && !this.slots.some((s) => s.smallOnly)) {
      if (!this.spawn(true)) return;
    }
    const general = this.slots.filter((s) => !s.smallOnly);
    if (this.queue.waiting() > 0 && general.length < this.size && general.every((s) => s.ready && s.job)) this.spawn(false);
  }

  private runHere(job: Job, kind: 'general' | 'small'): void {
    this.running[kind]++;
    void runInProcess(job).finally(() => {
      this.running[kind]--;
      this.pump();
    });
  }

  /** Starts a worker; false (and in-process from now on) when none can be started. */
  private spawn(smallOnly: boolean): boolean {
    const entry = workerEntry();
    if (!entry) {
      this.fallBack('no worker code found next to the application');
      return false;
    }
    // sharp is loaded in the main thread first so that no exiting worker unloads libvips.
    this.sharpLoaded ??= import('sharp').catch(() => undefined);
    let worker: Worker;
    try {
      worker = new Worker(entry.spec, { ...entry.options, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    } catch (e) {
      this.fallBack(e instanceof Error ? e.message : String(e));
      return false;
    }
    worker.unref();
    const slot: Slot = { smallOnly, worker, ready: false, job: null, timer: null, timedOut: false };
    this.slots.push(slot);
    let startError: unknown = null;
    worker.on('message', (m: WorkerMessage) => this.onMessage(slot, m));
    worker.on('error', (e) => {
      if (!slot.ready) startError = e;
    });
    worker.on('exit', (code) => this.onExit(slot, code, startError));
    return true;
  }

  private assign(slot: Slot, job: Job): void {
    const id = this.nextId++;
    slot.job = { ...job, id };
    slot.worker.ref(); // a job in flight keeps the process alive
    slot.timer = setTimeout(() => {
      slot.timedOut = true;
      void slot.worker.terminate();
    }, this.jobTimeoutMs);
    slot.timer.unref();
    const request: AnalyzeRequest = { id, bytes: job.bytes, sniffed: job.sniffed, ...(job.limits ? { limits: job.limits } : {}) };
    slot.worker.postMessage(request);
  }

  private onMessage(slot: Slot, m: WorkerMessage): void {
    if ('ready' in m) {
      slot.ready = true;
      this.failedStarts = 0;
      this.pump();
      return;
    }
    const job = slot.job;
    if (!job || job.id !== m.id) return;
    this.release(slot);
    if (m.ok) job.resolve(revive(m.facts));
    else job.reject(new AppFailure(m.code, m.message));
    this.pump();
  }

  private release(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
    slot.worker.unref();
  }

  private onExit(slot: Slot, code: number, startError: unknown): void {
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
    if (this.closed) return;
    const job = slot.job;
    if (slot.timer) clearTimeout(slot.timer);
    if (job) {
      job.reject(
        new AppFailure(
          'UNSUPPORTED_FILE',
          slot.timedOut
            ? 'This image took too long to process and was refused. Please ask for a smaller or simpler photo.'
            : 'This image could not be processed safely and was refused. Please ask for the original photo to be sent again.',
        ),
      );
    } else if (!slot.ready) {
      if (++this.failedStarts >= 2) {
        const why = startError instanceof Error ? startError.message : `exit code ${code}`;
        this.fallBack(`worker threads cannot start (${why})`);
        return;
      }
    }
    this.pump();
  }

  private fallBack(why: string): void {
    this.inProcess = true;
    if (!warnedInProcess) {
      warnedInProcess = true;
      console.warn(`evidence: analysing images on the main thread: ${why}`);
    }
    this.pump();
  }
}

async function runInProcess(job: Job): Promise<void> {
  try {
    const { analyzeImage } = await import('./analyze');
    const bytes = Buffer.isBuffer(job.bytes) ? job.bytes : Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
    job.resolve(await analyzeImage(bytes, job.sniffed, job.limits));
  } catch (e) {
    job.reject(e);
  }
}

/** Buffers cross the thread boundary as plain Uint8Arrays. */
function revive(facts: ImageFacts): ImageFacts {
  const buf = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));
  return { ...facts, display: buf(facts.display), thumb: buf(facts.thumb) };
}

/** One worker per spare core, at most two: the main thread keeps a core for everything else. */
export function defaultPoolSize(): number {
  return Math.min(2, Math.max(1, availableParallelism() - 1));
}

let shared: EvidenceWorkers | null = null;

/** The process-wide pool, started on first use. */
export function sharedEvidenceWorkers(): EvidenceWorkers {
  shared ??= new EvidenceWorkers();
  return shared;
}

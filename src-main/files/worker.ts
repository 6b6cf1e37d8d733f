import { parentPort } from 'node:worker_threads';
import { AppFailure } from '../contract/errors';
import { analyzeImage, type ImageFacts, type ImageLimits } from './analyze';
import type { SniffedType } from './sniff';

/**
 * The worker-thread entry of the evidence pool (workers.ts): decoding and hashing an image is
 * CPU work that must not stall the main thread, which serves every other request. Built as
 * its own file (`out/main/evidence-worker.js`, see electron.vite.config.ts) for the desktop;
 * loaded through tsx from source under vitest and `tsx … serve`.
 *
 * Protocol: one `ready` at start; then one reply per request, matched by id. Nothing but an
 * AppFailure's code and message crosses back (AppFailure is main-only and not cloneable).
 */

export interface AnalyzeRequest {
  id: number;
  bytes: Uint8Array;
  sniffed: SniffedType;
  limits?: ImageLimits;
}

export type AnalyzeReply =
  { id: number; ok: true; facts: ImageFacts } | { id: number; ok: false; code: AppFailure['code']; message: string };

export type WorkerMessage = { ready: true } | AnalyzeReply;

const port = parentPort;
if (!port) throw new Error('evidence worker: must run in a worker thread');

port.on('message', (req: AnalyzeRequest) => {
  const bytes = Buffer.from(req.bytes.buffer, req.bytes.byteOffset, req.bytes.byteLength);
  analyzeImage(bytes, req.sniffed, req.limits).then(
    (facts) => port.postMessage({ id: req.id, ok: true, facts } satisfies AnalyzeReply),
    (e: unknown) => {
      const reply: AnalyzeReply =
        e instanceof AppFailure
          ? { id: req.id, ok: false, code: e.code, message: e.message }
          : { id: req.id, ok: false, code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
      port.postMessage(reply);
    },
  );
});

port.postMessage({ ready: true } satisfies WorkerMessage);

import { parentPort } from 'node:worker_threads';
import { checkRecordAsText, noCheckTimings, type CheckedText, type CheckTimings } from './check-line';

/**
 * The worker-thread entry of the import's line checkers (check-pool.ts): JSON parsing, schema
 * validation and content hashing of a chunk of NDJSON lines, off the thread that writes. Built
 * as its own file (`out/main/import-check-worker.js`, see electron.vite.config.ts) for the
 * desktop; loaded through tsx from source under vitest and the CLI (util/ts-worker.ts).
 *
 * Protocol: one `ready` at start; then one reply per request, matched by id.
 */

export interface CheckRequest {
  id: number;
  lines: Array<{ line: number; text: string }>;
  withFiles: boolean;
}

export interface CheckReply {
  id: number;
  checked: CheckedText[];
  timings: CheckTimings;
}

export type CheckWorkerMessage = { ready: true } | CheckReply;

const port = parentPort;
if (!port) throw new Error('import check worker: must run in a worker thread');

port.on('message', (req: CheckRequest) => {
  const timings = noCheckTimings();
  const checked: CheckedText[] = [];
  for (const rec of req.lines) {
    const c = checkRecordAsText(rec, req.withFiles, timings);
    if (c) checked.push(c);
  }
  port.postMessage({ id: req.id, checked, timings } satisfies CheckReply);
});
port.postMessage({ ready: true } satisfies CheckWorkerMessage);

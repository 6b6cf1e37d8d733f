import { Worker } from 'node:worker_threads';
import { AppFailure } from '../../contract/errors';
import { loadCaseStates } from '../../db/repos/case';
import type { CaseState } from '../../engine/state';
import { tsWorkerEntry } from '../../util/ts-worker';
import { runScenario, type Scenario, type StepResult } from './replay';
import type { ReplayRequest, ReplayWorkerMessage } from './worker';

/**
 * Runs the policy preview's replay (a scenario, then the replayed states of `caseIds`) on a
 * worker thread (replay-worker.ts), so seconds of replay never freeze the desktop window.
 * One worker per call, terminated after: a preview is a rare, deliberate action, and a fresh
 * worker leaves nothing behind. The worker's code is found by util/ts-worker.ts.
 *
 * Only when no worker can be started at all (no worker code, or it dies before it is ready)
 * does the replay run on the calling thread, from then on, logged once: correct, but
 * blocking. A worker that fails later, or outlives the timeout, fails the preview (INTERNAL).
 */

const BUILT_ENTRY = 'replay-worker.js';
const SOURCE_ENTRY = './worker.ts';
const DEFAULT_TIMEOUT_MS = 120_000;

export interface ReplayOutcome {
  results: StepResult[];
  value: Map<string, CaseState>;
}

/**
 * Replays a scenario, then reads the replayed states of `caseIds`: the policy preview's port.
 * The composition root (runtime/core.ts) wires `replayInWorker`; the preview never imports
 * the replay itself, because the replay dispatches through the handlers that hold the preview.
 */
export type ReplayCases = (scenario: Scenario, caseIds: string[]) => Promise<ReplayOutcome>;

/** Where the replays of this process ran; the tests read it to know the worker was used. */
export const replayRuns = { worker: 0, inProcess: 0 };
let cannotStart: string | null = null;

/** How the next replay runs: on a worker thread, or on the calling thread (fallback). */
export function replayMode(): 'worker' | 'in-process' {
  return cannotStart === null ? 'worker' : 'in-process';
}

export async function replayInWorker(scenario: Scenario, caseIds: string[], options: { timeoutMs?: number } = {}): Promise<ReplayOutcome> {
  if (cannotStart === null) {
    const outcome = await runInWorker(scenario, caseIds, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (outcome !== 'cannot start') {
      replayRuns.worker++;
      return outcome;
    }
  }
  replayRuns.inProcess++;
  return runScenario(scenario, (db) => loadCaseStates(db, caseIds));
}

function fallBack(why: string): 'cannot start' {
  if (cannotStart === null) console.warn(`policy preview: replaying on the main thread: ${why}`);
  cannotStart = why;
  return 'cannot start';
}

function runInWorker(scenario: Scenario, caseIds: string[], timeoutMs: number): Promise<ReplayOutcome | 'cannot start'> {
  const entry = tsWorkerEntry(import.meta.url, BUILT_ENTRY, SOURCE_ENTRY);
  if (!entry) return Promise.resolve(fallBack('no worker code found next to the application'));
  let worker: Worker;
  try {
    worker = new Worker(entry.spec, entry.options);
  } catch (e) {
    return Promise.resolve(fallBack(e instanceof Error ? e.message : String(e)));
  }
  return new Promise((resolve, reject) => {
    let ready = false;
    let settled = false;
    let error: unknown = null;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      finish();
      void worker.terminate();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(
            new AppFailure(
              'INTERNAL',
              `The preview took longer than ${Math.round(timeoutMs / 1000)} s and was stopped. Try it on fewer cases.`,
            ),
          ),
        ),
      timeoutMs,
    );
    worker.on('message', (m: ReplayWorkerMessage) => {
      if ('ready' in m) {
        ready = true;
        worker.postMessage({ scenario, caseIds } satisfies ReplayRequest);
      } else if (m.ok) settle(() => resolve({ results: m.results, value: new Map(m.states) }));
      else settle(() => reject(new AppFailure(m.code, m.message)));
    });
    worker.on('error', (e) => {
      error = e;
    });
    worker.on('exit', (code) => {
      const why = error instanceof Error ? error.message : `exit code ${code}`;
      if (!ready) settle(() => resolve(fallBack(`the replay worker cannot start (${why})`)));
      else settle(() => reject(new AppFailure('INTERNAL', `The preview's replay stopped unexpectedly (${why}). Please try again.`)));
    });
  });
}

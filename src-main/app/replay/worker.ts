import { parentPort } from 'node:worker_threads';
import { AppFailure } from '../../contract/errors';
import { loadCaseStates } from '../../db/repos/case';
import type { CaseState } from '../../engine/state';
import { runScenario, type Scenario, type StepResult } from './replay';

/**
 * The worker-thread entry of the policy preview's replay (replay-in-worker.ts): replaying a
 * thousand cases is seconds of CPU that must not freeze the desktop window, whose main
 * process answers every request. Built as its own file (`out/main/replay-worker.js`, see
 * electron.vite.config.ts) for the desktop; loaded through tsx from source under vitest
 * and `tsx … serve` (util/ts-worker.ts).
 *
 * Protocol: one `ready` at start; then one request (the scenario and the cases to read
 * back) and one reply. Nothing but an AppFailure's code and message crosses back.
 */

export interface ReplayRequest {
  scenario: Scenario;
  caseIds: string[];
}

export type ReplayReply =
  { ok: true; results: StepResult[]; states: Array<[string, CaseState]> } | { ok: false; code: AppFailure['code']; message: string };

export type ReplayWorkerMessage = { ready: true } | ReplayReply;

const port = parentPort;
if (!port) throw new Error('replay worker: must run in a worker thread');

port.on('message', (req: ReplayRequest) => {
  runScenario(req.scenario, (db) => loadCaseStates(db, req.caseIds)).then(
    ({ results, value }) => port.postMessage({ ok: true, results, states: [...value] } satisfies ReplayReply),
    (e: unknown) => {
      const reply: ReplayReply =
        e instanceof AppFailure
          ? { ok: false, code: e.code, message: e.message }
          : { ok: false, code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
      port.postMessage(reply);
    },
  );
});

port.postMessage({ ready: true } satisfies ReplayWorkerMessage);

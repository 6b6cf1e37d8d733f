import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppFailure, type Envelope } from '../contract/errors';
import { openDatabase, type Db } from '../db/connect';
import { dispatch } from '../app/dispatch';
import type { CoreApi, SignedInUser } from '../app/core-api';
import type { ChangeNotice } from '../contract/bridge';
import { systemClock, type Clock } from './clock';
import type { ServiceContext } from '../app/handlers';
import { replayInWorker } from '../app/replay/in-worker';
import { openEvidenceFiles } from '../app/evidence/intake';
import { evidenceDirFor } from '../files/store';
import { serveEvidence } from '../app/evidence/serving';
import { ensurePolicy } from '../db/repos/policy';
import { sweep } from '../app/sweep/sweep';
import { nextDueAt } from '../db/repos/deadlines';
import { isEmptyDatabase } from '../db/repos/demo';
import { signIn } from '../app/session/users';

/** demo/ (population, pictures, history; thousands of lines) is loaded only when a demo is asked for. */
const loadDemo = () => import('../demo/seed');

export interface CoreOptions {
  /** A DATABASE_URL (postgres://…, a file path, :memory:); default `<dataDir>/mediation-desk.sqlite`. */
  databaseUrl?: string;
  dataDir: string;
  /** Seed this many demo cases when the database is empty. */
  demoIfEmpty?: number;
  clock?: Clock;
  sqliteNativeBinding?: string;
  /** Where evidence files are stored; default `evidence/` next to the SQLite file, or in dataDir (evidenceDirFor). */
  evidenceDir?: string;
}

export interface Core extends CoreApi {
  db: Db;
  context: ServiceContext;
  /** Apply whatever fell due (start-up catch-up, resume from sleep, the test clock). */
  sweepNow(): Promise<void>;
}

/** The longest a timer sleeps before re-checking: covers clock jumps and deadlines added by other desktops. */
const MAX_TIMER_MS = 60_000;

/**
 * The main-process core: database, services, dispatch and the deadline timer. Both
 * carriers (Electron IPC, local HTTP) are thin wrappers around this object.
 */
export async function openCore(opts: CoreOptions): Promise<Core> {
  mkdirSync(opts.dataDir, { recursive: true });
  const clock = opts.clock ?? systemClock;
  const db = await openDatabase({
    url: opts.databaseUrl ?? join(opts.dataDir, 'mediation-desk.sqlite'),
    sqliteNativeBinding: opts.sqliteNativeBinding,
  });
  await ensurePolicy(db, clock.now());
  const events = new EventEmitter();
  events.setMaxListeners(1000);
  const notify = (caseIds: string[], reason: ChangeNotice['reason']) =>
    events.emit('change', { caseIds: [...new Set(caseIds)], reason, at: new Date(clock.now()).toISOString() } satisfies ChangeNotice);
  const evidence = openEvidenceFiles(opts.evidenceDir ?? evidenceDirFor(opts.databaseUrl, opts.dataDir));
  const context: ServiceContext = { db, clock, notify, evidence, replayCases: replayInWorker };

  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let sweeping: Promise<void> | null = null;
  const sweepNow = async (): Promise<void> => {
    // One sweep at a time in this process; other processes are kept safe by the row claims.
    if (sweeping) return sweeping;
    sweeping = (async () => {
      try {
        const report = await sweep(db, clock.now());
        if (report.caseIds.length) notify(report.caseIds, 'sweep');
      } catch (e) {
        console.error('[sweep] failed; will retry on the next timer:', e);
      } finally {
        sweeping = null;
        if (!closed) await schedule();
      }
    })();
    return sweeping;
  };
  const schedule = async (): Promise<void> => {
    if (timer) clearTimeout(timer);
    const due = await nextDueAt(db);
    const wait = due === null ? MAX_TIMER_MS : Math.min(MAX_TIMER_MS, Math.max(0, due - clock.now()));
    timer = setTimeout(() => void sweepNow(), wait);
    timer.unref();
  };

  await sweepNow(); // catch up on everything that fell due while the application was closed
  // Load the reuse index in the background (a few seconds at a million images), so the first upload does not wait for it.
  const warming = evidence.reuse
    .sync(db)
    .catch((e) => console.error('[evidence] the reuse index could not be loaded yet; the first upload loads it:', e));
  if (opts.demoIfEmpty && (await isEmptyDatabase(db))) {
    const now = clock.now();
    await (await loadDemo()).seedDemo(db, opts.demoIfEmpty, now, evidence);
  }

  return {
    db,
    context,
    sweepNow,
    dispatch: (method, input, identity) => dispatch(context, method, input, identity),
    readEvidence: (identity, request) => serveEvidence(db, evidence.store, identity, request),
    async signIn(userId: string, password: string): Promise<Envelope<SignedInUser>> {
      try {
        if (typeof userId !== 'string' || typeof password !== 'string' || userId.length > 128 || password.length > 1024)
          throw new AppFailure('VALIDATION', 'Give a user id and a password.');
        return { ok: true, value: await signIn(db, userId, password, clock.now()) };
      } catch (e) {
        if (e instanceof AppFailure) return { ok: false, error: e.toError() };
        throw e;
      }
    },
    onChange(listener) {
      events.on('change', listener);
      return () => events.off('change', listener);
    },
    isEmpty: () => isEmptyDatabase(db),
    async seedDemo(cases: number) {
      const now = clock.now();
      return (await loadDemo()).seedDemo(db, cases, now, evidence);
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await sweeping;
      await warming;
      await db.destroy();
    },
  };
}

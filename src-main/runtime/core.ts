import { settleOwedScores } from '../app/risk/owed-scores';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppFailure, type Envelope } from '../contract/errors';
import { checkpointOffThread, openDatabase, type Db } from '../db/connect';
import { dispatch } from '../app/dispatch';
import type { CoreApi, NewSession, SignInFrom } from '../app/core-api';
import type { ChangeNotice } from '../contract/bridge';
import type { FeedListenerView } from '../contract/feed';
import type { Identity } from '../app/identity';
import { systemClock, type Clock } from './clock';
import type { ServiceContext } from '../app/handlers';
import { replayInWorker } from '../app/replay/in-worker';
import { openEvidenceFiles } from '../app/evidence/intake';
import type { Analyzer } from '../files/ingest';
import { openEvidenceStore } from './evidence-store';
import { serveEvidence } from '../app/evidence/serving';
import { ensurePolicy } from '../db/repos/policy';
import { sweepOffThread, type SweepRun } from '../app/sweep/in-worker';
import { IntegrityMonitor } from '../app/audit/integrity';
import { dueDeadlines, nextDueAt } from '../db/repos/deadlines';
import { demoSeeding, isEmptyDatabase } from '../db/repos/demo';
import { seederAlive } from '../demo/seeding';
import { signIn, sessionIdOf } from '../app/session/sign-in';
import { resolveSession, signOutSession } from '../app/session/sessions';
import { sharesServer, underStartupLock, unlessSeeding, whileNoSweep } from '../db/server';
import { listenForChanges } from '../db/listen';
import { watchHealth } from '../db/health';
import { unavailable } from '../db/unavailable';
import { openFeedApi } from '../app/feed/api';
import type { RateLimit } from '../app/feed/rate-limit';
import { startWebhookDelivery, type WebhookDelivery, type WebhookOptions } from '../app/feed/webhook';
import { ImportJobs } from '../app/intake/import-jobs';

/** demo/ (population, pictures, history; thousands of lines) is loaded only when a demo is asked for. */
const loadDemo = () => import('../demo/seed');

export interface CoreOptions {
  /** A DATABASE_URL (postgres://…, a file path, :memory:); default `<dataDir>/mediation-desk.sqlite`. */
  databaseUrl?: string;
  dataDir: string;
  /** Seed this many demo cases when the database is empty. */
  demoIfEmpty?: number;
  clock?: Clock;
  /** Wall time for sign-in locks and sessions; default the system clock (a test clock moves deadlines, not sessions). */
  sessionClock?: Clock;
  sqliteNativeBinding?: string;
  /**
   * An evidence folder to use whatever the database. Default: on PostgreSQL the database itself
   * (shared by the team), on SQLite `evidence/` next to the file (openEvidenceStore).
   */
  evidenceDir?: string;
  /** Walk the whole audit history in the background after the incremental start-up check (default true). */
  fullIntegrityWalk?: boolean;
  /** The feed API's per-feed rate limit (default app/feed/api.ts DEFAULT_RATE_LIMIT). */
  feedRateLimit?: RateLimit;
  /** Webhook push settings (tests inject fetch and a short backoff); the clock is the core's. */
  webhooks?: Omit<WebhookOptions, 'clock'>;
  /** The image analysis pool (default the shared one); tests pass one with a small queue to see it full. */
  evidenceAnalyzer?: Analyzer;
  /** Where the start's long steps say how far they are (an owed recompute of every buyer); default console.info. */
  onStartProgress?: (message: string) => void;
}

export interface Core extends CoreApi {
  db: Db;
  context: ServiceContext;
  /** Apply whatever fell due (start-up catch-up, resume from sleep, the test clock). */
  sweepNow(): Promise<void>;
  /** The feeds' webhook push (a background task; `runOnce` for tests). */
  webhooks: WebhookDelivery;
  /** The desktop reports its feed listener here (listening, or why not); feeds.list shows it to supervisors. */
  setFeedListener(view: FeedListenerView | null): void;
}

/** The longest a timer sleeps before re-checking: covers clock jumps and deadlines added by other desktops. */
const MAX_TIMER_MS = 60_000;
/** From this many due deadlines at start-up, the catch-up runs in the background (see openCore). */
const BACKGROUND_CATCH_UP_FROM = 1_000;
/** How soon the timer tries again when reading the next deadline failed for another reason. */
const RETRY_MS = 5_000;
/** How soon a sweep skipped while a desktop seeds the demo (unlessSeeding) tries again. */
const STARTUP_BUSY_RETRY_MS = 1_000;
/** After commands, the timer re-reads the next due deadline at most this often. */
const RESCHEDULE_MS = 1_000;

/**
 * The main-process core: database, services, dispatch and the deadline timer. Both
 * carriers (Electron IPC, local HTTP) are thin wrappers around this object.
 */
export async function openCore(opts: CoreOptions): Promise<Core> {
  mkdirSync(opts.dataDir, { recursive: true });
  const clock = opts.clock ?? systemClock;
  const sessionClock = opts.sessionClock ?? systemClock;
  const db = await openDatabase({
    url: opts.databaseUrl ?? join(opts.dataDir, 'mediation-desk.sqlite'),
    sqliteNativeBinding: opts.sqliteNativeBinding,
  });
  // SQLite: WAL checkpoints on a worker thread, not in a commit of the thread that answers the window.
  checkpointOffThread(db);
  // Several desktops may open one empty server at once: exactly one of them creates version 1.
  await underStartupLock(db, () => ensurePolicy(db, clock.now()));
  // A first load that died before scoring its buyers (db/repos/bulk-load.ts `markScoresOwed`),
  // or scores an older risk model computed (an upgraded desk): score every buyer now, before the
  // queue, the sweep or an import reads a score. Long on a large database (a million buyers: a
  // minute or more), so each phase is logged; the desk answers nothing meanwhile.
  await settleOwedScores(db, clock.now(), opts.onStartProgress ?? ((message) => console.info(`[risk] ${message}`)));
  // The pool reconnects by itself; this notices when, so the deadline timer catches up.
  const health = watchHealth(db);
  const events = new EventEmitter();
  events.setMaxListeners(1000);
  const notify = (caseIds: string[], reason: ChangeNotice['reason'], progress?: ChangeNotice['progress']) =>
    events.emit('change', {
      caseIds: [...new Set(caseIds)],
      reason,
      at: new Date(clock.now()).toISOString(),
      ...(progress ? { progress } : {}),
    } satisfies ChangeNotice);
  // On a team's shared server, other desktops' changes arrive through LISTEN/NOTIFY (db/listen.ts) and
  // go to the same listeners; this desktop's own are announced above, in process, and skipped there.
  // A null notice means "refresh everything" (the change log was pruned past what this desktop saw).
  const listener =
    sharesServer(db) && opts.databaseUrl
      ? listenForChanges(db, opts.databaseUrl, {
          now: () => clock.now(),
          deliver: (change) =>
            events.emit('change', change && ({ ...change, at: new Date(clock.now()).toISOString() } satisfies ChangeNotice)),
        })
      : null;
  await listener?.ready;
  const evidence = openEvidenceFiles(
    openEvidenceStore(db, { databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, evidenceDir: opts.evidenceDir, now: () => clock.now() }),
    opts.evidenceAnalyzer,
  );
  // The audit chain's start-up check: the events since the last start, then the whole history in the background.
  const integrity = new IntegrityMonitor(db, { now: () => clock.now(), fullWalk: opts.fullIntegrityWalk });
  let feedListener: FeedListenerView | null = null;
  const imports = new ImportJobs({
    db,
    dir: join(opts.dataDir, 'imports'),
    clock,
    announce: (progress) => notify([], 'import', progress),
  });
  const context: ServiceContext = {
    db,
    clock,
    sessionClock,
    notify,
    evidence,
    replayCases: replayInWorker,
    integrity,
    feedListener: () => feedListener,
    imports,
  };

  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let sweeping: Promise<void> | null = null;
  let sweepRun: SweepRun | null = null;
  const sweepNow = async (): Promise<void> => {
    // One sweep at a time in this process; other processes are kept safe by the row claims.
    if (sweeping) return sweeping;
    sweeping = (async () => {
      // A catch-up (more due than one chunk) reports each committed chunk, so windows show progress.
      let catchUp = false;
      let done = 0;
      let busy = false;
      const unannounced: string[] = [];
      try {
        // A catch-up on a SQLite file runs on a worker thread (app/sweep/in-worker.ts), so it never stalls the window.
        const report = await unlessSeeding(db, () => {
          sweepRun = sweepOffThread(db, clock.now(), {
            onProgress: (p) => {
              done = p.done;
              if (!catchUp) {
                // Until it turns out to be a catch-up, changed cases wait for the one notice at the end.
                unannounced.push(...p.caseIds);
                if (!(catchUp = p.pendingAtLeast > 0)) return;
              }
              const caseIds = unannounced.length ? [...unannounced.splice(0), ...p.caseIds] : p.caseIds;
              notify(caseIds, 'sweep', { task: 'catch-up', done, remainingAtLeast: p.pendingAtLeast, finished: false });
            },
          });
          if (closed) sweepRun.stop();
          return sweepRun.report;
        });
        // A desktop is seeding the demo (its history at past instants): try again shortly; one
        // whose seeding was interrupted (the process killed) is finished here.
        if (report === 'busy') {
          busy = true;
          void resumeDemo().catch((e: unknown) => console.error('[demo] the interrupted demo seeding could not be finished:', e));
        } else done = report.applied + report.stale;
        if (unannounced.length) notify(unannounced, 'sweep');
      } catch (e) {
        if (health.failed(e)) console.warn('[sweep] the database cannot be reached; the sweep runs again once it answers');
        else console.error('[sweep] failed; will retry on the next timer:', e);
      } finally {
        // The indicator always ends, even when the sweep failed half-way (the rest waits for the next run).
        if (catchUp) notify([], 'sweep', { task: 'catch-up', done, remainingAtLeast: 0, finished: true });
        sweeping = null;
        sweepRun = null;
        if (!closed) await schedule(busy ? STARTUP_BUSY_RETRY_MS : 0);
      }
    })();
    return sweeping;
  };
  /** Never rejects: it runs from timers, where a rejection would end the process. */
  const schedule = async (atLeastMs = 0): Promise<void> => {
    if (timer) clearTimeout(timer);
    let wait = RETRY_MS;
    try {
      const due = await nextDueAt(db);
      wait = due === null ? MAX_TIMER_MS : Math.min(MAX_TIMER_MS, Math.max(atLeastMs, due - clock.now()));
    } catch (e) {
      // While the database is away, its recovery (below) runs the sweep; this timer is the fallback.
      if (health.failed(e)) wait = MAX_TIMER_MS;
      else console.error('[sweep] could not read the next deadline; retrying soon:', e);
    }
    if (closed) return;
    timer = setTimeout(() => void sweepNow().catch((e: unknown) => console.error('[sweep] failed:', e)), wait);
    timer.unref();
  };
  health.onRecovered(() => void sweepNow().catch((e: unknown) => console.error('[sweep] failed:', e)));
  // No sweep follows a command (app/handlers.ts): a command (here or on another desktop) may have
  // written a deadline sooner than the one the timer waits for, so the timer reads the next due
  // row again, at most once a RESCHEDULE_MS, off the command's path.
  let rescheduling: NodeJS.Timeout | null = null;
  events.on('change', (change: ChangeNotice | null) => {
    if (rescheduling || closed || (change && change.reason !== 'command' && change.reason !== 'import')) return;
    rescheduling = setTimeout(() => {
      rescheduling = null;
      if (!sweeping && !closed) void schedule();
    }, RESCHEDULE_MS);
    rescheduling.unref();
  });

  // A demo seeding interrupted half-way (the process killed) is finished before anything sweeps:
  // its history is written at past instants, and a sweep at today's time in between would spoil it.
  let resuming: Promise<void> | null = null;
  /** This core is seeding right now (seedIfEmpty or a resume): its own marker is not an interrupted seeding. */
  let seedingHere = 0;
  const seedingInProcess = async <T>(work: () => Promise<T>): Promise<T> => {
    seedingHere++;
    try {
      return await work();
    } finally {
      seedingHere--;
    }
  };
  const resumeDemo = (): Promise<void> =>
    (resuming ??= (async () => {
      if (seedingHere) return;
      const m = await demoSeeding(db);
      // On SQLite a live seeder in another process of this machine is left alone; on a team's server the lock decides.
      if (!m || (!sharesServer(db) && seederAlive(m))) return;
      await seedingInProcess(() =>
        whileNoSweep(db, async () => {
          const still = await demoSeeding(db);
          if (still) await (await loadDemo()).seedDemo(db, still.cases, still.now, evidence);
        }),
      );
    })().finally(() => (resuming = null)));
  await resumeDemo();

  // Catch up on everything that fell due while the application was closed. A long backlog (a
  // long weekend) runs in the background, in chunks, so the windows open at once and show its
  // progress (change notices with `progress`); a command on a case still applies that case's
  // due rows first (runCaseCommand), so nothing acts on a case the catch-up has not reached.
  if ((await dueDeadlines(db, clock.now(), BACKGROUND_CATCH_UP_FROM)).length < BACKGROUND_CATCH_UP_FROM) await sweepNow();
  else void sweepNow();
  // Load the reuse index in the background (a few seconds at a million images), so the first upload does not wait for it.
  const warming = evidence.reuse
    .sync(db)
    .catch((e) => console.error('[evidence] the reuse index could not be loaded yet; the first upload loads it:', e));
  const seedIfEmpty = async (cases: number) => {
    await resuming; // a resume already under way in this process finishes first
    // Under the start-up lock, so desktops opened together on one empty server seed it once; an
    // interrupted seeding is finished (with its own figures) rather than started again.
    return seedingInProcess(() =>
      underStartupLock(db, () =>
        whileNoSweep(db, async () =>
          (await isEmptyDatabase(db)) || (await demoSeeding(db))
            ? (await loadDemo()).seedDemo(db, cases, clock.now(), evidence)
            : { cases: 0, users: 0 },
        ),
      ),
    );
  };
  if (opts.demoIfEmpty) await seedIfEmpty(opts.demoIfEmpty);

  const feed = openFeedApi(context, { rateLimit: opts.feedRateLimit });
  // Every change (this desktop's, and other desktops' heard through LISTEN) may have written outbox rows.
  const webhooks = startWebhookDelivery(db, { ...opts.webhooks, clock });
  events.on('change', () => webhooks.kick());
  async function guardedDispatch(method: string, input: unknown, identity: Identity): Promise<Envelope<unknown>> {
    const envelope = await dispatch(context, method, input, identity);
    if (envelope.ok) health.succeeded();
    else if (envelope.error.code === 'UNAVAILABLE') health.lost();
    return envelope;
  }

  return {
    db,
    context,
    sweepNow,
    feed,
    webhooks,
    setFeedListener(view) {
      feedListener = view;
    },
    dispatch: guardedDispatch,
    async callAs(token, method, input) {
      let identity: Identity = { kind: 'anonymous' };
      if (token !== null) {
        try {
          identity = (await resolveSession(db, sessionIdOf(token), sessionClock.now())) ?? identity;
        } catch (e) {
          if (health.failed(e)) return { ok: false, error: unavailable(e).toError() };
          throw e;
        }
      }
      return guardedDispatch(method, input, identity);
    },
    identify: (token) => resolveSession(db, sessionIdOf(token), sessionClock.now()),
    signOut: (token) => signOutSession(db, sessionIdOf(token), sessionClock.now()),
    readEvidence: (identity, request) =>
      serveEvidence(db, evidence.store, identity, request).catch((e: unknown) => {
        if (!health.failed(e)) throw e;
        const body = Buffer.from(JSON.stringify({ ok: false, error: unavailable().toError() }));
        return {
          status: 503,
          headers: {
            'Content-Type': 'application/json; charset=utf-8',
            'Content-Length': String(body.length),
            'Cache-Control': 'no-store',
          },
          body,
        };
      }),
    async signIn(userId: string, password: string, from: SignInFrom): Promise<Envelope<NewSession>> {
      try {
        if (typeof userId !== 'string' || typeof password !== 'string' || userId.length > 128 || password.length > 1024)
          throw new AppFailure('VALIDATION', 'Give a user id and a password.');
        const signedIn = await signIn(db, userId, password, sessionClock.now(), from);
        return { ok: true, value: { ...signedIn, serverTime: new Date(clock.now()).toISOString() } };
      } catch (e) {
        if (e instanceof AppFailure) return { ok: false, error: e.toError() };
        if (health.failed(e)) return { ok: false, error: unavailable(e).toError() };
        throw e;
      }
    },
    onChange(listener) {
      events.on('change', listener);
      return () => events.off('change', listener);
    },
    isEmpty: () => isEmptyDatabase(db),
    /** Seeds the demo population unless another desktop did meanwhile (the database is no longer empty). */
    seedDemo: seedIfEmpty,
    async close() {
      closed = true;
      // A catch-up under way ends after its current chunk (the rest stays due for the next start).
      sweepRun?.stop();
      await webhooks.close();
      health.close();
      await listener?.close();
      if (timer) clearTimeout(timer);
      if (rescheduling) clearTimeout(rescheduling);
      await sweeping;
      await warming;
      // An import from the screen stops at its next line; the batches before it stay imported.
      imports.cancelRunning();
      await imports.settled();
      await integrity.stop();
      await db.destroy();
    },
  };
}

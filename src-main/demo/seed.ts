import { DEMO_USERS, generateDemoDisputes } from './demo-data';
import type { Db } from '../db/connect';
import { importStream } from '../app/intake/bulk-import';
import { seedDemoEvidence } from './evidence';
import { seedDemoHistory } from './history';
import type { EvidenceFiles } from '../app/evidence/intake';
import { recomputeRisk } from '../app/risk/recompute';
import { createUser } from '../app/session/users';
import { userExists } from '../db/repos/users';
import { DEMO_SEEDING_KEY, deleteSetting, demoSeeding, putSetting } from '../db/repos/demo';
import { sharesServer } from '../db/server';
import { inWriteTx } from '../db/tx';
import { seederAlive, seederOf } from './seeding';

/**
 * Fills a database with the deterministic demo population and one user per demo identity;
 * with an evidence store, also a few cases whose evidence is real files (demo-evidence.ts).
 *
 * Resumable: a marker with the seeding's figures is written before the first row and deleted
 * after the last, and every step is either one transaction that a resumed run can see was
 * done (users, imports, each history step with its progress, each evidence call) or
 * idempotent (the import of identical disputes, the sweeps, the risk recompute). A seeding
 * killed half-way is finished by the next call, with its own case count and instant,
 * whatever this call asks for. Callers hold the seeding lock (db/server.ts whileNoSweep).
 */
export async function seedDemo(db: Db, cases: number, now: number, evidence?: EvidenceFiles): Promise<{ cases: number; users: number }> {
  const interrupted = await demoSeeding(db);
  if (interrupted && !sharesServer(db) && seederAlive(interrupted))
    throw new Error(
      `another process (pid ${interrupted.pid}) is loading the demo into this database right now; wait for it to finish and try again`,
    );
  const run = interrupted ? { cases: interrupted.cases, now: interrupted.now } : { cases, now };
  await inWriteTx(db, (tx) => putSetting(tx, DEMO_SEEDING_KEY, JSON.stringify({ ...run, ...seederOf() })));
  // Created together: each password hash (Argon2id, ~25 ms) goes through the gate, two at once.
  const missing = [];
  for (const u of DEMO_USERS) if (!(await userExists(db, u.id))) missing.push(u);
  await Promise.all(missing.map((u) => createUser(db, u, run.now)));
  const users = missing.length;
  function* records() {
    let line = 0;
    for (const value of generateDemoDisputes({ cases: run.cases, now: run.now, seed: 1 })) yield { line: ++line, value };
  }
  // Disputes imported by an interrupted run come again identical: they change nothing.
  const summary = await importStream(db, records(), {
    now: run.now,
    onProblem: (p) => {
      throw new Error(`demo data line ${p.line} is invalid: ${p.message}`);
    },
  });
  // A few days of past work on some of the cases (the supervisors' desk has something to show).
  await seedDemoHistory(db, run.now);
  if (evidence) await seedDemoEvidence({ db, evidence }, run.now);
  // The history and the evidence moved scores one event at a time, with the priors known then (a
  // first load's own recompute ran before them); score the whole demo population once more with
  // priors fitted to all of it, so the screens agree.
  await recomputeRisk(db, { asOf: run.now });
  await inWriteTx(db, (tx) => deleteSetting(tx, DEMO_SEEDING_KEY));
  return { cases: summary.created + summary.updated + (interrupted ? summary.unchanged : 0), users };
}

import { DEMO_USERS, generateDemoDisputes } from './demo-data';
import type { Db } from '../db/connect';
import { importStream } from '../app/intake/bulk-import';
import { seedDemoEvidence } from './evidence';
import { seedDemoHistory } from './history';
import type { EvidenceFiles } from '../app/evidence/intake';
import { recomputeRisk } from '../app/risk/recompute';
import { createUser } from '../app/session/users';
import { userExists } from '../db/repos/users';

/**
 * Fills a database with the deterministic demo population and one user per demo identity;
 * with an evidence store, also a few cases whose evidence is real files (demo-evidence.ts).
 */
export async function seedDemo(db: Db, cases: number, now: number, evidence?: EvidenceFiles): Promise<{ cases: number; users: number }> {
  // Created together: each password hash (Argon2id, ~25 ms) goes through the gate, two at once.
  const missing = [];
  for (const u of DEMO_USERS) if (!(await userExists(db, u.id))) missing.push(u);
  await Promise.all(missing.map((u) => createUser(db, u, now)));
  const users = missing.length;
  function* records() {
    let line = 0;
    for (const value of generateDemoDisputes({ cases, now, seed: 1 })) yield { line: ++line, value };
  }
  const summary = await importStream(db, records(), {
    now,
    onProblem: (p) => {
      throw new Error(`demo data line ${p.line} is invalid: ${p.message}`);
    },
  });
  // A few days of past work on some of the cases (the supervisors' desk has something to show).
  await seedDemoHistory(db, now);
  if (evidence) await seedDemoEvidence({ db, evidence }, now);
  // The import kept every buyer's score up to date with the priors known at the time; score the
  // whole demo population once more with priors fitted to all of it, so the screens agree.
  await recomputeRisk(db, { asOf: now });
  return { cases: summary.created + summary.updated, users };
}

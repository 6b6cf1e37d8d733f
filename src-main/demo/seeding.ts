import { hostname } from 'node:os';
import type { DemoSeeding } from '../db/repos/demo';

/**
 * Whether the process named by a demo seeding's marker is still seeding, for a database without a
 * lock between processes (SQLite): another live process of this host. A marker of another host (a
 * renamed container, a moved file) is taken as dead. On a team's server the seeding lock
 * (db/server.ts whileNoSweep) settles it instead.
 */
export function seederAlive(m: DemoSeeding): boolean {
  if (m.host !== hostname() || m.pid === process.pid) return false;
  try {
    process.kill(m.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const seederOf = (): Pick<DemoSeeding, 'pid' | 'host'> => ({ pid: process.pid, host: hostname() });

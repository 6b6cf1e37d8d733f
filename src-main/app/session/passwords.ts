import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppFailure } from '../../contract/errors';

/**
 * Password hashes: scrypt at N = 2^17, r = 8, p = 1 (OWASP's minimum), stored as
 * `scrypt$N$r$p$salt$hash` so older, cheaper hashes (2^14) still verify and are re-hashed at
 * the next successful sign-in. One hash needs 128 MiB and ~130 ms of one core, so hashes go
 * through a gate: at most HASH_CONCURRENCY at once, at most HASH_QUEUE waiting; beyond that
 * the caller is told THROTTLED instead of queueing without end.
 */
export const SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;
/** 128·N·r bytes for the hash itself, plus room: Node's default maxmem (32 MiB) refuses N = 2^17. */
const MAX_MEM = 256 * 1024 * 1024;
export const HASH_CONCURRENCY = 2;
export const HASH_QUEUE = 64;

function scrypt(password: string, salt: Buffer, length: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((ok, fail) => scryptCb(password, salt, length, { ...opts, maxmem: MAX_MEM }, (e, key) => (e ? fail(e) : ok(key))));
}

let running = 0;
const waiting: Array<() => void> = [];
/** How many hashes this process computed (tests read it to prove locked attempts are never hashed). */
export const hashStats = { computed: 0 };

/** Runs one hash under the gate; THROTTLED when too many are already waiting. */
async function gated<T>(work: () => Promise<T>): Promise<T> {
  if (running >= HASH_CONCURRENCY) {
    if (waiting.length >= HASH_QUEUE)
      throw new AppFailure('THROTTLED', 'Mediation Desk is checking too many passwords at once; try again in a few seconds.');
    await new Promise<void>((ok) => waiting.push(ok));
  } else running++;
  try {
    hashStats.computed++;
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

export function hashPassword(password: string): Promise<string> {
  return gated(async () => {
    const salt = randomBytes(16);
    const hash = await scrypt(password, salt, 32, SCRYPT);
    return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
  });
}

/** A stored value no password matches (a user who has not set one yet, or after a reset). */
export const NO_PASSWORD = '!no-password';

export function verifyPassword(password: string, stored: string): Promise<boolean> {
  return gated(async () => {
    const [tag, n, r, p, salt, hash] = stored.split('$');
    const params = { N: Number(n), r: Number(r), p: Number(p) };
    if (tag !== 'scrypt' || !salt || !hash || !(params.N >= 2 && params.N <= SCRYPT.N && params.r <= 16 && params.p <= 4)) {
      // Same cost as a real check, so the answer's timing does not tell an unset password apart.
      await scrypt(password, randomBytes(16), 32, SCRYPT);
      return false;
    }
    const expected = Buffer.from(hash, 'base64');
    const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, params);
    return timingSafeEqual(actual, expected);
  });
}

/** True for a hash made with weaker parameters than today's: re-hash it once the password is known. */
export function needsRehash(stored: string): boolean {
  const [tag, n, r, p] = stored.split('$');
  return tag === 'scrypt' && (Number(n) < SCRYPT.N || Number(r) < SCRYPT.r || Number(p) < SCRYPT.p);
}

/** A legacy hash at N = 2^14, as releases before issue 14 stored them (tests of the re-hash). */
export async function legacyHash(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, { N: 2 ** 14, r: 8, p: 1 });
  return `scrypt$${2 ** 14}$8$1$${salt.toString('base64')}$${hash.toString('base64')}`;
}

import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { AppFailure } from '../../contract/errors';

/**
 * Password hashes: Argon2id at OWASP's first recommended setting (19 MiB, t = 2, p = 1), as
 * the PHC string `$argon2id$v=19$m=…,t=…,p=…$salt$hash`. Before 2026-12-04 they were scrypt at
 * N = 2^17, r = 8, p = 1 (also OWASP's minimum), stored as `scrypt$N$r$p$salt$hash`: those,
 * and the older 2^14 ones, still verify and are re-hashed as Argon2id at the next successful
 * sign-in. Why the change: scrypt at 2^17 took 310–620 ms of a loaded 2-core machine, over
 * the whole sign-in → first rows budget (300 ms, issue 16); Argon2id at the setting OWASP
 * lists as equivalent takes ~25 ms (native, off the main thread). Hashes still go through a
 * gate: at most HASH_CONCURRENCY at once, at most HASH_QUEUE waiting; beyond that the caller
 * is told THROTTLED instead of queueing without end.
 */
export const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
/** The scrypt hashes stored before Argon2id: still verified, never written. */
export const SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;
/** 128·N·r bytes for the hash itself, plus room: Node's default maxmem (32 MiB) refuses N = 2^17. */
const MAX_MEM = 256 * 1024 * 1024;
export const HASH_CONCURRENCY = 2;
export const HASH_QUEUE = 64;

// `Algorithm.Argon2id` is 2; the package's enum is an ambient const enum, which isolated modules cannot read.
const ARGON2_OPTIONS = { ...ARGON2, algorithm: 2 } as const;
/** What an Argon2id hash of today's setting starts with (its parameters, not its salt). */
const ARGON2_PREFIX = `$argon2id$v=19$m=${ARGON2.memoryCost},t=${ARGON2.timeCost},p=${ARGON2.parallelism}$`;

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
  return gated(() => argon2Hash(password, ARGON2_OPTIONS));
}

/** A stored value no password matches (a user who has not set one yet, or after a reset). */
export const NO_PASSWORD = '!no-password';

/** Argon2id parameters read from a stored PHC string, within bounds a caller cannot abuse. */
function argon2Params(stored: string): { m: number; t: number; p: number } | null {
  const m = /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,2}),p=(\d{1,2})\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/.exec(stored);
  if (!m) return null;
  const [mem, t, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mem >= 8 * p && mem <= 4 * ARGON2.memoryCost && t >= 1 && t <= 4 * ARGON2.timeCost && p >= 1 && p <= 4 ? { m: mem, t, p } : null;
}

export function verifyPassword(password: string, stored: string): Promise<boolean> {
  return gated(async () => {
    if (argon2Params(stored)) return argon2Verify(stored, password);
    const [tag, n, r, p, salt, hash] = stored.split('$');
    const params = { N: Number(n), r: Number(r), p: Number(p) };
    if (tag !== 'scrypt' || !salt || !hash || !(params.N >= 2 && params.N <= SCRYPT.N && params.r <= 16 && params.p <= 4)) {
      // Same cost as a real check, so the answer's timing does not tell an unset password apart.
      await argon2Hash(password, ARGON2_OPTIONS);
      return false;
    }
    const expected = Buffer.from(hash, 'base64');
    const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, params);
    return timingSafeEqual(actual, expected);
  });
}

/** True for a hash not made with today's Argon2id setting (scrypt, or weaker): re-hash it once the password is known. */
export function needsRehash(stored: string): boolean {
  return stored !== NO_PASSWORD && !stored.startsWith(ARGON2_PREFIX);
}

/**
 * A scrypt hash at N = 2^14 (releases before issue 14) or 2^17 (before Argon2id, 2026-12-04),
 * as those releases stored them: tests of the re-hash at the next sign-in.
 */
export async function legacyScryptHash(password: string, N: 16384 | 131072): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, { ...SCRYPT, N });
  return `scrypt$${N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

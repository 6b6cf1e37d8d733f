import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword, hashStats, legacyScryptHash, needsRehash, verifyPassword } from '../../src-main/app/session/passwords';
import { ACCOUNT_RULE, SOURCE_RULE, signIn, type SignInFrom } from '../../src-main/app/session/sign-in';
import { AppFailure } from '../../src-main/contract/errors';
import type { Db } from '../../src-main/db/connect';
import { sourceLock } from '../../src-main/db/repos/sign-in-throttle';
import { userById } from '../../src-main/db/repos/users';
import { DIALECTS, openTestDb } from './harness';

/**
 * Issue 14, item 2, on every dialect: the failure count is raised atomically before the hash,
 * so a parallel burst cannot outrun the lock, and the lock is per (account, source), so a
 * stranger cannot lock a supervisor's own desktop out.
 */
const NOW = Date.parse('2026-03-10T12:00:00Z');
const RIGHT = 'correct horse battery staple';
const desktop: SignInFrom = { source: 'desktop:11111111-2222-3333-4444-555555555555', userAgent: 'test desktop' };
const from = (source: string): SignInFrom => ({ source, userAgent: 'test' });

const outcome = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof AppFailure) return e.code;
    throw e;
  }
};
const count = (codes: string[], code: string) => codes.filter((c) => c === code).length;

// Each wrong guess that gets through costs a real scrypt at N = 2^17 (~130 ms idle, seconds on a loaded machine).
const SLOW = 300_000;
let rightHash = '';
beforeAll(async () => {
  rightHash = await hashPassword(RIGHT);
}, SLOW);

describe.each(DIALECTS)('sign-in throttling on $name', { timeout: SLOW }, ({ url }) => {
  let db: Db;
  beforeEach(async () => {
    db = await openTestDb(url());
    await db
      .insertInto('users')
      .values({
        id: 'oleg',
        name: 'Oleg',
        role: 'supervisor',
        password_hash: rightHash,
        failed_attempts: 0,
        locked_until: null,
        created_at: NOW,
      })
      .execute();
  }, SLOW);
  afterEach(async () => {
    await db.destroy();
  });

  it('400 parallel wrong guesses: exactly the threshold reach scrypt, then the lock refuses the rest unhashed', async () => {
    const before = hashStats.computed;
    const codes = await Promise.all(
      Array.from({ length: 400 }, (_, i) => outcome(signIn(db, 'oleg', `wrong guess ${i}`, NOW, from('ip:10.0.0.66')))),
    );
    expect(count(codes, 'UNAUTHENTICATED')).toBe(SOURCE_RULE.threshold);
    expect(count(codes, 'THROTTLED')).toBe(400 - SOURCE_RULE.threshold);
    // No slack: the reservation is the only way to a hash.
    expect(hashStats.computed - before).toBe(SOURCE_RULE.threshold);
    const lock = await sourceLock(db, 'oleg', 'ip:10.0.0.66');
    expect(lock).toEqual({ failures: SOURCE_RULE.threshold, lockedUntil: NOW + SOURCE_RULE.delays[0]! });
  });

  it('a burst of right passwords from one place: those past the threshold are refused without being called failed', async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => signIn(db, 'oleg', RIGHT, NOW, from('ip:10.0.0.12')).catch((e: unknown) => e)),
    );
    const refused = answers.filter((a): a is AppFailure => a instanceof AppFailure);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.code).toBe('THROTTLED');
      // Each attempt is counted before its password is checked; none of these failed.
      expect(r.message).not.toMatch(/failed/i);
      expect(r.message).toMatch(/Too many sign-in attempts for this account from here: try again after \d\d:\d\d UTC\./);
    }
  });

  it('a right password inside a burst of 50 wrong ones is refused once the lock holds', async () => {
    const attempts = Array.from({ length: 51 }, (_, i) => (i === 40 ? RIGHT : `wrong ${i}`));
    const before = hashStats.computed;
    const codes = await Promise.all(attempts.map((pw) => outcome(signIn(db, 'oleg', pw, NOW, from('ip:10.0.0.7')))));
    expect(codes[40]).toBe('THROTTLED');
    expect(count(codes, 'ok')).toBe(0);
    expect(hashStats.computed - before).toBe(SOURCE_RULE.threshold);
    // …and after the lock, the right password from the same place works and clears the count.
    await expect(signIn(db, 'oleg', RIGHT, NOW + SOURCE_RULE.delays[0]!, from('ip:10.0.0.7'))).resolves.toMatchObject({ userId: 'oleg' });
    expect(await sourceLock(db, 'oleg', 'ip:10.0.0.7')).toEqual({ failures: 0, lockedUntil: null });
  });

  it("a stranger's five wrong attempts from elsewhere do not lock the supervisor's desktop out", async () => {
    for (let i = 0; i < 5; i++)
      expect(await outcome(signIn(db, 'oleg', `guess ${i}`, NOW + i, from('ip:203.0.113.9')))).toBe('UNAUTHENTICATED');
    // The stranger is locked, even with the right password…
    expect(await outcome(signIn(db, 'oleg', RIGHT, NOW + 10, from('ip:203.0.113.9')))).toBe('THROTTLED');
    // …the supervisor's own desktop is not.
    await expect(signIn(db, 'oleg', RIGHT, NOW + 20, desktop)).resolves.toMatchObject({ userId: 'oleg', role: 'supervisor' });
    // The refusal names a time by which the 30 s lock (until 12:00:30) has surely ended: the next
    // whole minute, not the minute it ends in (12:00, when a retry at 12:00:10 is refused again).
    await expect(signIn(db, 'oleg', RIGHT, NOW + 30, from('ip:203.0.113.9'))).rejects.toThrow(/try again after 12:01 UTC\./);
  });

  it('locks grow: each failure after a lock ends sets a longer one', async () => {
    const src = from('ip:198.51.100.1');
    let now = NOW;
    for (let i = 0; i < SOURCE_RULE.threshold; i++) await outcome(signIn(db, 'oleg', 'nope nope nope', now, src));
    const locks: number[] = [];
    for (let round = 0; round < 3; round++) {
      const lock = (await sourceLock(db, 'oleg', src.source))!.lockedUntil!;
      locks.push(lock - now);
      now = lock; // the lock just ended
      expect(await outcome(signIn(db, 'oleg', 'nope nope nope', now, src))).toBe('UNAUTHENTICATED');
    }
    expect(locks).toEqual(SOURCE_RULE.delays.slice(0, 3));
  });

  it('guessing from many places locks new places account-wide, while a known desktop still signs in', async () => {
    await signIn(db, 'oleg', RIGHT, NOW, desktop); // the desktop becomes a known source
    // In parallel, each from its own place: the account-wide counter is raised atomically too.
    const codes = await Promise.all(
      Array.from({ length: ACCOUNT_RULE.threshold + 5 }, (_, i) =>
        outcome(signIn(db, 'oleg', `guess ${i}`, NOW + 1, from(`ip:192.0.2.${i}`))),
      ),
    );
    expect(count(codes, 'UNAUTHENTICATED')).toBe(ACCOUNT_RULE.threshold);
    expect(count(codes, 'THROTTLED')).toBe(5);
    expect(await outcome(signIn(db, 'oleg', RIGHT, NOW + 100, from('ip:192.0.2.200')))).toBe('THROTTLED');
    await expect(signIn(db, 'oleg', RIGHT, NOW + 100, desktop)).resolves.toMatchObject({ userId: 'oleg' });
    // The account-wide lock is short: new places may try again after it.
    await expect(signIn(db, 'oleg', RIGHT, NOW + 100 + ACCOUNT_RULE.lockMs, from('ip:192.0.2.201'))).resolves.toMatchObject({
      userId: 'oleg',
    });
  });

  it('re-hashes an old scrypt hash (N = 2^14 or 2^17) as Argon2id at the next successful sign-in', async () => {
    for (const old of [
      await legacyScryptHash('an old but long password', 16_384),
      await legacyScryptHash('an old but long password', 131_072),
    ]) {
      await db.updateTable('users').set({ password_hash: old }).where('id', '=', 'oleg').execute();
      expect(needsRehash(old)).toBe(true);
      await signIn(db, 'oleg', 'an old but long password', NOW, desktop);
      const stored = (await userById(db, 'oleg'))!.password_hash;
      expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(needsRehash(stored)).toBe(false);
      await expect(signIn(db, 'oleg', 'an old but long password', NOW + 1, desktop)).resolves.toMatchObject({ userId: 'oleg' });
      expect(await verifyPassword('another password entirely', stored)).toBe(false);
    }
  });

  it('refuses stored Argon2id hashes whose parameters a database editor inflated, without computing them', async () => {
    const good = await hashPassword('a long enough password');
    expect(await verifyPassword('a long enough password', good)).toBe(true);
    // 4 GiB of memory or 1,000 passes would tie up the desk; such a value verifies nothing.
    for (const bad of [
      good.replace('m=19456', 'm=4194304'),
      good.replace('t=2', 't=99'),
      good.replace('p=1', 'p=64'),
      '$argon2id$v=19$m=19456,t=2,p=1$$',
    ])
      expect(await verifyPassword('a long enough password', bad)).toBe(false);
  });

  it('refuses an unknown user and a deactivated one like a wrong password (no session either way)', async () => {
    expect(await outcome(signIn(db, 'nobody', RIGHT, NOW, desktop))).toBe('UNAUTHENTICATED');
    await db.updateTable('users').set({ active: 0 }).where('id', '=', 'oleg').execute();
    expect(await outcome(signIn(db, 'oleg', RIGHT, NOW, desktop))).toBe('UNAUTHENTICATED');
    const sessions = await db.selectFrom('sessions').select('id').execute();
    expect(sessions).toEqual([]);
  });
});

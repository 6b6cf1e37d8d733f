import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../src-main/contract/errors';
import type { MethodName, MethodOutput } from '../../src-main/contract/methods';
import { ManualClock } from '../../src-main/runtime/clock';
import { openCore, type Core } from '../../src-main/runtime/core';
import { startSession, IDLE_MS, LIFETIME_MS, MAX_SESSIONS_PER_USER } from '../../src-main/app/session/sessions';
import { inWriteTx } from '../../src-main/db/tx';

/**
 * Issue 14 items 1 and 3 through the real core (dispatch, sign-in, sessions as rows, SQLite):
 * first-run setup, users added by a supervisor with one-time codes, roles, deactivation,
 * own password changes, session lifetime, the per-user cap and "sign out the others".
 * Every password check is a real scrypt at N = 2^17, so the tests keep them few.
 */
const T0 = Date.parse('2026-03-10T08:00:00Z');
const SLOW = 300_000;
const desktop = { source: 'desktop:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', userAgent: 'test desktop' };
const OLEG_PW = 'a long supervisor passphrase';
const MIRA_PW = 'mira picks a fine passphrase';

let dir: string;
let core: Core;
const wall = new ManualClock(T0);

type Out<M extends MethodName> = MethodOutput<M>;
async function as<M extends MethodName>(token: string | null, method: M, input: unknown = {}): Promise<Envelope<Out<M>>> {
  return (await core.callAs(token, method, input)) as Envelope<Out<M>>;
}
async function ok<M extends MethodName>(token: string | null, method: M, input: unknown = {}): Promise<Out<M>> {
  const r = await as(token, method, input);
  if (!r.ok) throw new Error(`${method} refused: ${r.error.code} ${r.error.message}`);
  return r.value;
}
const codeOf = (r: Envelope<unknown>) => (r.ok ? 'ok' : r.error.code);
async function signIn(userId: string, password: string, from = desktop) {
  const r = await core.signIn(userId, password, from);
  if (!r.ok) throw new Error(`sign-in refused: ${r.error.code} ${r.error.message}`);
  return r.value.token;
}
const auditOf = (subject: string) =>
  core.db.selectFrom('account_audit').select(['actor', 'event']).where('subject', '=', subject).orderBy('id').execute();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'md-accounts-'));
  core = await openCore({ dataDir: dir, databaseUrl: ':memory:', clock: new ManualClock(T0), sessionClock: wall });
});
afterAll(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('accounts through dispatch', { timeout: SLOW }, () => {
  let oleg = '';
  let mira = '';

  it('first run: only "create the first supervisor" is open, and two racing submissions make exactly one', async () => {
    expect(await ok(null, 'setup.status')).toEqual({ needsFirstSupervisor: true });
    expect(codeOf(await as(null, 'queue.counts'))).toBe('UNAUTHENTICATED');
    // The password policy answers before any hashing.
    const short = await as(null, 'setup.createFirstSupervisor', { userId: 'oleg', name: 'Oleg', password: 'too short' });
    expect(short).toMatchObject({ ok: false, error: { code: 'VALIDATION', field: 'password' } });
    const own = await as(null, 'setup.createFirstSupervisor', { userId: 'oleg.sokolov', name: 'Oleg', password: 'Oleg.Sokolov!' });
    expect(own).toMatchObject({ ok: false, error: { code: 'VALIDATION', field: 'password' } });

    const [a, b] = await Promise.all([
      as(null, 'setup.createFirstSupervisor', { userId: 'oleg', name: 'Oleg Sokolov', password: OLEG_PW }),
      as(null, 'setup.createFirstSupervisor', { userId: 'intruder', name: 'Intruder', password: 'another long passphrase' }),
    ]);
    expect([codeOf(a), codeOf(b)].sort()).toEqual(['CONFLICT', 'ok']);
    const winner = a.ok ? 'oleg' : 'intruder';
    expect((await core.db.selectFrom('users').select(['id', 'role']).execute()).map((u) => u.id)).toEqual([winner]);
    expect(await ok(null, 'setup.status')).toEqual({ needsFirstSupervisor: false });
    if (winner !== 'oleg') {
      // The loser of the race is refused from then on; carry on as the winner would.
      await core.db.updateTable('users').set({ id: 'oleg', name: 'Oleg Sokolov' }).where('id', '=', 'intruder').execute();
      const { hashPassword } = await import('../../src-main/app/session/passwords');
      await core.db
        .updateTable('users')
        .set({ password_hash: await hashPassword(OLEG_PW) })
        .where('id', '=', 'oleg')
        .execute();
    }
    expect(codeOf(await as(null, 'setup.createFirstSupervisor', { userId: 'late', name: 'Late', password: OLEG_PW }))).toBe('CONFLICT');
    oleg = await signIn('oleg', OLEG_PW);
    expect(await core.dispatch('session.me', {}, (await core.identify(oleg))!)).toMatchObject({
      ok: true,
      value: { userId: 'oleg', role: 'supervisor' },
    });
  });

  it('a supervisor adds a user with a one-time code; the code sets the password once', async () => {
    const added = await ok(oleg, 'users.add', { userId: 'mira', name: 'Mira Kovač', role: 'mediator' });
    expect(added.user).toMatchObject({ userId: 'mira', role: 'mediator', active: true, passwordSet: false });
    expect(added.code?.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(Date.parse(added.code!.expiresAt) - T0).toBe(24 * 3_600_000);
    // Hashed at rest: the code is nowhere in the database.
    const stored = await core.db.selectFrom('reset_codes').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(added.code!.code.replace(/-/g, ''));
    expect(codeOf(await as(oleg, 'users.add', { userId: 'mira', name: 'Again', role: 'analyst' }))).toBe('DUPLICATE');

    const weak = await as(null, 'password.redeemCode', { userId: 'mira', code: added.code!.code, newPassword: 'mira' });
    expect(weak).toMatchObject({ ok: false, error: { code: 'VALIDATION', field: 'newPassword' } });
    const wrong = await as(null, 'password.redeemCode', { userId: 'mira', code: 'AAAA-BBBB-CCCC', newPassword: MIRA_PW });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'VALIDATION', field: 'code' } });
    const lower = added.code!.code.toLowerCase();
    expect(await ok(null, 'password.redeemCode', { userId: 'mira', code: lower, newPassword: MIRA_PW })).toEqual({ userId: 'mira' });
    expect(codeOf(await as(null, 'password.redeemCode', { userId: 'mira', code: lower, newPassword: 'yet another passphrase' }))).toBe(
      'VALIDATION',
    );
    mira = await signIn('mira', MIRA_PW);
    const list = await ok(oleg, 'users.list');
    expect(list.users.find((u) => u.userId === 'mira')).toMatchObject({ passwordSet: true, codeExpiresAt: null });
    expect(codeOf(await as(mira, 'users.list'))).toBe('FORBIDDEN');
    expect(codeOf(await as(mira, 'users.add', { userId: 'x', name: 'X', role: 'supervisor' }))).toBe('FORBIDDEN');
  });

  it('refuses a user id the case history uses for someone else (system, parties, intake, buyer, seller), in any case', async () => {
    // A supervisor called "system" would decide cases as `decidedBy: "system"`, which means the deadline sweep.
    for (const userId of ['system', 'parties', 'intake', 'buyer', 'seller', 'System']) {
      const refused = await as(oleg, 'users.add', { userId, name: 'Someone', role: 'supervisor' });
      expect(refused, userId).toMatchObject({ ok: false, error: { code: 'VALIDATION', field: 'userId' } });
      expect(refused.ok ? '' : refused.error.message, userId).toMatch(/reserved/);
    }
    expect(codeOf(await as(oleg, 'users.add', { userId: 'systems-lead', name: 'Sys', role: 'analyst' }))).toBe('ok');
  });

  it('a code survives five wrong tries only, even in parallel, and expires', async () => {
    const issued = await ok(oleg, 'users.add', { userId: 'wei', name: 'Wei Lin', role: 'mediator' });
    const guesses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        as(null, 'password.redeemCode', {
          userId: 'wei',
          code: `AAAA-AAAA-AA${String(i).padStart(2, '0')}`,
          newPassword: 'guessing is futile here',
        }),
      ),
    );
    expect(guesses.every((g) => !g.ok)).toBe(true);
    const row = await core.db.selectFrom('reset_codes').select('attempts').where('user_id', '=', 'wei').executeTakeFirstOrThrow();
    expect(row.attempts).toBe(5);
    expect(
      codeOf(await as(null, 'password.redeemCode', { userId: 'wei', code: issued.code!.code, newPassword: 'the right code too late' })),
    ).toBe('VALIDATION');
    const again = await ok(oleg, 'users.issueResetCode', { userId: 'wei' });
    wall.advance(24 * 3_600_000 + 1);
    expect(
      codeOf(await as(null, 'password.redeemCode', { userId: 'wei', code: again.code.code, newPassword: 'the right code too late' })),
    ).toBe('VALIDATION');
    // Sessions idle for a day ended meanwhile: sign in again.
    oleg = await signIn('oleg', OLEG_PW);
    mira = await signIn('mira', MIRA_PW);
  });

  it('roles change at once; the last active supervisor cannot step down', async () => {
    expect(codeOf(await as(oleg, 'users.setRole', { userId: 'oleg', role: 'mediator' }))).toBe('INVALID_STATE');
    expect((await ok(oleg, 'users.setRole', { userId: 'mira', role: 'analyst' })).user.role).toBe('analyst');
    // Mira's open session follows the new role on its next call.
    expect(await as(mira, 'queue.counts')).toMatchObject({ ok: true });
    expect(codeOf(await as(mira, 'case.claimNext'))).toBe('FORBIDDEN');
    await ok(oleg, 'users.setRole', { userId: 'mira', role: 'mediator' });
    expect((await auditOf('mira')).map((e) => e.event)).toEqual([
      'user.added',
      'password.set-with-code',
      'user.role-changed',
      'user.role-changed',
    ]);
  });

  it('deactivation keeps the row, ends the sessions and refuses sign-in', async () => {
    const r = await ok(oleg, 'users.deactivate', { userId: 'mira' });
    expect(r.sessionsEnded).toBe(1);
    expect(r.user).toMatchObject({ active: false, deactivatedBy: 'oleg' });
    expect(codeOf(await as(mira, 'queue.counts'))).toBe('UNAUTHENTICATED');
    expect(await core.signIn('mira', MIRA_PW, desktop)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect((await ok(oleg, 'users.list')).users.map((u) => u.userId)).toContain('mira');
    expect(codeOf(await as(oleg, 'users.deactivate', { userId: 'oleg' }))).toBe('INVALID_STATE');
    expect((await auditOf('mira')).at(-1)).toEqual({ actor: 'oleg', event: 'user.deactivated' });
  });

  it('a reset disables the old password and ends the sessions; the code sets a new one', async () => {
    await ok(oleg, 'users.add', { userId: 'amara', name: 'Amara Okafor', role: 'supervisor', password: 'amara starts with this one' });
    const amara = await signIn('amara', 'amara starts with this one');
    const reset = await ok(oleg, 'users.issueResetCode', { userId: 'amara' });
    expect(reset.sessionsEnded).toBe(1);
    expect(codeOf(await as(amara, 'users.list'))).toBe('UNAUTHENTICATED');
    expect(await core.signIn('amara', 'amara starts with this one', desktop)).toMatchObject({ ok: false });
    await ok(null, 'password.redeemCode', { userId: 'amara', code: reset.code.code, newPassword: 'amara chose a new phrase' });
    await signIn('amara', 'amara chose a new phrase');
  });

  it('everyone changes their own password with the current one; their other sessions end', async () => {
    const other = await signIn('oleg', OLEG_PW, { source: 'ip:127.0.0.1', userAgent: 'a browser' });
    const wrong = await as(oleg, 'password.change', { currentPassword: 'not my password at all', newPassword: 'a brand new passphrase' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'VALIDATION', field: 'currentPassword' } });
    const r = await ok(oleg, 'password.change', { currentPassword: OLEG_PW, newPassword: 'a brand new passphrase' });
    expect(r.sessionsEnded).toBe(1);
    expect(codeOf(await as(other, 'session.list'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await as(oleg, 'session.list'))).toBe('ok');
  });
});

describe('sessions', { timeout: SLOW }, () => {
  it('end after 12 h idle or 7 days in any case, are capped per user, and "sign out the others" keeps this one', async () => {
    const token = await signIn('amara', 'amara chose a new phrase');
    // Kept busy, it still ends at the absolute lifetime.
    const started = wall.now();
    while (wall.now() - started < LIFETIME_MS - IDLE_MS) {
      wall.advance(IDLE_MS - 60_000);
      expect(codeOf(await as(token, 'session.list'))).toBe('ok');
    }
    wall.advance(started + LIFETIME_MS + 1 - wall.now());
    expect(codeOf(await as(token, 'session.list'))).toBe('UNAUTHENTICATED');

    const mine = await signIn('amara', 'amara chose a new phrase');
    wall.advance(IDLE_MS + 1);
    expect(codeOf(await as(mine, 'session.list'))).toBe('UNAUTHENTICATED');

    // Cap: ten other sessions exist (written as rows; each real sign-in costs a scrypt), the 11th ends the oldest.
    const current = await signIn('amara', 'amara chose a new phrase');
    await inWriteTx(core.db, async (tx) => {
      for (let i = 0; i < MAX_SESSIONS_PER_USER; i++)
        await startSession(tx, { id: `fake-${i}`, userId: 'amara', now: wall.now() + i + 1, source: 'ip:10.0.0.1', userAgent: 'old' });
    });
    wall.advance(1_000);
    // The eleventh row ended the oldest open session: the real one.
    expect(codeOf(await as(current, 'session.list'))).toBe('UNAUTHENTICATED');
    const fresh = await signIn('amara', 'amara chose a new phrase');
    const list = (await ok(fresh, 'session.list')).sessions;
    expect(list).toHaveLength(MAX_SESSIONS_PER_USER);
    expect(list[0]).toMatchObject({ current: true, source: 'Desktop app', userAgent: 'test desktop' });
    expect(await ok(fresh, 'session.signOutOthers')).toEqual({ sessionsEnded: MAX_SESSIONS_PER_USER - 1 });
    expect((await ok(fresh, 'session.list')).sessions).toHaveLength(1);
  });

  it('survive a restart of the core: they are rows, and only the hash of a token is stored', async () => {
    const token = await signIn('amara', 'amara chose a new phrase');
    const rows = await core.db.selectFrom('sessions').select('id').execute();
    expect(JSON.stringify(rows)).not.toContain(token);
    // A file database, closed and opened again, still knows the session.
    const file = join(dir, 'restart.sqlite');
    const first = await openCore({ dataDir: dir, databaseUrl: file, sessionClock: wall });
    await first.dispatch(
      'setup.createFirstSupervisor',
      { userId: 'kim', name: 'Kim', password: 'kim has a long password' },
      { kind: 'anonymous' },
    );
    const signed = await first.signIn('kim', 'kim has a long password', desktop);
    await first.close();
    const second = await openCore({ dataDir: dir, databaseUrl: file, sessionClock: wall });
    try {
      expect(await second.callAs(signed.ok ? signed.value.token : null, 'session.me', {})).toMatchObject({
        ok: true,
        value: { userId: 'kim' },
      });
    } finally {
      await second.close();
    }
  });
});

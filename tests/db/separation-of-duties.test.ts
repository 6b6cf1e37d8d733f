import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppealsListView, PolicyVersionView, QualityListView } from '../../src-main/contract/supervision';
import type { Envelope } from '../../src-main/contract/errors';
import type { Identity } from '../../src-main/app/identity';
import { createUser } from '../../src-main/app/session/users';
import type { Db } from '../../src-main/db/connect';
import { ManualClock } from '../../src-main/runtime/clock';
import { openCore, type Core } from '../../src-main/runtime/core';
import { startHttpServer } from '../../src-main/transport/http';
import { deskOn, dispute, INTAKE, M1, S1, S2, S3, T0, type Desk } from './audit-fixtures';
import { DIALECTS, openTestDb } from './harness';

/**
 * Issue 14, item 6: whoever decided a case, handled it (requested evidence, published a
 * proposal) or was ever its assignee may not review its appeal or its quality sample
 * (SEPARATION_OF_DUTIES), and the refusal says who may instead. Through dispatch on every
 * dialect and through the HTTP carrier with real sign-ins.
 */

type Call = <T>(method: string, input: unknown, who: Identity) => Promise<Envelope<T>>;

/** s1 takes the case, maybe asks the buyer for evidence, hands it to m1, who decides; the seller appeals. */
async function appealedAfterHandOver(call: Call, i: number, opts: { requestEvidence: boolean }): Promise<string> {
  const ok = async <T>(method: string, input: unknown, who: Identity) => {
    const r = await call<T>(method, input, who);
    if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
    return r.value;
  };
  const caseId = `AU-${i}`;
  await ok('intake.dispute', dispute(i), INTAKE);
  await ok('case.claim', { caseId }, S1);
  if (opts.requestEvidence) {
    await ok('case.requestEvidence', { caseId, party: 'buyer', request: 'A photo of the crack, please.' }, S1);
    const file = { name: 'crack.jpg', mediaType: 'image/jpeg', sizeBytes: 1_234, sha256: String(i % 10).repeat(64) };
    await ok('party.submitEvidence', { caseId, party: 'buyer', file }, INTAKE);
  }
  await ok('case.assign', { caseId, userId: 'm1' }, S1);
  await ok('case.decide', { caseId, outcome: 'full', reasons: 'The lid arrived cracked.' }, M1);
  await ok('party.appeal', { caseId, party: 'seller', grounds: 'outcome', text: 'The buyer broke it.' }, INTAKE);
  return caseId;
}

describe.each(DIALECTS)('separation of duties on $name (dispatch)', ({ url }) => {
  let db: Db;
  let desk: Desk;
  beforeAll(async () => {
    db = await openTestDb(url());
    desk = await deskOn(db);
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('refuses the appeal review to whoever requested evidence or was an assignee, and names who may instead', async () => {
    const asked = await appealedAfterHandOver(desk.call, 1, { requestEvidence: true });
    const handed = await appealedAfterHandOver(desk.call, 2, { requestEvidence: false });

    const list = await desk.ok<AppealsListView>('appeals.list', {}, S1);
    for (const id of [asked, handed]) expect(list.rows.find((r) => r.caseId === id)).toMatchObject({ mayReview: false });

    const first = await desk.call('appeal.review', { caseId: asked, verdict: 'uphold', reasons: 'Fine.' }, S1);
    expect(first.ok ? null : first.error).toMatchObject({
      code: 'SEPARATION_OF_DUTIES',
      message: expect.stringMatching(/^You handled case AU-1 \(you requested evidence on it\);.*anyone but m1, s1\)\.$/),
    });
    const second = await desk.call('appeal.review', { caseId: handed, verdict: 'uphold', reasons: 'Fine.' }, S1);
    expect(second.ok ? null : second.error).toMatchObject({
      code: 'SEPARATION_OF_DUTIES',
      message: expect.stringMatching(/^You handled case AU-2 as its assignee;/),
    });
    // s2 never touched either case; s3 neither: both may.
    expect((await desk.ok<AppealsListView>('appeals.list', {}, S2)).rows.every((r) => r.mayReview)).toBe(true);
    expect(await desk.ok('appeal.review', { caseId: asked, verdict: 'uphold', reasons: 'The photo shows the crack.' }, S2)).toMatchObject({
      caseId: asked,
      status: 'final',
    });
    expect(await desk.ok('appeal.review', { caseId: handed, verdict: 'uphold', reasons: 'Fine.' }, S3)).toMatchObject({ status: 'final' });
  });

  it('refuses the quality review to an earlier assignee of the sampled case', async () => {
    const current = await desk.ok<PolicyVersionView>('policy.get', {}, S2);
    await desk.ok(
      'policy.publish',
      { policy: { ...current.policy, qualitySampleRate: 1 }, note: 'sample everything', basedOnVersion: current.version },
      S2,
    );
    const caseId = 'AU-3';
    await desk.ok('intake.dispute', dispute(3), INTAKE);
    await desk.ok('case.claim', { caseId }, S1);
    await desk.ok('case.assign', { caseId, userId: 'm1' }, S1);
    await desk.ok('case.decide', { caseId, outcome: 'full', reasons: 'The lid arrived cracked.' }, M1);

    const forS1 = await desk.ok<QualityListView>('quality.list', {}, S1);
    expect(forS1.rows.find((r) => r.caseId === caseId)).toMatchObject({ mayReview: false });
    const refused = await desk.call('quality.review', { caseId, verdict: 'agree', note: 'Looks right.' }, S1);
    expect(refused.ok ? null : refused.error).toMatchObject({
      code: 'SEPARATION_OF_DUTIES',
      message: expect.stringMatching(/^You handled case AU-3 as its assignee; the quality of its decision must be reviewed/),
    });
    const forS3 = await desk.ok<QualityListView>('quality.list', {}, S3);
    expect(forS3.rows.find((r) => r.caseId === caseId)).toMatchObject({ mayReview: true });
    expect(await desk.ok('quality.review', { caseId, verdict: 'agree', note: 'Looks right.' }, S3)).toEqual({ caseId, verdict: 'agree' });
  });
});

describe('separation of duties over HTTP (real sign-ins)', () => {
  let core: Core;
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'md-sod-'));
    const web = join(dir, 'web');
    mkdirSync(web);
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>desk</title>');
    core = await openCore({ dataDir: dir, databaseUrl: ':memory:', clock: new ManualClock(T0), fullIntegrityWalk: false });
    for (const [id, role] of [
      ['m1', 'mediator'],
      ['s1', 'supervisor'],
      ['s3', 'supervisor'],
    ] as const)
      await createUser(core.db, { id, name: id, role, password: `${id}-password-long` }, T0);
    server = await startHttpServer(core, { port: 0, staticDir: web });
  }, 120_000);
  afterAll(async () => {
    await server.close();
    await core.close();
  });

  async function signedIn(userId: string): Promise<Call> {
    const res = await fetch(`${server.url}/api/session/sign-in`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId, password: `${userId}-password-long` }),
    });
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    return async <T>(method: string, input: unknown) => {
      const r = await fetch(`${server.url}/api/call/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: cookie },
        body: JSON.stringify(input),
      });
      return (await r.json()) as Envelope<T>;
    };
  }

  it('refuses the earlier assignee and lets another supervisor review', async () => {
    const caseId = await appealedAfterHandOver((m, i, who) => core.dispatch(m, i, who) as never, 7, { requestEvidence: false });
    const asS1 = await signedIn('s1');
    const refused = await asS1('appeal.review', { caseId, verdict: 'uphold', reasons: 'Fine.' }, S1);
    expect(refused.ok ? null : refused.error).toMatchObject({
      code: 'SEPARATION_OF_DUTIES',
      message: expect.stringContaining('anyone but m1, s1'),
    });
    const asS3 = await signedIn('s3');
    expect(await asS3('appeal.review', { caseId, verdict: 'uphold', reasons: 'Fine.' }, S3)).toMatchObject({
      ok: true,
      value: { status: 'final' },
    });
  }, 120_000);
});

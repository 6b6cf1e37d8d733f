import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, HOUR, M1, S1, S2, deskCall, dispute, feedEvents, feedPost, newKey, openDesk, FEED_DIALECTS, type Desk } from './feed-harness';
import { revokeFeedByName } from '../../src-main/app/feed/admin';

/**
 * FEED.md "Calls in" and "Events out" over the real HTTP server of `serve`, on loopback:
 * every call, its refusals and status codes, idempotency keys, feed ownership, the event
 * cursor and its contents, refund stages.
 */

const photo = async (seed: number) =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r: seed % 255, g: (seed * 7) % 255, b: 90 } } })
    .jpeg()
    .toBuffer();

describe.each(FEED_DIALECTS)('the feed API on $name', ({ url }) => {
  let desk: Desk;
  let caseNo = 0;
  const nextId = () => `F-${++caseNo}`;

  beforeAll(async () => {
    desk = await openDesk(await url(''));
  });
  afterAll(async () => desk?.close());

  async function importCase(id = nextId(), over = {}) {
    const r = await feedPost(desk, 'intake.dispute', dispute(id, over), newKey());
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return id;
  }
  async function withRequest(party: 'buyer' | 'seller' = 'buyer') {
    const id = await importCase();
    await deskCall(desk, 'case.claim', { caseId: id }, M1);
    await deskCall(desk, 'case.requestEvidence', { caseId: id, party, request: 'A photo of the phone on its charger.' }, M1);
    return id;
  }

  it('answers 401 UNAUTHENTICATED for a missing, unknown or revoked token', async () => {
    const res = await fetch(`${desk.server.url}/feed/v1/events`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    const unknown = await feedPost(desk, 'intake.dispute', dispute(nextId()), newKey(), 'mdf_not-a-token');
    expect([unknown.status, unknown.body.error?.code]).toEqual([401, 'UNAUTHENTICATED']);
    const other = await desk.addFeed('to-revoke');
    expect((await feedEvents(desk, 0, 10, other.token)).status).toBe(200);
    await revokeFeedByName(desk.core.db, 'to-revoke', desk.clock.now());
    expect((await feedEvents(desk, 0, 10, other.token)).status).toBe(401);
  });

  it('imports a dispute, answers 400 VALIDATION naming the field, 404 for unknown methods', async () => {
    const id = nextId();
    const r = await feedPost(desk, 'intake.dispute', dispute(id), newKey());
    expect(r.body).toEqual({ ok: true, value: { caseId: id, result: 'created' } });
    const bad = await feedPost(desk, 'intake.dispute', { ...dispute(nextId()), reason: 'bored' }, newKey());
    expect([bad.status, bad.body.error?.code, bad.body.error?.field]).toEqual([400, 'VALIDATION', 'reason']);
    const unknown = await feedPost(desk, 'case.decide', { caseId: id }, newKey());
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'NOT_FOUND']);
    const missing = await feedPost(desk, 'party.reply', { caseId: 'NOPE', party: 'buyer', choice: 'reject' }, newKey());
    expect([missing.status, missing.body.error?.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('names unknown input keys the way the app does: a few, each shortened, never the whole key echoed back', async () => {
    const id = await importCase();
    const huge = 'k'.repeat(1_000_000);
    const one = await feedPost(desk, 'party.reply', { caseId: id, party: 'buyer', choice: 'partial', [huge]: 1 }, newKey());
    expect([one.status, one.body.error?.code]).toEqual([400, 'VALIDATION']);
    expect(one.body.error!.message).toBe(`input: unknown field "${'k'.repeat(40)}…"; remove them.`);
    const many: Record<string, unknown> = { caseId: id, party: 'buyer', choice: 'partial' };
    for (let i = 0; i < 5_000; i++) many[`extra${i}`] = 1;
    const lots = await feedPost(desk, 'party.reply', many, newKey());
    expect(lots.body.error!.message).toBe('input: unknown fields "extra0", "extra1", "extra2" and 4997 more; remove them.');
  });

  it('refuses text holding a NUL character with 400 VALIDATION naming the field (PostgreSQL cannot store it)', async () => {
    const nul = 'does not \u0000 switch on';
    const bad = await feedPost(desk, 'intake.dispute', dispute(nextId(), { description: nul }), newKey());
    expect([bad.status, bad.body.error?.code, bad.body.error?.field]).toEqual([400, 'VALIDATION', 'description']);
    expect(bad.body.error?.message).toMatch(/NUL/);
    const inId = await feedPost(desk, 'intake.dispute', dispute('F-\u0000'), newKey());
    expect([inId.status, inId.body.error?.field]).toEqual([400, 'id']);
    const id = await importCase();
    await deskCall(desk, 'case.claim', { caseId: id }, M1);
    const asked = await desk.core.dispatch('case.requestEvidence', { caseId: id, party: 'buyer', request: `A photo ${nul}` }, M1);
    expect(asked.ok ? 'ok' : [asked.error.code, asked.error.field]).toEqual(['VALIDATION', 'request']);
    const found = await desk.core.dispatch('case.search', { query: 'F-\u0000' }, M1);
    expect(found.ok ? 'ok' : found.error.code).toBe('VALIDATION');
  });

  it('refuses a body that is not UTF-8 (400) instead of storing replacement characters; skips a leading byte-order mark', async () => {
    const send = (body: Buffer) =>
      fetch(`${desk.server.url}/feed/v1/call/intake.dispute`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${desk.token}`, 'Idempotency-Key': newKey(), 'Content-Type': 'application/json' },
        body,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { ok: boolean; error?: { code: string; message: string } } }));
    const id = nextId();
    const [before, after] = JSON.stringify(dispute(id, { description: 'CUT' })).split('CUT') as [string, string];
    // Latin-1 "é" (0xE9) where UTF-8 needs two bytes: Buffer.toString would make it U+FFFD.
    const latin1 = await send(Buffer.concat([Buffer.from(before), Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from(after)]));
    expect([latin1.status, latin1.body.error?.code]).toEqual([400, 'VALIDATION']);
    expect(latin1.body.error?.message).toMatch(/UTF-8/);
    expect(await desk.core.db.selectFrom('cases').select('id').where('id', '=', id).execute()).toEqual([]);
    const bom = await send(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(dispute(id)))]));
    expect([bom.status, bom.body.ok]).toEqual([200, true]);
  });

  it('refuses a call without a usable Idempotency-Key (400)', async () => {
    for (const key of [undefined, '', 'x'.repeat(201), 'clé']) {
      const headers: Record<string, string> = { Authorization: `Bearer ${desk.token}`, 'Content-Type': 'application/json' };
      if (key !== undefined) headers['Idempotency-Key'] = key;
      const res = await fetch(`${desk.server.url}/feed/v1/call/intake.dispute`, {
        method: 'POST',
        headers,
        body: JSON.stringify(dispute(nextId())),
      });
      expect(res.status, String(key)).toBe(400);
    }
    expect((await feedPost(desk, 'intake.dispute', dispute(nextId()), 'k'.repeat(200))).status).toBe(200);
  });

  it('the same key ten times has one effect and one answer; another body under it is 409 CONFLICT', async () => {
    const id = await withRequest();
    const key = newKey();
    const input = { caseId: id, party: 'buyer', file: { name: 'p.jpg', contentBase64: (await photo(3)).toString('base64') } };
    const answers = await Promise.all(Array.from({ length: 10 }, () => feedPost(desk, 'party.submitEvidence', input, key)));
    for (const a of answers) expect(a.body).toEqual(answers[0]!.body);
    expect(answers[0]!.status).toBe(200);
    const rows = await desk.core.db.selectFrom('evidence').select('sha256').where('case_id', '=', id).execute();
    expect(rows).toHaveLength(1);
    const other = await feedPost(desk, 'party.submitEvidence', { ...input, note: 'different' }, key);
    expect([other.status, other.body.error?.code]).toEqual([409, 'CONFLICT']);
    // A refusal is kept under its key too: the same answer again, even after the state would allow it.
    const early = await feedPost(desk, 'party.shipReturn', { caseId: id, trackingNumber: 'RT1' }, 'refused-key-' + id);
    expect([early.status, early.body.error?.code]).toEqual([409, 'INVALID_STATE']);
    const again = await feedPost(desk, 'party.shipReturn', { caseId: id, trackingNumber: 'RT1' }, 'refused-key-' + id);
    expect(again.body).toEqual(early.body);
  });

  it('maps rule refusals to 409 and file refusals to 413 / 415', async () => {
    const id = await withRequest();
    const txt = await feedPost(
      desk,
      'party.submitEvidence',
      { caseId: id, party: 'buyer', file: { name: 'a.jpg', contentBase64: Buffer.from('hello, not a picture').toString('base64') } },
      newKey(),
    );
    expect([txt.status, txt.body.error?.code]).toEqual([415, 'UNSUPPORTED_FILE']);
    const big = Buffer.concat([await photo(1), Buffer.alloc(2 * 1024 * 1024 + 10)]);
    const large = await feedPost(
      desk,
      'party.submitEvidence',
      { caseId: id, party: 'buyer', file: { name: 'big.jpg', contentBase64: big.toString('base64') } },
      newKey(),
    );
    expect([large.status, large.body.error?.code]).toEqual([413, 'FILE_TOO_LARGE']);
    const seller = await feedPost(
      desk,
      'party.submitEvidence',
      { caseId: id, party: 'seller', file: { name: 'b.jpg', contentBase64: (await photo(2)).toString('base64') } },
      newKey(),
    );
    expect([seller.status, seller.body.error?.code]).toEqual([409, 'NO_OPEN_REQUEST']);
    desk.clock.advance(73 * HOUR);
    const late = await feedPost(
      desk,
      'party.submitEvidence',
      { caseId: id, party: 'buyer', file: { name: 'c.jpg', contentBase64: (await photo(4)).toString('base64') } },
      newKey(),
    );
    expect([late.status, late.body.error?.code]).toEqual([409, 'DEADLINE_PASSED']);
    // A JSON body beyond the bound is refused without reading it all.
    const huge = await fetch(`${desk.server.url}/feed/v1/call/intake.dispute`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${desk.token}`, 'Idempotency-Key': newKey(), 'Content-Type': 'application/json' },
      body: 'x'.repeat(5 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
    const notJson = await fetch(`${desk.server.url}/feed/v1/call/intake.dispute`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${desk.token}`, 'Idempotency-Key': newKey(), 'Content-Type': 'text/plain' },
      body: '{}',
    });
    expect(notJson.status).toBe(415);
  });

  it('a feed sees and touches only its own cases', async () => {
    const id = await importCase();
    const other = await desk.addFeed(`other-${caseNo}`);
    const r = await feedPost(desk, 'party.reply', { caseId: id, party: 'buyer', choice: 'reject' }, newKey(), other.token);
    expect([r.status, r.body.error?.code]).toEqual([404, 'NOT_FOUND']);
    const dup = await feedPost(desk, 'intake.dispute', dispute(id), newKey(), other.token);
    expect([dup.status, dup.body.error?.code]).toEqual([409, 'DUPLICATE']);
    expect((await feedEvents(desk, 0, 1000, other.token)).events.filter((e) => e.caseId === id)).toEqual([]);
  });

  it('writes the FEED.md events in seq order through a whole case: request, resolutions, decision with letters, refund stages, final', async () => {
    const start = (await feedEvents(desk, 0, 1000)).next;
    const id = await withRequest();
    const up = await feedPost(
      desk,
      'party.submitEvidence',
      { caseId: id, party: 'buyer', files: [{ name: 'a.jpg', contentBase64: (await photo(9)).toString('base64') }] },
      newKey(),
    );
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    await deskCall(desk, 'case.propose', { caseId: id }, M1);
    expect((await feedPost(desk, 'party.reply', { caseId: id, party: 'buyer', choice: 'partial' }, newKey())).status).toBe(200);
    const dupReply = await feedPost(desk, 'party.reply', { caseId: id, party: 'buyer', choice: 'return' }, newKey());
    expect([dupReply.status, dupReply.body.error?.code]).toEqual([409, 'ALREADY_REPLIED']);
    expect((await feedPost(desk, 'party.reply', { caseId: id, party: 'seller', choice: 'partial' }, newKey())).status).toBe(200);
    const { events } = await feedEvents(desk, start, 1000);
    const mine = events.filter((e) => e.caseId === id);
    expect(mine.map((e) => e.type)).toEqual([
      'case.accepted',
      'evidence.requested',
      'resolutions.published',
      'decision.made',
      'refund.instructed',
      'case.final',
    ]);
    const seqs = events.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(mine[0]!.data).toEqual({ disputeId: id });
    expect(mine[1]!.data).toMatchObject({ party: 'buyer', request: 'A photo of the phone on its charger.' });
    expect(mine[2]!.data).toMatchObject({
      recommended: expect.any(String),
      options: [
        { kind: 'partial', amountMinor: 15_000 },
        { kind: 'return', amountMinor: 20_000 },
      ],
    });
    const decision = mine[3]!.data as {
      outcome: string;
      amountMinor: number;
      basis: string;
      letters: { buyer: { language: string; subject: string; body: string } };
    };
    expect(decision).toMatchObject({ outcome: 'partial', amountMinor: 15_000, basis: 'agreement', appealUntil: null });
    // Each party reads its own language: the buyer is in Russia, the seller in China (no language given, so the country decides).
    expect(decision.letters.buyer.language).toBe('ru');
    expect(decision.letters.buyer.body).toContain('Здравствуйте, Ivan!');
    const seller = (decision.letters as unknown as { seller: { language: string; body: string } }).seller;
    expect(seller.language).toBe('zh');
    expect(seller.body).toContain('Shenzhen Store，您好');
    expect(mine[4]!.data).toEqual({ amountMinor: 15_000, currency: 'USD', payee: 'buyer' });

    // Refund stages: expected → processing → completed; anything else INVALID_STATE; a repeat is a no-op.
    const skip = await feedPost(desk, 'refund.update', { caseId: id, status: 'completed' }, newKey());
    expect([skip.status, skip.body.error?.code]).toEqual([409, 'INVALID_STATE']);
    const noReason = await feedPost(desk, 'refund.update', { caseId: id, status: 'failed' }, newKey());
    expect([noReason.status, noReason.body.error?.field]).toEqual([400, 'reason']);
    const processing = await feedPost(desk, 'refund.update', { caseId: id, status: 'processing', reference: 'PAY-1' }, newKey());
    expect(processing.body).toEqual({ ok: true, value: { caseId: id, status: 'final', refund: 'processing' } });
    expect((await feedPost(desk, 'refund.update', { caseId: id, status: 'processing' }, newKey())).status).toBe(200);
    expect((await feedPost(desk, 'refund.update', { caseId: id, status: 'completed' }, newKey())).body).toMatchObject({
      value: { refund: 'completed' },
    });
    const view = await deskCall<{ refund: { status: string } }>(desk, 'case.get', { caseId: id }, M1);
    expect(view.refund.status).toBe('completed');
    const team = await deskCall<{ refundStages: Array<{ status: string; currency: string; count: number; amountMinor: number }> }>(
      desk,
      'team.overview',
      {},
      S1,
    );
    expect(team.refundStages.find((r) => r.status === 'completed' && r.currency === 'USD')).toMatchObject({
      count: 1,
      amountMinor: 15_000,
    });
    const after = await feedPost(desk, 'refund.update', { caseId: id, status: 'failed', reason: 'bank said no' }, newKey());
    expect([after.status, after.body.error?.code]).toEqual([409, 'INVALID_STATE']);
  });

  it('tells the sweep defaults, returns, appeals and their reviews', async () => {
    const start = (await feedEvents(desk, 0, 1000)).next;
    const id = await importCase(undefined, { claim: { remedy: 'return_and_refund', amountMinor: 20_000 } });
    await deskCall(desk, 'case.claim', { caseId: id }, M1);
    await deskCall(desk, 'case.propose', { caseId: id }, M1);
    await feedPost(desk, 'party.reply', { caseId: id, party: 'buyer', choice: 'reject' }, newKey());
    desk.clock.advance(97 * HOUR);
    await desk.core.sweepNow();
    await deskCall(desk, 'case.decide', { caseId: id, outcome: 'return', reasons: 'Send it back.' }, M1);
    const appeal = await feedPost(
      desk,
      'party.appeal',
      { caseId: id, party: 'seller', grounds: 'outcome', text: 'The phone worked.' },
      newKey(),
    );
    expect(appeal.status, JSON.stringify(appeal.body)).toBe(200);
    await deskCall(desk, 'appeal.review', { caseId: id, verdict: 'overturn', outcome: 'none', reasons: 'Works on video.' }, S2);
    const ship = await feedPost(desk, 'party.shipReturn', { caseId: id, trackingNumber: 'RT-9' }, newKey());
    expect([ship.status, ship.body.error?.code]).toEqual([409, 'INVALID_STATE']);
    const mine = (await feedEvents(desk, start, 1000)).events.filter((e) => e.caseId === id);
    expect(mine.map((e) => e.type)).toEqual([
      'case.accepted',
      'resolutions.published',
      'decision.made',
      'return.instructed',
      'appeal.decided',
      'case.final',
    ]);
    expect(mine[3]!.data.returnDueAt).toEqual(expect.stringMatching(/Z$/));
    expect(mine[4]!.data).toMatchObject({ verdict: 'overturn', outcome: 'none', amountMinor: 0 });

    // A return shipped and confirmed → refund.instructed; a return never shipped → refund.cancelled by the sweep.
    const shipped = await importCase(undefined, { claim: { remedy: 'return_and_refund', amountMinor: 20_000 } });
    const silent = await importCase(undefined, { claim: { remedy: 'return_and_refund', amountMinor: 20_000 } });
    for (const c of [shipped, silent]) {
      await deskCall(desk, 'case.claim', { caseId: c }, M1);
      await deskCall(desk, 'case.propose', { caseId: c }, M1);
      await feedPost(desk, 'party.reply', { caseId: c, party: 'buyer', choice: 'reject' }, newKey());
    }
    desk.clock.advance(97 * HOUR);
    await desk.core.sweepNow();
    for (const c of [shipped, silent]) await deskCall(desk, 'case.decide', { caseId: c, outcome: 'return', reasons: 'Return it.' }, M1);
    expect((await feedPost(desk, 'party.shipReturn', { caseId: shipped, trackingNumber: 'RT-1' }, newKey())).status).toBe(200);
    expect((await feedPost(desk, 'party.confirmReturn', { caseId: shipped }, newKey())).status).toBe(200);
    desk.clock.advance(241 * HOUR);
    await desk.core.sweepNow();
    const all = (await feedEvents(desk, start, 1000)).events;
    expect(all.filter((e) => e.caseId === shipped).map((e) => e.type)).toContain('refund.instructed');
    const cancelled = all.filter((e) => e.caseId === silent);
    expect(cancelled.map((e) => e.type)).toContain('refund.cancelled');
    // The sweep dates its defaults at the deadline they enforce.
    const due = cancelled.find((e) => e.type === 'return.instructed')!.data.returnDueAt;
    expect(cancelled.find((e) => e.type === 'refund.cancelled')!.at).toBe(due);
  });

  it('pages the cursor: limit 1–1000, next, and 400 for a bad query', async () => {
    const all = await feedEvents(desk, 0, 1000);
    expect(all.events.length).toBeGreaterThan(3);
    const first = await feedEvents(desk, 0, 2);
    expect(first.events).toHaveLength(2);
    const second = await feedEvents(desk, first.next, 2);
    expect(second.events[0]!.seq).toBeGreaterThan(first.next);
    expect([...first.events, ...second.events]).toEqual(all.events.slice(0, 4));
    const end = await feedEvents(desk, all.next, 10);
    expect([end.events, end.next]).toEqual([[], all.next]);
    // Only decimal digits: hex, exponents, signs, spaces and empty values are not a seq someone handled.
    for (const q of [
      'limit=0',
      'limit=1001',
      'after=-1',
      'after=abc',
      'after=0x10',
      'after=1e3',
      'after=+5',
      'after=%205',
      'after=',
      'limit=',
    ]) {
      const res = await fetch(`${desk.server.url}/feed/v1/events?${q}`, { headers: { Authorization: `Bearer ${desk.token}` } });
      expect(res.status, q).toBe(400);
      const error = ((await res.json()) as { error: { message: string; field: string } }).error;
      expect(error.field, q).toBe(q.split('=')[0]);
      expect(error.message, q).not.toMatch(/NaN|expected number/);
    }
  });

  it('serves the OpenAPI 3.1 document without a token', async () => {
    const res = await fetch(`${desk.server.url}/feed/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, { post?: { requestBody: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } } }>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const refund = doc.paths['/feed/v1/call/refund.update']!.post!.requestBody.content['application/json']!.schema;
    expect(Object.keys(refund.properties!)).toEqual(['caseId', 'status', 'reference', 'reason']);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/feed/v1/events', '/feed/v1/evidence/{caseId}/{party}', '/feed/v1/call/intake.dispute']),
    );
  });

  it('answers 429 with Retry-After when a feed sends faster than its limit', async () => {
    const slow = await openDesk(await url(''), { rateLimit: { perSecond: 1, burst: 3 } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await feedEvents(slow, 0, 1)).status);
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      const res = await fetch(`${slow.server.url}/feed/v1/events`, { headers: { Authorization: `Bearer ${slow.token}` } });
      expect(res.headers.get('retry-after')).toBe('1');
      // The bucket refills in real time (the desk's test clock is not moved): waiting Retry-After is enough.
      await new Promise((r) => setTimeout(r, 1_000));
      expect((await feedEvents(slow, 0, 1)).status).toBe(200);
    } finally {
      await slow.close();
    }
  });

  void DAY;
});

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSY_MESSAGE, DEFAULT_LANE_LIMITS, EvidenceWorkers } from '../../src-main/files/workers';
import { M1, deskCall, dispute, feedPost, newKey, openDesk, type Desk } from './feed-harness';

/**
 * Issue 13, item 5: when the image queue is full, the feed API answers at once with
 * UNAVAILABLE (503), a sentence a person can act on and Retry-After, records nothing and
 * keeps no answer under the key (a retry runs again); small photos still go through.
 * The desk here has a large-image lane that holds nothing, so every large image finds it full.
 */
describe('a full image queue on the feed API', () => {
  let desk: Desk;
  let workers: EvidenceWorkers;
  let n = 0;
  beforeAll(async () => {
    workers = new EvidenceWorkers(1, {
      laneLimits: { large: { maxWaiting: 0, maxWaitingPerSource: 0, maxWaitingBytes: 0 }, small: DEFAULT_LANE_LIMITS.small },
    });
    desk = await openDesk(undefined, { evidenceAnalyzer: workers });
  });
  afterAll(async () => {
    await desk?.close();
    await workers?.close();
  });

  async function caseWithRequest(): Promise<string> {
    const id = `BUSY-${++n}`;
    expect((await feedPost(desk, 'intake.dispute', dispute(id), newKey())).status).toBe(200);
    await deskCall(desk, 'case.claim', { caseId: id }, M1);
    await deskCall(desk, 'case.requestEvidence', { caseId: id, party: 'buyer', request: 'A photo of the phone, please.' }, M1);
    return id;
  }
  const evidenceOf = (id: string) => desk.core.db.selectFrom('evidence').select('name').where('case_id', '=', id).execute();

  function multipart(files: Array<{ name: string; bytes: Buffer }>): { body: Buffer; type: string } {
    const b = `busy${Math.random().toString(36).slice(2)}`;
    const parts = files.flatMap((f) => [
      Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="${f.name}"\r\nContent-Type: image/png\r\n\r\n`),
      f.bytes,
      Buffer.from('\r\n'),
    ]);
    return { body: Buffer.concat([...parts, Buffer.from(`--${b}--\r\n`)]), type: `multipart/form-data; boundary=${b}` };
  }
  const send = (caseId: string, files: Array<{ name: string; bytes: Buffer }>, key: string) => {
    const { body, type } = multipart(files);
    return fetch(`${desk.server.url}/feed/v1/evidence/${caseId}/buyer`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${desk.token}`, 'Idempotency-Key': key, 'Content-Type': type },
      body,
    });
  };

  // 40 megapixels of flat grey: a few KB of PNG, a large decode.
  const hugePng = () =>
    sharp({ create: { width: 8000, height: 5000, channels: 3, background: '#6a6a6a' } })
      .png()
      .toBuffer();
  const smallPng = (seed: number) =>
    sharp({ create: { width: 120, height: 90, channels: 3, background: { r: seed, g: 90, b: 200 - seed } } })
      .png()
      .toBuffer();

  it('an upload answers 503 UNAVAILABLE with a sentence and Retry-After, records nothing, and a retry under the key runs again', async () => {
    const caseId = await caseWithRequest();
    const key = newKey();
    const files = [
      { name: 'small.png', bytes: await smallPng(10) },
      { name: 'huge.png', bytes: await hugePng() },
    ];
    const res = await send(caseId, files, key);
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.json()).toEqual({ ok: false, error: { code: 'UNAVAILABLE', message: `huge.png: ${BUSY_MESSAGE}` } });
    expect(await evidenceOf(caseId)).toEqual([]); // all or none: the small file of the same answer is not recorded either

    // Nothing was kept under the key: the same request is refused again the same way (not a replayed answer) …
    const again = await send(caseId, files, key);
    expect(again.status).toBe(503);
    // … and the small photo alone, under a new key, goes through: small work never waits behind the full lane.
    const small = await send(caseId, [files[0]!], newKey());
    expect(small.status, JSON.stringify(await small.clone().json())).toBe(200);
    expect(await evidenceOf(caseId)).toEqual([{ name: 'small.png' }]);
  });

  it('a JSON call with the image inline answers the same way', async () => {
    const caseId = await caseWithRequest();
    const r = await feedPost(
      desk,
      'party.submitEvidence',
      { caseId, party: 'buyer', file: { name: 'huge.png', contentBase64: (await hugePng()).toString('base64') } },
      newKey(),
    );
    expect(r.status).toBe(503);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(r.body.error).toEqual({ code: 'UNAVAILABLE', message: `huge.png: ${BUSY_MESSAGE}` });
    expect(await evidenceOf(caseId)).toEqual([]);
  });
});

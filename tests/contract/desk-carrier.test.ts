import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreApi } from '../../src-main/app/core-api';
import { startHttpServer } from '../../src-main/transport/http';
import { withFakeSessions } from './fake-sessions';
import type { Identity } from '../../src-main/app/identity';

/** The e2e tests' intake route: the marketplace feed's identity, and only with the test clock. */
function fakeCore() {
  const calls: Array<{ method: string; input: unknown; identity: Identity }> = [];
  const core: CoreApi = withFakeSessions(
    {
      dispatch: async (method, input, identity) => {
        calls.push({ method, input, identity });
        return { ok: true, value: { echo: method } };
      },
      onChange: () => () => {},
      isEmpty: async () => false,
      seedDemo: async () => ({ cases: 0, users: 0 }),
      close: async () => {},
    },
    () => null,
  );
  return { core, calls };
}

describe('test intake route', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'md-desk-http-'));
    mkdirSync(join(dir, 'web'));
    writeFileSync(join(dir, 'web', 'index.html'), '<!doctype html>');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('dispatches as the intake with the test clock', async () => {
    const fake = fakeCore();
    const server = await startHttpServer(fake.core, {
      port: 0,
      staticDir: join(dir, 'web'),
      testControls: { advanceClock: async () => {}, now: () => 0 },
    });
    try {
      const body = { caseId: 'D-1', party: 'buyer', choice: 'partial' };
      const res = await fetch(`${server.url}/api/test/intake/party.reply`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(await res.json()).toEqual({ ok: true, value: { echo: 'party.reply' } });
      expect(fake.calls).toEqual([{ method: 'party.reply', input: body, identity: { kind: 'intake' } }]);
      // GET is not a call.
      expect((await fetch(`${server.url}/api/test/intake/party.reply`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('does not exist without the test clock', async () => {
    const fake = fakeCore();
    const server = await startHttpServer(fake.core, { port: 0, staticDir: join(dir, 'web') });
    try {
      const res = await fetch(`${server.url}/api/test/intake/party.reply`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(404);
      expect(fake.calls).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CursorStateError, cursorFile } from '../../src-main/demo/marketplace/cursor-state';
import { runMarketplaceSimulator } from '../../src-main/demo/marketplace/simulator';
import { M1, deskCall, feedEvents, openDesk, type Desk } from './feed-harness';

/**
 * `simulate-marketplace --state <file>` (issue 13): the simulator's cursor survives a restart.
 * A second run with the same file acts on what happened while it was away, escalates new
 * disputes (not the first run's again), and does not replay the events the first run handled.
 */
describe('the simulated marketplace keeps its cursor in a state file', () => {
  let desk: Desk;
  beforeAll(async () => {
    desk = await openDesk(undefined);
    // The simulator dates its disputes by the real clock, as a marketplace would.
    desk.clock.advance(Date.now() - desk.clock.now());
  });
  afterAll(async () => desk?.close());

  const seed = 4242;
  async function runUntil(file: string, done: (lines: string[]) => Promise<boolean>): Promise<string[]> {
    const lines: string[] = [];
    const abort = new AbortController();
    const running = runMarketplaceSimulator({
      url: desk.server.url,
      token: desk.token,
      speed: 1_000_000,
      seed,
      temper: 'cooperative',
      disputes: 1,
      everyMinutes: 1,
      pollMs: 30,
      state: cursorFile(file, desk.token, desk.server.url),
      log: (l) => lines.push(l),
      signal: abort.signal,
    });
    for (let i = 0; i < 300 && !(await done(lines)); i++) await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    await running;
    return lines;
  }
  const saved = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { after: number; escalated: number; feed: string };
  const caseExists = async (id: string) => (await desk.core.dispatch('case.get', { caseId: id }, M1)).ok;

  it('resumes after the last event it handled, numbering new disputes after the old ones', async () => {
    const file = join(desk.dir, 'sim.cursor.json');
    expect(existsSync(file)).toBe(false);
    const first = await runUntil(
      file,
      async () => existsSync(file) && saved(file).escalated === 1 && saved(file).after === (await feedEvents(desk)).next,
    );
    expect(await caseExists(`SIM-${seed}-1`)).toBe(true);
    expect(first.some((l) => l.startsWith(`SIM-${seed}-1: escalated — accepted`))).toBe(true);
    expect(saved(file).feed).not.toContain(desk.token.slice(4, 20)); // a hash, not the token

    // While the simulator is stopped the mediator asks the buyer of the first dispute for a photo.
    const id = `SIM-${seed}-1`;
    await deskCall(desk, 'case.claim', { caseId: id }, M1);
    await deskCall(desk, 'case.requestEvidence', { caseId: id, party: 'buyer', request: 'A photo of the item.' }, M1);
    const before = saved(file).after;
    expect((await feedEvents(desk, before)).events.map((e) => e.type)).toEqual(['evidence.requested']);

    const second = await runUntil(
      file,
      async (lines) => lines.some((l) => l.startsWith(`${id}: the buyer uploads`)) && (await caseExists(`SIM-${seed}-2`)),
    );
    expect(second.some((l) => l.startsWith(`${id}: the buyer uploads`) && l.endsWith('accepted'))).toBe(true);
    expect(second.some((l) => l.startsWith(`SIM-${seed}-2: escalated — accepted`))).toBe(true);
    // Nothing of the first run's is acted on again: its case.accepted is not read a second time.
    expect(second.filter((l) => l === `${id}: case.accepted`)).toEqual([]);
    expect(saved(file).escalated).toBe(2);
    expect(saved(file).after).toBeGreaterThan(before);
    const evidence = (await deskCall<{ evidence: unknown[] }>(desk, 'case.get', { caseId: id }, M1)).evidence;
    expect(evidence.length).toBeGreaterThan(0);
  }, 60_000);

  it('refuses a state file written for another feed, and one that is not a cursor', async () => {
    const file = join(desk.dir, 'other.cursor.json');
    cursorFile(file, desk.token, desk.server.url).save({ after: 3, escalated: 1 });
    const other = await desk.addFeed('other-market');
    expect(() => cursorFile(file, other.token, desk.server.url).load()).toThrow(CursorStateError);
    expect(() => cursorFile(file, other.token, desk.server.url).load()).toThrow(/belongs to another feed/);
    expect(cursorFile(file, desk.token, 'http://127.0.0.1:1').load()).toEqual({ after: 3, escalated: 1 });
    const junk = join(desk.dir, 'junk.json');
    cursorFile(junk, desk.token, desk.server.url).save({ after: 1, escalated: 0 });
    await import('node:fs').then((fs) => fs.writeFileSync(junk, '{"after":"x"}'));
    expect(() => cursorFile(junk, desk.token, desk.server.url).load()).toThrow(/not a simulator cursor/);
  });
});

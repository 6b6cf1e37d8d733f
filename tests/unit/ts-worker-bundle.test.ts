import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tsWorkerEntry, tsWorkerEntryAsync } from '../../src-main/util/ts-worker';

// The sweep worker started from source (vitest, the CLI, the bench) is bundled into one file
// first (util/ts-worker.ts bundledEntry) instead of loaded module by module through tsx.
describe('a worker bundled from source', () => {
  const base = new URL('../../src-main/app/sweep/in-worker.ts', import.meta.url).href;

  it('is one module file under node_modules/.cache, built once per process, its packages left as imports', () => {
    const entry = tsWorkerEntry(base, 'no-such-built-worker.js', './worker.ts', { bundle: true });
    expect(entry?.how).toBe('bundled');
    const file = fileURLToPath(entry!.spec);
    expect(file).toMatch(/node_modules[/\\]\.cache[/\\]mediation-desk-workers[/\\]worker-[0-9a-f]{16}\.mjs$/);
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/from "better-sqlite3"/);
    expect(text).toMatch(/from "kysely"/);
    // The project's own modules are inside it: no import of a .ts file is left.
    expect(text).not.toMatch(/from "[^"]*\.ts"/);
    expect(tsWorkerEntry(base, 'no-such-built-worker.js', './worker.ts', { bundle: true })?.spec.toString()).toBe(entry!.spec.toString());
  });

  it('built without blocking the thread (tsWorkerEntryAsync, the start of a sweep): the same file', async () => {
    const entry = await tsWorkerEntryAsync(base, 'no-such-built-worker.js', './worker.ts', { bundle: true });
    expect(entry?.how).toBe('bundled');
    expect(entry!.spec.toString()).toBe(tsWorkerEntry(base, 'no-such-built-worker.js', './worker.ts', { bundle: true })!.spec.toString());
    expect((await tsWorkerEntryAsync(base, 'no-such-built-worker.js', './worker.ts'))?.how).toBe('tsx');
  });

  it('only when asked: other workers still load their source through tsx', () => {
    expect(tsWorkerEntry(base, 'no-such-built-worker.js', './worker.ts')?.how).toBe('tsx');
  });
});

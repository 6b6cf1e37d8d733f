#!/usr/bin/env node
// `npm test`: formatting, typecheck (every layer's tsconfig), lint (with the import-layer
// rule), the vitest layers (unit, db, contract; then team: several desks on one PostgreSQL)
// and the Playwright e2e suite, then ONE closing line "N passed, N failed" over all of them
// (what CI reads).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'md-test-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
const only = process.argv.slice(2); // e.g. `npm test -- unit` runs one stage

function run(name, cmd, args, summaryFile) {
  if (only.length && !only.includes(name)) return;
  process.stdout.write(`\n=== ${name}: ${cmd} ${args.join(' ')}\n`);
  const env = { ...process.env, ...(summaryFile ? { MD_SUMMARY_FILE: summaryFile } : {}) };
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (summaryFile && existsSync(summaryFile)) {
    const s = JSON.parse(readFileSync(summaryFile, 'utf8'));
    totals.passed += s.passed;
    totals.failed += s.failed;
    totals.skipped += s.skipped ?? 0;
    // A runner that crashed after writing its counts still failed.
    if (r.status !== 0 && s.failed === 0) totals.failed++;
  } else if (r.status === 0) totals.passed++;
  else totals.failed++;
}

run('format', 'npm', ['run', '--silent', 'format:check']);
run('typecheck', 'npm', ['run', '--silent', 'typecheck']);
run('lint', 'npm', ['run', '--silent', 'lint']);
run('vitest', 'npx', ['vitest', 'run'], join(dir, 'vitest.json'));
// Several desktops on one PostgreSQL (skipped without TEST_DATABASE_URL).
run('team', 'npx', ['vitest', 'run', '-c', 'vitest.team.config.ts'], join(dir, 'team.json'));
run('web-build', 'npx', ['vite', 'build', '--config', 'vite.web.config.ts', '--logLevel', 'warn']);
run('desktop-build', 'npx', ['electron-vite', 'build', '--logLevel', 'warn']);
run('e2e', 'npx', ['playwright', 'test'], join(dir, 'playwright.json'));

process.stdout.write(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}\n`);
process.exit(totals.failed ? 1 : 0);

/**
 * How many times a setup command (claim, request evidence) writes a `cases` row, triggers
 * included (issue 16, session 29): a temporary AFTER UPDATE trigger on a copy counts every
 * row update of `cases`, whichever statement or trigger made it, and SQLite's total_changes
 * counts every row any statement changed. Run: `npx tsx src-main/bench/case-writes-count.ts IMPORTED.sqlite [N]`.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openDatabase } from '../db/connect';
import { sqliteFileOf } from '../db/background-checkpoint';
import { ensurePolicy } from '../db/repos/policy';
import { runCaseCommand } from '../app/case/commands';
import type { Actor } from '../engine/commands';
import { directArgs, wholeNumber } from './direct-args';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const { positionals } = directArgs(
  `usage: tsx src-main/bench/case-writes-count.ts IMPORTED.sqlite [N]
  Claim, then request evidence, on N (default 200) escalated cases of a copy; prints per command the cases
  rows updated (triggers included) and every row changed.`,
  {},
);
const [src, nArg] = positionals;
if (!src || !existsSync(src)) {
  process.stderr.write(`${src ?? 'the database'}: not found (--help)\n`);
  process.exit(2);
}
const n = wholeNumber(nArg, 'N') ?? 200;
const dir = mkdtempSync(join(tmpdir(), 'md-case-writes-'));
const file = join(dir, 'count.sqlite');
copyFileSync(src, file);
const setup = new BetterSqlite3(file);
setup.exec(`CREATE TABLE case_row_writes (n INTEGER NOT NULL);
  CREATE TRIGGER count_case_row_writes AFTER UPDATE ON cases BEGIN INSERT INTO case_row_writes VALUES (1); END;`);
const ids = (setup.prepare("SELECT id FROM cases WHERE status = 'escalated' ORDER BY id LIMIT ?").all(n) as Array<{ id: string }>).map(
  (r) => r.id,
);
setup.close();

const db = await openDatabase({ url: file });
await ensurePolicy(db, NOW);
const raw = sqliteFileOf(db)!.raw;
const writes = () => (raw.prepare('SELECT count(*) AS n FROM case_row_writes').get() as { n: number }).n;
const changes = () => (raw.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
const actor: Actor = { kind: 'user', id: 'm1', role: 'mediator' };
const request = { type: 'requestEvidence', party: 'buyer', request: 'Please send a photo of the parcel label.' } as const;
for (const [name, command] of [
  ['claim', { type: 'claim' }],
  ['requestEvidence', request],
] as const) {
  const w0 = writes();
  const c0 = changes();
  for (const id of ids) await runCaseCommand(db, id, command, actor, NOW);
  // Each counted write also inserted one counting row: taken off the changes.
  const w = writes() - w0;
  console.log(
    `${name}: ${(w / ids.length).toFixed(2)} cases rows updated a command, ${((changes() - c0 - w) / ids.length).toFixed(2)} rows changed a command`,
  );
}
await db.destroy();
rmSync(dir, { recursive: true, force: true });

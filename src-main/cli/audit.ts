import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { checkHeads, exportHeads, dayWindow, HeadsDocument, rootOf } from '../app/audit/heads';
import { verifyChains, type CaseFinding } from '../app/audit/verify';
import { openDatabase, type Db } from '../db/connect';
import { systemClock } from '../runtime/clock';
import { ArgError, parseArgs } from './args';
import { databaseUrlFromEnv, defaultDataDir } from './paths';

const HELP = `usage: cli audit <verify|heads> [options]

  audit verify [--db URL] [--json] [--heads FILE]
      Walks every case's audit chain and names each case whose history or amounts no
      longer match (broken link, altered event, deleted event, decision/refund mismatch
      with the current case row). With --heads, also checks the history still extends
      every head of an exported heads document. Exit 0: intact; 1: tampering found;
      2: usage error.

  audit heads [--date YYYY-MM-DD] [--db URL]
      Prints the chain heads of one UTC day (default today) as JSON: each case with an
      event that day, its last event's position and hash, and one root hash over them all.
      Keep it (or its root) outside the installation; \`audit verify --heads\` checks it later.

  --db URL   a SQLite file path or postgres:// URL (default: DATABASE_URL, else the data folder's file)
`;

export async function runAudit(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h' || rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  if (sub === 'verify') return verify(rest);
  if (sub === 'heads') return heads(rest);
  throw new ArgError(`unknown audit command "${sub.slice(0, 40)}": use verify or heads (see cli audit --help)`);
}

async function withDb<T>(flag: string | boolean | undefined, work: (db: Db) => Promise<T>): Promise<T> {
  const url = (flag as string | undefined) ?? databaseUrlFromEnv() ?? resolve(defaultDataDir(), 'mediation-desk.sqlite');
  const isFile = !/^(postgres(ql)?|pglite):/.test(url);
  const path = url.replace(/^sqlite:/, '');
  // Opening a missing SQLite file would create an empty database and "verify" it.
  if (isFile && path !== ':memory:' && !existsSync(path)) throw new ArgError(`${path}: no such database file`);
  let db: Db;
  try {
    db = await openDatabase({ url });
  } catch (e) {
    throw new ArgError(`cannot open the database ${isFile ? path : 'server'}: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

async function verify(args: string[]): Promise<void> {
  const { flags, positional } = parseArgs(args, { db: 'string', json: 'boolean', heads: 'string' });
  if (positional.length) throw new ArgError(`unexpected argument "${positional[0]!.slice(0, 40)}" (see cli audit --help)`);
  const json = flags.json === true;
  const headsDoc = typeof flags.heads === 'string' ? await readHeads(flags.heads) : null;
  const print = (f: CaseFinding) => {
    if (!json) process.stdout.write(`case ${f.caseId}: ${f.problems.join('; ')}\n`);
  };
  const { report, headFindings } = await withDb(flags.db, async (db) => {
    const report = await verifyChains(db, { onFinding: print, keep: json ? 10_000 : 0 });
    const headFindings = headsDoc ? await checkHeads(db, headsDoc) : [];
    headFindings.forEach(print);
    return { report, headFindings };
  });
  const ok = report.brokenCases === 0 && headFindings.length === 0;
  if (json)
    process.stdout.write(
      `${JSON.stringify({
        ok,
        events: report.events,
        cases: report.cases,
        brokenCases: report.brokenCases + headFindings.length,
        findings: [...report.findings, ...headFindings],
        ...(headsDoc ? { heads: { date: headsDoc.date, cases: headsDoc.cases, root: headsDoc.root } } : {}),
      })}\n`,
    );
  else
    process.stdout.write(
      ok
        ? `audit chain intact: ${report.events} events in ${report.cases} cases${headsDoc ? `; extends the ${headsDoc.cases} heads of ${headsDoc.date}` : ''}\n`
        : `audit chain BROKEN in ${report.brokenCases + headFindings.length} case(s) (${report.events} events in ${report.cases} cases checked)\n`,
    );
  if (!ok) process.exitCode = 1;
}

async function readHeads(file: string): Promise<HeadsDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ArgError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ArgError(`${file}: is not JSON (expected the output of cli audit heads)`);
  }
  const doc = HeadsDocument.safeParse(parsed);
  if (!doc.success)
    throw new ArgError(
      `${file}: is not an audit heads document (${doc.error.issues[0]!.path.join('.') || 'document'}: ${doc.error.issues[0]!.message})`,
    );
  if (rootOf(doc.data) !== doc.data.root) throw new ArgError(`${file}: its root does not match its heads; the document itself was changed`);
  return doc.data;
}

async function heads(args: string[]): Promise<void> {
  const { flags, positional } = parseArgs(args, { db: 'string', date: 'string' });
  if (positional.length) throw new ArgError(`unexpected argument "${positional[0]!.slice(0, 40)}" (see cli audit --help)`);
  const date = typeof flags.date === 'string' ? flags.date : new Date(systemClock.now()).toISOString().slice(0, 10);
  if (!dayWindow(date)) throw new ArgError(`--date must be a day as YYYY-MM-DD, got "${date.slice(0, 40)}"`);
  await withDb(flags.db, (db) => exportHeads(db, date, (text) => process.stdout.write(text)));
}

import { mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { passwordProblem, UserId } from '../contract/accounts';
import { Role } from '../contract/domain';
import { AppFailure } from '../contract/errors';
import { openDatabase, type Db } from '../db/connect';
import { countUsers } from '../db/repos/users';
import { addUser, deactivate, issueResetCode, usersList } from '../app/session/accounts';
import { systemClock } from '../runtime/clock';
import { ArgError, parseArgs } from './args';
import { databaseUrlFromEnv, defaultDataDir } from './paths';

const HELP = `usage: cli users <add|list|deactivate|reset-password> … [--db <url>]

  users add <id> --role mediator|supervisor|analyst [--name "Full Name"] [--code] [--db <url>]
      Adds a user. The password is read from stdin (first line) or asked for twice on a
      terminal; with --code no password is taken and a one-time code is printed instead,
      which the user enters on the sign-in screen ("I have a one-time code") within 24 hours.
      On an installation without users the first user must be a supervisor.
  users list [--db <url>]
      Every user (deactivated ones too) with role and state, as JSON lines.
  users deactivate <id> [--db <url>]
      The user can no longer sign in and their sessions end; the row and its history stay.
  users reset-password <id> [--db <url>]
      Disables the user's password, ends their sessions and prints a one-time code.

Passwords: at least 12 characters (a passphrase of a few words is the easy way), not the user id.
--db defaults to DATABASE_URL, else the data folder's SQLite file.`;

/** `users …`: the accounts from a terminal (a first supervisor, a reset when nobody can sign in). */
export async function runUsers(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { flags, positional } = parseArgs(rest, { role: 'string', name: 'string', db: 'string', code: 'boolean', help: 'boolean' });
  if (!sub || sub === '--help' || sub === 'help' || flags.help) return void process.stdout.write(`${HELP}\n`);
  const actor = `cli:${safeUserName()}`;
  const now = systemClock.now();
  const one = () => {
    if (positional.length !== 1) throw new ArgError(`users ${sub} takes one user id (see users --help)`);
    return positional[0]!;
  };
  switch (sub) {
    case 'add': {
      const id = UserId.safeParse(one());
      if (!id.success) throw new ArgError(`user id ${id.error.issues[0]!.message}`);
      const role = Role.safeParse(flags.role);
      if (!role.success) throw new ArgError('--role must be mediator, supervisor or analyst');
      const name = typeof flags.name === 'string' && flags.name.trim() ? flags.name.trim().slice(0, 120) : id.data;
      const password = flags.code ? undefined : await readPassword(id.data);
      return withDb(flags.db, async (db) => {
        if ((await countUsers(db)) === 0 && role.data !== 'supervisor')
          throw new ArgError('this installation has no users yet: the first one must be a supervisor (--role supervisor)');
        const r = await addUser(db, { userId: id.data, name, role: role.data, password }, actor, now);
        print(r.code ? { ...r.user, oneTimeCode: r.code.code, codeExpiresAt: r.code.expiresAt } : r.user);
      });
    }
    case 'list':
      if (positional.length) throw new ArgError('users list takes no arguments (see users --help)');
      return withDb(flags.db, async (db) => {
        for (const u of await usersList(db, now)) print(u);
      });
    case 'deactivate': {
      const id = one();
      return withDb(flags.db, async (db) => {
        print(await deactivate(db, id, actor, now));
      });
    }
    case 'reset-password': {
      const id = one();
      return withDb(flags.db, async (db) => {
        const r = await issueResetCode(db, id, actor, now);
        print({ userId: id, oneTimeCode: r.code.code, codeExpiresAt: r.code.expiresAt, sessionsEnded: r.sessionsEnded });
      });
    }
    default:
      throw new ArgError(`unknown users command "${sub.slice(0, 40)}" (add, list, deactivate, reset-password; see users --help)`);
  }
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Refusals of the use cases (unknown user, last supervisor, …) are one sentence and exit 2. */
async function withDb(dbFlag: string | boolean | undefined, work: (db: Db) => Promise<void>): Promise<void> {
  mkdirSync(defaultDataDir(), { recursive: true });
  const url =
    (typeof dbFlag === 'string' ? dbFlag : undefined) ?? databaseUrlFromEnv() ?? resolve(defaultDataDir(), 'mediation-desk.sqlite');
  const db = await openDatabase({ url });
  try {
    await work(db);
  } catch (e) {
    if (e instanceof AppFailure) throw new ArgError(e.message);
    throw e;
  } finally {
    await db.destroy();
  }
}

/** The first line of stdin when it is piped; on a terminal, asked twice without echo. */
async function readPassword(userId: string): Promise<string> {
  const password = process.stdin.isTTY ? await promptTwice() : await firstLineOfStdin();
  const problem = passwordProblem(password, userId);
  if (problem) throw new ArgError(`the password ${problem}`);
  return password;
}

async function firstLineOfStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.includes('\n') || text.length > 1_000) break;
  }
  const line = text.split(/\r?\n/)[0] ?? '';
  if (!line) throw new ArgError('no password on stdin (pipe one line, or use --code for a one-time code)');
  return line;
}

async function promptTwice(): Promise<string> {
  const first = await askHidden('Password: ');
  const second = await askHidden('Again: ');
  if (first !== second) throw new ArgError('the two passwords differ');
  return first;
}

function askHidden(question: string): Promise<string> {
  return new Promise((done) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    // Echo nothing of what is typed: readline writes through _writeToOutput.
    const muted = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stdout.write(question);
    muted._writeToOutput = () => undefined;
    rl.question('', (answer) => {
      rl.close();
      process.stdout.write('\n');
      done(answer);
    });
  });
}

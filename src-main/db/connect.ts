import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Driver, type PostgresPool } from 'kysely';
import { migrations } from '../../migrations';
import type { Database } from './schema';
import { restoreDeferredIndexes } from './repos/bulk-load';
import { markCopyCapable, poolWithCopy } from './copy';
import { markSharedServer, probeNewConnection, resilientPool, underStartupLock } from './server';
import { poolWithStallGuard } from './stall-guard';
import { noticesSent } from './repos/changes';
import { poolWithPrepared } from './prepared';
import { poolWithPipelinedTx } from './pipelined-tx';
import { registerSqliteHandle } from './compiled';
import { registerSqliteFile, sqliteFileOf, type SqliteFile } from './background-checkpoint';

export type Db = Kysely<Database>;
export { checkpointOffThread } from './background-checkpoint';

export interface OpenOptions {
  /**
   * `:memory:`, a file path or `sqlite:<path>` (embedded default); `postgres://…` for a
   * team's shared server; `pglite:` (in memory) for tests of the PostgreSQL dialect.
   */
  url: string;
  /** better-sqlite3's nativeBinding: the Electron build of the addon, so the Node build stays intact for tests. */
  sqliteNativeBinding?: string;
}

export async function openDatabase(opts: OpenOptions): Promise<Db> {
  const db =
    opts.url.startsWith('postgres://') || opts.url.startsWith('postgresql://')
      ? await openPostgres(opts.url)
      : opts.url.startsWith('pglite:')
        ? await openPglite()
        : openSqlite(opts.url.replace(/^sqlite:/, ''), opts.sqliteNativeBinding);
  // A bulk load that died before building its deferred indexes: build them now, before the
  // migrations (their definitions are this schema's; a later migration may drop or rebuild one).
  await restoreDeferredIndexes(db);
  // Desktops starting together on one empty server migrate one after another.
  await underStartupLock(db, () => migrate(db));
  return db;
}

/**
 * Where the desktop bundle finds its Electron build of better-sqlite3, fixed at build time
 * (electron.vite.config.ts `define`, relative to the app's root, so the main process and its
 * worker threads agree) instead of a path read from the environment at run time.
 * Undefined under Node (tests, CLI, `serve`): node_modules' own build is used.
 */
declare const __MD_SQLITE_BINDING__: string | undefined;
function builtBinding(): string | undefined {
  if (typeof __MD_SQLITE_BINDING__ !== 'string') return undefined;
  // The app's root is the nearest folder above this bundle chunk with a package.json (inside
  // app.asar when packaged: Electron reads the archive); native files sit unpacked beside it.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6 && !existsSync(join(dir, 'package.json')); up++) dir = dirname(dir);
  const file = join(dir, __MD_SQLITE_BINDING__).replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
  return existsSync(file) ? file : undefined;
}

/**
 * A second connection to a SQLite file this process already opened and migrated (openDatabase),
 * for a worker thread (the catch-up's, app/sweep/worker.ts): the same pragmas, no migration. With
 * `noAutoCheckpoint` its commits leave checkpoints to the checkpoint worker, as the main
 * connection's do once checkpointOffThread started it.
 */
export function openSqliteConnection(path: string, nativeBinding: string | undefined, noAutoCheckpoint: boolean): Db {
  const db = openSqlite(path, nativeBinding);
  if (noAutoCheckpoint) sqliteFileOf(db)?.raw.pragma('wal_autocheckpoint = 0');
  return db;
}

function openSqlite(path: string, explicitBinding?: string): Db {
  const nativeBinding = explicitBinding ?? builtBinding();
  const raw = new BetterSqlite3(path, nativeBinding ? { nativeBinding } : {});
  if (path !== ':memory:' && path !== '') raw.pragma('journal_mode = WAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  // A decision must survive a power cut once the mediator saw "decided".
  raw.pragma('synchronous = FULL');
  const file: SqliteFile = { raw, path, nativeBinding, checkpoints: null };
  const cached = withStatementCache(raw, () => file.checkpoints?.stop());
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(cached) });
  registerSqliteHandle(db, cached);
  registerSqliteFile(db, file);
  return db;
}

/**
 * Write transactions take SQLite's write lock at BEGIN (`BEGIN IMMEDIATE`), waiting for it as
 * busy_timeout says; a read-only one (`setAccessMode('read only')`: audit-reads inReadSnapshot)
 * stays deferred. A deferred transaction that reads before it writes (a command's locked read,
 * the blob store's replace) cannot take the write lock once another process (the CLI's import,
 * a second window on the file) committed after its read began: SQLite answers SQLITE_BUSY at
 * once, busy_timeout or not, and the command failed with "database is locked". Seen in CI
 * (tests/db/background-checkpoint.test.ts, 2026-12-06). On one connection nothing else changes:
 * this process's transactions never overlap (one connection; the catch-up worker and the
 * checkpoint worker wait at their gates before they write).
 */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly statements: { prepare(sql: string): BetterSqlite3.Statement; close(): void }) {
    super({ database: statements });
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    // Straight on the handle, as kysely's driver would (its one connection is this handle, held
    // by the transaction): without the driver's query object, promise and result wrapping, a few
    // µs of every command's BEGIN and COMMIT (issue 16, session 24).
    const { statements } = this;
    driver.beginTransaction = async (_connection, settings) => {
      statements.prepare(settings.accessMode === 'read only' ? 'begin' : 'begin immediate').run();
    };
    driver.commitTransaction = async () => {
      statements.prepare('commit').run();
    };
    return driver;
  }
}

/**
 * kysely prepares every query anew; compiling the same SQL thousands of times a second
 * (imports, sweeps, queue pages) costs more than running it, so keep recent statements.
 */
function withStatementCache(raw: BetterSqlite3.Database, beforeClose: () => void, max = 512) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(sql: string): BetterSqlite3.Statement {
      const hit = cache.get(sql);
      // A statement still iterating (a streamed query) cannot be reused until it finishes.
      if (hit && !hit.busy) {
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const stmt = raw.prepare(sql);
      if (!hit) {
        cache.set(sql, stmt);
        if (cache.size > max) cache.delete(cache.keys().next().value!);
      }
      return stmt;
    },
    close(): void {
      beforeClose();
      cache.clear();
      raw.close();
    },
  };
}

/** How long closing a PostgreSQL database waits for its last change notices to go out. */
const NOTICES_ON_CLOSE_MS = 2_000;

async function openPostgres(url: string): Promise<Db> {
  const pg = await import('pg');
  const { Pool, Client, types } = pg.default ?? pg;
  // Epoch-ms columns are bigint; they fit a JS number exactly, so parse them as one.
  types.setTypeParser(20, (v: string) => Number(v));
  // Its clients also stream COPY (bulk import, db/copy.ts).
  // Statements stuck on a server that stopped answering fail as a lost connection (stall-guard.ts).
  // A transaction's BEGIN goes out with its first read, its COMMIT with a marked last statement (pipelined-tx.ts).
  const pool = poolWithStallGuard(poolWithPipelinedTx(poolWithCopy(poolWithPrepared(resilientPool(Pool, url)))), {
    probe: () => probeNewConnection(Client, url, 5_000),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // Let the last commits' change notices out before closing (kysely refuses new statements
  // from the moment destroy() starts, so the wait goes before it; bounded).
  const destroy = db.destroy.bind(db);
  db.destroy = async () => {
    await noticesSent(db, NOTICES_ON_CLOSE_MS);
    return destroy();
  };
  markSharedServer(db);
  markCopyCapable(db);
  return db;
}

/** PGlite (PostgreSQL compiled to WASM) behind kysely's PostgresDialect, one connection at a time. */
async function openPglite(): Promise<Db> {
  const { PGlite, types } = await import('@electric-sql/pglite');
  const pglite = new PGlite({ parsers: { [types.INT8]: (v: string) => Number(v) } });
  let queue: Promise<void> = Promise.resolve();
  const client = {
    async query(text: string, params: unknown[]) {
      const r = await pglite.query<Record<string, unknown>>(text, params);
      const command = text.trimStart().split(/\s/, 1)[0]!.toUpperCase();
      return { command, rowCount: r.affectedRows ?? r.rows.length, rows: r.rows };
    },
    release() {},
  };
  const pool = {
    // Serialise connections: PGlite is a single session, so two kysely transactions must not interleave.
    async connect() {
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      const previous = queue;
      queue = previous.then(() => mine);
      await previous;
      return { ...client, release };
    },
    async end() {
      await pglite.close();
    },
  };
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool as unknown as PostgresPool }) });
}

export async function migrate(db: Kysely<Database>): Promise<void> {
  // Unordered: each migration is an independent addition, and a database that already ran a
  // later one (a build with 0016 before 0010 was released) must still take the missing one.
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(
      `database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
    );
  }
}

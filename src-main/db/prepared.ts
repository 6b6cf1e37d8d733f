import { createHash } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import type { PostgresPool } from 'kysely';
import { wrapClientQuery } from './client-query';

/**
 * Statements a team's PostgreSQL server keeps prepared on each connection (a named statement,
 * parsed and planned once per connection instead of on every call). kysely sends every query
 * unnamed, so the server plans it anew each time; for the hottest statements of a team
 * (take-next's pick and its one-statement write, repos/take-next.ts and command-rows.ts)
 * planning cost as much as running them, on a server thirty mediators keep busy.
 *
 * A statement opts in by starting with PREPARED (`prepared\`…\``). On a pool opened with
 * `poolWithPrepared`, its clients send such a query as a named statement whose name is the
 * hash of its text, so the same text (the parameters are bound, not in the text) reuses the
 * statement and a different shape gets its own. Elsewhere (PGlite, SQLite never runs them)
 * the marker is a comment. The server replans a prepared statement by itself when a table it
 * reads changes.
 */
const PREPARED = '/* md:prepared */';
const PATCHED = Symbol('md-prepared');

/** A raw statement the server keeps prepared on each connection (see above). */
export const prepared = <T>(strings: TemplateStringsArray, ...values: unknown[]): RawBuilder<T> =>
  sql<T>([PREPARED + strings[0], ...strings.slice(1)] as unknown as TemplateStringsArray, ...values);

/** Names by text, so the hash is computed once per statement shape. */
const names = new Map<string, string>();
const MAX_NAMES = 256;

function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `md_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    if (names.size >= MAX_NAMES) names.clear();
    names.set(text, name);
  }
  return name;
}

/** Wraps a pg Pool so its clients send PREPARED statements as named ones (see above). */
export function poolWithPrepared<P extends PostgresPool>(pool: P): P {
  return wrapClientQuery(
    pool,
    PATCHED,
    (query) => (text, params) =>
      typeof text === 'string' && text.startsWith(PREPARED)
        ? query({ name: nameOf(text), text, values: params ?? [] })
        : query(text, params),
  );
}

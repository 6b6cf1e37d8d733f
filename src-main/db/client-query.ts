import type { PostgresPool } from 'kysely';

/** A pg client's `query`, as kysely calls it: `query(sql, params)`. */
export type ClientQuery = (text: unknown, params?: unknown[]) => unknown;

/**
 * Wraps the `query` of every client `pool` hands out, once per client (a client comes back
 * from the pool many times): `wrap` receives the client's own query and returns the one
 * kysely will call (and the client itself). Used to stream COPY (copy.ts), to name prepared
 * statements (prepared.ts) and to send a transaction's BEGIN with its first read (pipelined-tx.ts).
 */
export function wrapClientQuery<P extends PostgresPool>(
  pool: P,
  mark: symbol,
  wrap: (query: ClientQuery, client: Record<string, unknown>) => ClientQuery,
): P {
  const connect = pool.connect.bind(pool);
  (pool as { connect: () => Promise<unknown> }).connect = async () => {
    const client = (await connect()) as unknown as { query: ClientQuery } & Record<symbol, true | undefined>;
    if (!client[mark]) {
      client.query = wrap(client.query.bind(client), client);
      client[mark] = true;
    }
    return client;
  };
  return pool;
}

import type { PostgresPool } from 'kysely';
import { wrapClientQuery, type ClientQuery } from './client-query';
import { sqlState } from './retry';
import { markCommitInDoubt } from './tx';

/**
 * A transaction's BEGIN sent with its first statement, and its last statement sent with its
 * COMMIT, on a team's PostgreSQL server.
 *
 * kysely opens a transaction with `begin` and waits for its answer before the first statement,
 * and sends `commit` only after the last statement answered: two round trips that carry no
 * work. With thirty mediators on a loaded server each round trip is a wake-up of the server
 * process and of the desk; take-next's transaction was four of them (BEGIN, pick, write,
 * COMMIT), the raw baseline's five.
 *
 * BEGIN. On a pool opened with `poolWithPipelinedTx`, a client's `begin` is answered at once
 * and held; when the transaction's first statement is a read (`SELECT …`: take-next's pick, a
 * command's row lock), the BEGIN and the read go out together in pg's pipeline mode (the
 * server answers both, in order) and the read's answer is given only if the BEGIN succeeded
 * too. Any other first statement (an INSERT, an UPDATE, a COPY: this wrapper sits outside
 * copy.ts's, so it sees a COPY's text) waits for the BEGIN's answer as before, so a write never
 * runs outside its transaction; a transaction that ends before any statement sends nothing.
 * Should the BEGIN fail while the read succeeded (in practice only a lost connection, which
 * fails both), the read ran on its own: a SELECT changes nothing.
 *
 * COMMIT. A statement marked LAST_STATEMENT (`lastStatement` below) is the caller's promise that
 * nothing follows it in the transaction: it goes out with the COMMIT behind it. If it fails
 * on the server, the transaction is aborted and that COMMIT rolls it back (PostgreSQL answers a
 * COMMIT of an aborted transaction with ROLLBACK); the caller's error makes kysely roll back,
 * which is then answered without a round trip. If the connection is lost before its answer,
 * the COMMIT may have been carried out: the error is marked in doubt (tx.ts commitInDoubt),
 * as a lost COMMIT is. kysely's own `commit` is answered by the one already sent. A statement
 * after a marked one is refused (a programming error: the transaction is already committed).
 */
const PATCHED = Symbol('md-pipelined-tx');
const BEGIN = /^\s*begin\s*;?\s*$/i;
const END = /^\s*(commit|rollback)\s*;?\s*$/i;
/** A plain read, after any leading comments (prepared.ts marks its statements with one). */
const READ = /^\s*(?:\/\*[^*]*\*\/\s*)*select\s/i;
/** The marker of a transaction's last statement, among its leading comments. */
export const LAST_STATEMENT = '/* md:then-commit */';
const MARKED = /^\s*(?:\/\*[^*]*\*\/\s*)*?\/\* md:then-commit \*\//;

/** A pg client's pipeline switch and the state it must be idle in (pg ≥ 8.20 has pipeline mode). */
interface PipelineClient {
  pipeline?: unknown;
  readyForQuery?: unknown;
  _queryQueue?: unknown[];
  _sentQueryQueue?: unknown[];
}

/** Whether this client can send statements back to back now: pipeline mode exists, is off, nothing in flight. */
const canPipeline = (c: PipelineClient): boolean =>
  c.pipeline === false && c.readyForQuery === true && c._queryQueue?.length === 0 && c._sentQueryQueue?.length === 0;

const answered = (command: string) => ({ command, rowCount: null, rows: [], fields: [] });

export function poolWithPipelinedTx<P extends PostgresPool>(pool: P): P {
  return wrapClientQuery(pool, PATCHED, (query, client) => pipelinedTx(query, client as PipelineClient));
}

function pipelinedTx(query: ClientQuery, client: PipelineClient): ClientQuery {
  /** The BEGIN answered but not yet sent. */
  let held: string | null = null;
  /** The COMMIT sent behind a transaction's marked last statement, until kysely asks for it. */
  let committing: Promise<{ command?: string }> | null = null;
  const send = (text: unknown, params?: unknown[]) => query(text, params) as Promise<{ command?: string }>;
  /** Sends `statements` back to back; the switch goes off once all answered (pg matches answers in order while it is on). */
  const together = (...statements: Array<[unknown, unknown[]?]>) => {
    client.pipeline = true;
    const answers = statements.map(([t, p]) => send(t, p));
    const settled = Promise.allSettled(answers).then((all) => {
      client.pipeline = false;
      return all;
    });
    return { answers, settled };
  };

  return (text, params) => {
    const end = typeof text === 'string' && !params?.length ? END.exec(text) : null;
    if (committing) {
      const commit = committing;
      committing = null;
      if (end?.[1]?.toLowerCase() === 'commit') return commit;
      // The marked statement failed (its COMMIT rolled back), or the caller gave up after it.
      if (end)
        return commit.then(
          (r) => {
            if (r.command === 'COMMIT') console.error('[db] a transaction was rolled back after its last statement committed it');
            return answered('ROLLBACK');
          },
          () => answered('ROLLBACK'),
        );
      return Promise.reject(new Error('a statement after the transaction’s last one (it is already committed)'));
    }
    if (typeof text === 'string' && BEGIN.test(text) && !params?.length && held === null) {
      held = text;
      return Promise.resolve(answered('BEGIN'));
    }
    if (held !== null) {
      const begin = held;
      held = null;
      // Nothing ran in the transaction: there is nothing to commit or roll back.
      if (end) return Promise.resolve(answered(end[1]!.toUpperCase()));
      if (typeof text !== 'string' || !READ.test(text) || !canPipeline(client))
        // Not a read: the BEGIN's answer first, as kysely would have waited for it.
        return send(begin).then(() => send(text, params));
      const { answers, settled } = together([begin], [text, params]);
      return settled.then(([b, a]) => {
        if (b!.status === 'rejected') throw b!.reason;
        if (a!.status === 'rejected') throw a!.reason;
        return answers[1];
      });
    }
    if (typeof text === 'string' && MARKED.test(text) && canPipeline(client)) {
      const { answers, settled } = together([text, params], ['commit']);
      committing = settled.then(() => answers[1]!);
      committing.catch(() => undefined); // answered to kysely's COMMIT or ROLLBACK, whichever comes
      return answers[0]!.catch((e: unknown) => {
        // Lost before its answer: the COMMIT behind it may have been carried out.
        if (sqlState(e) === undefined) markCommitInDoubt(e);
        throw e;
      });
    }
    return query(text, params);
  };
}

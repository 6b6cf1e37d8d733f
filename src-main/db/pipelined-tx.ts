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
 *
 * WITH THE NEXT. A statement marked WITH_NEXT (a row lock whose answer the caller does not use:
 * a command's lock on its case, repos/locked-read.ts) is answered at once with no rows and held
 * like the BEGIN; when the next statement is a read, all go out together (BEGIN, lock, read:
 * one round trip) and the read's answer is given only if everything before it succeeded, else
 * the first error. The server runs them in order, each READ COMMITTED statement with a snapshot
 * taken when it starts, so the read still sees what the lock's previous holder committed. Any
 * other next statement, or the transaction's end, sends the held statements first, one by one.
 */
const PATCHED = Symbol('md-pipelined-tx');
const BEGIN = /^\s*begin\s*;?\s*$/i;
const END = /^\s*(commit|rollback)\s*;?\s*$/i;
/** A plain read, after any leading comments (prepared.ts marks its statements with one). */
const READ = /^\s*(?:\/\*[^*]*\*\/\s*)*select\s/i;
/** The marker of a transaction's last statement, among its leading comments. */
export const LAST_STATEMENT = '/* md:then-commit */';
const MARKED = /^\s*(?:\/\*[^*]*\*\/\s*)*?\/\* md:then-commit \*\//;
/** The marker of a statement sent with the one after it, its answer not awaited (see above). */
export const WITH_NEXT = '/* md:with-next */';
const WITH_NEXT_MARKED = /^\s*(?:\/\*[^*]*\*\/\s*)*?\/\* md:with-next \*\//;

/** A pg client's pipeline switch and the state it must be idle in (pg ≥ 8.20 has pipeline mode). */
interface PipelineClient {
  pipeline?: unknown;
  readyForQuery?: unknown;
  _queryQueue?: unknown[];
  _sentQueryQueue?: unknown[];
  connection?: { stream?: { cork?(): void; uncork?(): void } };
}

/** Whether this client can send statements back to back now: pipeline mode exists, is off, nothing in flight. */
const canPipeline = (c: PipelineClient): boolean =>
  c.pipeline === false && c.readyForQuery === true && c._queryQueue?.length === 0 && c._sentQueryQueue?.length === 0;

const answered = (command: string) => ({ command, rowCount: null, rows: [], fields: [] });

export function poolWithPipelinedTx<P extends PostgresPool>(pool: P): P {
  return wrapClientQuery(pool, PATCHED, (query, client) => pipelinedTx(query, client as PipelineClient));
}

function pipelinedTx(query: ClientQuery, client: PipelineClient): ClientQuery {
  /** The BEGIN and WITH_NEXT statements answered but not yet sent. */
  let held: Array<[unknown, unknown[]?]> = [];
  /** The COMMIT sent behind a transaction's marked last statement, until kysely asks for it. */
  let committing: Promise<{ command?: string }> | null = null;
  const send = (text: unknown, params?: unknown[]) => query(text, params) as Promise<{ command?: string }>;
  /** Sends `statements` back to back; the switch goes off once all answered (pg matches answers in order while it is on). */
  const together = (...statements: Array<[unknown, unknown[]?]>) => {
    client.pipeline = true;
    // One write for them all: pg writes each statement with a write of its own (a wake-up of
    // the server process each, on a loaded machine a context switch each); corked, the socket
    // sends them as one (pg submits a statement synchronously when pipelining).
    const stream = client.connection?.stream;
    stream?.cork?.();
    let answers: Array<Promise<{ command?: string }>>;
    try {
      answers = statements.map(([t, p]) => send(t, p));
    } finally {
      stream?.uncork?.();
    }
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
    if (typeof text === 'string' && BEGIN.test(text) && !params?.length && !held.length) {
      held.push([text]);
      return Promise.resolve(answered('BEGIN'));
    }
    if (typeof text === 'string' && WITH_NEXT_MARKED.test(text) && canPipeline(client)) {
      held.push([text, params]);
      return Promise.resolve(answered('SELECT'));
    }
    if (held.length) {
      const before = held;
      held = [];
      // Nothing ran in the transaction: there is nothing to commit or roll back.
      if (end && before.length === 1 && typeof before[0]![0] === 'string' && BEGIN.test(before[0]![0]))
        return Promise.resolve(answered(end[1]!.toUpperCase()));
      if (end || typeof text !== 'string' || !READ.test(text) || !canPipeline(client))
        // Not a read: each held statement's answer first, as kysely would have waited for it.
        return before
          .reduce<Promise<unknown>>((sent, [t, p]) => sent.then(() => send(t, p)), Promise.resolve())
          .then(() => send(text, params));
      const { answers, settled } = together(...before, [text, params]);
      return settled.then((all) => {
        for (const a of all) if (a.status === 'rejected') throw a.reason;
        return answers.at(-1);
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

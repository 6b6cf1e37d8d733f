import { describe, expect, it } from 'vitest';
import type { PostgresPool } from 'kysely';
import { LAST_STATEMENT, WITH_NEXT, poolWithPipelinedTx } from '../../src-main/db/pipelined-tx';
import { commitInDoubt } from '../../src-main/db/tx';

/**
 * A stand-in for a pg client: records each statement with how many were already in flight
 * when it went out (more than 0: it went out with them, no round trip of its own), and answers
 * them in order on a later tick, as the server does. `fail` makes a statement's answer an error.
 */
function fakeClient(fail: (text: string) => Error | null = () => null) {
  const sent: Array<{ text: string; inFlight: number; pipelined: boolean }> = [];
  let inFlight = 0;
  // A failed statement aborts the transaction: its COMMIT is answered ROLLBACK, as PostgreSQL does.
  let aborted = false;
  const client = {
    pipeline: false,
    readyForQuery: true,
    _queryQueue: [] as unknown[],
    _sentQueryQueue: [] as unknown[],
    query(text: string) {
      sent.push({ text, inFlight, pipelined: client.pipeline });
      inFlight++;
      return new Promise((ok, ko) =>
        setTimeout(() => {
          inFlight--;
          const e = fail(text);
          if (text === 'begin') aborted = false;
          if (e) {
            aborted = true;
            ko(e);
          } else {
            const command = text === 'commit' && aborted ? 'ROLLBACK' : text.trim().split(/\s+/)[0]!.toUpperCase();
            ok({ command, rowCount: 1, rows: [{ text }] });
          }
        }, 1),
      );
    },
  };
  const pool = poolWithPipelinedTx({ connect: async () => client } as unknown as PostgresPool);
  const connect = async () => (await pool.connect()) as unknown as { query(t: string, p?: unknown[]): Promise<{ rows: unknown[] }> };
  return { sent, connect, client };
}

const serverError = (code: string) => Object.assign(new Error('server said no'), { code });

describe('db/pipelined-tx: BEGIN with the first read, COMMIT with a marked last statement', () => {
  it('sends BEGIN and a first SELECT together, and answers the SELECT', async () => {
    const { sent, connect, client } = fakeClient();
    const c = await connect();
    await c.query('begin');
    expect(sent).toEqual([]);
    const r = await c.query('/* md:prepared */ SELECT 1 FROM cases FOR UPDATE SKIP LOCKED', []);
    expect(r.rows).toEqual([{ text: '/* md:prepared */ SELECT 1 FROM cases FOR UPDATE SKIP LOCKED' }]);
    expect(sent.map((s) => [s.text.slice(0, 20), s.inFlight])).toEqual([
      ['begin', 0],
      ['/* md:prepared */ SE', 1],
    ]);
    expect(client.pipeline).toBe(false);
  });

  it('waits for the BEGIN before a first write, and sends nothing for a transaction without statements', async () => {
    const { sent, connect } = fakeClient();
    const c = await connect();
    await c.query('begin');
    await c.query('INSERT INTO t VALUES ($1)', [1]);
    await c.query('commit');
    expect(sent.map((s) => [s.text, s.inFlight])).toEqual([
      ['begin', 0],
      ['INSERT INTO t VALUES ($1)', 0],
      ['commit', 0],
    ]);
    sent.length = 0;
    await c.query('begin');
    await c.query('rollback');
    expect(sent).toEqual([]);
  });

  it('fails the first read when its BEGIN failed', async () => {
    const { connect } = fakeClient((t) => (t === 'begin' ? serverError('57P01') : null));
    const c = await connect();
    await c.query('begin');
    await expect(c.query('SELECT 1')).rejects.toThrow('server said no');
  });

  it('sends a marked last statement with the COMMIT, and answers kysely’s COMMIT with it', async () => {
    const { sent, connect } = fakeClient();
    const c = await connect();
    await c.query('begin');
    await c.query('SELECT 1');
    await c.query(`/* md:prepared */${LAST_STATEMENT} WITH changed AS (UPDATE cases SET x = 1) SELECT 1`, [1]);
    await c.query('commit');
    expect(sent.map((s) => [s.text.slice(0, 5), s.inFlight])).toEqual([
      ['begin', 0],
      ['SELEC', 1],
      ['/* md', 0],
      ['commi', 1],
    ]);
  });

  it('a marked statement refused by the server: its error, not in doubt, and the ROLLBACK costs no round trip', async () => {
    const { sent, connect } = fakeClient((t) => (t.includes('WITH') ? serverError('23505') : null));
    const c = await connect();
    await c.query('begin');
    await c.query('SELECT 1');
    const e = await c.query(`${LAST_STATEMENT} WITH x AS (SELECT 1) SELECT 1`).catch((err: unknown) => err);
    expect((e as Error).message).toBe('server said no');
    expect(commitInDoubt(e)).toBe(false);
    await c.query('rollback');
    expect(sent.map((s) => s.text.slice(0, 5))).toEqual(['begin', 'SELEC', `${LAST_STATEMENT}`.slice(0, 5), 'commi']);
  });

  it('a marked statement lost with its connection: in doubt (its COMMIT may have been carried out)', async () => {
    const { connect } = fakeClient((t) => (t.includes('WITH') || t === 'commit' ? new Error('Connection terminated unexpectedly') : null));
    const c = await connect();
    await c.query('begin');
    await c.query('SELECT 1');
    const e = await c.query(`${LAST_STATEMENT} WITH x AS (SELECT 1) SELECT 1`).catch((err: unknown) => err);
    expect(commitInDoubt(e)).toBe(true);
    await c.query('rollback');
  });

  it('refuses a statement after a marked last one', async () => {
    const { connect } = fakeClient();
    const c = await connect();
    await c.query('begin');
    await c.query('SELECT 1');
    await c.query(`${LAST_STATEMENT} WITH x AS (SELECT 1) SELECT 1`);
    await expect(c.query('INSERT INTO t VALUES (1)')).rejects.toThrow('already committed');
  });

  it('sends a WITH_NEXT lock with the BEGIN and the read after it, and answers the read', async () => {
    const { sent, connect, client } = fakeClient();
    const c = await connect();
    await c.query('begin');
    const lock = await c.query(`/* md:prepared */${WITH_NEXT} SELECT id FROM cases WHERE id = $1 FOR UPDATE`, ['C1']);
    expect(lock.rows).toEqual([]);
    expect(sent).toEqual([]);
    const r = await c.query('/* md:prepared */ SELECT * FROM cases c WHERE c.id = $1 FOR UPDATE OF c', ['C1']);
    expect(r.rows).toEqual([{ text: '/* md:prepared */ SELECT * FROM cases c WHERE c.id = $1 FOR UPDATE OF c' }]);
    expect(sent.map((s) => s.inFlight)).toEqual([0, 1, 2]);
    expect(sent.map((s) => s.text.slice(0, 5))).toEqual(['begin', '/* md', '/* md']);
    expect(client.pipeline).toBe(false);
  });

  it('a WITH_NEXT lock that failed fails the read after it with its own error', async () => {
    const { connect } = fakeClient((t) => (t.includes('with-next') ? serverError('40P01') : null));
    const c = await connect();
    await c.query('begin');
    await c.query(`${WITH_NEXT} SELECT id FROM cases FOR UPDATE`);
    const e = await c.query('SELECT 1').catch((err: unknown) => err);
    expect((e as { code?: string }).code).toBe('40P01');
  });

  it('a WITH_NEXT statement followed by a write or the end is sent first, on its own', async () => {
    const { sent, connect } = fakeClient();
    const c = await connect();
    await c.query('begin');
    await c.query(`${WITH_NEXT} SELECT id FROM cases FOR UPDATE`);
    await c.query('UPDATE cases SET x = 1');
    await c.query('commit');
    expect(sent.map((s) => [s.text.slice(0, 6), s.inFlight])).toEqual([
      ['begin', 0],
      ['/* md:', 0],
      ['UPDATE', 0],
      ['commit', 0],
    ]);
    sent.length = 0;
    await c.query('begin');
    await c.query(`${WITH_NEXT} SELECT id FROM cases FOR UPDATE`);
    await c.query('rollback');
    expect(sent.map((s) => s.text.slice(0, 6))).toEqual(['begin', '/* md:', 'rollba']);
  });
});

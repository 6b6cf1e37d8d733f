import { describe, expect, it } from 'vitest';
import { isDatabaseUnreachable, unavailable, UNAVAILABLE_MESSAGE } from '../../src-main/db/unavailable';

/** The one classification of "the case database cannot be reached" (db/unavailable.ts). */
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnreachable', () => {
  it.each([
    ['connection refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['connection reset', withCode('read ECONNRESET', 'ECONNRESET')],
    ['socket timeout', withCode('connect ETIMEDOUT 10.0.0.1:5432', 'ETIMEDOUT')],
    ['broken pipe', withCode('write EPIPE', 'EPIPE')],
    ['unknown host', withCode('getaddrinfo ENOTFOUND db.team', 'ENOTFOUND')],
    ['pg_terminate_backend (57P01 admin_shutdown)', withCode('terminating connection due to administrator command', '57P01')],
    ['crash shutdown (57P02)', withCode('terminating connection because of crash of another server process', '57P02')],
    ['server starting up (57P03)', withCode('the database system is starting up', '57P03')],
    ['too many connections (53300)', withCode('sorry, too many clients already', '53300')],
    ['connection exception class 08 (08006)', withCode('connection failure', '08006')],
    ['connection does not exist (08003)', withCode('connection does not exist', '08003')],
    ['pg: socket closed', new Error('Connection terminated unexpectedly')],
    ['pg: connect timeout', new Error('Connection terminated due to connection timeout')],
    ['pg-pool: connect timeout', new Error('timeout exceeded when trying to connect')],
    ['pg: dead client reused', new Error('Client has encountered a connection error and is not queryable')],
    ['pg: query_timeout', new Error('Query read timeout')],
    ['wrapped in a cause', new Error('migration failed', { cause: withCode('read ECONNRESET', 'ECONNRESET') })],
    [
      'happy eyeballs: every address refused',
      Object.assign(new AggregateError([withCode('a', 'ECONNREFUSED'), withCode('b', 'ECONNREFUSED')]), { code: undefined }),
    ],
  ])('%s → unreachable', (_name, error) => {
    expect(isDatabaseUnreachable(error)).toBe(true);
  });

  it.each([
    ['a unique violation (23505)', withCode('duplicate key value violates unique constraint "users_pkey"', '23505')],
    ['a serialization failure (40001)', withCode('could not serialize access', '40001')],
    ['a deadlock (40P01)', withCode('deadlock detected', '40P01')],
    ['a syntax error (42601)', withCode('syntax error at or near "SELEC"', '42601')],
    ['a query cancelled by statement_timeout (57014)', withCode('canceling statement due to statement timeout', '57014')],
    ['SQLite busy', withCode('database is locked', 'SQLITE_BUSY')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a file not found', withCode('ENOENT: no such file', 'ENOENT')],
    ['nothing', undefined],
    ['a string', 'Connection terminated'],
    ['an AggregateError with one real bug in it', new AggregateError([withCode('a', 'ECONNREFUSED'), new Error('bug')])],
  ])('%s → not unreachable', (_name, error) => {
    expect(isDatabaseUnreachable(error)).toBe(false);
  });

  it('answers UNAVAILABLE with a sentence a person can act on', () => {
    expect(unavailable().toError()).toEqual({ code: 'UNAVAILABLE', message: UNAVAILABLE_MESSAGE });
    expect(UNAVAILABLE_MESSAGE).toMatch(/cannot be reached.*keeps retrying.*Nothing was changed\./);
  });
});

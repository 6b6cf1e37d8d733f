import { describe, expect, it } from 'vitest';
import { commitInDoubt, inWriteTx, type Reader } from '../../src-main/db/tx';
import { UNAVAILABLE_AT_COMMIT_MESSAGE, UNAVAILABLE_MESSAGE, unavailable } from '../../src-main/db/unavailable';

/** A connection lost at the COMMIT (after the work ran), as kysely reports it: the callback's result never returned. */
function losingConnection(): Reader {
  const lost = () => new Error('Connection terminated unexpectedly');
  return {
    isTransaction: false,
    // As kysely's: its adapter names the connection (db/background-checkpoint.ts finds none for it).
    getExecutor: () => ({ adapter: {} }),
    transaction: () => ({
      execute: async (callback: (tx: unknown) => Promise<unknown>) => {
        await callback({ isTransaction: true });
        // kysely commits after the callback; a lost connection fails the COMMIT (and the rollback after it).
        throw lost();
      },
    }),
  } as unknown as Reader;
}

describe('a connection lost during a write', () => {
  it('before the work ended: nothing was changed', async () => {
    const db = losingConnection();
    const e = await inWriteTx(db, async () => {
      throw new Error('Connection terminated unexpectedly');
    }).catch((x: unknown) => x);
    expect(commitInDoubt(e)).toBe(false);
    expect(unavailable(e).message).toBe(UNAVAILABLE_MESSAGE);
  });

  it('at the COMMIT: the answer does not claim that nothing was changed', async () => {
    const db = losingConnection();
    const e = await inWriteTx(db, async () => 'written').catch((x: unknown) => x);
    expect(commitInDoubt(e)).toBe(true);
    const failure = unavailable(e);
    expect(failure.code).toBe('UNAVAILABLE');
    expect(failure.message).toBe(UNAVAILABLE_AT_COMMIT_MESSAGE);
    expect(failure.message).not.toMatch(/nothing was changed/i);
  });

  it('a write joined to an outer transaction leaves the verdict to that transaction', async () => {
    const inner = { isTransaction: true } as unknown as Reader;
    const e = await inWriteTx(inner, async () => {
      throw new Error('Connection terminated unexpectedly');
    }).catch((x: unknown) => x);
    expect(commitInDoubt(e)).toBe(false);
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src-main/db/connect';
import { prepared } from '../../src-main/db/prepared';
import { DIALECTS, openTestDb } from './harness';

/**
 * Statements kept prepared on a team server's connections (db/prepared.ts): the same answers
 * as a plain statement everywhere, and on PostgreSQL one named statement per text on a
 * connection, reused whatever its parameters, planned once.
 */
describe.each(DIALECTS.filter((d) => d.name !== 'sqlite'))('prepared statements on $name', ({ name, url }) => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb(url());
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('answer as the plain statement does, parameters bound', async () => {
    const run = (n: number, s: string) => prepared<{ n: number; s: string }>`SELECT ${n}::integer + 1 AS n, ${s}::text AS s`.execute(db);
    expect((await run(1, "it's")).rows).toEqual([{ n: 2, s: "it's" }]);
    expect((await run(41, '; DROP TABLE cases; --')).rows).toEqual([{ n: 42, s: '; DROP TABLE cases; --' }]);
  });

  it.skipIf(name !== 'postgres')(
    'are named on the connection once per text, reused with other parameters; others stay unnamed',
    async () => {
      await db.connection().execute(async (conn) => {
        const mine = async () =>
          (await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements WHERE name LIKE 'md\\_%'`.execute(conn)).rows.map(
            (r) => r.statement,
          );
        const before = (await mine()).length;
        for (const id of ['a', 'b', 'c'])
          await prepared`SELECT count(*) AS n FROM cases WHERE id = ${id} /* prepared test */`.execute(conn);
        await sql`SELECT count(*) AS n FROM cases WHERE id = ${'d'} /* plain test */`.execute(conn);
        const after = await mine();
        expect(after.length - before).toBe(1);
        expect(after.filter((s) => s.includes('/* prepared test */'))).toHaveLength(1);
        expect(after.some((s) => s.includes('/* plain test */'))).toBe(false);
        // A different shape gets its own statement.
        await prepared`SELECT count(*) AS n FROM cases WHERE id IN (${'a'}, ${'b'}) /* prepared test */`.execute(conn);
        expect((await mine()).length - before).toBe(2);
      });
    },
  );
});

import { queuePage, type QueueQuery } from '../../src-main/app/queue/queue';
import { QueueFilter } from '../../src-main/contract/methods';
import type { QueueRow } from '../../src-main/contract/views';
import type { Db } from '../../src-main/db/connect';

/** Every page of a queue query, followed by its cursor as the desk does, `limit` rows a page. */
export async function walkQueue(
  db: Db,
  q: Partial<QueueQuery>,
  me: string | null,
  now: number,
  opts: { limit: number; scanWindow?: number },
): Promise<QueueRow[]> {
  const out: QueueRow[] = [];
  let after: QueueQuery['after'];
  for (let i = 0; i < 500; i++) {
    const page = await queuePage(db, QueueFilter.parse({ ...q, limit: opts.limit, ...(after ? { after } : {}) }), me, now, {
      scanWindow: opts.scanWindow,
    });
    out.push(...page.rows);
    if (!page.nextCursor) return out;
    after = { sortKey: page.nextCursor.sortKey, id: page.nextCursor.id };
  }
  throw new Error('the pages never ended');
}

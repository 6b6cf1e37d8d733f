import type { Reader, WriteTx } from '../tx';

/** A user's saved queue views (the filter is the JSON of a SavedFilter; app/queue/saved-views.ts parses it). */
export type SavedViewRow = { id: string; name: string; filter: string; created_at: number; updated_at: number };

const COLUMNS = ['id', 'name', 'filter', 'created_at', 'updated_at'] as const;

export async function viewsOf(db: Reader, userId: string): Promise<SavedViewRow[]> {
  return db.selectFrom('saved_views').select(COLUMNS).where('user_id', '=', userId).orderBy('name').execute();
}

export async function viewById(db: Reader, id: string): Promise<SavedViewRow> {
  return db.selectFrom('saved_views').select(COLUMNS).where('id', '=', id).executeTakeFirstOrThrow();
}

/** The id of the user's view with this name, if any. */
export async function viewIdByName(db: Reader, userId: string, name: string): Promise<string | undefined> {
  return (await db.selectFrom('saved_views').select('id').where('user_id', '=', userId).where('name', '=', name).executeTakeFirst())?.id;
}

/** Whether the view exists and is the user's own. */
export async function isOwnView(db: Reader, userId: string, id: string): Promise<boolean> {
  return !!(await db.selectFrom('saved_views').select('id').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst());
}

export async function countViews(db: Reader, userId: string): Promise<number> {
  const n = await db
    .selectFrom('saved_views')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(n?.n ?? 0);
}

export async function insertView(
  tx: WriteTx,
  row: { id: string; user_id: string; name: string; filter: string; now: number },
): Promise<void> {
  await tx
    .insertInto('saved_views')
    .values({ id: row.id, user_id: row.user_id, name: row.name, filter: row.filter, created_at: row.now, updated_at: row.now })
    .execute();
}

/** Sets a view's filter, and its name when given. */
export async function updateView(tx: WriteTx, id: string, change: { name?: string; filter: string }, now: number): Promise<void> {
  await tx
    .updateTable('saved_views')
    .set({ ...(change.name !== undefined ? { name: change.name } : {}), filter: change.filter, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** Deletes one of the user's views; false when there was none. */
export async function deleteOwnView(tx: WriteTx, userId: string, id: string): Promise<boolean> {
  const r = await tx.deleteFrom('saved_views').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

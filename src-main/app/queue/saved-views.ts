import { randomUUID } from 'node:crypto';
import { AppFailure } from '../../contract/errors';
import { SavedFilter } from '../../contract/methods';
import { toIso } from '../../contract/primitives';
import type { SavedView } from '../../contract/views';
import type { Db } from '../../db/connect';

/** A user keeps at most this many named views; the desk is not a filing cabinet. */
export const MAX_VIEWS_PER_USER = 50;

type Row = { id: string; name: string; filter: string; created_at: number; updated_at: number };

function toView(r: Row): SavedView {
  // Stored by this service after validation; a row that no longer parses (a removed
  // filter key) falls back to its scope so the view still opens.
  let filter: SavedFilter;
  try {
    filter = SavedFilter.parse(JSON.parse(r.filter));
  } catch {
    filter = SavedFilter.parse({});
  }
  return { id: r.id, name: r.name, filter, createdAt: toIso(r.created_at), updatedAt: toIso(r.updated_at) };
}

export async function listViews(db: Db, userId: string): Promise<SavedView[]> {
  const rows = await db
    .selectFrom('saved_views')
    .select(['id', 'name', 'filter', 'created_at', 'updated_at'])
    .where('user_id', '=', userId)
    .orderBy('name')
    .execute();
  return rows.map(toView);
}

/**
 * Creates a view, or updates one of the user's own: by id when given, else by name (saving
 * "Flagged DE" again replaces its filter). Names are unique per user.
 */
export async function saveView(
  db: Db,
  userId: string,
  input: { id?: string | undefined; name: string; filter: SavedFilter },
  now: number,
): Promise<SavedView> {
  const name = input.name.trim();
  const filter = JSON.stringify(input.filter);
  return db.transaction().execute(async (tx) => {
    const sameName = await tx
      .selectFrom('saved_views')
      .select('id')
      .where('user_id', '=', userId)
      .where('name', '=', name)
      .executeTakeFirst();
    let id = input.id;
    if (id !== undefined) {
      const own = await tx.selectFrom('saved_views').select('id').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      if (!own) throw new AppFailure('NOT_FOUND', `You have no saved view ${id}.`);
      if (sameName && sameName.id !== id)
        throw new AppFailure('DUPLICATE', `You already have a view named "${name}"; pick another name.`, 'name');
      await tx.updateTable('saved_views').set({ name, filter, updated_at: now }).where('id', '=', id).execute();
    } else if (sameName) {
      id = sameName.id;
      await tx.updateTable('saved_views').set({ filter, updated_at: now }).where('id', '=', id).execute();
    } else {
      const n = await tx
        .selectFrom('saved_views')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (Number(n?.n ?? 0) >= MAX_VIEWS_PER_USER)
        throw new AppFailure('VALIDATION', `You already have ${MAX_VIEWS_PER_USER} saved views; delete one first.`, 'name');
      id = randomUUID();
      await tx.insertInto('saved_views').values({ id, user_id: userId, name, filter, created_at: now, updated_at: now }).execute();
    }
    const row = await tx
      .selectFrom('saved_views')
      .select(['id', 'name', 'filter', 'created_at', 'updated_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return toView(row);
  });
}

export async function deleteView(db: Db, userId: string, id: string): Promise<{ id: string; deleted: boolean }> {
  const r = await db.deleteFrom('saved_views').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) throw new AppFailure('NOT_FOUND', `You have no saved view ${id}.`);
  return { id, deleted: true };
}

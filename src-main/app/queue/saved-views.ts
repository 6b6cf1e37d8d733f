import { randomUUID } from 'node:crypto';
import { AppFailure } from '../../contract/errors';
import { SavedFilter } from '../../contract/methods';
import { toIso } from '../../contract/primitives';
import type { SavedView } from '../../contract/views';
import type { Db } from '../../db/connect';
import {
  countViews,
  deleteOwnView,
  insertView,
  isOwnView,
  updateView,
  viewById,
  viewIdByName,
  viewsOf,
  type SavedViewRow,
} from '../../db/repos/views';
import { inWriteTx } from '../../db/tx';

/** A user keeps at most this many named views; the desk is not a filing cabinet. */
export const MAX_VIEWS_PER_USER = 50;

function toView(r: SavedViewRow): SavedView {
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
  return (await viewsOf(db, userId)).map(toView);
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
  return inWriteTx(db, async (tx) => {
    const sameName = await viewIdByName(tx, userId, name);
    let id = input.id;
    if (id !== undefined) {
      if (!(await isOwnView(tx, userId, id))) throw new AppFailure('NOT_FOUND', `You have no saved view ${id}.`);
      if (sameName !== undefined && sameName !== id)
        throw new AppFailure('DUPLICATE', `You already have a view named "${name}"; pick another name.`, 'name');
      await updateView(tx, id, { name, filter }, now);
    } else if (sameName !== undefined) {
      id = sameName;
      await updateView(tx, id, { filter }, now);
    } else {
      if ((await countViews(tx, userId)) >= MAX_VIEWS_PER_USER)
        throw new AppFailure('VALIDATION', `You already have ${MAX_VIEWS_PER_USER} saved views; delete one first.`, 'name');
      id = randomUUID();
      await insertView(tx, { id, user_id: userId, name, filter, now });
    }
    return toView(await viewById(tx, id));
  });
}

export async function deleteView(db: Db, userId: string, id: string): Promise<{ id: string; deleted: boolean }> {
  if (!(await inWriteTx(db, (tx) => deleteOwnView(tx, userId, id)))) throw new AppFailure('NOT_FOUND', `You have no saved view ${id}.`);
  return { id, deleted: true };
}

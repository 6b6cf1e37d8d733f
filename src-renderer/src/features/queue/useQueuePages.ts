import { usePagedQuery, type PagedQuery } from '../../api/paged';
import type { QueueRow, SavedFilter } from '../../api/types';

const FIRST_PAGE = 100;
const NEXT_PAGE = 200;
/** A live refresh re-reads at most this many rows from the top; further rows reload as you scroll. */
const REFRESH_CAP = 600;

export type QueuePages = PagedQuery<QueueRow>;

/**
 * The rows of one queue filter, loaded page by page (keyset cursor) as the list scrolls.
 * A change notice re-reads the rows already loaded from the top, so cases others claimed
 * vanish and new ones appear without the list jumping to the start.
 */
export function useQueuePages(filter: SavedFilter): QueuePages {
  return usePagedQuery('queue.list', filter, { first: FIRST_PAGE, page: NEXT_PAGE, refreshUpTo: REFRESH_CAP });
}

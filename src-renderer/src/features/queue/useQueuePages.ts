import { usePagedQuery, type PagedQuery } from '../../api/paged';
import type { Me, QueueRow, SavedFilter } from '../../api/types';
import { startWarmCall } from '../../api/warm-calls';
import { filterFromSearch } from './filterUrl';

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

/** The queue a user lands on: the address's tab and filters, else their role's default tab. */
export const defaultQueueFilter = (role: Me['role']): SavedFilter => ({ scope: role === 'mediator' ? 'mine' : 'unassigned' });
export const landingQueueFilter = (role: Me['role']): SavedFilter => filterFromSearch(window.location.search, defaultQueueFilter(role));

/**
 * Asks for the landing queue's first page as soon as the session is known, while the shell
 * renders (api/warm.ts): usePagedQuery's first fetch of the same input takes this answer.
 */
export function warmLandingQueue(me: Me): void {
  if (me.role === 'analyst' || /^#\/buyer\//.test(window.location.hash)) return; // they land on Buyers by risk
  startWarmCall('queue.list', { ...landingQueueFilter(me.role), limit: FIRST_PAGE });
}

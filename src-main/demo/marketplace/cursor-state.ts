import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * Where a simulated marketplace stopped (`simulate-marketplace --state <file>`): the last event
 * `seq` it handled and how many disputes it escalated, so a restart goes on from there instead
 * of skipping to the head or reading the feed again from 0. The file names its feed by a short
 * hash of the token (never the token itself; tokens are random, so it names one feed of one
 * desk), so a file written for one feed is refused for another rather than silently skipping
 * that feed's events. The desk's address is kept for a person reading the file; a desk moved
 * to another port is still the same desk.
 *
 * Actions planned but not yet done when the simulator stops (a reply due in two marketplace
 * hours) are not in the file: the parties forget them, as people do.
 */
export interface SimulatorCursor {
  /** The last event seq whose actions were planned. */
  after: number;
  /** Disputes escalated so far; the next is number escalated + 1 (its own Idempotency-Key). */
  escalated: number;
}

interface StateFile extends SimulatorCursor {
  version: 1;
  feed: string;
  url: string;
}

export class CursorStateError extends Error {}

const feedTag = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 16);

export interface CursorStore {
  /** The saved cursor, or null when the file does not exist yet. */
  load(): SimulatorCursor | null;
  save(cursor: SimulatorCursor): void;
}

export function cursorFile(path: string, token: string, url: string): CursorStore {
  const feed = feedTag(token);
  return {
    load() {
      if (!existsSync(path)) return null;
      let saved: Partial<StateFile>;
      try {
        saved = JSON.parse(readFileSync(path, 'utf8')) as Partial<StateFile>;
      } catch (e) {
        throw new CursorStateError(`The state file ${path} cannot be read (${(e as Error).message}); delete it to start from the head.`);
      }
      if (saved.version !== 1 || !Number.isSafeInteger(saved.after) || !Number.isSafeInteger(saved.escalated))
        throw new CursorStateError(`The state file ${path} is not a simulator cursor; delete it to start from the head.`);
      if (saved.feed !== feed)
        throw new CursorStateError(
          `The state file ${path} belongs to another feed (at ${String(saved.url)}); give each feed its own --state file.`,
        );
      return { after: Math.max(0, saved.after!), escalated: Math.max(0, saved.escalated!) };
    },
    save(cursor) {
      const body: StateFile = { version: 1, feed, url, ...cursor };
      // Written beside and renamed over: a stop mid-write leaves the old cursor, never half a file.
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(body)}\n`, { mode: 0o600 });
      renameSync(tmp, path);
    },
  };
}

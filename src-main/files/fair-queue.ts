/**
 * The waiting room of the image workers (workers.ts): bounded, and fair. One unbounded FIFO for
 * all image work let 24 forty-megapixel PNGs from one feed make a 12 KB photo wait 49 s.
 *
 * - Two lanes: `small` (cheap to decode) and `large`. The pool keeps a worker for the small lane
 *   alone, so a small photo never waits behind a huge one, only behind other small ones.
 * - Within a lane, round-robin over sources (a feed, the desk), and within a source over groups
 *   (cases): one case sending twenty photos does not hold back the next case's one.
 * - Bounded by count and bytes per lane, and by count per source: a full lane refuses (the
 *   caller answers UNAVAILABLE, "try again shortly") instead of queueing without end.
 */

export type Lane = 'small' | 'large';

export interface QueueKey {
  /** Where the work comes from: a feed's id, 'desk' for the desk's own calls. */
  source: string;
  /** What it belongs to, usually the case. */
  group: string;
}

export interface LaneLimits {
  maxWaiting: number;
  maxWaitingPerSource: number;
  maxWaitingBytes: number;
}

interface Waiting<T> {
  item: T;
  bytes: number;
}

class LaneQueue<T> {
  /** source → group → FIFO; Map order is the rotation order. */
  private readonly sources = new Map<string, Map<string, Array<Waiting<T>>>>();
  private readonly perSource = new Map<string, number>();
  count = 0;
  bytes = 0;

  constructor(readonly limits: LaneLimits) {}

  /** Why it cannot wait here, or null when it was queued. */
  push(key: QueueKey, item: T, bytes: number): 'full' | 'source-full' | null {
    if (this.count >= this.limits.maxWaiting || this.bytes + bytes > this.limits.maxWaitingBytes) return 'full';
    if ((this.perSource.get(key.source) ?? 0) >= this.limits.maxWaitingPerSource) return 'source-full';
    let groups = this.sources.get(key.source);
    if (!groups) this.sources.set(key.source, (groups = new Map<string, Array<Waiting<T>>>()));
    let fifo = groups.get(key.group);
    if (!fifo) groups.set(key.group, (fifo = []));
    fifo.push({ item, bytes });
    this.perSource.set(key.source, (this.perSource.get(key.source) ?? 0) + 1);
    this.count++;
    this.bytes += bytes;
    return null;
  }

  /** The next item: first source in rotation, its first group; both then move to the back. */
  shift(): T | undefined {
    const [source, groups] = this.sources.entries().next().value ?? [];
    if (source === undefined || !groups) return undefined;
    const [group, fifo] = groups.entries().next().value!;
    const next = fifo.shift()!;
    groups.delete(group);
    if (fifo.length) groups.set(group, fifo);
    this.sources.delete(source);
    if (groups.size) this.sources.set(source, groups);
    const left = this.perSource.get(source)! - 1;
    if (left) this.perSource.set(source, left);
    else this.perSource.delete(source);
    this.count--;
    this.bytes -= next.bytes;
    return next.item;
  }

  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    return out;
  }
}

export class FairQueue<T> {
  private readonly lanes: Record<Lane, LaneQueue<T>>;

  constructor(limits: Record<Lane, LaneLimits>) {
    this.lanes = { small: new LaneQueue(limits.small), large: new LaneQueue(limits.large) };
  }

  push(lane: Lane, key: QueueKey, item: T, bytes: number): 'full' | 'source-full' | null {
    return this.lanes[lane].push(key, item, bytes);
  }

  shift(lane: Lane): T | undefined {
    return this.lanes[lane].shift();
  }

  waiting(lane?: Lane): number {
    return lane ? this.lanes[lane].count : this.lanes.small.count + this.lanes.large.count;
  }

  drain(): T[] {
    return [...this.lanes.small.drain(), ...this.lanes.large.drain()];
  }
}

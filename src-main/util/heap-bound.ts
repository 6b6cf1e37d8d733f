import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A soft bound on the V8 heap of a long bulk job, checked between its pages: the import's batches
 * and end-of-load scoring (cli/import.ts, ImportOptions.betweenPages), and every full risk
 * recompute, whoever calls it (app/risk/recompute.ts `RECOMPUTE_HEAP`: the desk's start, the demo
 * seed, the bench). In util/ so that every layer that runs one may import it (no electron).
 *
 * V8 grows the heap lazily: an import whose live data is ~45 MB let the heap reach 200+ MB
 * between two full collections, most of it the garbage of batches already committed, and the
 * process's peak RSS with it. `--max-old-space-size` cannot be set once a process runs (and a
 * second process to carry it would add its own memory), so instead: after a batch, when the
 * heap holds more than `mb`, one full collection runs (~20–50 ms, every few batches). The
 * scoring's live data is as small (~30–70 MB at 200,000 disputes) and its pages' garbage grew the
 * heap to 130–190 MB without the bound: with it, 7 collections in a 200,000 import's scoring.
 *
 * When the live data itself outgrows `mb` (the scoring of a million disputes: ~100 MB of buyer
 * sums and ids), a fixed limit would collect at every check, each collection marking the whole
 * live heap: a full collection per page, thousands of them, the scoring's CPU growing with the
 * square of the disputes (session 29: 487 s of a 1M import's scoring). So the next limit is what
 * survived the last collection plus `garbageMb` (never below `mb`): as much garbage between two
 * collections as the bound allows, whatever the live size.
 * Returns the check, with `collectNow` for a point where a phase's data became garbage all at
 * once (the import between its load and its scoring): one full collection whatever the heap
 * holds, so V8 hands back the pages the phase grew (at 100,000 disputes: 106 → 38 MB of heap).
 * Both are no-ops where the collector cannot be reached.
 */
export function heapBound(mb: number, garbageMb = mb / 3): HeapBound {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as unknown;
  setFlagsFromString('--no-expose-gc');
  const counts = { checks: 0, collections: 0 };
  if (typeof gc !== 'function') return Object.assign(() => void counts.checks++, { collectNow: () => undefined, counts });
  const MB = 2 ** 20;
  let limit = mb * MB;
  const collect = () => {
    counts.collections++;
    (gc as () => void)();
    limit = Math.max(mb * MB, getHeapStatistics().used_heap_size + garbageMb * MB);
  };
  return Object.assign(
    () => {
      counts.checks++;
      if (getHeapStatistics().used_heap_size > limit) collect();
    },
    { collectNow: collect, counts },
  );
}

/** `counts`: how many checks ran and how many full collections they (and `collectNow`) made. */
export type HeapBound = (() => void) & { collectNow: () => void; counts: { checks: number; collections: number } };

import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { heapBound } from '../../src-main/util/heap-bound';

/** Leaves ~20 MB of garbage on the heap, runs the check, and says how much the heap shrank (MB). */
function shrinkAfterCheck(check: () => void): number {
  // Made and dropped inside a call, so nothing refers to it once the call returns.
  const made = ((n: number) => Array.from({ length: n }, (_, i) => ({ i, text: `row ${i}` })).length)(400_000);
  expect(made).toBe(400_000);
  const before = getHeapStatistics().used_heap_size;
  check();
  return (before - getHeapStatistics().used_heap_size) / 2 ** 20;
}

describe('heapBound (the import between batches)', () => {
  it('collects the garbage of earlier batches once the heap holds more than the bound', () => {
    expect(shrinkAfterCheck(heapBound(1))).toBeGreaterThan(10);
  });

  it('leaves a heap under the bound alone', () => {
    expect(shrinkAfterCheck(heapBound(1_000_000))).toBeLessThan(10);
  });

  it('collectNow collects whatever the heap holds (the import between its load and its scoring)', () => {
    expect(shrinkAfterCheck(heapBound(1_000_000).collectNow)).toBeGreaterThan(10);
  });

  it('once the live data outgrows the bound, collects after as much garbage again, not at every check', () => {
    // ~30 MB kept alive across the checks (the scoring's buyer sums at a million disputes).
    const live = Array.from({ length: 300_000 }, (_, i) => ({ i, text: `live ${i}` }));
    const check = heapBound(8, 64);
    check(); // collects (the heap holds more than 8 MB); the next limit is what survived plus 64 MB
    expect(shrinkAfterCheck(check)).toBeLessThan(10); // 20 MB of garbage: under the limit, left alone
    expect(shrinkAfterCheck(heapBound(8, 1))).toBeGreaterThan(10); // a small allowance collects again
    expect(live.length).toBe(300_000);
  });
});

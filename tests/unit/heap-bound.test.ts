import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { heapBound } from '../../src-main/cli/heap-bound';

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
});

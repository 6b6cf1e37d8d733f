import { describe, expect, it } from 'vitest';
import { Buyers, SellerIds, SellerSums } from '../../src-main/app/risk/recompute';

/**
 * The full recompute's per-dispute arrays are sized once from the counts of cases and of buyers
 * with a case (issue 16: grown by doubling, a million disputes' 430,673 slots took 524,288, and
 * every doubling's old arrays stayed resident until a full collection, under the import's peak).
 */
/** Buyers B-0 … B-(n-1), read as the recompute reads them, their arrays allocated for `slots`. */
function buyers(n: number, slots: number): Buyers {
  const B = new Buyers();
  for (let i = 0; i < n; i++) {
    B.grow();
    B.of(`B-${i}`);
  }
  B.allocate(slots);
  return B;
}

describe('the recompute sizes its per-dispute arrays to the counts it is given', () => {
  it('a slot for each buyer with a case, no more, none reallocated', () => {
    const B = buyers(3_000, 2_500);
    const before = B.slotFigures();
    for (let i = 0; i < 2_500; i++) B.bump(i, 'disputes', 0, 0);
    expect(before).toEqual({ slots: 0, capacity: 2_500 });
    expect(B.slotFigures()).toEqual({ slots: 2_500, capacity: 2_500 });
    expect(B.agg(2_499, 0).n.disputes).toBe(1);
    expect(B.agg(2_500, 0).n.disputes).toBe(0);
  });

  it('never more slots than buyers, and more room if told too few', () => {
    expect(buyers(100, 1_000_000).slotFigures().capacity).toBe(100);
    const few = buyers(100, 10);
    for (let i = 0; i < 100; i++) few.bump(i, 'threat', 0, 0);
    expect(few.slotFigures().slots).toBe(100);
    expect(few.agg(99, 0).n.threat).toBe(1);
  });

  it("the sellers' (buyer, seller) entries in room for one a case", () => {
    const S = new SellerSums(3_000, new SellerIds(), 2_000);
    for (let i = 0; i < 1_500; i++) S.dispute(i, `S-${i % 7}`, 1, 0);
    expect(S.entryFigures()).toEqual({ entries: 1_500, capacity: 2_000 });
    expect(S.countedOf(S.entryOf(6, 6))).toBe(1);
  });
});

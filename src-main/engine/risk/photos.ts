import { hamming } from '../../contract/phash';
import { RISK_MODEL } from './model';

// The bit counting is shared with evidence inspection (files/phash.ts), so it lives in the contract.
export { hamming, phashDistance } from '../../contract/phash';

/**
 * Which photos are "the same photo": equal sha256, or a 64-bit perceptual hash (phash, 16 hex
 * digits) within `phashMaxDistance` differing bits of one already seen. Near-duplicates are
 * found through a band index: the hash is cut into `maxDistance + 1` bands, and two hashes
 * that differ in at most that many bits agree on at least one band entirely, so only hashes
 * sharing a band are compared. A photo joins the first cluster it matches (clusters are
 * never merged), so the key of a photo depends on what came before it: feed photos in time order.
 */
export class PhotoIndex {
  private readonly bySha = new Map<string, string>();
  private readonly bands = new Map<number, Array<{ hi: number; lo: number; key: string }>>();
  private readonly maxDistance: number;
  private readonly cuts: Array<[number, number]>;

  constructor(maxDistance: number = RISK_MODEL.phashMaxDistance) {
    this.maxDistance = maxDistance;
    const n = maxDistance + 1;
    this.cuts = [];
    for (let i = 0; i < n; i++) this.cuts.push([Math.floor((i * 64) / n), Math.floor(((i + 1) * 64) / n)]);
  }

  /** The cluster key of a photo: the sha256 of the first photo of its cluster. */
  resolve(sha256: string, phash?: string | null): string {
    const known = this.bySha.get(sha256);
    if (known) {
      if (phash) this.indexPhash(phash, known);
      return known;
    }
    let key = sha256;
    if (phash) {
      const found = this.findNear(phash);
      if (found) key = found;
      this.indexPhash(phash, key);
    }
    this.bySha.set(sha256, key);
    return key;
  }

  /** Band i's bits as one number, tagged with i (bands are at most 32 bits wide). */
  private bandKeys(hi: number, lo: number): number[] {
    return this.cuts.map(([from, to], i) => i * 2 ** 32 + bitsOf(hi, lo, from, to - from));
  }

  private findNear(phash: string): string | null {
    const hi = parseInt(phash.slice(0, 8), 16);
    const lo = parseInt(phash.slice(8), 16);
    for (const band of this.bandKeys(hi, lo))
      for (const cand of this.bands.get(band) ?? []) if (hamming(hi, lo, cand.hi, cand.lo) <= this.maxDistance) return cand.key;
    return null;
  }

  private indexPhash(phash: string, key: string): void {
    const hi = parseInt(phash.slice(0, 8), 16);
    const lo = parseInt(phash.slice(8), 16);
    for (const band of this.bandKeys(hi, lo)) {
      const list = this.bands.get(band);
      if (!list) this.bands.set(band, [{ hi, lo, key }]);
      else if (!list.some((c) => c.hi === hi && c.lo === lo && c.key === key)) list.push({ hi, lo, key });
    }
  }
}

/** `len` (≤ 32) bits of the 64-bit value hi:lo starting at bit `from` (0 = lowest). */
function bitsOf(hi: number, lo: number, from: number, len: number): number {
  const mask = len === 32 ? 0xffffffff : (1 << len) - 1;
  if (from >= 32) return ((hi >>> (from - 32)) & mask) >>> 0;
  if (from + len <= 32) return ((lo >>> from) & mask) >>> 0;
  return (((lo >>> from) | (hi << (32 - from))) & mask) >>> 0;
}

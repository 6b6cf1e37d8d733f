import type { Reader } from '../../db/tx';
import { evidenceHashesAfter, evidenceHashesBySeq, evidenceKeysBySeq, type HashRow } from '../../db/repos/evidence';
import { decodeSignature, type Signature } from '../../files/match/signature';

/**
 * Reuse detection: is a new picture (or a flipped / rotated / re-encoded copy of it) one that
 * was already sent, in any case, by any account? Every stored image's 64-bit perceptual hash
 * is compared with the new one's 8 dihedral variants, through multi-index hashing instead of
 * a scan:
 *
 * - the hash is cut into 4 bands of 16 bits; two hashes within distance 7 differ in at most 7
 *   bits, so in one band at most 1 (pigeonhole: 4 bands × 2 bits would be 8);
 * - each band keeps a bucket per 16-bit value; a lookup probes, per band, the variant's value
 *   and its 16 one-bit neighbours (4 × 17 buckets per variant), so every stored hash within
 *   distance 7 is a candidate, and only those (plus chance collisions) are compared;
 * - buckets are compressed sparse rows (one Uint32Array of offsets per band, one of entries),
 *   with the hashes interleaved in one Uint32Array and the row's seq in another: 28 bytes per image,
 *   ~30 MB at 1,000,000, nothing per image for the garbage collector to walk;
 * - rows are built with a counting sort (linear) in two levels, like a small LSM tree: the
 *   main rows, and rows over the images added since (rebuilt in milliseconds); the main rows
 *   are rebuilt only when the recent ones reach an eighth of them, so the main thread (the
 *   Electron process) never stalls on a full rebuild more than once per ~125,000 new images
 *   at a million. The newest (at most TAIL_MAX) are scanned one by one until a sync settles them.
 *
 * The index is a per-process cache of `evidence_files` (phash_hi, phash_lo, seq), built lazily
 * and brought up to date with `seq > last` before each lookup, so several desktops sharing one
 * PostgreSQL see each other's files. PostgreSQL hands out seq values at insert and
 * transactions may commit out of order, so a seq skipped by a sync (not committed yet, or
 * rolled back) is re-checked by later syncs for a while (GAP_RECHECK_MS).
 */

/** Differing bits at or below which two pictures count as the same photo. */
export const MATCH_MAX_DISTANCE = 6;
/** What the probing guarantees to find (MATCH_MAX_DISTANCE must not exceed it). */
export const PROBE_MAX_DISTANCE = 7;
/** At most this many matches are kept per new file (a blank white picture can look like thousands). */
export const MAX_MATCHES = 50;

export type Transform = 'same' | 'flip_h' | 'flip_v' | 'rot90' | 'rot180' | 'rot270' | 'transpose' | 'transverse';
export interface PhashVariant {
  transform: Transform | string;
  /** 16 hex digits. */
  phash: string;
}
export interface Candidate {
  seq: number;
  distance: number;
  transform: string;
}
export interface ReuseMatch extends Candidate {
  sha256: string;
  /** The earlier file's cluster (its own sha256 when it started one). */
  clusterKey: string;
}

const BANDS = 4;
const BUCKETS = 1 << 16;
/** Hashes scanned one by one after the band rows; past this a sync rebuilds the rows. */
export const TAIL_MAX = 2048;

export function splitPhash(phash: string): { hi: number; lo: number } {
  if (!/^[0-9a-f]{16}$/i.test(phash)) throw new Error(`a perceptual hash is 16 hex digits, not "${phash.slice(0, 40)}"`);
  return { hi: parseInt(phash.slice(0, 8), 16) >>> 0, lo: parseInt(phash.slice(8), 16) >>> 0 };
}

/**
 * Puts entry `i` at distance `d` among the best so far (`bestD` ascending, `bestI` their entries;
 * the caller checked `d` beats the last). An equal distance stays behind the earlier entry.
 */
function keepNearest(bestD: Int32Array | Float64Array, bestI: Int32Array, i: number, d: number): void {
  let j = bestD.length - 1;
  while (j > 0 && bestD[j - 1]! > d) {
    bestD[j] = bestD[j - 1]!;
    bestI[j] = bestI[j - 1]!;
    j--;
  }
  bestD[j] = d;
  bestI[j] = i;
}

function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

const bandOf = (hi: number, lo: number, b: number): number =>
  b === 0 ? lo & 0xffff : b === 1 ? lo >>> 16 : b === 2 ? hi & 0xffff : hi >>> 16;

/** Band rows over entries [from, to): per band, bucket offsets and the entries in bucket order. */
interface Level {
  from: number;
  to: number;
  offsets: Uint32Array[];
  entries: Uint32Array[];
}

/**
 * The third way to a candidate (issue 15): the few stored images whose perceptual hash is
 * nearest the new picture's as it is, even beyond PROBE_MAX_DISTANCE. A watermark across the
 * product or a tilt of a few degrees moves the whole picture's hash 8–18 bits, past what the
 * bands find, yet leaves the original among the 4 nearest of 140 for 7 of the 9 watermarked
 * and 5 of the 7 tilted tuning copies the other two ways missed, while the object's signature
 * moves further (the text joins the object's box; the tilt's corners change the grid). Only the
 * unrotated hash is scanned: those edits do not turn the picture, and a quarter-turned copy
 * meets its original within the band probing.
 */
export const PHASH_NEAREST = 4;
/** Beyond this many bits even the nearest is no candidate (unrelated product shots sit at 16–40). */
export const PHASH_NEAREST_MAX_DISTANCE = 20;

/** The in-memory multi-index over (hi, lo, seq) triples. No I/O. */
export class PhashIndex {
  /** hi, lo of entry i at 2i, 2i + 1: one cache line per candidate, not two. */
  private hl = new Uint32Array(2048);
  private seq = new Uint32Array(1024);
  private n = 0;
  /** The main rows cover [0, main.to), the recent rows [main.to, recent.to); the rest is the tail. */
  private main: Level | null = null;
  private recent: Level | null = null;

  get size(): number {
    return this.n;
  }

  add(seq: number, hi: number, lo: number): void {
    if (this.n === this.seq.length) this.grow(this.n * 2);
    this.hl[2 * this.n] = hi >>> 0;
    this.hl[2 * this.n + 1] = lo >>> 0;
    this.seq[this.n] = seq;
    this.n++;
  }

  /** Puts the tail into rows once it is longer than TAIL_MAX (call after adding). */
  settle(): void {
    const mainTo = this.main?.to ?? 0;
    if (this.n - (this.recent?.to ?? mainTo) <= TAIL_MAX) return;
    if (this.n - mainTo > Math.max(65_536, mainTo >>> 3)) this.rebuild();
    else this.recent = this.level(mainTo, this.n);
  }

  /** Room for `count` entries without re-allocating (a bulk load knows its size). */
  reserve(count: number): void {
    if (count > this.seq.length) this.grow(count);
  }

  /** Puts every entry into the main rows. */
  rebuild(): void {
    this.main = null;
    this.recent = null;
    this.main = this.level(0, this.n);
  }

  private level(from: number, to: number): Level {
    const hl = this.hl;
    const offsets: Uint32Array[] = [];
    const entries: Uint32Array[] = [];
    for (let b = 0; b < BANDS; b++) {
      const off = new Uint32Array(BUCKETS + 1);
      for (let i = from; i < to; i++) off[bandOf(hl[2 * i]!, hl[2 * i + 1]!, b) + 1]!++;
      for (let k = 0; k < BUCKETS; k++) off[k + 1]! += off[k]!;
      const fill = off.slice(0, BUCKETS);
      const ent = new Uint32Array(to - from);
      for (let i = from; i < to; i++) ent[fill[bandOf(hl[2 * i]!, hl[2 * i + 1]!, b)]!++] = i;
      offsets.push(off);
      entries.push(ent);
    }
    return { from, to, offsets, entries };
  }

  /**
   * Every stored entry within `maxDistance` (≤ PROBE_MAX_DISTANCE) of any variant, with its
   * best distance and the variant that gave it, closest first (ties: earliest seq).
   */
  lookup(variants: Array<{ transform: string; hi: number; lo: number }>, maxDistance = MATCH_MAX_DISTANCE): Candidate[] {
    if (maxDistance > PROBE_MAX_DISTANCE)
      throw new Error(`the index finds every hash within ${PROBE_MAX_DISTANCE} bits, not ${maxDistance}`);
    const HL = this.hl;
    // Hits as flat (entry, distance, variant) triples: a hot loop without closures or objects.
    const hits: number[] = [];
    for (let vi = 0; vi < variants.length; vi++) {
      const vh = variants[vi]!.hi >>> 0;
      const vl = variants[vi]!.lo >>> 0;
      for (const level of [this.main, this.recent]) {
        if (!level) continue;
        for (let b = 0; b < BANDS; b++) {
          const off = level.offsets[b]!;
          const ent = level.entries[b]!;
          const value = bandOf(vh, vl, b);
          for (let flip = -1; flip < 16; flip++) {
            const key = flip < 0 ? value : value ^ (1 << flip);
            const end = off[key + 1]!;
            for (let k = off[key]!; k < end; k++) {
              const i = ent[k]!;
              const d = popcount32((HL[2 * i]! ^ vh) >>> 0) + popcount32((HL[2 * i + 1]! ^ vl) >>> 0);
              if (d <= maxDistance) hits.push(i, d, vi);
            }
          }
        }
      }
      for (let i = this.recent?.to ?? this.main?.to ?? 0; i < this.n; i++) {
        const d = popcount32((HL[2 * i]! ^ vh) >>> 0) + popcount32((HL[2 * i + 1]! ^ vl) >>> 0);
        if (d <= maxDistance) hits.push(i, d, vi);
      }
    }
    if (!hits.length) return [];
    const best = new Map<number, { distance: number; transform: string }>();
    for (let h = 0; h < hits.length; h += 3) {
      const had = best.get(hits[h]!);
      if (!had || hits[h + 1]! < had.distance) best.set(hits[h]!, { distance: hits[h + 1]!, transform: variants[hits[h + 2]!]!.transform });
    }
    return [...best]
      .map(([i, m]) => ({ seq: this.seq[i]!, distance: m.distance, transform: m.transform }))
      .sort((a, b) => a.distance - b.distance || a.seq - b.seq);
  }

  /**
   * The `k` stored entries closest to one hash (the new picture as it is), however far, within
   * `maxDistance`: closest first (ties: earliest entry). A scan of every entry, not the band
   * probing: see PHASH_NEAREST.
   */
  nearest(hi: number, lo: number, k = PHASH_NEAREST, maxDistance = PHASH_NEAREST_MAX_DISTANCE): Candidate[] {
    const HL = this.hl;
    const vh = hi >>> 0;
    const vl = lo >>> 0;
    const bestD = new Int32Array(k).fill(maxDistance + 1);
    const bestI = new Int32Array(k).fill(-1);
    for (let i = 0; i < this.n; i++) {
      const d = popcount32((HL[2 * i]! ^ vh) >>> 0) + popcount32((HL[2 * i + 1]! ^ vl) >>> 0);
      if (d < bestD[k - 1]!) keepNearest(bestD, bestI, i, d);
    }
    const out: Candidate[] = [];
    for (let j = 0; j < k && bestI[j]! >= 0; j++) out.push({ seq: this.seq[bestI[j]!]!, distance: bestD[j]!, transform: 'same' });
    return out;
  }

  /** Bytes held by the typed arrays (what 1,000,000 images cost). */
  memoryBytes(): number {
    let total = this.hl.byteLength + this.seq.byteLength;
    for (const level of [this.main, this.recent])
      for (const a of [...(level?.offsets ?? []), ...(level?.entries ?? [])]) total += a.byteLength;
    return total;
  }

  private grow(capacity: number): void {
    const grown = (a: Uint32Array, width: number) => {
      const b = new Uint32Array(capacity * width);
      b.set(a.subarray(0, this.n * width));
      return b;
    };
    this.hl = grown(this.hl, 2);
    this.seq = grown(this.seq, 1);
  }
}

/**
 * The second way to a candidate (issue 15): a scan of every image's matcher signature (the
 * trimmed object's 64-bit hash and its mean colour, files/match/signature.ts), keeping the
 * SIGNATURE_CANDIDATES closest. A scan, not an index: a cropped, bordered or tilted copy can
 * differ in a dozen bits, beyond what band probing finds cheaply, and 12 bytes an image scanned
 * in a tight loop cost tens of milliseconds per variant at a million (`scanAt1M` in the bench). Only candidates: nothing is a match
 * before verification (files/match/verify.ts).
 */
export const SIGNATURE_CANDIDATES = 16;
/** Hash bits (plus colour distance) beyond which a signature is no candidate at all. */
export const SIGNATURE_MAX_DISTANCE = 40;

export class SignatureScan {
  private hl = new Uint32Array(2048);
  /** cb << 8 | cr */
  private colour = new Uint16Array(1024);
  private seq = new Uint32Array(1024);
  private n = 0;

  get size(): number {
    return this.n;
  }

  add(seq: number, s: Signature): void {
    if (this.n === this.seq.length) {
      const grow = <T extends Uint32Array | Uint16Array>(a: T, w: number, make: (n: number) => T): T => {
        const b = make(this.n * 2 * w);
        b.set(a);
        return b;
      };
      this.hl = grow(this.hl, 2, (k) => new Uint32Array(k));
      this.colour = grow(this.colour, 1, (k) => new Uint16Array(k));
      this.seq = grow(this.seq, 1, (k) => new Uint32Array(k));
    }
    this.hl[2 * this.n] = s.hi >>> 0;
    this.hl[2 * this.n + 1] = s.lo >>> 0;
    this.colour[this.n] = (s.cb << 8) | s.cr;
    this.seq[this.n] = seq;
    this.n++;
  }

  /** The `k` closest entries to any of the variants (seq and distance), closest first. */
  nearest(variants: Signature[], k = SIGNATURE_CANDIDATES, maxDistance = SIGNATURE_MAX_DISTANCE): Array<{ seq: number; distance: number }> {
    const bestD = new Float64Array(k).fill(Infinity);
    const bestI = new Int32Array(k).fill(-1);
    const HL = this.hl;
    const C = this.colour;
    if (!variants.length) return [];
    const grey = (cb: number, cr: number) => Math.abs(cb - 128) + Math.abs(cr - 128) <= 3;
    // Typed arrays, not objects, in the loop that runs once per stored image.
    const vh = Uint32Array.from(variants, (v) => v.hi >>> 0);
    const vl = Uint32Array.from(variants, (v) => v.lo >>> 0);
    const vcb = Int32Array.from(variants, (v) => v.cb);
    const vcr = Int32Array.from(variants, (v) => v.cr);
    const vGrey = Uint8Array.from(variants, (v) => +grey(v.cb, v.cr));
    for (let i = 0; i < this.n; i++) {
      const h = HL[2 * i]!;
      const l = HL[2 * i + 1]!;
      const cb = C[i]! >>> 8;
      const cr = C[i]! & 0xff;
      const sGrey = grey(cb, cr);
      let d = Infinity;
      for (let v = 0; v < vh.length; v++) {
        const bits = popcount32((h ^ vh[v]!) >>> 0) + popcount32((l ^ vl[v]!) >>> 0);
        if (bits >= d) continue;
        const dv = bits + (sGrey || vGrey[v] ? 0 : (Math.abs(cb - vcb[v]!) + Math.abs(cr - vcr[v]!)) / 4);
        if (dv < d) d = dv;
      }
      if (d <= maxDistance && d < bestD[k - 1]!) keepNearest(bestD, bestI, i, d);
    }
    const out: Array<{ seq: number; distance: number }> = [];
    for (let j = 0; j < k && bestI[j]! >= 0; j++) out.push({ seq: this.seq[bestI[j]!]!, distance: bestD[j]! });
    return out;
  }

  memoryBytes(): number {
    return this.hl.byteLength + this.colour.byteLength + this.seq.byteLength;
  }
}

/** Keep re-checking a skipped seq this long (a transaction that has not committed yet). */
const GAP_RECHECK_MS = 10 * 60_000;
/** At most this many skipped seqs are remembered (the newest). */
const MAX_GAPS = 256;
const PAGE = 20_000;

/**
 * The process's reuse index over `evidence_files`, kept in step with the database. Syncs
 * need no lock (a lock across a transaction's connection and the pool's would deadlock on
 * SQLite's single connection): each query's rows are applied in one synchronous step that
 * skips what another sync already added.
 */
export class ReuseIndex {
  readonly index = new PhashIndex();
  readonly signatures = new SignatureScan();
  private lastSeq = 0;
  /** seq → when it was first seen missing (performance.now(): cache upkeep, not case logic). */
  private readonly gaps = new Map<number, number>();

  /**
   * Loads the rows added since the last sync (everything, the first time). Call it with the
   * transaction that is about to record new files BEFORE it inserts any (the index must never
   * hold a row that could still roll back), and once outside it first, so the first full load
   * does not run inside a transaction.
   */
  async sync(db: Reader): Promise<{ added: number }> {
    let added = 0;
    const put = (r: HashRow) => {
      const sig = r.sig === null ? null : decodeSignature(r.sig);
      if (sig) this.signatures.add(r.seq, sig);
      if (r.hi === null || r.lo === null) return;
      this.index.add(r.seq, r.hi, r.lo);
      added++;
    };
    const now = performance.now();
    for (const [seq, since] of this.gaps) if (now - since > GAP_RECHECK_MS) this.gaps.delete(seq);
    if (this.gaps.size) {
      for (const r of await evidenceHashesBySeq(db, [...this.gaps.keys()])) {
        if (!this.gaps.delete(r.seq)) continue; // a concurrent sync took it
        put(r);
      }
    }
    for (;;) {
      const rows = await evidenceHashesAfter(db, this.lastSeq, PAGE);
      if (!this.index.size && rows.length === PAGE) this.index.reserve(PAGE * 4);
      for (const r of rows) {
        if (r.seq <= this.lastSeq) {
          // A concurrent sync got past it: add it only if that sync saw it missing.
          if (this.gaps.delete(r.seq)) put(r);
          continue;
        }
        for (let missing = Math.max(this.lastSeq + 1, r.seq - MAX_GAPS); missing < r.seq; missing++) this.gaps.set(missing, now);
        put(r);
        this.lastSeq = r.seq;
      }
      if (rows.length < PAGE) break;
    }
    while (this.gaps.size > MAX_GAPS) this.gaps.delete(this.gaps.keys().next().value!);
    this.index.settle();
    return { added };
  }

  /** Candidates in memory only (no sync, no database): for benches and for callers that synced. */
  candidates(variants: PhashVariant[], maxDistance = MATCH_MAX_DISTANCE): Candidate[] {
    return this.index.lookup(
      variants.map((v) => ({ transform: v.transform, ...splitPhash(v.phash) })),
      maxDistance,
    );
  }

  /**
   * The earlier files that MAY be the same photo as a new picture, to be verified: those whose
   * perceptual hash (any flip/rotation) is within PROBE_MAX_DISTANCE, the few nearest by the
   * hash as it is (PHASH_NEAREST), and the closest by the matcher's signature. Synced with `db` unless `sync: false`. Named (sha256, cluster); the
   * distance and transform are the perceptual hash's when it found them.
   */
  async candidatesFor(
    db: Reader,
    phashVariants: PhashVariant[],
    sigVariants: Signature[],
    opts: { exclude?: string; sync?: boolean } = {},
  ): Promise<ReuseMatch[]> {
    if (opts.sync !== false) await this.sync(db);
    const bySeq = new Map<number, Candidate>();
    for (const c of this.candidates(phashVariants, PROBE_MAX_DISTANCE).slice(0, MAX_MATCHES)) bySeq.set(c.seq, c);
    const as = phashVariants.find((v) => v.transform === 'same');
    if (as) {
      const h = splitPhash(as.phash);
      for (const c of this.index.nearest(h.hi, h.lo)) if (!bySeq.has(c.seq)) bySeq.set(c.seq, c);
    }
    for (const c of this.signatures.nearest(sigVariants))
      if (!bySeq.has(c.seq)) bySeq.set(c.seq, { seq: c.seq, distance: 64, transform: 'same' });
    if (!bySeq.size) return [];
    const keys = await evidenceKeysBySeq(db, [...bySeq.keys()]);
    const out: ReuseMatch[] = [];
    for (const c of bySeq.values()) {
      const k = keys.get(c.seq);
      if (k && k.sha256 !== opts.exclude) out.push({ ...c, sha256: k.sha256, clusterKey: k.clusterKey });
    }
    return out;
  }

  /**
   * The earlier files that look like a new picture, given the picture's 8 dihedral variants:
   * syncs with `db` first (unless `sync: false`: a transaction that already inserted rows must
   * not load them), then names the matches (sha256 and cluster), closest first.
   */
  async lookup(
    db: Reader,
    variants: PhashVariant[],
    opts: { exclude?: string; limit?: number; sync?: boolean } = {},
  ): Promise<ReuseMatch[]> {
    if (opts.sync !== false) await this.sync(db);
    const found = this.candidates(variants).slice(0, (opts.limit ?? MAX_MATCHES) + 1);
    if (!found.length) return [];
    const keys = await evidenceKeysBySeq(
      db,
      found.map((c) => c.seq),
    );
    const out: ReuseMatch[] = [];
    for (const c of found) {
      const k = keys.get(c.seq);
      if (!k || k.sha256 === opts.exclude) continue;
      out.push({ ...c, sha256: k.sha256, clusterKey: k.clusterKey });
    }
    return out.slice(0, opts.limit ?? MAX_MATCHES);
  }
}

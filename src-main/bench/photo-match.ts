import sharp from 'sharp';
import { PhashIndex, SignatureScan, splitPhash, PROBE_MAX_DISTANCE } from '../app/evidence/reuse-index';
import { grayMatrix, phashVariantsOfGray } from '../files/phash';
import { printOfPixels } from '../files/match/print';
import { signatureOf, signatureVariants } from '../files/match/signature';
import { storedPrint, verifySamePhoto, type PhotoPrint, type QueryPrint } from '../files/match/verify';
import { editPhoto, PHOTO_EDITS, productPhoto, type PhotoEdit } from './photo-set';

/**
 * How well photo matching does on the generated product shots (photo-set.ts), through the
 * same steps the evidence intake takes: the upright decode, the perceptual hash with its 8
 * variants and the matcher's print and signature (as files/analyze.ts computes them), the
 * reuse index's two candidate paths (band-probed hash, signature scan) and verification.
 *
 * - recall per edit: an edited copy of each product, looked up among every original (and
 *   the distractor products), must be verified as its own original;
 * - false links: every unordered pair of distinct products, verified directly (stricter than
 *   the intake, which only verifies candidates), plus any other product an edited copy was
 *   verified as.
 */

export const RECALL_GOAL = 0.95;
/** False links per 1,000 pairs of unrelated photos. */
export const FALSE_LINK_GOAL = 1;

interface Analysed {
  query: QueryPrint;
  stored: PhotoPrint;
  phashVariants: Array<{ transform: string; phash: string }>;
}

/** What the worker derives for matching, from encoded bytes (as analyzeImage does after its checks). */
export async function analyseForMatching(bytes: Buffer): Promise<Analysed & { ms: number; decodeMs: number }> {
  const decodeStarted = performance.now();
  const { data, info } = await sharp(bytes)
    .autoOrient()
    .resize(1600, 1600, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const started = performance.now();
  const decodeMs = started - decodeStarted;
  const gray = grayMatrix(data, info.width, info.height, info.channels, 32);
  const query = await printOfPixels(data, info.width, info.height, info.channels);
  return { query, stored: storedPrint(query), phashVariants: phashVariantsOfGray(gray, 32), ms: performance.now() - started, decodeMs };
}

export interface PhotoMatchReport {
  products: number;
  distractors: number;
  seeds: string;
  recall: Record<PhotoEdit, { found: number; of: number; rate: number; pass: boolean }>;
  falseLinks: {
    pairs: number;
    linked: number;
    perThousand: number;
    fromQueries: number;
    fromQueriesByEdit: Record<string, number>;
    pass: boolean;
  };
  cost: {
    printMsPerImage: number;
    /** The raw baseline: sharp's decode of the same image to upright pixels (≤ 1600 px). */
    decodeMsPerImage: number;
    printToDecodeRatio: number;
    candidatesPerQuery: number;
    verifyMsPerCandidate: number;
    scanMsPerQuery: number;
  };
  pass: boolean;
}

export interface PhotoMatchOptions {
  /** Products whose edits are looked up. */
  products: number;
  /** First seed; products use seedBase … seedBase + products + distractors − 1. */
  seedBase: number;
  /** Further products stored (and paired) but not edited. */
  distractors?: number;
  edits?: readonly PhotoEdit[];
  /**
   * Verify every unordered pair of distinct products (default true). false leaves
   * `falseLinks.pairs` and `linked` at 0: for a caller that splits the edits over threads and
   * has one of them measure the pairs (tests/fixtures/photo-match-threads.ts).
   */
  unrelatedPairs?: boolean;
  log?: (m: string) => void;
}

export async function evaluatePhotoMatching(opts: PhotoMatchOptions): Promise<PhotoMatchReport> {
  const edits = opts.edits ?? PHOTO_EDITS;
  const total = opts.products + (opts.distractors ?? 0);
  const hashes = new PhashIndex();
  const sigs = new SignatureScan();
  const originals: Array<Analysed & { bytes: Buffer }> = [];
  let printMs = 0;
  let decodeMs = 0;
  let printed = 0;
  for (let i = 0; i < total; i++) {
    const bytes = await productPhoto(opts.seedBase + i);
    const a = await analyseForMatching(bytes);
    printMs += a.ms;
    decodeMs += a.decodeMs;
    printed++;
    originals.push({ ...a, bytes });
    const h = splitPhash(a.phashVariants[0]!.phash);
    hashes.add(i, h.hi, h.lo);
    sigs.add(i, signatureOf(a.stored.thumb));
  }
  hashes.rebuild();

  const recall = {} as PhotoMatchReport['recall'];
  let fromQueries = 0;
  const fromQueriesByEdit: Record<string, number> = {};
  let candidates = 0;
  let verifyMs = 0;
  let verified = 0;
  let scanMs = 0;
  let queries = 0;
  for (const edit of edits) {
    let found = 0;
    for (let p = 0; p < opts.products; p++) {
      const copy = await analyseForMatching(await editPhoto(originals[p]!.bytes, edit, opts.seedBase + p));
      printMs += copy.ms;
      decodeMs += copy.decodeMs;
      printed++;
      const t0 = performance.now();
      const seqs = new Set<number>();
      for (const c of hashes.lookup(
        copy.phashVariants.map((v) => ({ transform: v.transform, ...splitPhash(v.phash) })),
        PROBE_MAX_DISTANCE,
      ))
        seqs.add(c.seq);
      const as = splitPhash(copy.phashVariants[0]!.phash);
      for (const c of hashes.nearest(as.hi, as.lo)) seqs.add(c.seq);
      for (const c of sigs.nearest(signatureVariants(copy.stored.thumb, copy.query.thumb))) seqs.add(c.seq);
      scanMs += performance.now() - t0;
      queries++;
      candidates += seqs.size;
      let hit = false;
      for (const seq of seqs) {
        const t1 = performance.now();
        const v = verifySamePhoto(copy.query, originals[seq]!.stored);
        verifyMs += performance.now() - t1;
        verified++;
        if (!v.same) continue;
        if (seq === p) hit = true;
        else {
          fromQueries++;
          fromQueriesByEdit[edit] = (fromQueriesByEdit[edit] ?? 0) + 1;
          opts.log?.(`  false link: ${edit} of product ${p} verified as product ${seq}`);
        }
      }
      if (hit) found++;
      else opts.log?.(`  missed: ${edit} of product ${p} (seed ${opts.seedBase + p})`);
    }
    const rate = found / opts.products;
    recall[edit] = { found, of: opts.products, rate, pass: rate >= RECALL_GOAL };
  }

  let pairs = 0;
  let linked = 0;
  for (let i = 0; i < total && opts.unrelatedPairs !== false; i++)
    for (let j = i + 1; j < total; j++) {
      pairs++;
      if (verifySamePhoto(originals[i]!.query, originals[j]!.stored).same) {
        linked++;
        opts.log?.(`  false link: products ${i} and ${j} (seeds ${opts.seedBase + i}, ${opts.seedBase + j})`);
      }
    }
  const perThousand = (1000 * linked) / Math.max(1, pairs);
  const falseLinks = { pairs, linked, perThousand, fromQueries, fromQueriesByEdit, pass: perThousand <= FALSE_LINK_GOAL };
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    products: opts.products,
    distractors: opts.distractors ?? 0,
    seeds: `${opts.seedBase}…${opts.seedBase + total - 1}`,
    recall,
    falseLinks,
    cost: {
      printMsPerImage: round(printMs / printed),
      decodeMsPerImage: round(decodeMs / printed),
      printToDecodeRatio: round(printMs / Math.max(1e-9, decodeMs)),
      candidatesPerQuery: round(candidates / Math.max(1, queries)),
      verifyMsPerCandidate: round(verifyMs / Math.max(1, verified)),
      scanMsPerQuery: round(scanMs / Math.max(1, queries)),
    },
    pass: Object.values(recall).every((r) => r.pass) && falseLinks.pass,
  };
}

/** The recall table as text lines (bench output, test failure messages). */
export function photoMatchTable(r: PhotoMatchReport): string[] {
  const lines = [`photo matching on ${r.products} products (+${r.distractors} distractors), seeds ${r.seeds}`];
  for (const [edit, v] of Object.entries(r.recall))
    lines.push(
      `  ${edit.padEnd(11)} ${String(v.found).padStart(3)}/${v.of}  ${v.rate.toFixed(2)}  ${v.pass ? 'pass' : 'FAIL'} (goal ≥ ${RECALL_GOAL})`,
    );
  const f = r.falseLinks;
  lines.push(
    `  false links ${f.linked} of ${f.pairs} pairs = ${f.perThousand.toFixed(2)} per 1,000 ${f.pass ? 'pass' : 'FAIL'} (goal ≤ ${FALSE_LINK_GOAL}); from lookups of edited copies: ${f.fromQueries} ${JSON.stringify(f.fromQueriesByEdit)}`,
  );
  lines.push(
    `  cost: print ${r.cost.printMsPerImage} ms/image (decode ${r.cost.decodeMsPerImage} ms), ${r.cost.candidatesPerQuery} candidates/lookup, verification ${r.cost.verifyMsPerCandidate} ms/candidate, candidate search ${r.cost.scanMsPerQuery} ms/lookup`,
  );
  return lines;
}

/**
 * `npm run bench`'s photoMatch figure: the evaluation on seeds kept for the bench (9000…), and
 * the signature scan's time among 1,000,000 stored signatures beside a raw loop that only
 * XORs and counts the same words (the scan's floor).
 */
export async function benchPhotoMatching(opts: { products: number; distractors: number; log: (m: string) => void }) {
  opts.log(`photoMatch: ${opts.products} products × ${PHOTO_EDITS.length} edits, ${opts.distractors} distractors…`);
  const report = await evaluatePhotoMatching({ products: opts.products, distractors: opts.distractors, seedBase: 9000 });
  for (const line of photoMatchTable(report)) opts.log(line);
  const scan = new SignatureScan();
  let s = 0x1234567;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s);
  const N = 1_000_000;
  const words = new Uint32Array(2 * N);
  for (let i = 0; i < N; i++) {
    const sig = { hi: rnd(), lo: rnd(), cb: rnd() & 0xff, cr: rnd() & 0xff };
    words[2 * i] = sig.hi;
    words[2 * i + 1] = sig.lo;
    scan.add(i, sig);
  }
  // As signatureVariants gives for a framed photo: three layers' boxes of the stored-size thumb
  // and three of the larger one, each as it is and mirrored (on the generated set a lookup
  // averages ~12: ~7 and ~5).
  const variants = Array.from({ length: 12 }, () => ({ hi: rnd(), lo: rnd(), cb: rnd() & 0xff, cr: rnd() & 0xff }));
  const t0 = performance.now();
  for (let r = 0; r < 5; r++) scan.nearest(variants);
  const scanMs = (performance.now() - t0) / 5;
  const t1 = performance.now();
  let sink = 0;
  for (let r = 0; r < 5; r++)
    for (let i = 0; i < N; i++)
      for (const v of variants) sink += popcount((words[2 * i]! ^ v.hi) >>> 0) + popcount((words[2 * i + 1]! ^ v.lo) >>> 0);
  const rawMs = (performance.now() - t1) / 5;
  // The perceptual hash's nearest few (PHASH_NEAREST): one more pass over 1,000,000, one variant.
  const hashes = new PhashIndex();
  hashes.reserve(N);
  for (let i = 0; i < N; i++) hashes.add(i, words[2 * i]!, words[2 * i + 1]!);
  const t2 = performance.now();
  for (let r = 0; r < 5; r++) hashes.nearest(variants[r]!.hi, variants[r]!.lo);
  const nearestMs = (performance.now() - t2) / 5;
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    ...report,
    scanAt1M: {
      ms: round(scanMs),
      rawMs: round(rawMs),
      ratio: round(scanMs / rawMs),
      memoryMB: round(scan.memoryBytes() / 2 ** 20),
      phashNearestMs: round(nearestMs),
      sink: sink & 1,
    },
  };
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

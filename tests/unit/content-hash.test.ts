import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Dispute, DisputeWithFiles } from '../../src-main/contract/dispute';
import { canonicalJson, canonicalJsonFor, contentHash, hashOfCanonical } from '../../src-main/app/intake/content-hash';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';

/** The canonical text as defined (sorted keys, undefined members left out), written again independently. */
function definition(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(definition).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${definition((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const demo = [...generateDemoDisputes({ cases: 500, now: NOW, seed: 7 })];

describe('content hash', () => {
  it('keeps the hashes already stored: the compiled text hashes as before (pinned from main 05f6001)', () => {
    const compiled = canonicalJsonFor(Dispute)!;
    const withFiles = canonicalJsonFor(DisputeWithFiles)!;
    expect(compiled).not.toBeNull();
    expect(withFiles).not.toBeNull();
    const all = createHash('sha256');
    const first: string[] = [];
    for (const d of demo) {
      const h = hashOfCanonical(compiled(Dispute.parse(d)));
      expect(hashOfCanonical(withFiles(DisputeWithFiles.parse(d)))).toBe(h);
      expect(contentHash(Dispute.parse(d))).toBe(h);
      all.update(h);
      if (first.length < 2) first.push(h);
    }
    expect(first).toEqual([
      '08de91dbf981f6c0b1033ec9981e68283a5befa2e0510c3e8f91cdec11f0fb12',
      'b60455da4d9973bfbb511f8b56a88e9cb62bdc1e7828dd57361a3308ab723d27',
    ]);
    expect(all.digest('hex')).toBe('8ba0201bc5954968d701c7279a28c811dfc914ac8cedbec39510eb9cf6ef67cb');
  });

  it('writes the text the definition gives, for every optional member present, absent or null', () => {
    const compiled = canonicalJsonFor(DisputeWithFiles)!;
    const base = Dispute.parse(demo[0]) as Record<string, unknown> & Dispute;
    const variants: unknown[] = [
      // Optional and nullable members missing, null, or odd text; empty lists; unicode and escapes.
      { ...base, description: undefined, negotiation: undefined, messages: [], evidence: [] },
      {
        ...base,
        order: { ...base.order, shippedAt: null, tracking: { status: 'no_info', number: null, carrier: null, deliveredAt: null } },
        buyer: { ...base.buyer, language: 'pt-BR', links: {}, orderHistory: { placed: 3, delivered: 2 } },
        seller: { ...base.seller, createdAt: undefined, links: { payment: ['p-1', 'p-2'] } },
      },
      {
        ...base,
        description: 'Ünïcödé "quotes" \\ back\nslash \u2028 \ud83d\ude00 </script>',
        messages: [{ at: '2026-02-15T00:12:24+02:00', by: 'seller', text: '' }],
        evidence: [
          {
            party: 'buyer',
            name: ' x.jpg ',
            mediaType: 'image/jpeg',
            sizeBytes: 0,
            sha256: 'a'.repeat(64),
            submittedAt: '2026-02-15T00:12:24Z',
          },
        ],
      },
      ...demo.slice(1, 60),
    ];
    for (const v of variants) {
      const parsed = DisputeWithFiles.parse(v);
      expect(compiled(parsed)).toBe(definition(parsed));
      expect(canonicalJson(parsed)).toBe(definition(parsed));
    }
  });

  it('compiles only schemas whose output it can vouch for', () => {
    const ok = z.object({ b: z.string(), a: z.array(z.object({ y: z.number(), x: z.boolean().nullable() }).strict()) }).strict();
    expect(canonicalJsonFor(ok)!({ b: 'b', a: [{ y: 1, x: null }] })).toBe('{"a":[{"x":null,"y":1}],"b":"b"}');
    const refused: z.ZodType[] = [
      z.record(z.string(), z.string()), // any key
      z.object({ a: z.string() }).catchall(z.string()), // keys beyond the shape
      z.looseObject({ a: z.string() }),
      z.object({ a: z.string().transform((s) => new Date(s)) }), // a value JSON renders its own way
      z.object({ a: z.union([z.string(), z.object({ b: z.string() })]) }),
      z.object({ a: z.array(z.string().optional()) }), // an undefined item
      z.object({ constructor: z.string() }), // read from Object.prototype where missing
      z.object({ '1': z.string() }), // integer-like keys come first in any object
      z.object({ a: z.unknown() }),
    ];
    for (const s of refused) expect(canonicalJsonFor(s)).toBeNull();
  });
});

import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineTooLong, MAX_LINE_CHARS, ndjsonLines } from '../../src-main/util/ndjson-lines';

/** The import's and the score's line splitter: CRLF, a byte-order mark, chunk borders, and a file that is one endless line. */

const lines = async (chunks: string[], max?: number) => {
  const out: string[] = [];
  for await (const l of ndjsonLines(Readable.from(chunks), max)) out.push(l.text);
  return out;
};

describe('ndjsonLines', () => {
  it('splits on LF and CRLF across chunk borders, skips a leading byte-order mark, keeps a last line without newline', async () => {
    expect(await lines(['\uFEFF{"a":1}\r', '\n{"b":', '2}\n\n{"c"', ':3}\r'])).toEqual(['{"a":1}', '{"b":2}', '', '{"c":3}']);
    expect(await lines(['x\n', '\uFEFFy\n'])).toEqual(['x', '\uFEFFy']);
  });

  it('a line longer than the limit is refused as soon as it passes it, without reading the rest', async () => {
    const chunk = 'x'.repeat(1 << 20);
    let pulled = 0;
    async function* endless() {
      for (let i = 0; i < 40; i++) {
        pulled++;
        yield chunk;
      }
    }
    const started = performance.now();
    const read = (async () => {
      for await (const _ of ndjsonLines(Readable.from(endless()), 8 << 20)) void _;
    })();
    await expect(read).rejects.toThrow(LineTooLong);
    await expect(read).rejects.toThrow(/line 1 is longer than/);
    expect(pulled).toBeLessThanOrEqual(10);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('reads one long line (the limit is above the largest valid dispute) in time linear in its length', async () => {
    expect(MAX_LINE_CHARS).toBeGreaterThanOrEqual(110 * 1024 * 1024);
    const chunk = 'y'.repeat(1 << 20);
    // 96 chunks of 1 Mi characters: re-scanning the growing line on each chunk did ~4.6 G character steps.
    const started = performance.now();
    const out = await lines([...Array.from({ length: 96 }, () => chunk), '\nz']);
    expect(out.map((l) => l.length)).toEqual([96 << 20, 1]);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

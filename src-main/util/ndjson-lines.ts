import type { Readable } from 'node:stream';

/**
 * The lines of a UTF-8 text stream (opened with `encoding: 'utf8'`, so a character split between
 * chunks is decoded whole), numbered from 1, with the bytes read so far (for progress).
 * Splits large chunks itself: node's readline costs several times more per line, and a
 * million-line import reads two gigabytes. A final line without a newline counts; `\r\n` too.
 */
export async function* ndjsonLines(input: Readable): AsyncGenerator<{ line: number; text: string; bytesRead: number }> {
  let rest = '';
  let line = 0;
  let bytesRead = 0;
  for await (const chunk of input as AsyncIterable<string | Buffer>) {
    const piece = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    bytesRead += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    const text = rest + piece;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield { line: ++line, text: text.slice(start, end), bytesRead };
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest) yield { line: line + 1, text: rest.endsWith('\r') ? rest.slice(0, -1) : rest, bytesRead };
}

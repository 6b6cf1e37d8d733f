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
  let first = true;
  for await (const chunk of input as AsyncIterable<string | Buffer>) {
    const decoded = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const piece = first ? withoutBom(decoded) : decoded;
    first = false;
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

/** A text without the UTF-8 byte-order mark some editors (Notepad, Excel's "CSV UTF-8") put at the start of a file. */
export const withoutBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

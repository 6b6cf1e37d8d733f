import type { Readable } from 'node:stream';

/**
 * The longest line read: above the largest valid dispute (5,000 messages of 20,000 characters
 * and the rest, about 103 Mi characters), far below what one string can hold. A file without
 * newlines (not NDJSON, or a binary) is refused once a line passes it, not held whole.
 */
export const MAX_LINE_CHARS = 128 * 1024 * 1024;

/** A line longer than MAX_LINE_CHARS: the reading stops there. */
export class LineTooLong extends Error {
  constructor(
    readonly line: number,
    max: number,
  ) {
    super(
      `line ${line} is longer than ${Math.round(max / (1024 * 1024))} Mi characters, more than any record holds; is the file NDJSON (one record per line)?`,
    );
  }
}

/**
 * The lines of a UTF-8 text stream (opened with `encoding: 'utf8'`, so a character split between
 * chunks is decoded whole), numbered from 1, with the bytes read so far (for progress).
 * Splits large chunks itself: node's readline costs several times more per line, and a
 * million-line import reads two gigabytes. A final line without a newline counts; `\r\n` too.
 * A leading byte-order mark is skipped. Each chunk is searched once: a long line's pieces wait in
 * a list and are joined when its newline comes (searching the growing line again was quadratic).
 */
export async function* ndjsonLines(
  input: Readable,
  maxLineChars = MAX_LINE_CHARS,
): AsyncGenerator<{ line: number; text: string; bytesRead: number }> {
  let pending: string[] = [];
  let pendingChars = 0;
  let line = 0;
  let bytesRead = 0;
  let first = true;
  const whole = (last: string) => {
    const text = pending.length ? (pending.push(last), pending.join('')) : last;
    pending = [];
    pendingChars = 0;
    if (text.length > maxLineChars + 1) throw new LineTooLong(line + 1, maxLineChars);
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  };
  for await (const chunk of input as AsyncIterable<string | Buffer>) {
    const decoded = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const piece = first ? withoutBom(decoded) : decoded;
    first = false;
    bytesRead += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    let start = 0;
    for (let nl = piece.indexOf('\n'); nl !== -1; nl = piece.indexOf('\n', start)) {
      const text = whole(piece.slice(start, nl));
      yield { line: ++line, text, bytesRead };
      start = nl + 1;
    }
    if (start < piece.length) {
      const tail = start === 0 ? piece : piece.slice(start);
      pending.push(tail);
      pendingChars += tail.length;
      if (pendingChars > maxLineChars + 1) throw new LineTooLong(line + 1, maxLineChars);
    }
  }
  if (pending.length) yield { line: line + 1, text: whole(''), bytesRead };
}

/** A text without the UTF-8 byte-order mark some editors (Notepad, Excel's "CSV UTF-8") put at the start of a file. */
export const withoutBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

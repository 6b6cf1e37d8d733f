/**
 * A party's file name is kept as metadata only: files are stored under their sha256, never
 * under this name. It is still shown on screens, written into letters and offered as a
 * download name, so it is reduced to something that cannot:
 * - point anywhere (`../../etc/passwd.jpg`, `C:\x\y.png` → the last path segment),
 * - hide what it is (U+202E turns `photo\u202Egpj.exe` into "photoexe.jpg" on screen),
 * - break a line, a header or a log (control characters, line separators),
 * - be refused by a file system when downloaded (Windows-reserved characters, > 255 bytes).
 */

/** C0, DEL and C1 controls. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
/**
 * Bidi embeddings/overrides (U+202A–202E), isolates (U+2066–2069), marks (U+200E/F, U+061C),
 * and other invisible characters that only serve to disguise a name: zero-width space,
 * word joiner, BOM, line/paragraph separators. ZWJ/ZWNJ (U+200C/D) stay: several scripts
 * need them to spell words.
 */
const INVISIBLE = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u2060\ufeff\u2028\u2029]/g;
/** Characters Windows refuses in a file name (the path separators are handled before). */
const WINDOWS_RESERVED = /[<>:"|?*]/g;

const MAX_BYTES = 255;
const FALLBACK = 'file';

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** The leading graphemes of `s` that fit in `maxBytes` of UTF-8 (never splits a character). */
function truncateToBytes(s: string, maxBytes: number): string {
  if (utf8Length(s) <= maxBytes) return s;
  let out = '';
  let used = 0;
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)) {
    const n = utf8Length(segment);
    if (used + n > maxBytes) break;
    out += segment;
    used += n;
  }
  return out;
}

/**
 * The display name of an uploaded file: the last path segment, NFC, without control or
 * bidi-control characters, trimmed, at most 255 UTF-8 bytes (so also ≤ 255 UTF-16 units)
 * keeping the extension, never empty ("file").
 */
export function sanitizeFileName(raw: string): string {
  let name = String(raw).normalize('NFC').replace(CONTROLS, '').replace(INVISIBLE, '');
  // Last non-empty segment, '/' and '\' both being separators (a Windows path arrives verbatim).
  const segments = name.split(/[/\\]/).filter((s) => s.trim() !== '' && s.trim() !== '.' && s.trim() !== '..');
  name = segments.at(-1) ?? '';
  name = name.replace(WINDOWS_RESERVED, '_').replace(/\s+/g, ' ');
  // Windows drops trailing dots and spaces; leading spaces are invisible on screen.
  name = name.trim().replace(/[. ]+$/, '');
  if (name === '') return FALLBACK;
  // A name that is all extension (".jpg", ".htaccess") would be hidden by many systems.
  if (name.startsWith('.')) name = FALLBACK + name.replace(/^\.+/, '.');
  if (utf8Length(name) <= MAX_BYTES) return name;

  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 && !name.slice(dot).includes(' ') ? name.slice(dot) : '';
  const stem = truncateToBytes(ext ? name.slice(0, dot) : name, MAX_BYTES - utf8Length(ext)).trim();
  return (stem || FALLBACK) + ext;
}

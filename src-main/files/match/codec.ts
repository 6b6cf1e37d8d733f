import { decodeFeatures, encodeFeatures } from './features';
import type { Thumb } from './thumb';
import type { PhotoPrint } from './verify';

/**
 * A stored print as text (evidence_prints.print, portable): base64 of the thumb's size (2 bytes),
 * its three planes, then the encoded features. Decoding refuses anything that does not add up.
 */
export function encodePrint(p: PhotoPrint): string {
  const f = encodeFeatures(p.features);
  const n = p.thumb.w * p.thumb.h;
  const buf = new Uint8Array(2 + 3 * n + f.length);
  buf[0] = p.thumb.w;
  buf[1] = p.thumb.h;
  buf.set(p.thumb.y, 2);
  buf.set(p.thumb.cb, 2 + n);
  buf.set(p.thumb.cr, 2 + 2 * n);
  buf.set(f, 2 + 3 * n);
  return Buffer.from(buf).toString('base64');
}

export function decodePrint(text: string): PhotoPrint {
  const buf = new Uint8Array(Buffer.from(text, 'base64'));
  const w = buf[0] ?? 0;
  const h = buf[1] ?? 0;
  const n = w * h;
  if (!n || buf.length < 2 + 3 * n + 12) throw new Error('stored photo print: too short');
  const thumb: Thumb = { w, h, y: buf.slice(2, 2 + n), cb: buf.slice(2 + n, 2 + 2 * n), cr: buf.slice(2 + 2 * n, 2 + 3 * n) };
  return { thumb, features: decodeFeatures(buf.slice(2 + 3 * n)) };
}

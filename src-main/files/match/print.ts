import sharp from 'sharp';
import { BASE_SIDE, extractFeatures, mirrorGray } from './features';
import { THUMB_SIDE, halveThumb, thumbOfRgb } from './thumb';
import type { QueryPrint } from './verify';

/**
 * The matcher's view of one decoded image: its corners (and its mirror image's) and its tiny
 * colour copy. Two small reductions by libvips (BASE_SIDE gray, THUMB_SIDE colour), then
 * pure code over a 400-pixel image: a bounded cost per image whatever its size (~40 ms).
 */
export async function printOfPixels(pixels: Uint8Array, width: number, height: number, channels: 1 | 2 | 3 | 4): Promise<QueryPrint> {
  const raw = { raw: { width, height, channels } };
  const [gray, colour] = await Promise.all([
    sharp(pixels, raw)
      .resize(BASE_SIDE, BASE_SIDE, { fit: 'inside', withoutEnlargement: true })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true }),
    sharp(pixels, raw)
      .resize(2 * THUMB_SIDE, 2 * THUMB_SIDE, { fit: 'inside' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true }),
  ]);
  const g = new Uint8Array(gray.data.buffer, gray.data.byteOffset, gray.info.width * gray.info.height);
  const thumb = thumbOfRgb(colour.data, colour.info.width, colour.info.height, colour.info.channels);
  return {
    features: extractFeatures(g, gray.info.width, gray.info.height),
    mirror: extractFeatures(mirrorGray(g, gray.info.width, gray.info.height), gray.info.width, gray.info.height),
    thumb,
    stored: halveThumb(thumb),
  };
}

/** The print of encoded image bytes (benches and tests; the evidence intake decodes once and calls printOfPixels). */
export async function printOfImage(bytes: Buffer): Promise<QueryPrint> {
  const { data, info } = await sharp(bytes).autoOrient().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return printOfPixels(data, info.width, info.height, info.channels);
}

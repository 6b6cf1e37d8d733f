import sharp from 'sharp';
import { SeededRandom } from '../util/seeded-random';

/**
 * A test set for photo matching (issue 15): real-looking product shots and the edits a
 * fraudster makes to pass one off as their own. Each product is one object (bottle, box, mug,
 * ball, book, can, shoe-like blob) of a random colour and surface (plain, stripes, dots, a
 * printed label, checks, speckles) on a plain or gradient backdrop with a soft shadow, in the
 * framing product photos share (centred, 45–70 % of the frame), with sensor noise, saved as a
 * camera-sized JPEG. Plain objects on plain backdrops are deliberately common: they are the
 * look-alikes a matcher confuses. Everything follows from the seed, so a set is the same on
 * every run; tuning and the held-out test use disjoint seeds.
 */

export const PHOTO_EDITS = [
  'jpeg60',
  'resize50',
  'rotate90',
  'mirror',
  'brighter15',
  'watermark',
  'grayscale',
  'crop15',
  'border',
  'tilt5',
] as const;
export type PhotoEdit = (typeof PHOTO_EDITS)[number];

const SIZES: Array<[number, number]> = [
  [1200, 900],
  [1000, 1000],
  [1280, 960],
  [900, 1200],
  [1600, 1200],
];

const hsl = (h: number, s: number, l: number) => `hsl(${h.toFixed(0)},${s.toFixed(0)}%,${l.toFixed(0)}%)`;

/** The SVG of one product shot (before noise and JPEG). */
function productSvg(r: SeededRandom, w: number, h: number): string {
  const bgHue = r.range(0, 360);
  const bgSat = r.range(0, 25);
  const bgLight = r.range(82, 97);
  const gradient = r.chance(0.5);
  const backdrop = gradient
    ? `<defs><linearGradient id="bg" x1="0" y1="0" x2="${r.range(0, 0.4).toFixed(2)}" y2="1">` +
      `<stop offset="0" stop-color="${hsl(bgHue, bgSat, bgLight)}"/><stop offset="1" stop-color="${hsl(bgHue, bgSat, bgLight - r.range(10, 25))}"/>` +
      `</linearGradient></defs><rect width="${w}" height="${h}" fill="url(#bg)"/>`
    : `<rect width="${w}" height="${h}" fill="${hsl(bgHue, bgSat, bgLight)}"/>`;

  const side = Math.min(w, h) * r.range(0.45, 0.7);
  const cx = w / 2 + r.range(-0.06, 0.06) * w;
  const cy = h / 2 + r.range(-0.05, 0.05) * h;
  const hue = r.range(0, 360);
  const sat = r.range(10, 85);
  const light = r.range(20, 70);
  const fill = hsl(hue, sat, light);
  const accent = hsl((hue + r.range(90, 270)) % 360, r.range(20, 90), r.range(15, 85));
  const shape = r.pick(['bottle', 'box', 'mug', 'ball', 'book', 'can', 'shoe'] as const);
  const aspect = r.range(0.45, 0.9);
  const ow = shape === 'ball' ? side : shape === 'shoe' ? side : side * aspect;
  const oh = shape === 'shoe' ? side * 0.5 : side;
  const x0 = cx - ow / 2;
  const y0 = cy - oh / 2;

  let body: string;
  switch (shape) {
    case 'bottle':
      body =
        `<rect x="${cx - ow * 0.15}" y="${y0}" width="${ow * 0.3}" height="${oh * 0.25}" rx="${ow * 0.05}"/>` +
        `<rect x="${x0}" y="${y0 + oh * 0.2}" width="${ow}" height="${oh * 0.8}" rx="${ow * 0.25}"/>`;
      break;
    case 'mug':
      body =
        `<rect x="${x0}" y="${y0}" width="${ow * 0.8}" height="${oh}" rx="${ow * 0.06}"/>` +
        `<circle cx="${x0 + ow * 0.8}" cy="${cy}" r="${oh * 0.22}" fill="none" stroke="${fill}" stroke-width="${ow * 0.08}"/>`;
      break;
    case 'ball':
      body = `<circle cx="${cx}" cy="${cy}" r="${ow / 2}"/>`;
      break;
    case 'can':
      body =
        `<rect x="${x0}" y="${y0 + oh * 0.06}" width="${ow}" height="${oh * 0.88}"/>` +
        `<ellipse cx="${cx}" cy="${y0 + oh * 0.06}" rx="${ow / 2}" ry="${oh * 0.06}"/>` +
        `<ellipse cx="${cx}" cy="${y0 + oh * 0.94}" rx="${ow / 2}" ry="${oh * 0.06}"/>`;
      break;
    case 'shoe':
      body = `<path d="M${x0},${y0 + oh} L${x0},${y0 + oh * 0.35} Q${x0 + ow * 0.2},${y0} ${x0 + ow * 0.45},${y0 + oh * 0.3} L${x0 + ow * 0.9},${y0 + oh * 0.6} Q${x0 + ow},${y0 + oh * 0.8} ${x0 + ow},${y0 + oh} Z"/>`;
      break;
    default: // box, book
      body = `<rect x="${x0}" y="${y0}" width="${ow}" height="${oh}" rx="${shape === 'book' ? 3 : ow * 0.02}"/>`;
  }

  // The surface: what distinguishes one product from another of the same shape.
  const surface = r.pick(['plain', 'plain', 'stripes', 'dots', 'label', 'checks', 'speckles'] as const);
  let pattern = '';
  let overlay = '';
  const cell = side * r.range(0.04, 0.12);
  if (surface === 'stripes')
    pattern = `<pattern id="p" width="${cell}" height="${cell}" patternUnits="userSpaceOnUse" patternTransform="rotate(${r.range(0, 180).toFixed(0)})"><rect width="${cell / 2}" height="${cell}" fill="${accent}"/></pattern>`;
  else if (surface === 'dots')
    pattern = `<pattern id="p" width="${cell}" height="${cell}" patternUnits="userSpaceOnUse"><circle cx="${cell / 2}" cy="${cell / 2}" r="${cell * r.range(0.15, 0.35)}" fill="${accent}"/></pattern>`;
  else if (surface === 'checks')
    pattern = `<pattern id="p" width="${cell * 2}" height="${cell * 2}" patternUnits="userSpaceOnUse"><rect width="${cell}" height="${cell}" fill="${accent}"/><rect x="${cell}" y="${cell}" width="${cell}" height="${cell}" fill="${accent}"/></pattern>`;
  else if (surface === 'label') {
    const words = ['ORGANIC', 'PREMIUM', 'CLASSIC', 'NATURE', 'URBAN', 'FRESH', 'ROYAL', 'BASIC', 'SPORT', 'LUXE'];
    const lw = ow * 0.7;
    const lh = oh * r.range(0.15, 0.3);
    overlay =
      `<rect x="${cx - lw / 2}" y="${cy - lh / 2}" width="${lw}" height="${lh}" fill="${accent}"/>` +
      `<text x="${cx}" y="${cy + lh * 0.15}" font-family="DejaVu Sans" font-weight="bold" font-size="${lh * 0.45}" text-anchor="middle" fill="${fill}">${r.pick(words)} ${r.int(1, 99)}</text>`;
  } else if (surface === 'speckles') {
    for (let i = 0; i < 40; i++)
      overlay += `<circle cx="${x0 + r.range(0.1, 0.9) * ow}" cy="${y0 + r.range(0.15, 0.9) * oh}" r="${side * r.range(0.005, 0.02)}" fill="${accent}"/>`;
  }
  const clip = `<clipPath id="c">${body}</clipPath>`;
  const shadow = `<ellipse cx="${cx}" cy="${y0 + oh}" rx="${ow * 0.55}" ry="${oh * 0.06}" fill="black" opacity="0.18" filter="url(#blur)"/>`;
  const shading = `<linearGradient id="sh" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="white" stop-opacity="0.25"/><stop offset="0.5" stop-color="white" stop-opacity="0"/><stop offset="1" stop-color="black" stop-opacity="0.25"/></linearGradient>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${backdrop}` +
    `<defs>${clip}${pattern}${shading}<filter id="blur"><feGaussianBlur stdDeviation="${side * 0.02}"/></filter></defs>${shadow}` +
    `<g fill="${fill}">${body}</g>` +
    (pattern ? `<g clip-path="url(#c)"><rect x="${x0}" y="${y0}" width="${ow}" height="${oh}" fill="url(#p)"/></g>` : '') +
    overlay +
    `<g clip-path="url(#c)"><rect x="${x0}" y="${y0}" width="${ow}" height="${oh}" fill="url(#sh)"/></g></svg>`
  );
}

/** One product shot: a JPEG (quality 88–95) of a camera-like size with sensor noise. */
export async function productPhoto(seed: number): Promise<Buffer> {
  const r = new SeededRandom(seed * 7919 + 17);
  const [w, h] = r.pick(SIZES);
  const { data, info } = await sharp(Buffer.from(productSvg(r, w, h)))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const sigma = r.range(1.5, 5);
  for (let i = 0; i < data.length; i++) {
    // Approximately normal noise (sum of three uniforms).
    const n = (r.next() + r.next() + r.next() - 1.5) * 2 * sigma;
    data[i] = Math.max(0, Math.min(255, data[i]! + n));
  }
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .jpeg({ quality: r.int(88, 95) })
    .toBuffer();
}

/** The edit applied to a photo, with parameters drawn from `seed` (crop sides, tilt angle, border style). */
export async function editPhoto(photo: Buffer, edit: PhotoEdit, seed: number): Promise<Buffer> {
  const r = new SeededRandom(seed * 104729 + 3);
  const img = sharp(photo);
  const { width: w, height: h } = await img.metadata();
  const jpeg = (s: sharp.Sharp) => s.jpeg({ quality: 85 }).toBuffer();
  switch (edit) {
    case 'jpeg60':
      return img.jpeg({ quality: 60 }).toBuffer();
    case 'resize50':
      return jpeg(img.resize(Math.round(w / 2), Math.round(h / 2)));
    case 'rotate90':
      return jpeg(img.rotate(r.pick([90, 270])));
    case 'mirror':
      return jpeg(img.flop());
    case 'brighter15':
      return jpeg(img.modulate({ brightness: 1.15 }));
    case 'grayscale':
      return jpeg(img.grayscale());
    case 'watermark': {
      const size = Math.round(w * r.range(0.05, 0.09));
      const text = r.pick(['SAMPLE', '© myshop', 'DO NOT COPY', 'best_deals_24', 'PROOF']);
      const svg =
        `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><text x="${w * r.range(0.3, 0.7)}" y="${h * r.range(0.3, 0.85)}" ` +
        `font-family="DejaVu Sans" font-size="${size}" font-weight="bold" text-anchor="middle" fill="${r.pick(['white', 'black', 'red'])}" ` +
        `fill-opacity="${r.range(0.35, 0.6).toFixed(2)}" transform="rotate(${r.range(-30, 0).toFixed(0)} ${w / 2} ${h / 2})">${text}</text></svg>`;
      return jpeg(img.composite([{ input: Buffer.from(svg) }]));
    }
    case 'crop15': {
      // Up to 15 % of each dimension removed, split between the two sides at random.
      const cw = Math.round(w * r.range(0.05, 0.15));
      const ch = Math.round(h * r.range(0.05, 0.15));
      const left = Math.round(cw * r.next());
      const top = Math.round(ch * r.next());
      return jpeg(img.extract({ left, top, width: w - cw, height: h - ch }));
    }
    case 'border': {
      if (r.chance(0.5)) {
        // Padding: a plain margin of 4–12 % around the picture.
        const pad = Math.round(Math.max(w, h) * r.range(0.04, 0.12));
        const c = r.int(0, 255);
        return jpeg(img.extend({ top: pad, bottom: pad, left: pad, right: pad, background: { r: c, g: c, b: c } }));
      }
      // A phone screenshot: the picture fitted into a portrait screen with bars and text.
      const sw = 1080;
      const sh = 2340;
      const fitW = sw;
      const fitH = Math.min(Math.round((h / w) * sw), sh - 500);
      const pic = await img.resize(fitW, fitH, { fit: 'fill' }).toBuffer();
      const dark = r.chance(0.5);
      const ink = dark ? 'white' : 'black';
      const top = 260 + r.int(0, 200);
      const bars =
        `<svg xmlns="http://www.w3.org/2000/svg" width="${sw}" height="${sh}"><text x="40" y="70" font-family="DejaVu Sans" font-size="44" fill="${ink}">${r.int(10, 23)}:${r.int(10, 59)}</text>` +
        `<rect x="930" y="40" width="90" height="36" rx="8" fill="none" stroke="${ink}" stroke-width="4"/>` +
        `<text x="40" y="200" font-family="DejaVu Sans" font-size="52" font-weight="bold" fill="${ink}">Photos</text>` +
        `<text x="40" y="${top + fitH + 120}" font-family="DejaVu Sans" font-size="40" fill="${ink}">Shared with you · ${r.int(1, 28)} May</text></svg>`;
      const bg = dark ? { r: 0, g: 0, b: 0 } : { r: 255, g: 255, b: 255 };
      return jpeg(
        sharp({ create: { width: sw, height: sh, channels: 3, background: bg } }).composite([
          { input: pic, top, left: 0 },
          { input: Buffer.from(bars), top: 0, left: 0 },
        ]),
      );
    }
    case 'tilt5': {
      const angle = r.range(1, 5) * (r.chance(0.5) ? 1 : -1);
      const bg = r.chance(0.5) ? { r: 255, g: 255, b: 255 } : { r: 0, g: 0, b: 0 };
      return jpeg(img.rotate(angle, { background: bg }));
    }
  }
}

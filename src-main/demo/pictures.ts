import sharp from 'sharp';

/**
 * Synthetic but plausible evidence pictures for the demo (demo/evidence.ts): drawn
 * as SVG, rendered by sharp, given camera-like grain, JPEG-encoded with the EXIF a phone
 * would write. Deterministic: the same call gives the same bytes.
 */

const W = 1280;
const H = 960;

export interface CameraExif {
  make: string;
  model: string;
  /** The wall-clock capture time as the phone shows it, and its UTC offset ("+02:00"); null offset: the camera wrote none. */
  taken: Date;
  offset: string | null;
}

/** A photo from a phone: grain, JPEG, EXIF (or none: a picture forwarded by a messenger). */
async function photo(
  svg: string,
  exif: CameraExif | null,
  opts: { width?: number; height?: number; grain?: number } = {},
): Promise<Buffer> {
  const width = opts.width ?? W;
  const height = opts.height ?? H;
  const base = await sharp(Buffer.from(svg)).resize(width, height).removeAlpha().raw().toBuffer();
  // Sensor noise: a fixed pseudo-random pattern (no Math.random: the demo is reproducible).
  const grain = opts.grain ?? 7;
  let seed = 0x9e3779b9;
  for (let i = 0; i < base.length; i++) {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    const n = ((seed & 0xff) / 255 - 0.5) * 2 * grain;
    base[i] = Math.max(0, Math.min(255, base[i]! + n));
  }
  let img = sharp(base, { raw: { width, height, channels: 3 } });
  if (exif) {
    const stamp = exifTime(exif.taken);
    img = img.withExif({
      IFD0: { Make: exif.make, Model: exif.model, DateTime: stamp, Software: `${exif.model} camera` },
      IFD2: {
        DateTimeOriginal: stamp,
        DateTimeDigitized: stamp,
        ...(exif.offset ? { OffsetTimeOriginal: exif.offset, OffsetTime: exif.offset } : {}),
      },
    });
  }
  return img.jpeg({ quality: 84 }).toBuffer();
}

const pad = (n: number) => String(n).padStart(2, '0');
/** EXIF writes the phone's wall clock: the UTC fields of `taken` are read as that clock. */
const exifTime = (d: Date) =>
  `${d.getUTCFullYear()}:${pad(d.getUTCMonth() + 1)}:${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;

const svgDoc = (body: string, width = W, height = H) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${body}</svg>`;

const floor = (top: string, bottom: string) => `
  <defs>
    <linearGradient id="floor" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="${bottom}"/></linearGradient>
    <radialGradient id="light" cx="0.35" cy="0.25" r="0.9"><stop offset="0" stop-color="#fff" stop-opacity="0.25"/><stop offset="1" stop-color="#000" stop-opacity="0.25"/></radialGradient>
  </defs>
  <rect width="${W}" height="${H}" fill="url(#floor)"/>`;

const vignette = `<rect width="${W}" height="${H}" fill="url(#light)"/>`;

/** A closed cardboard box on a floor, seen from above at an angle; `crushed` dents a corner and tears the tape. */
function parcelSvg(opts: { crushed: boolean; label: string }): string {
  const { crushed } = opts;
  const top = crushed ? '300,250 760,205 1010,330 560,395' : '300,250 760,205 1010,330 560,390';
  const front = crushed ? '300,250 560,395 575,800 330,690' : '300,250 560,390 560,800 300,680';
  const side = crushed ? '560,395 1010,330 985,560 905,600 930,690 575,800' : '560,390 1010,330 1010,700 560,800';
  return svgDoc(`
    ${floor('#b9b2a6', '#8d867a')}
    <ellipse cx="660" cy="790" rx="430" ry="70" fill="#000" opacity="0.22"/>
    <polygon points="${top}" fill="#c8955a" stroke="#8a5a2b" stroke-width="3"/>
    <polygon points="${front}" fill="#a8743d" stroke="#7a4d22" stroke-width="3"/>
    <polygon points="${side}" fill="#94612f" stroke="#6e4520" stroke-width="3"/>
    <polygon points="${crushed ? '520,228 560,225 800,350 770,356' : '520,228 560,225 800,352 762,358'}" fill="#d9c9a0" opacity="0.85"/>
    ${crushed ? '<polyline points="905,600 950,585 930,640 965,650 930,690" fill="none" stroke="#5a3815" stroke-width="5"/><path d="M 700 318 l 30 22 l -12 6 z" fill="#6b431d"/>' : ''}
    <polygon points="640,470 880,440 880,560 640,590" fill="#f4f1ea" stroke="#bbb" stroke-width="2"/>
    <text x="655" y="500" font-family="DejaVu Sans, sans-serif" font-size="22" fill="#222" transform="rotate(-7 655 500)">${opts.label}</text>
    <g transform="rotate(-7 655 540)">
      ${Array.from({ length: 22 }, (_, i) => `<rect x="${655 + i * 9}" y="525" width="${i % 3 === 0 ? 5 : 3}" height="40" fill="#222"/>`).join('')}
    </g>
    <text x="330" y="560" font-family="DejaVu Sans, sans-serif" font-size="34" fill="#5d3b18" opacity="0.7" transform="skewY(25) translate(0 -170)">FRAGILE</text>
    ${crushed ? '<path d="M 330 690 q 60 -20 120 10 t 110 -5" stroke="#6e4520" stroke-width="4" fill="none"/>' : ''}
    ${vignette}`);
}

export const parcelPhoto = (exif: CameraExif | null, label = 'RR 4471 2290 CN') => photo(parcelSvg({ crushed: false, label }), exif);
export const crushedParcelPhoto = (exif: CameraExif | null, label = 'RR 4471 2290 CN') => photo(parcelSvg({ crushed: true, label }), exif);

/** A phone lying face up on a table; `cracked` draws a shattered screen. */
function phoneSvg(opts: { cracked: boolean; charging: boolean; on: boolean }): string {
  const cracks = opts.cracked
    ? `<g stroke="#e8eef5" stroke-width="2.5" fill="none" opacity="0.9">
        <polyline points="700,430 620,300 600,210"/><polyline points="700,430 790,330 830,200"/>
        <polyline points="700,430 860,470 900,520"/><polyline points="700,430 760,600 800,760"/>
        <polyline points="700,430 590,560 560,700"/><polyline points="700,430 540,420 505,380"/>
        <polyline points="620,300 560,330"/><polyline points="790,330 860,350"/><polyline points="760,600 850,640"/>
        <polyline points="590,560 520,600"/><polyline points="640,360 700,430 730,380 790,330"/>
        <circle cx="700" cy="430" r="18" stroke-width="3"/>
      </g>`
    : '';
  const screen = opts.on
    ? `<rect x="520" y="175" width="380" height="640" rx="18" fill="#1d3b6a"/><text x="710" y="300" font-family="DejaVu Sans, sans-serif" font-size="64" fill="#fff" text-anchor="middle">10:42</text>`
    : `<rect x="520" y="175" width="380" height="640" rx="18" fill="#0b0c0e"/>`;
  const charger = opts.charging
    ? `<path d="M 710 905 C 710 960, 900 930, 1100 960" stroke="#f2f2f2" stroke-width="14" fill="none"/>
       <rect x="690" y="860" width="40" height="55" rx="6" fill="#e9e9e9" stroke="#bbb"/>
       <rect x="1040" y="760" width="150" height="150" rx="24" fill="#f4f4f4" stroke="#ccc" stroke-width="3"/>
       <circle cx="1160" cy="790" r="7" fill="#3fbf4a"/>
       <g transform="translate(160 320)"><rect x="0" y="0" width="230" height="420" rx="30" fill="#2b2b2e"/><rect x="12" y="14" width="206" height="390" rx="20" fill="#2c5e3a"/>
         <path d="M 118 140 l -30 70 h 26 l -12 60 l 42 -80 h -28 l 16 -50 z" fill="#b8f5c2"/><text x="115" y="330" font-family="DejaVu Sans, sans-serif" font-size="28" fill="#e8ffe8" text-anchor="middle">Charging 64%</text></g>`
    : '';
  return svgDoc(`
    <defs>
      <linearGradient id="wood" x1="0" y1="0" x2="1" y2="0.2"><stop offset="0" stop-color="#8b5e3c"/><stop offset="0.5" stop-color="#a67650"/><stop offset="1" stop-color="#7d5233"/></linearGradient>
      <radialGradient id="light" cx="0.4" cy="0.3" r="0.9"><stop offset="0" stop-color="#fff" stop-opacity="0.18"/><stop offset="1" stop-color="#000" stop-opacity="0.3"/></radialGradient>
    </defs>
    <rect width="${W}" height="${H}" fill="url(#wood)"/>
    ${Array.from({ length: 14 }, (_, i) => `<path d="M 0 ${40 + i * 68} C 400 ${20 + i * 70}, 800 ${70 + i * 66}, 1280 ${45 + i * 69}" stroke="#6d4528" stroke-width="2" opacity="0.35" fill="none"/>`).join('')}
    <rect x="505" y="150" width="410" height="700" rx="48" fill="#000" opacity="0.35" transform="translate(14 16)"/>
    <rect x="500" y="150" width="420" height="700" rx="48" fill="#1a1a1c" stroke="#3a3a3e" stroke-width="4"/>
    ${screen}
    <rect x="665" y="160" width="90" height="10" rx="5" fill="#2a2a2e"/>
    ${cracks}
    ${charger}
    <rect width="${W}" height="${H}" fill="url(#light)"/>`);
}

export const crackedScreenPhoto = (exif: CameraExif | null) => photo(phoneSvg({ cracked: true, charging: false, on: false }), exif);
/** The seller's side: the phone switched on, screen whole, before packing. */
export const phoneWorkingPhoto = (exif: CameraExif | null) => photo(phoneSvg({ cracked: false, charging: false, on: true }), exif);
/** "Video of the phone on its charger next to a second device that charges" — as a still. */
export const phoneOnChargerPhoto = (exif: CameraExif | null) => photo(phoneSvg({ cracked: false, charging: true, on: false }), exif);

/** An opened box with the item in its foam, a packing slip: a seller's "this is what we sent". */
const PHONE_IN_FOAM = `
      <rect x="470" y="330" width="340" height="420" rx="20" fill="#3a3d44"/>
      <rect x="520" y="370" width="240" height="340" rx="30" fill="#1a1a1c" stroke="#555" stroke-width="4"/>
      <rect x="538" y="392" width="204" height="296" rx="14" fill="#0c0d10"/>`;
/** A vase in bubble wrap, lying in the box. */
const VASE_IN_WRAP = `
      <path d="M 420 560 C 420 430, 520 380, 600 400 L 760 380 C 800 375, 810 420, 780 440 C 760 455, 760 480, 790 520 C 830 600, 760 700, 620 700 C 500 700, 420 650, 420 560 Z" fill="#2f6f8f" stroke="#1d4a60" stroke-width="4"/>
      <path d="M 520 395 C 500 480, 500 610, 525 695" stroke="#e8d9a8" stroke-width="10" fill="none"/>
      <path d="M 640 392 C 625 480, 625 610, 645 700" stroke="#e8d9a8" stroke-width="6" fill="none" stroke-dasharray="18 10"/>
      <path d="M 700 388 C 690 470, 690 620, 705 695" stroke="#e8d9a8" stroke-width="10" fill="none"/>
      <rect x="360" y="340" width="520" height="400" rx="40" fill="#dfe9ee" opacity="0.55" stroke="#b9c8cf" stroke-width="3"/>
      ${Array.from({ length: 8 * 12 }, (_, i) => `<circle cx="${390 + (i % 12) * 42 + (Math.floor(i / 12) % 2) * 21}" cy="${370 + Math.floor(i / 12) * 46}" r="14" fill="#fff" opacity="0.35" stroke="#9fb3bc" stroke-width="1.5"/>`).join('')}`;

export const packingPhoto = (exif: CameraExif | null, orderId: string, item: 'phone' | 'vase' = 'phone') =>
  photo(
    svgDoc(`
      ${floor('#d8d4cc', '#b5b0a6')}
      <polygon points="260,260 1020,260 1080,820 200,820" fill="#a8743d" stroke="#7a4d22" stroke-width="4"/>
      <polygon points="300,290 980,290 1030,790 250,790" fill="#e9e4da"/>
      ${item === 'phone' ? PHONE_IN_FOAM : VASE_IN_WRAP}
      <polygon points="860,360 1000,380 985,640 845,620" fill="#fbfbf8" stroke="#ccc" stroke-width="2"/>
      <text x="870" y="400" font-family="DejaVu Sans, sans-serif" font-size="18" fill="#333" transform="rotate(8 870 400)">PACKING SLIP</text>
      <text x="868" y="430" font-family="DejaVu Sans Mono, monospace" font-size="14" fill="#333" transform="rotate(8 868 430)">${orderId}</text>
      ${Array.from({ length: 6 }, (_, i) => `<rect x="870" y="${455 + i * 26}" width="${90 - (i % 3) * 18}" height="8" fill="#999" transform="rotate(8 870 ${455 + i * 26})"/>`).join('')}
      ${vignette}`),
    exif,
  );

export interface ChatLine {
  from: 'me' | 'them';
  text: string;
  time: string;
}

/** A phone screenshot of a chat (PNG, no EXIF: screenshots carry none). */
export async function chatScreenshot(title: string, lines: ChatLine[]): Promise<Buffer> {
  const width = 720;
  let y = 170;
  const bubbles: string[] = [];
  for (const l of lines) {
    const wrapped = wrap(l.text, 34);
    const h = 28 + wrapped.length * 30 + 22;
    const w = Math.min(520, 40 + Math.max(...wrapped.map((t) => t.length)) * 14.2);
    const x = l.from === 'me' ? width - 24 - w : 24;
    bubbles.push(`<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="22" fill="${l.from === 'me' ? '#2f7cf6' : '#e9e9ee'}"/>`);
    wrapped.forEach((t, i) =>
      bubbles.push(
        `<text x="${x + 20}" y="${y + 40 + i * 30}" font-family="DejaVu Sans, sans-serif" font-size="23" fill="${l.from === 'me' ? '#fff' : '#111'}">${escapeXml(t)}</text>`,
      ),
    );
    bubbles.push(
      `<text x="${x + w - 14}" y="${y + h - 10}" font-family="DejaVu Sans, sans-serif" font-size="15" fill="${l.from === 'me' ? '#dce8ff' : '#888'}" text-anchor="end">${l.time}</text>`,
    );
    y += h + 18;
  }
  const height = Math.max(1280, y + 140);
  const svg = svgDoc(
    `<rect width="${width}" height="${height}" fill="#ffffff"/>
     <rect width="${width}" height="60" fill="#f7f7f7"/>
     <text x="36" y="40" font-family="DejaVu Sans, sans-serif" font-size="24" font-weight="bold" fill="#111">9:41</text>
     <rect x="610" y="22" width="60" height="24" rx="6" fill="none" stroke="#111" stroke-width="2"/><rect x="614" y="26" width="40" height="16" rx="3" fill="#111"/>
     <rect y="60" width="${width}" height="90" fill="#f7f7f7" stroke="#ddd"/>
     <text x="36" y="118" font-family="DejaVu Sans, sans-serif" font-size="34" fill="#2f7cf6">‹</text>
     <circle cx="110" cy="105" r="28" fill="#c7cbd4"/>
     <text x="155" y="100" font-family="DejaVu Sans, sans-serif" font-size="26" font-weight="bold" fill="#111">${escapeXml(title)}</text>
     <text x="155" y="128" font-family="DejaVu Sans, sans-serif" font-size="18" fill="#888">online</text>
     ${bubbles.join('')}
     <rect y="${height - 100}" width="${width}" height="100" fill="#f7f7f7" stroke="#ddd"/>
     <rect x="24" y="${height - 80}" width="600" height="56" rx="28" fill="#fff" stroke="#ccc"/>
     <text x="50" y="${height - 44}" font-family="DejaVu Sans, sans-serif" font-size="22" fill="#aaa">Message</text>`,
    width,
    height,
  );
  return sharp(Buffer.from(svg)).png({ compressionLevel: 9, palette: true }).toBuffer();
}

/**
 * Each carrier's page looks its own (brand colour, header height, the status card on the left
 * or the right, a map strip or not), and the tracking number picks among them too: two sellers'
 * screenshots of two parcels are different pictures, so the photo matcher links only the
 * copies the demo means to be copies.
 */
function trackingPageStyle(trackingNo: string, carrier: string) {
  let h = 0;
  for (const ch of carrier + trackingNo) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const KNOWN: Record<string, string> = { Cainiao: '#ff6a00', 'China Post': '#0b6e3a', DHL: '#d40511', 'Royal Mail': '#e1251b' };
  const BRANDS = ['#d71e28', '#1d3f8f', '#5b2a86', '#00838f'];
  return {
    brand: KNOWN[carrier] ?? BRANDS[h % BRANDS.length]!,
    headerHeight: 70 + ((h >>> 3) % 4) * 28,
    statusLeft: ((h >>> 5) & 1) === 1,
    map: ((h >>> 6) & 1) === 1,
  };
}

/** A carrier's tracking page, screenshotted by the seller (PNG). */
export async function trackingScreenshot(
  trackingNo: string,
  carrier: string,
  rows: Array<{ when: string; what: string }>,
): Promise<Buffer> {
  const style = trackingPageStyle(trackingNo, carrier);
  const width = 1100;
  const card = 340;
  const top = style.headerHeight + (style.map ? 180 : 0);
  const height = top + 160 + rows.length * 74;
  // The timeline beside the status card, on whichever side the card is not.
  const left = style.statusLeft ? card + 80 : 40;
  const body = rows
    .map(
      (r, i) => `<circle cx="${left + 30}" cy="${top + 115 + i * 74}" r="10" fill="${i === 0 ? '#1a9b4b' : '#bbb'}"/>
        ${i < rows.length - 1 ? `<rect x="${left + 28}" y="${top + 125 + i * 74}" width="4" height="64" fill="#ddd"/>` : ''}
        <text x="${left + 60}" y="${top + 112 + i * 74}" font-family="DejaVu Sans, sans-serif" font-size="22" fill="${i === 0 ? '#111' : '#444'}" font-weight="${i === 0 ? 'bold' : 'normal'}">${escapeXml(r.what)}</text>
        <text x="${left + 60}" y="${top + 140 + i * 74}" font-family="DejaVu Sans, sans-serif" font-size="17" fill="#888">${escapeXml(r.when)}</text>`,
    )
    .join('');
  const cardX = style.statusLeft ? 40 : width - card - 40;
  const map = style.map
    ? `<rect y="${style.headerHeight}" width="${width}" height="180" fill="#dfe8d8"/>
       <path d="M 60 ${style.headerHeight + 140} C 300 ${style.headerHeight + 20}, 700 ${style.headerHeight + 170}, 1040 ${style.headerHeight + 40}" stroke="${style.brand}" stroke-width="8" fill="none"/>`
    : '';
  const svg = svgDoc(
    `<rect width="${width}" height="${height}" fill="#fff"/>
     <rect width="${width}" height="${style.headerHeight}" fill="${style.brand}"/>
     <text x="40" y="${style.headerHeight / 2 + 11}" font-family="DejaVu Sans, sans-serif" font-size="30" font-weight="bold" fill="#fff">${escapeXml(carrier)} · Track a parcel</text>
     ${map}
     <rect x="${cardX}" y="${top + 20}" width="${card}" height="${height - top - 40}" rx="12" fill="#e3f5e9"/>
     <text x="${cardX + card / 2}" y="${top + 80}" font-family="DejaVu Sans, sans-serif" font-size="30" fill="#1a7b3b" text-anchor="middle" font-weight="bold">Delivered</text>
     <text x="${cardX + card / 2}" y="${top + 120}" font-family="DejaVu Sans Mono, monospace" font-size="22" fill="#111" text-anchor="middle">${escapeXml(trackingNo)}</text>
     ${body}`,
    width,
    height,
  );
  return sharp(Buffer.from(svg)).png({ compressionLevel: 9, palette: true }).toBuffer();
}

/** The same picture as a mirrored, re-encoded copy (what a second account uploading it "as its own" sends). */
export async function mirroredCopy(jpeg: Buffer, exif: CameraExif | null): Promise<Buffer> {
  let img = sharp(jpeg).flop().modulate({ brightness: 1.04 });
  if (exif) {
    const stamp = exifTime(exif.taken);
    img = img.withExif({
      IFD0: { Make: exif.make, Model: exif.model, DateTime: stamp },
      IFD2: { DateTimeOriginal: stamp, ...(exif.offset ? { OffsetTimeOriginal: exif.offset } : {}) },
    });
  }
  return img.jpeg({ quality: 80 }).toBuffer();
}

/** An uncompressed 24-bit BMP (sharp writes no BMP): what old desktop tools still save. */
export async function toBmp(image: Buffer, width: number): Promise<Buffer> {
  const { data, info } = await sharp(image).resize(width).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const rowBytes = Math.ceil((info.width * 3) / 4) * 4;
  const pixelBytes = rowBytes * info.height;
  const out = Buffer.alloc(54 + pixelBytes);
  out.write('BM', 0, 'ascii');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(info.width, 18);
  out.writeInt32LE(info.height, 22); // positive: rows bottom-up
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(0, 30);
  out.writeUInt32LE(pixelBytes, 34);
  out.writeInt32LE(2835, 38);
  out.writeInt32LE(2835, 42);
  for (let y = 0; y < info.height; y++) {
    const src = (info.height - 1 - y) * info.width * 3;
    const dst = 54 + y * rowBytes;
    for (let x = 0; x < info.width; x++) {
      out[dst + x * 3] = data[src + x * 3 + 2]!; // BGR
      out[dst + x * 3 + 1] = data[src + x * 3 + 1]!;
      out[dst + x * 3 + 2] = data[src + x * 3]!;
    }
  }
  return out;
}

function wrap(text: string, max: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && (line + ' ' + word).length > max) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A few seconds of "video of the phone on its charger next to a second device that charges":
 * WebP-encoded frames (lossy WebP is a VP8 key frame) muxed into a minimal WebM — no ffmpeg.
 */
export async function chargerVideo(seconds = 3, fps = 6): Promise<Buffer> {
  const width = 480;
  const height = 360;
  const frames: Buffer[] = [];
  for (let i = 0; i < seconds * fps; i++) {
    const blink = Math.floor(i / (fps / 2)) % 2 === 0;
    const svg = phoneSvg({ cracked: false, charging: true, on: false })
      .replace(
        '<circle cx="1160" cy="790" r="7" fill="#3fbf4a"/>',
        `<circle cx="1160" cy="790" r="7" fill="${blink ? '#3fbf4a' : '#1d5a23'}"/>`,
      )
      .replace('Charging 64%', `Charging ${64 + Math.floor(i / (fps * 2))}%`)
      .replace(
        '</svg>',
        `<circle cx="60" cy="60" r="14" fill="#e03131" opacity="${blink ? 1 : 0.3}"/><text x="90" y="72" font-family="DejaVu Sans Mono, monospace" font-size="36" fill="#fff">00:00:${pad(Math.floor(i / fps))}</text></svg>`,
      );
    // Rendered at the frame size directly (the viewBox scales the drawing): a fifth of the work of 1280 × 960.
    const small = svg.replace(`width="${W}" height="${H}" viewBox`, `width="${width}" height="${height}" viewBox`);
    const webp = await sharp(Buffer.from(small)).removeAlpha().webp({ quality: 55, effort: 0 }).toBuffer();
    frames.push(vp8Payload(webp));
  }
  return webm(frames, width, height, 1000 / fps);
}

/** The VP8 bitstream inside a lossy, simple-format WebP file. */
function vp8Payload(webp: Buffer): Buffer {
  let at = 12;
  while (at + 8 <= webp.length) {
    const id = webp.toString('ascii', at, at + 4);
    const size = webp.readUInt32LE(at + 4);
    if (id === 'VP8 ') return webp.subarray(at + 8, at + 8 + size);
    at += 8 + size + (size & 1);
  }
  throw new Error('the WebP frame has no VP8 chunk');
}

function vint(n: number): Buffer {
  for (let len = 1; len <= 8; len++) {
    if (n < 2 ** (7 * len) - 1) {
      const out = Buffer.alloc(len);
      let v = n;
      for (let i = len - 1; i >= 0; i--) {
        out[i] = v & 0xff;
        v = Math.floor(v / 256);
      }
      out[0]! |= 1 << (8 - len);
      return out;
    }
  }
  throw new Error('EBML size too large');
}
const idBytes = (id: number) => Buffer.from(id.toString(16).padStart(id > 0xffffff ? 8 : id > 0xffff ? 6 : id > 0xff ? 4 : 2, '0'), 'hex');
const el = (id: number, ...data: Buffer[]) => {
  const body = Buffer.concat(data);
  return Buffer.concat([idBytes(id), vint(body.length), body]);
};
const uint = (id: number, v: number) => {
  const hex = v.toString(16);
  return el(id, Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'));
};
const str = (id: number, s: string) => el(id, Buffer.from(s, 'ascii'));
const float = (id: number, v: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(v);
  return el(id, b);
};

/** EBML header, Segment { Info, Tracks, one Cluster of key-frame SimpleBlocks }: what a browser needs to play VP8. */
function webm(frames: Buffer[], width: number, height: number, frameMs: number): Buffer {
  const header = el(
    0x1a45dfa3,
    uint(0x4286, 1),
    uint(0x42f7, 1),
    uint(0x42f2, 4),
    uint(0x42f3, 8),
    str(0x4282, 'webm'),
    uint(0x4287, 2),
    uint(0x4285, 2),
  );
  const info = el(
    0x1549a966,
    uint(0x2ad7b1, 1_000_000),
    float(0x4489, frames.length * frameMs),
    str(0x4d80, 'mediation-desk demo'),
    str(0x5741, 'mediation-desk demo'),
  );
  const tracks = el(
    0x1654ae6b,
    el(
      0xae,
      uint(0xd7, 1),
      uint(0x73c5, 1),
      uint(0x9c, 0),
      str(0x86, 'V_VP8'),
      uint(0x83, 1),
      el(0xe0, uint(0xb0, width), uint(0xba, height)),
    ),
  );
  const blocks = frames.map((f, i) => {
    const head = Buffer.alloc(4);
    head[0] = 0x81; // track 1
    head.writeInt16BE(Math.round(i * frameMs), 1);
    head[3] = 0x80; // key frame
    return el(0xa3, head, f);
  });
  const cluster = el(0x1f43b675, uint(0xe7, 0), ...blocks);
  return Buffer.concat([header, el(0x18538067, info, tracks, cluster)]);
}

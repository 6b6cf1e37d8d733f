import sharp from 'sharp';
import type { SeededRandom } from '../../util/seeded-random';

/**
 * The simulated parties' photos: real JPEGs drawn from SVG by sharp (the desk decodes them
 * strictly, measures them and hashes them like any upload), different for every answer.
 * A buyer photographs the item and what is wrong with it; a seller sends a receipt or a
 * packing photo. Small (about 30–90 KB) so a living desk stays light on the machine.
 */

const W = 960;
const H = 720;

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

function buyerPhoto(rng: SeededRandom, caption: string): string {
  const hue = rng.int(0, 359);
  const boxX = rng.int(160, 320);
  const boxY = rng.int(140, 240);
  const boxW = rng.int(360, 520);
  const boxH = rng.int(260, 360);
  // A crack or a scratch across the item: a jagged line with a few seeded kinks.
  const points: string[] = [];
  let x = boxX + rng.int(20, 80);
  let y = boxY + rng.int(20, 60);
  for (let i = 0; i < 7; i++) {
    points.push(`${x},${y}`);
    x += rng.int(30, 70);
    y += rng.int(-10, 50);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
    <defs><linearGradient id="floor" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="hsl(${(hue + 30) % 360},18%,78%)"/><stop offset="1" stop-color="hsl(${(hue + 30) % 360},22%,52%)"/>
    </linearGradient></defs>
    <rect width="${W}" height="${H}" fill="url(#floor)"/>
    <rect x="${boxX + 14}" y="${boxY + 18}" width="${boxW}" height="${boxH}" rx="18" fill="rgba(0,0,0,0.25)"/>
    <rect x="${boxX}" y="${boxY}" width="${boxW}" height="${boxH}" rx="18" fill="hsl(${hue},45%,48%)" stroke="hsl(${hue},40%,28%)" stroke-width="6"/>
    <polyline points="${points.join(' ')}" fill="none" stroke="#1b1b1b" stroke-width="${rng.int(3, 7)}" stroke-linejoin="bevel"/>
    <circle cx="${x - 20}" cy="${y - 10}" r="${rng.int(12, 30)}" fill="none" stroke="#e03131" stroke-width="5"/>
    <text x="40" y="${H - 40}" font-family="sans-serif" font-size="30" fill="#fff" stroke="#000" stroke-width="1">${esc(caption)}</text>
  </svg>`;
}

function sellerReceipt(rng: SeededRandom, caption: string): string {
  const lines = Array.from({ length: rng.int(6, 11) }, (_, i) => {
    const w = rng.int(220, 520);
    return `<rect x="250" y="${170 + i * 38}" width="${w}" height="14" rx="4" fill="#868e96"/>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
    <rect width="${W}" height="${H}" fill="hsl(${rng.int(20, 50)},25%,40%)"/>
    <rect x="210" y="70" width="540" height="600" fill="#f8f9fa" transform="rotate(${rng.int(-5, 5)} 480 370)"/>
    <text x="250" y="130" font-family="monospace" font-size="30" fill="#212529">RECEIPT / DISPATCH</text>
    ${lines}
    <rect x="250" y="${rng.int(560, 600)}" width="300" height="50" fill="#212529"/>
    <text x="40" y="${H - 30}" font-family="sans-serif" font-size="26" fill="#fff">${esc(caption)}</text>
  </svg>`;
}

/** One JPEG for a party's answer; `caption` names the case so a mediator sees it is this one's. */
export async function partyPhoto(rng: SeededRandom, party: 'buyer' | 'seller', caption: string): Promise<Buffer> {
  const svg = party === 'buyer' ? buyerPhoto(rng, caption) : sellerReceipt(rng, caption);
  return sharp(Buffer.from(svg))
    .jpeg({ quality: rng.int(70, 88) })
    .toBuffer();
}

import sharp from 'sharp';
import { SeededRandom } from '../../util/seeded-random';

/**
 * The simulated parties' photos: real JPEGs drawn from SVG by sharp (the desk decodes them
 * strictly, measures them and hashes them like any upload), different for every answer.
 * A buyer photographs the item and what is wrong with it; a seller sends a receipt or a
 * packing photo. Small (about 40–125 KB) so a living desk stays light on the machine.
 */

const W = 960;
const H = 720;

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/**
 * The scene's own generator: seeded from the caption (the case and the photo's number) and a
 * draw already made, so every photo is a scene of its own while the simulator's generator is
 * drawn from exactly as before (its later choices, and so the simulated cases, stay the same).
 */
function sceneRandom(caption: string, drawn: number): SeededRandom {
  let h = 0x811c9dc5 ^ drawn;
  for (let i = 0; i < caption.length; i++) h = Math.imul(h ^ caption.charCodeAt(i), 0x01000193);
  return new SeededRandom(h >>> 0);
}

const LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
const word = (r: SeededRandom, n: number) => Array.from({ length: n }, () => r.pick([...LETTERS])).join('');

/**
 * What the item lies on, as a buyer's table or floor is: wooden planks with their grain, a
 * checked cloth or tiles, each at its own angle, spacing and colours. Two buyers' photos of
 * items of one shape and colour then still differ over the whole picture, as real photos do
 * (a backdrop of one template, a smooth gradient, made them look like copies of one photo:
 * 25 false links among 60 simulated party photos before).
 */
function surface(r: SeededRandom, id: string, hue = r.int(0, 359)): string {
  const angle = r.int(-35, 35);
  const kind = r.pick(['planks', 'cloth', 'tiles'] as const);
  const marks: string[] = [];
  if (kind === 'planks') {
    const width = r.int(70, 150);
    for (let x = -W; x < 2 * W; x += width) {
      marks.push(`<rect x="${x}" y="${-H}" width="${width}" height="${3 * H}" fill="hsl(${hue},${r.int(25, 45)}%,${r.int(38, 62)}%)"/>`);
      for (let g = 0; g < 2; g++) {
        const gx = x + r.int(6, width - 6);
        marks.push(
          `<path d="M${gx},${-H} q${r.int(-25, 25)},${r.int(300, 900)} ${r.int(-12, 12)},${3 * H}" stroke="hsl(${hue},40%,${r.int(22, 34)}%)" stroke-width="${r.int(1, 3)}" fill="none" opacity="0.6"/>`,
        );
      }
      marks.push(`<rect x="${x}" y="${-H}" width="3" height="${3 * H}" fill="hsl(${hue},40%,18%)"/>`);
    }
  } else {
    const cell = r.int(40, 110);
    const light = `hsl(${hue},${r.int(20, 50)}%,${r.int(70, 85)}%)`;
    const dark = `hsl(${(hue + r.int(0, 60)) % 360},${r.int(25, 55)}%,${r.int(35, 55)}%)`;
    marks.push(`<rect x="${-W}" y="${-H}" width="${3 * W}" height="${3 * H}" fill="${light}"/>`);
    for (let k = -W; k < 2 * W; k += cell) {
      if (kind === 'cloth') {
        marks.push(`<rect x="${k}" y="${-H}" width="${cell / 2}" height="${3 * H}" fill="${dark}" opacity="0.45"/>`);
        marks.push(`<rect x="${-W}" y="${k}" width="${3 * W}" height="${cell / 2}" fill="${dark}" opacity="0.45"/>`);
      } else {
        marks.push(`<rect x="${k}" y="${-H}" width="4" height="${3 * H}" fill="${dark}"/>`);
        marks.push(`<rect x="${-W}" y="${k}" width="${3 * W}" height="4" fill="${dark}"/>`);
      }
    }
  }
  return `<g transform="rotate(${angle} ${W / 2} ${H / 2})">${marks.join('')}</g>
    <rect width="${W}" height="${H}" fill="url(#${id})"/>`;
}

/** Light falling from one side: a soft gradient over the whole scene, its direction the photo's own. */
function light(r: SeededRandom, id: string): string {
  const [x1, y1, x2, y2] = r.pick([
    [0, 0, 1, 1],
    [1, 0, 0, 1],
    [0, 1, 1, 0],
    [1, 1, 0, 0],
  ]);
  return `<linearGradient id="${id}" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}">
      <stop offset="0" stop-color="#fff" stop-opacity="${r.range(0.1, 0.3).toFixed(2)}"/><stop offset="1" stop-color="#000" stop-opacity="${r.range(0.15, 0.35).toFixed(2)}"/>
    </linearGradient>`;
}

/**
 * The item's own face: a label with a maker's name and a code, buttons, a print, wherever this
 * item has them. What the photo shows of the item is its own, not a plain box of a hue.
 */
function itemDetails(r: SeededRandom, x: number, y: number, w: number, h: number, hue: number): string {
  const out: string[] = [];
  const lw = r.int(Math.round(w * 0.3), Math.round(w * 0.55));
  const lh = r.int(60, 110);
  const lx = x + r.int(20, w - lw - 20);
  const ly = y + r.int(20, h - lh - 20);
  out.push(`<rect x="${lx}" y="${ly}" width="${lw}" height="${lh}" rx="6" fill="hsl(${(hue + 180) % 360},20%,92%)"/>`);
  out.push(
    `<text x="${lx + 10}" y="${ly + 34}" font-family="sans-serif" font-weight="bold" font-size="${r.int(22, 30)}" fill="hsl(${r.int(0, 359)},60%,30%)">${word(r, r.int(3, 7))}</text>`,
  );
  let bx = lx + 10;
  while (bx < lx + lw - 14) {
    const bw = r.int(2, 6);
    out.push(`<rect x="${bx}" y="${ly + lh - 34}" width="${bw}" height="24" fill="#222"/>`);
    bx += bw + r.int(2, 7);
  }
  for (let k = r.int(0, 5); k > 0; k--)
    out.push(
      `<circle cx="${x + r.int(30, w - 30)}" cy="${y + r.int(30, h - 30)}" r="${r.int(6, 16)}" fill="hsl(${hue},30%,${r.int(15, 85)}%)"/>`,
    );
  if (r.chance(0.5)) {
    const step = r.int(14, 40);
    for (let sx = x + step; sx < x + w - 8; sx += step)
      out.push(
        `<rect x="${sx}" y="${y + 8}" width="${r.int(3, 8)}" height="${h - 16}" fill="hsl(${hue},45%,${r.int(30, 70)}%)" opacity="0.5"/>`,
      );
  }
  return out.join('');
}

function buyerPhoto(rng: SeededRandom, caption: string): string {
  const hue = rng.int(0, 359);
  const boxX = rng.int(160, 320);
  const boxY = rng.int(140, 240);
  const boxW = rng.int(360, 520);
  const boxH = rng.int(260, 360);
  const scene = sceneRandom(caption, hue * 1000 + boxX);
  // A crack or a scratch across the item: a jagged line with a few seeded kinks.
  const points: string[] = [];
  let x = boxX + rng.int(20, 80);
  let y = boxY + rng.int(20, 60);
  for (let i = 0; i < 7; i++) {
    points.push(`${x},${y}`);
    x += rng.int(30, 70);
    y += rng.int(-10, 50);
  }
  const details = itemDetails(scene, boxX, boxY, boxW, boxH, hue);
  const tilt = scene.int(-18, 18);
  const ground = surface(scene, 'light');
  const shade = light(scene, 'light');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
    <defs>${shade}</defs>
    ${ground}
    <g transform="rotate(${tilt} ${boxX + boxW / 2} ${boxY + boxH / 2})">
    <rect x="${boxX + 14}" y="${boxY + 18}" width="${boxW}" height="${boxH}" rx="18" fill="rgba(0,0,0,0.25)"/>
    <rect x="${boxX}" y="${boxY}" width="${boxW}" height="${boxH}" rx="18" fill="hsl(${hue},45%,48%)" stroke="hsl(${hue},40%,28%)" stroke-width="6"/>
    ${details}
    <polyline points="${points.join(' ')}" fill="none" stroke="#1b1b1b" stroke-width="${rng.int(3, 7)}" stroke-linejoin="bevel"/>
    <circle cx="${x - 20}" cy="${y - 10}" r="${rng.int(12, 30)}" fill="none" stroke="#e03131" stroke-width="5"/>
    </g>
    <text x="40" y="${H - 40}" font-family="sans-serif" font-size="30" fill="#fff" stroke="#000" stroke-width="1">${esc(caption)}</text>
  </svg>`;
}

const SHOPS = ['RECEIPT / DISPATCH', 'DISPATCH NOTE', 'SALES RECEIPT', 'PACKING SLIP', 'INVOICE', 'DELIVERY NOTE'];

function sellerReceipt(rng: SeededRandom, caption: string): string {
  const count = rng.int(6, 11);
  const scene = sceneRandom(caption, count);
  // Each shop prints its own layout (margin, type size, line spacing) and each order its own
  // lines: two receipts photographed alike share neither where their lines fall nor what they
  // say (one template's lines, differing only in length, linked 4 of 870 pairs of simulated
  // receipts; the same layout with other words in it, 19).
  const margin = 250 + scene.int(-20, 30);
  const size = scene.int(20, 28);
  const spacing = scene.int(Math.round(size * 1.35), Math.round(size * 1.9));
  const top = 170 + scene.int(0, 30);
  const lines = Array.from({ length: count }, (_, i) => {
    const w = rng.int(220, 520);
    const chars = Math.max(4, Math.round(w / (size * 0.6)) - 8);
    const text = `${word(scene, chars)} ${scene.int(1, 999)}.${scene.int(10, 99)}`;
    return `<text x="${margin + scene.int(0, 3) * size}" y="${top + i * spacing}" font-family="monospace" font-weight="bold" font-size="${size}" fill="#212529">${esc(text)}</text>`;
  }).join('');
  const deskHue = rng.int(20, 50);
  const turn = rng.int(-5, 5);
  const barY = Math.max(rng.int(560, 600), top + count * spacing);
  const bars: string[] = [];
  for (let bx = margin; bx < margin + 300;) {
    const bw = scene.int(2, 8);
    bars.push(`<rect x="${bx}" y="${barY}" width="${bw}" height="50" fill="#212529"/>`);
    bx += bw + scene.int(2, 8);
  }
  const dx = scene.int(-60, 60);
  const dy = scene.int(-20, 20);
  const extra = scene.int(-6, 6);
  const shade = light(scene, 'light');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
    <defs>${shade}</defs>
    ${surface(scene, 'light', deskHue)}
    <g transform="translate(${dx} ${dy}) rotate(${turn + extra} 480 370)">
    <rect x="210" y="70" width="540" height="${Math.max(600, barY + 70 - 70)}" fill="#f8f9fa"/>
    <text x="${margin + scene.int(0, 60)}" y="130" font-family="monospace" font-size="${scene.int(26, 34)}" fill="#212529">${scene.pick(SHOPS)}</text>
    ${lines}
    ${bars.join('')}
    </g>
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

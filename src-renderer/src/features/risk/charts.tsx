import { Group, Text } from '@mantine/core';
import type { BuyerDetailView } from '../../api/types';

/** Outcome buckets of a case for the chart (the latest decision; none yet: open). */
const BUCKETS = [
  { key: 'buyer', label: 'Buyer won', color: 'var(--mantine-color-red-6)', of: ['full', 'return'] },
  { key: 'split', label: 'Partial', color: 'var(--mantine-color-yellow-5)', of: ['partial'] },
  { key: 'seller', label: 'Seller won', color: 'var(--mantine-color-teal-6)', of: ['none'] },
  { key: 'open', label: 'Open', color: 'var(--mantine-color-gray-4)', of: [] as string[] },
] as const;
const bucketOf = (outcome: string | null) =>
  BUCKETS.find((b) => outcome !== null && (b.of as readonly string[]).includes(outcome)) ?? BUCKETS[3];

const monthKey = (iso: string) => iso.slice(0, 7);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const monthLabel = (key: string) => `${MONTHS[Number(key.slice(5, 7)) - 1]} ${key.slice(2, 4)}`;

/** Monthly bars of the buyer's disputes (by opening month), stacked by outcome. Plain SVG. */
export function DisputesChart({ cases }: { cases: BuyerDetailView['cases'] }) {
  if (!cases.length)
    return (
      <Text fz="sm" c="dimmed">
        No disputes.
      </Text>
    );
  // Every month from the first dispute to the last, at most the latest 18.
  const keys = cases.map((c) => monthKey(c.openedAt)).sort();
  const months: string[] = [];
  let [y, m] = [Number(keys[0]!.slice(0, 4)), Number(keys[0]!.slice(5, 7))];
  const last = keys[keys.length - 1]!;
  for (let i = 0; i < 240; i++) {
    const k = `${y}-${String(m).padStart(2, '0')}`;
    months.push(k);
    if (k >= last) break;
    m++;
    if (m > 12) [y, m] = [y + 1, 1];
  }
  // At least six months, so a burst reads as a burst against a quiet past.
  while (months.length < 6) {
    const [fy, fm] = [Number(months[0]!.slice(0, 4)), Number(months[0]!.slice(5, 7))];
    months.unshift(fm === 1 ? `${fy - 1}-12` : `${fy}-${String(fm - 1).padStart(2, '0')}`);
  }
  const shown = months.slice(-18);
  const counts = new Map(shown.map((k) => [k, { buyer: 0, split: 0, seller: 0, open: 0 }]));
  for (const c of cases) {
    const row = counts.get(monthKey(c.openedAt));
    if (row) row[bucketOf(c.outcome).key]++;
  }
  const max = Math.max(1, ...[...counts.values()].map((r) => r.buyer + r.split + r.seller + r.open));
  const W = 520;
  const H = 150;
  const padL = 24;
  const padB = 22;
  const plotH = H - padB - 8;
  const slot = (W - padL) / shown.length;
  const bar = Math.min(28, slot * 0.7);
  const ticks = max <= 4 ? Array.from({ length: max + 1 }, (_, i) => i) : max % 2 === 0 ? [0, max / 2, max] : [0, max];
  return (
    <div>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        role="img"
        aria-label="Disputes per month by outcome"
        style={{ display: 'block', maxHeight: 190 }}
      >
        {ticks.map((t) => {
          const yy = 8 + plotH - (t / max) * plotH;
          return (
            <g key={t}>
              <line x1={padL} x2={W} y1={yy} y2={yy} stroke="var(--mantine-color-gray-2)" />
              <text x={padL - 6} y={yy + 3} fontSize={10} textAnchor="end" fill="var(--mantine-color-gray-6)">
                {t}
              </text>
            </g>
          );
        })}
        {shown.map((k, i) => {
          const r = counts.get(k)!;
          const x = padL + i * slot + (slot - bar) / 2;
          let top = 8 + plotH;
          return (
            <g key={k}>
              {BUCKETS.map((b) => {
                const n = r[b.key];
                if (!n) return null;
                const h = (n / max) * plotH;
                top -= h;
                return (
                  <rect key={b.key} x={x} y={top} width={bar} height={h} fill={b.color} rx={2}>
                    <title>{`${monthLabel(k)}: ${n} ${b.label.toLowerCase()}`}</title>
                  </rect>
                );
              })}
              {(shown.length <= 9 || i % 2 === 0) && (
                <text x={x + bar / 2} y={H - 6} fontSize={10} textAnchor="middle" fill="var(--mantine-color-gray-6)">
                  {monthLabel(k)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <Group gap="md" mt={4}>
        {BUCKETS.map((b) => (
          <Group key={b.key} gap={4}>
            <span style={{ width: 10, height: 10, borderRadius: 2, background: b.color, display: 'inline-block' }} />
            <Text fz="xs" c="dimmed">
              {b.label}
            </Text>
          </Group>
        ))}
      </Group>
    </div>
  );
}

const nodeColor = (score: number | null, label: string | null) =>
  label === 'serial_disputer'
    ? 'var(--mantine-color-red-7)'
    : score != null && score >= 70
      ? 'var(--mantine-color-red-5)'
      : score != null && score >= 40
        ? 'var(--mantine-color-orange-5)'
        : label === 'cleared'
          ? 'var(--mantine-color-teal-6)'
          : 'var(--mantine-color-gray-5)';

/** The buyer in the centre, linked accounts around it, edges labelled by what they share. Plain SVG. */
export function LinkGraph({
  buyer,
  linked,
  linkGroupLimit,
  onOpen,
}: {
  buyer: { id: string; name: string; score: number; label: string | null };
  linked: BuyerDetailView['linked'];
  linkGroupLimit: number;
  onOpen: (buyerId: string) => void;
}) {
  if (!linked.length)
    return (
      <Text fz="sm" c="dimmed">
        No account shares a device, address or payment detail with this buyer (a value shared by more than {linkGroupLimit} accounts is a
        place, such as a parcel locker or an office, and is left out).
      </Text>
    );
  const shown = linked.slice(0, 12);
  const W = 520;
  const H = 260;
  const cx = W / 2;
  const cy = H / 2;
  const rx = 190;
  const ry = 92;
  const pos = shown.map((_, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / shown.length + (shown.length === 2 ? Math.PI / 2 : 0);
    return { x: cx + rx * Math.cos(a), y: cy + ry * Math.sin(a) };
  });
  return (
    <div>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        role="img"
        aria-label="Linked accounts"
        style={{ display: 'block', maxHeight: 300 }}
        data-testid="link-graph"
      >
        {shown.map((l, i) => {
          const p = pos[i]!;
          const kinds = [...new Set(l.via.map((v) => v.kind))].join(' + ');
          const mx = cx + (p.x - cx) * 0.58;
          const my = cy + (p.y - cy) * 0.58;
          return (
            <g key={`e-${l.accountId}`}>
              <line x1={cx} y1={cy} x2={p.x} y2={p.y} stroke="var(--mantine-color-gray-4)" strokeWidth={1.5} />
              <rect
                x={mx - kinds.length * 3.2 - 4}
                y={my - 8}
                width={kinds.length * 6.4 + 8}
                height={15}
                rx={3}
                fill="white"
                stroke="var(--mantine-color-gray-3)"
              />
              <text x={mx} y={my + 3} fontSize={10} textAnchor="middle" fill="var(--mantine-color-gray-7)">
                {kinds}
              </text>
            </g>
          );
        })}
        <g>
          <circle cx={cx} cy={cy} r={22} fill={nodeColor(buyer.score, buyer.label)} stroke="white" strokeWidth={3} />
          <text x={cx} y={cy + 4} fontSize={12} fontWeight={700} textAnchor="middle" fill="white">
            {buyer.score}
          </text>
          {/* A white halo: the edges to the lower nodes ran through the name ("Elena Sokolova", 12 links at 1024 × 700). */}
          <text
            x={cx}
            y={cy + 36}
            fontSize={11}
            fontWeight={600}
            textAnchor="middle"
            fill="var(--mantine-color-dark-7)"
            stroke="white"
            strokeWidth={4}
            strokeLinejoin="round"
            paintOrder="stroke"
          >
            {buyer.name}
          </text>
        </g>
        {shown.map((l, i) => {
          const p = pos[i]!;
          return (
            <g key={`n-${l.accountId}`} onClick={() => onOpen(l.accountId)} style={{ cursor: 'pointer' }} data-testid="linked-node">
              <title>{`${l.name} (${l.accountId}) · score ${l.score ?? '–'}${l.label ? ` · ${l.label === 'serial_disputer' ? 'flagged serial disputer' : 'cleared'}` : ''}\nshares ${l.via.map((v) => `${v.kind} ${v.value}`).join(', ')}`}</title>
              <circle cx={p.x} cy={p.y} r={16} fill={nodeColor(l.score, l.label)} stroke="white" strokeWidth={2} />
              <text x={p.x} y={p.y + 4} fontSize={10} fontWeight={700} textAnchor="middle" fill="white">
                {l.score ?? '–'}
              </text>
              <text x={p.x} y={p.y + (p.y >= cy ? 29 : -21)} fontSize={10} textAnchor="middle" fill="var(--mantine-color-dark-5)">
                {l.name.length > 22 ? `${l.name.slice(0, 21)}…` : l.name}
                {l.label === 'serial_disputer' ? ' ⚑' : ''}
              </text>
            </g>
          );
        })}
      </svg>
      {linked.length > shown.length && (
        <Text fz="xs" c="dimmed">
          {linked.length - shown.length} more linked account(s) not drawn.
        </Text>
      )}
    </div>
  );
}

import type { EvidenceFileView, EvidenceReuseMatch, EvidenceWarning } from '../../contract/evidence';
import { toIso } from '../../contract/primitives';
import { evidenceFilesBySha, reuseOfCase, type CaseReuseRow, type EvidenceFileRow } from '../../db/repos/evidence';
import type { Reader } from '../../db/tx';

/**
 * What the case screen and the evidence review show about each file beyond its description:
 * the stored file's facts (type from the bytes, dimensions, EXIF capture time and device,
 * perceptual hash, derived copies), where the same picture was seen in other disputes or
 * from other accounts, and the warnings a mediator should weigh (a photo "of the damaged
 * parcel" taken before it was delivered; a picture another account sent too).
 */

const HOUR = 3_600_000;
/**
 * A capture time without a UTC offset is the camera's wall clock: anywhere from UTC−12 to
 * UTC+14. Only call it "before" when it is before by more than that.
 */
const NAIVE_TIME_SLACK_MS = 14 * HOUR;
/** Few enough to read; the text still says how many there were. */
const CASES_NAMED = 3;

export interface CaseFacts {
  caseId: string;
  buyerId: string;
  sellerId: string;
  reason: string;
  placedAt: number;
  deliveredAt: number | null;
}

export interface EvidenceRowFacts {
  party: string;
  sha256: string;
  mediaType: string;
}

export interface EvidenceDetails {
  file: EvidenceFileView | null;
  warnings: EvidenceWarning[];
  reuse: EvidenceReuseMatch[];
}

/** Loads what every file of one case needs (two bounded queries) and returns a per-row decorator. */
export async function loadEvidenceDetails(
  db: Reader,
  c: CaseFacts,
  rows: readonly EvidenceRowFacts[],
): Promise<(row: EvidenceRowFacts) => EvidenceDetails> {
  if (!rows.length) return () => ({ file: null, warnings: [], reuse: [] });
  const [files, reuse] = await Promise.all([
    evidenceFilesBySha(
      db,
      rows.map((r) => r.sha256),
    ),
    reuseOfCase(db, c.caseId),
  ]);
  const reuseBySha = new Map<string, CaseReuseRow[]>();
  for (const r of reuse) (reuseBySha.get(r.sha256) ?? reuseBySha.set(r.sha256, []).get(r.sha256)!).push(r);
  return (row) => {
    const stored = files.get(row.sha256);
    const file = stored ? fileView(stored) : null;
    const ownAccount = row.party === 'seller' ? c.sellerId : c.buyerId;
    const matches = dedupe(reuseBySha.get(row.sha256) ?? []).map((m): EvidenceReuseMatch => ({
      caseId: m.caseId,
      accountId: m.accountId,
      party: m.party,
      sha256: m.otherSha256,
      distance: m.distance,
      transform: m.transform,
      sameAccount: m.accountId === ownAccount,
      submittedAt: toIso(m.submittedAt),
    }));
    return { file, reuse: matches, warnings: [...captureWarnings(c, row, stored ?? null), ...reuseWarnings(row.party, matches)] };
  };
}

export function fileView(r: EvidenceFileRow): EvidenceFileView {
  return {
    sha256: r.sha256,
    mediaType: r.media_type,
    kind: r.kind === 'video' ? 'video' : 'image',
    sizeBytes: r.size_bytes,
    stored: true,
    width: r.width,
    height: r.height,
    capturedAt: r.captured_at === null ? null : captureIso(r.captured_at, r.captured_at_has_offset === 1),
    device: r.device,
    phash: r.phash,
    variants: r.variants.split(',').filter((v): v is 'display' | 'thumb' => v === 'display' || v === 'thumb'),
  };
}

/**
 * With an offset: the instant in UTC. Without one the stored value is the camera's wall
 * clock read as if UTC; it goes out without a zone ("2026-03-01T14:02:00"), so screens show
 * the time the camera showed instead of shifting it into the viewer's zone.
 */
const captureIso = (ms: number, hasOffset: boolean): string => (hasOffset ? toIso(ms) : toIso(ms).slice(0, 19));

/** Several rows can name the same use (the same bytes and a look-alike of them): keep the closest. */
function dedupe(rows: CaseReuseRow[]): CaseReuseRow[] {
  const seen = new Set<string>();
  const out: CaseReuseRow[] = [];
  for (const r of [...rows].sort((a, b) => a.distance - b.distance || a.submittedAt - b.submittedAt)) {
    const key = `${r.caseId}|${r.party}|${r.otherSha256}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out.sort((a, b) => a.submittedAt - b.submittedAt || a.caseId.localeCompare(b.caseId));
}

const receivedItemReason = (reason: string): boolean => !reason.startsWith('not_received');

function captureWarnings(c: CaseFacts, row: EvidenceRowFacts, f: EvidenceFileRow | null): EvidenceWarning[] {
  if (!f || f.kind !== 'image') return [];
  const who = row.party === 'seller' ? 'seller' : 'buyer';
  if (f.captured_at === null) {
    // Screenshots (PNG) never carry one; a camera photo of the item normally does.
    if (who === 'buyer' && receivedItemReason(c.reason) && f.media_type === 'image/jpeg')
      return [
        {
          code: 'no_capture_time',
          text: 'The photo carries no capture time (EXIF): it may have been edited, sent through a messenger or downloaded.',
        },
      ];
    return [];
  }
  const slack = f.captured_at_has_offset === 1 ? 0 : NAIVE_TIME_SLACK_MS;
  const naive = slack > 0 ? ' (the camera recorded no time zone, so up to 14 h either way is allowed for)' : '';
  const taken = f.captured_at;
  if (taken + slack < c.placedAt) {
    return [
      {
        code: 'captured_before_order',
        text: `Taken ${ago(c.placedAt - taken)} before the order was placed${naive}: this ${who === 'buyer' ? 'photo cannot show the item that was delivered' : 'is not a photo of this order'}.`,
      },
    ];
  }
  if (who === 'buyer' && receivedItemReason(c.reason) && c.deliveredAt !== null && taken + slack < c.deliveredAt) {
    return [
      {
        code: 'captured_before_delivery',
        text: `Taken ${ago(c.deliveredAt - taken)} before the parcel was delivered${naive}: it cannot show the item as received.`,
      },
    ];
  }
  return [];
}

function reuseWarnings(party: string, matches: EvidenceReuseMatch[]): EvidenceWarning[] {
  const out: EvidenceWarning[] = [];
  const others = matches.filter((m) => !m.sameAccount);
  if (others.length) {
    const accounts = [...new Set(others.map((m) => m.accountId))];
    const cases = [...new Set(others.map((m) => m.caseId))];
    const altered = alteration(others.map((m) => m.transform));
    out.push({
      code: 'reused_other_account',
      text: `The same picture${altered} was sent by ${accounts.length === 1 ? `another account, ${accounts[0]},` : `${accounts.length} other accounts`} in ${caseList(cases)}.`,
    });
  }
  const own = matches.filter((m) => m.sameAccount);
  if (own.length) {
    const cases = [...new Set(own.map((m) => m.caseId))];
    out.push({
      code: 'reused_other_case',
      text: `The ${party === 'seller' ? 'seller' : 'buyer'} sent the same picture in ${caseList(cases)} too.`,
    });
  }
  return out;
}

/** " (mirrored)" when every copy was changed the same way; nothing for the same picture. */
function alteration(transforms: string[]): string {
  const kinds = new Set(
    transforms.map((t) =>
      t.startsWith('flip')
        ? 'mirrored'
        : t.startsWith('rot')
          ? 'rotated'
          : t === 'transpose' || t === 'transverse'
            ? 'mirrored and rotated'
            : '',
    ),
  );
  const [only] = [...kinds];
  return kinds.size === 1 && only ? ` (${only})` : '';
}

function caseList(ids: string[]): string {
  const named = ids.slice(0, CASES_NAMED);
  const more = ids.length - named.length;
  const head = ids.length === 1 ? `case ${named[0]}` : `cases ${named.join(', ')}`;
  return more > 0 ? `${head} and ${more} more` : head;
}

function ago(ms: number): string {
  const days = Math.floor(ms / (24 * HOUR));
  if (days >= 2) return `${days} days`;
  const hours = Math.max(1, Math.round(ms / HOUR));
  return hours === 1 ? '1 hour' : `${hours} hours`;
}

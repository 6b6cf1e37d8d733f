import type { EvidenceWarning } from '../../../../src-main/contract/evidence';
import type { CaseView } from '../../api/types';

/**
 * How the evidence review arranges a case's files: one column per party, in each column one
 * group per evidence request addressed to that party (the request text it answers), then
 * the files that came with the escalation. The reading order of the columns (buyer top to
 * bottom, then seller) is the order ←/→ and j/k walk through.
 */

export type EvidenceEntry = CaseView['evidence'][number];
export type EvidenceRequestView = CaseView['evidenceRequests'][number];

export interface ReviewItem {
  /** Index into view.evidence: stable for the life of the case, used as the selection key. */
  index: number;
  entry: EvidenceEntry;
  /** The request this file answers (null: sent with the escalation). */
  request: EvidenceRequestView | null;
  /** 1-based number of that request on the case ("Request #2"), as the case screen counts. */
  requestNo: number | null;
}

export interface ReviewGroup {
  key: string;
  request: EvidenceRequestView | null;
  requestNo: number | null;
  items: ReviewItem[];
}

export interface ReviewColumn {
  party: 'buyer' | 'seller';
  groups: ReviewGroup[];
  count: number;
}

export interface ReviewLayout {
  columns: [ReviewColumn, ReviewColumn];
  /** Every file once, in reading order. */
  order: ReviewItem[];
}

export function reviewLayout(view: CaseView): ReviewLayout {
  const requestNo = new Map(view.evidenceRequests.map((r, i) => [r.id, i + 1] as const));
  const requestById = new Map(view.evidenceRequests.map((r) => [r.id, r] as const));
  const columns = (['buyer', 'seller'] as const).map((party): ReviewColumn => {
    const groups: ReviewGroup[] = view.evidenceRequests
      .filter((r) => r.party === party)
      .map((r) => ({ key: r.id, request: r, requestNo: requestNo.get(r.id) ?? null, items: [] }));
    const escalation: ReviewGroup = { key: `${party}-escalation`, request: null, requestNo: null, items: [] };
    view.evidence.forEach((entry, index) => {
      if (entry.party !== party) return;
      const request = entry.requestId ? (requestById.get(entry.requestId) ?? null) : null;
      const group = request ? groups.find((g) => g.request?.id === request.id) : escalation;
      (group ?? escalation).items.push({ index, entry, request, requestNo: request ? (requestNo.get(request.id) ?? null) : null });
    });
    // Requests first (what the mediator asked for is what is being reviewed), then the escalation's files.
    if (escalation.items.length > 0) groups.push(escalation);
    return { party, groups, count: groups.reduce((n, g) => n + g.items.length, 0) };
  }) as [ReviewColumn, ReviewColumn];
  const order = columns.flatMap((c) => c.groups.flatMap((g) => g.items));
  return { columns, order };
}

export type Tone = 'red' | 'orange' | 'gray';

/** Reuse by another account is the strongest signal; a capture time that does not fit comes next. */
export function warningTone(code: EvidenceWarning['code']): Tone {
  switch (code) {
    case 'reused_other_account':
      return 'red';
    case 'captured_before_delivery':
    case 'captured_before_order':
    case 'reused_other_case':
      return 'orange';
    default:
      return 'gray';
  }
}

const TONE_ORDER: Record<Tone, number> = { red: 0, orange: 1, gray: 2 };
/** The strongest signal first. */
export const bySeverity = (warnings: EvidenceWarning[]): EvidenceWarning[] =>
  [...warnings].sort((a, b) => TONE_ORDER[warningTone(a.code)] - TONE_ORDER[warningTone(b.code)]);

export const WARNING_LABELS: Record<EvidenceWarning['code'], string> = {
  reused_other_account: 'Used by another account',
  reused_other_case: 'Used in another case',
  captured_before_delivery: 'Taken before delivery',
  captured_before_order: 'Taken before the order',
  no_capture_time: 'No capture time',
};

/** The warnings worth a badge on a thumbnail: everything but the quiet "no capture time". */
export const loudWarnings = (entry: EvidenceEntry): EvidenceWarning[] =>
  bySeverity(entry.warnings ?? []).filter((w) => warningTone(w.code) !== 'gray');

const MEDIA_LABELS: Record<string, string> = {
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/gif': 'GIF',
  'image/bmp': 'BMP',
  'video/mp4': 'MP4',
  'video/webm': 'WebM',
  'video/quicktime': 'MOV',
};
export const mediaLabel = (mediaType: string): string => MEDIA_LABELS[mediaType] ?? mediaType;

/** "a1b2c3d4…9f8e7d6c": enough to tell files apart and match a printed hash by eye. */
export const shortHash = (sha256: string): string => (sha256.length > 20 ? `${sha256.slice(0, 8)}…${sha256.slice(-8)}` : sha256);

const TRANSFORM_LABELS: Record<string, string> = {
  identical: 'identical bytes',
  same: 'same picture',
  flip_h: 'mirrored left–right',
  flip_v: 'mirrored top–bottom',
  rot90: 'rotated 90°',
  rot180: 'rotated 180°',
  rot270: 'rotated 270°',
  transpose: 'mirrored and rotated',
  transverse: 'mirrored and rotated',
};
export const transformLabel = (t: string): string => TRANSFORM_LABELS[t] ?? t.replace(/_/g, ' ');

import { RECEIVED_REASONS } from '../../../../src-main/contract/domain';
import { REASON_LABELS } from '../../../../src-main/contract/letters';
import { Policy } from '../../../../src-main/contract/policy';

/**
 * The policy's fields as the editor and the history show them: label, unit, what each one
 * governs, the difference between two versions in words, and validation by the contract's
 * own schema (the same messages the core answers with).
 */

export type PolicyValue = Policy;
/** A field while being edited: a number input may be empty. */
export type Draft = { [key: string]: unknown; partialRates: Record<string, number | ''> };

export const HOURS_FIELDS = [
  { key: 'evidenceRequestHours', label: 'Evidence request', help: 'How long a party has to send the evidence a mediator asked for.' },
  { key: 'replyPeriodHours', label: 'Reply period', help: 'How long both parties have to accept or reject the published resolutions.' },
  { key: 'appealWindowHours', label: 'Appeal window', help: 'How long after a decision a party may appeal.' },
  { key: 'returnShipmentHours', label: 'Return shipment', help: 'How long the buyer has to ship the item back after a “return” decision.' },
] as const;
export type HoursKey = (typeof HOURS_FIELDS)[number]['key'];

export const RATE_REASONS = RECEIVED_REASONS;
export const reasonName = (r: string) => REASON_LABELS[r as keyof typeof REASON_LABELS] ?? r;

export interface Change {
  /** The field path, as the core names it in a VALIDATION error (without "policy."/"draft."). */
  field: string;
  label: string;
  before: string;
  after: string;
}

const hours = (h: unknown) => (typeof h === 'number' ? `${h} h${h % 24 === 0 && h >= 48 ? ` (${h / 24} d)` : ''}` : '—');
const rate = (r: unknown) => (typeof r === 'number' ? `${r} (${Math.round(r * 1000) / 10} %)` : '—');
const share = (r: unknown) => (typeof r === 'number' ? `${Math.round(r * 1000) / 10} %` : '—');
const onOff = (b: unknown) => (b ? 'on' : 'off');

/** What changes from `a` to `b`, field by field, in the editor's order. */
export function policyChanges(a: Record<string, unknown>, b: Record<string, unknown>): Change[] {
  const out: Change[] = [];
  for (const f of HOURS_FIELDS)
    if (a[f.key] !== b[f.key]) out.push({ field: f.key, label: f.label, before: hours(a[f.key]), after: hours(b[f.key]) });
  if (a.defaultOnMissedEvidence !== b.defaultOnMissedEvidence)
    out.push({
      field: 'defaultOnMissedEvidence',
      label: 'Missed-evidence default',
      before: onOff(a.defaultOnMissedEvidence),
      after: onOff(b.defaultOnMissedEvidence),
    });
  const ra = (a.partialRates ?? {}) as Record<string, unknown>;
  const rb = (b.partialRates ?? {}) as Record<string, unknown>;
  for (const r of RATE_REASONS)
    if (ra[r] !== rb[r])
      out.push({ field: `partialRates.${r}`, label: `Partial rate · ${reasonName(r)}`, before: rate(ra[r]), after: rate(rb[r]) });
  for (const [field, label] of [
    ['qualitySampleRate', 'Quality sample'],
    ['doubleDecisionRate', 'Blind double decisions'],
    ['calibrationShare', 'Calibration share'],
  ] as const)
    if ((field in a || field in b) && a[field] !== b[field]) out.push({ field, label, before: share(a[field]), after: share(b[field]) });
  for (const k of ['maxImageBytes', 'maxVideoBytes'])
    if (a[k] !== b[k])
      out.push({ field: k, label: k === 'maxImageBytes' ? 'Largest image' : 'Largest video', before: String(a[k]), after: String(b[k]) });
  return out;
}

/** Field path → message, from the contract's schema; an empty input is "required". */
export function validateDraft(draft: Draft): { errors: Record<string, string>; policy: Policy | null } {
  const errors: Record<string, string> = {};
  for (const f of HOURS_FIELDS) if (draft[f.key] === '') errors[f.key] = 'is required';
  for (const r of RATE_REASONS) if (draft.partialRates[r] === '') errors[`partialRates.${r}`] = 'is required';
  if ('qualitySampleRate' in draft && draft.qualitySampleRate === '') errors.qualitySampleRate = 'is required';
  const parsed = Policy.safeParse(draft);
  if (!parsed.success) for (const issue of parsed.error.issues) errors[issue.path.map(String).join('.')] ??= issue.message;
  return { errors, policy: parsed.success && Object.keys(errors).length === 0 ? parsed.data : null };
}

/** "policy.partialRates.defective" / "draft.replyPeriodHours" → the editor's field path. */
export const fieldOf = (serverField: string | undefined): string | null =>
  serverField ? serverField.replace(/^(policy|draft)\./, '') : null;

/**
 * Someone published while a draft was open: carry the draft's own edits (draft against the
 * version it started from) onto the newer version, keeping what the other supervisor changed.
 */
export function rebaseDraft(startedFrom: Record<string, unknown>, draft: Draft, newer: Record<string, unknown>): Draft {
  const out = JSON.parse(JSON.stringify(newer)) as Draft;
  for (const [k, v] of Object.entries(draft)) if (k !== 'partialRates' && v !== startedFrom[k]) out[k] = v;
  const was = (startedFrom.partialRates ?? {}) as Record<string, unknown>;
  for (const [r, v] of Object.entries(draft.partialRates)) if (v !== was[r]) out.partialRates[r] = v;
  return out;
}

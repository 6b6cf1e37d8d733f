import type { Outcome, Party, Reason } from '../domain';
import { decisionAmount } from '../letters';
import { formatInstant, formatMoney } from './format';
import { LANGUAGE_NAMES, letterLocale, partyLanguage, type LetterLanguage } from './languages';
import { message, type MessageKey, type MessageValues } from './messages';

/**
 * What the desk writes to the parties, in each party's language: decision letters, appeal
 * outcomes, evidence requests and the notice of the two standard resolutions. Pure: the
 * renderer previews exactly what main puts in the outbox. The mediator's own words (reasons,
 * the evidence request) are never machine-translated: they are quoted as written and marked
 * as such, or replaced by a translation the mediator supplied.
 */

export interface PartyLetter {
  language: LetterLanguage;
  to: string;
  subject: string;
  body: string;
}

export interface LetterParty {
  name: string;
  country?: string | null;
  language?: string | null;
}

export interface PartyLetterCase {
  id: string;
  reason: Reason;
  order: { id: string; currency: string; totalMinor: number; item: { title: string; quantity: number } };
  buyer: LetterParty;
  seller: LetterParty;
}

/** The mediator's free text, in the language it was written in, with optional translations. */
export interface MediatorText {
  text: string;
  /** The language the mediator wrote in; English when not said. */
  language?: LetterLanguage;
  translations?: Partial<Record<LetterLanguage, string>>;
}

export interface LetterOptions {
  /** Write in this language instead of the party's own (the mediator's English preview). */
  language?: LetterLanguage;
}

class Writer {
  readonly language: LetterLanguage;
  readonly locale: string;
  constructor(
    readonly c: PartyLetterCase,
    readonly party: Party,
    options: LetterOptions,
  ) {
    const p = c[party];
    this.language = options.language ?? partyLanguage(p);
    this.locale = letterLocale(this.language, p.country);
  }
  t(key: MessageKey, values: MessageValues = {}): string {
    return message(this.language, this.locale, key, values);
  }
  money(minor: number): string {
    return formatMoney(minor, this.c.order.currency, this.locale);
  }
  instant(iso: string): string {
    return formatInstant(iso, this.locale);
  }
  duration(hours: number): string {
    return hours % 24 === 0 ? this.t('duration.days', { days: hours / 24 }) : this.t('duration.hours', { hours });
  }
  bytes(n: number): string {
    const mb = n / (1024 * 1024);
    return new Intl.NumberFormat(this.locale, { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 }).format(mb);
  }
  languageName(language: LetterLanguage): string {
    try {
      return new Intl.DisplayNames([this.locale], { type: 'language' }).of(language) ?? LANGUAGE_NAMES[language];
    } catch {
      return LANGUAGE_NAMES[language];
    }
  }
  get item(): string {
    return this.t('item', { quantity: this.c.order.item.quantity, title: this.c.order.item.title });
  }
  get base(): MessageValues {
    return { caseId: this.c.id, orderId: this.c.order.id };
  }
  outcome(o: Outcome): string {
    return this.t(`outcome.${o}`);
  }
  /** The mediator's words: a supplied translation, or the original marked as not translated. */
  quoted(words: MediatorText): string[] {
    const source = words.language ?? 'en';
    const text = words.text.trim();
    if (source === this.language) return [text];
    const translation = words.translations?.[this.language]?.trim();
    if (translation) return [translation, this.t('translationNote', { language: this.languageName(source) })];
    return [text, this.t('untranslated', { language: this.languageName(source) })];
  }
  letter(subject: string, paragraphs: Array<string | string[]>): PartyLetter {
    const body = [
      this.t('greeting', { name: this.c[this.party].name }),
      ...paragraphs.map((p) => (Array.isArray(p) ? p.join('\n') : p)),
      this.t('signoff'),
    ];
    return { language: this.language, to: this.c[this.party].name, subject, body: body.join('\n\n') };
  }
}

export interface DecisionFacts {
  outcome: Outcome;
  amountMinor?: number | null;
  reasons: MediatorText;
  /** `agreement` decisions are final: the letter says so instead of offering an appeal. */
  basis?: 'agreement' | 'mediator' | 'default' | 'appeal';
  appealUntil?: string | null;
  returnDueAt?: string | null;
  appealWindowHours: number;
  returnShipmentHours: number;
}

function outcomeParagraph(
  w: Writer,
  d: { outcome: Outcome; amountMinor?: number | null },
  returnHours: number,
  returnDueAt?: string | null,
) {
  const total = w.c.order.totalMinor;
  const amount = decisionAmount(d.outcome, d.amountMinor, total);
  // A partial refund whose amount is not (yet) valid says so, never a made-up 0.00 (the Decide dialog's preview).
  const unknown = d.outcome === 'partial' && (d.amountMinor === null || d.amountMinor === undefined);
  return w.t(`${w.party}.${d.outcome}`, {
    total: w.money(total),
    amount: unknown ? w.t('amount.pending') : w.money(amount),
    rest: unknown ? '—' : w.money(Math.max(0, total - amount)),
    duration: w.duration(returnHours),
    returnDueAt: returnDueAt ? w.instant(returnDueAt) : '—',
  });
}

export function decisionLetter(c: PartyLetterCase, party: Party, d: DecisionFacts, options: LetterOptions = {}): PartyLetter {
  const w = new Writer(c, party, options);
  const closing =
    d.basis === 'agreement'
      ? w.t('finalAgreement')
      : w.t('appealRight', { duration: w.duration(d.appealWindowHours), appealUntil: d.appealUntil ? w.instant(d.appealUntil) : '—' });
  return w.letter(w.t('subject.decision', { ...w.base, outcome: w.outcome(d.outcome) }), [
    w.t('intro', { ...w.base, item: w.item, reason: w.t(`reason.${c.reason}`) }),
    [w.t('decisionLine', { outcome: w.outcome(d.outcome) }), outcomeParagraph(w, d, d.returnShipmentHours, d.returnDueAt)],
    [w.t('reasonsHeading'), ...w.quoted(d.reasons)],
    closing,
  ]);
}

export interface AppealFacts {
  verdict: 'uphold' | 'overturn';
  outcome: Outcome;
  amountMinor?: number | null;
  reasons: MediatorText;
  appellant: Party;
  returnDueAt?: string | null;
  returnShipmentHours: number;
}

export function appealDecidedLetter(c: PartyLetterCase, party: Party, a: AppealFacts, options: LetterOptions = {}): PartyLetter {
  const w = new Writer(c, party, options);
  return w.letter(w.t('subject.appeal', { ...w.base, verdict: a.verdict }), [
    w.t('appeal.reviewed', { own: a.appellant === party ? 'yes' : 'no' }),
    [
      w.t(a.verdict === 'uphold' ? 'appeal.upheld' : 'appeal.overturned', { outcome: w.outcome(a.outcome) }),
      outcomeParagraph(w, a, a.returnShipmentHours, a.returnDueAt),
    ],
    [w.t('reasonsHeading'), ...w.quoted(a.reasons)],
    w.t('appeal.final'),
  ]);
}

export interface EvidenceRequestFacts {
  request: MediatorText;
  dueAt: string;
  maxImageBytes: number;
  maxVideoBytes: number;
}

export function evidenceRequestNotice(c: PartyLetterCase, party: Party, r: EvidenceRequestFacts, options: LetterOptions = {}): PartyLetter {
  const w = new Writer(c, party, options);
  const dueAt = w.instant(r.dueAt);
  return w.letter(w.t('subject.evidence', { ...w.base, dueAt }), [
    w.t('evidence.intro', { ...w.base, item: w.item }),
    w.quoted(r.request),
    [
      w.t('evidence.deadline', { dueAt, maxImage: w.bytes(r.maxImageBytes), maxVideo: w.bytes(r.maxVideoBytes) }),
      w.t(party === 'buyer' ? 'evidence.consequence.buyer' : 'evidence.consequence.seller'),
    ],
  ]);
}

export interface ResolutionsFacts {
  options: Array<{ kind: 'partial' | 'return' | 'full'; amountMinor: number }>;
  recommended: 'partial' | 'return' | 'full' | null;
  replyDueAt: string;
}

export function resolutionsNotice(c: PartyLetterCase, party: Party, r: ResolutionsFacts, options: LetterOptions = {}): PartyLetter {
  const w = new Writer(c, party, options);
  const replyDueAt = w.instant(r.replyDueAt);
  const letters = 'ABCDEFGH';
  const labelled = r.options.map((o, i) => ({
    kind: o.kind,
    label: r.options.length > 1 ? w.t('option.label', { letter: letters[i] ?? String(i + 1) }) : null,
    text: w.t(`option.${o.kind}`, { amount: w.money(o.amountMinor), total: w.money(c.order.totalMinor) }),
  }));
  const recommended = labelled.find((o) => o.kind === r.recommended);
  return w.letter(w.t('subject.resolutions', { ...w.base, replyDueAt }), [
    w.t('resolutions.intro', { ...w.base, item: w.item }),
    labelled.map((o) => (o.label ? w.t('option.line', { label: o.label, text: o.text }) : o.text)),
    ...(recommended?.label ? [w.t('resolutions.recommended', { option: recommended.label })] : []),
    w.t('resolutions.reply', { replyDueAt }),
  ]);
}

import { francAll } from 'franc-min';

/**
 * Which language a party's message is in, by a small offline trigram identifier (franc-min).
 * It is a hint for the mediator, never a rule: short texts get no answer, and a close call is
 * marked "probably". Candidates are the languages marketplace parties write in; Bulgarian
 * and Serbian are left out on purpose, because on short Cyrillic texts they outvote Russian.
 * When the top candidates are close, the party's own language (from the dispute or its
 * country) wins the tie.
 */

const CANDIDATES: Record<string, string> = {
  eng: 'en',
  rus: 'ru',
  ukr: 'uk',
  bel: 'be',
  kaz: 'kk',
  uzn: 'uz',
  spa: 'es',
  por: 'pt',
  pol: 'pl',
  fra: 'fr',
  deu: 'de',
  ita: 'it',
  nld: 'nl',
  ces: 'cs',
  ron: 'ro',
  hun: 'hu',
  swe: 'sv',
  tur: 'tr',
  arb: 'ar',
  heb: 'he',
  cmn: 'zh',
  jpn: 'ja',
  kor: 'ko',
  vie: 'vi',
  tha: 'th',
  ind: 'id',
};
const ONLY = Object.keys(CANDIDATES);
const TO_ISO3 = Object.fromEntries(Object.entries(CANDIDATES).map(([iso3, iso1]) => [iso1, iso3]));

/** Below this many letters the identifier guesses; we say nothing instead. */
const MIN_LETTERS = 8;
/** Scores are relative to the best (1.0); a runner-up within this margin makes the call uncertain. */
const CLOSE = 0.08;

export interface DetectedLanguage {
  /** ISO 639-1 code, e.g. "ru". */
  code: string;
  /** false when another language scored almost as well: shown as "probably …". */
  sure: boolean;
}

export function detectLanguage(text: string, partyLanguage?: string | null): DetectedLanguage | null {
  const letters = text.replace(/[^\p{L}]/gu, '');
  if (letters.length < MIN_LETTERS) return null;
  const ranked = francAll(text.slice(0, 2_000), { only: ONLY, minLength: MIN_LETTERS });
  const [best, second] = ranked;
  if (!best || best[0] === 'und') return null;
  const close = ranked.filter(([, score]) => score >= 1 - CLOSE);
  const preferred = partyLanguage ? TO_ISO3[partyLanguage] : undefined;
  if (preferred && close.some(([code]) => code === preferred)) return { code: partyLanguage!, sure: close.length === 1 };
  return { code: CANDIDATES[best[0]] ?? best[0], sure: !second || second[1] < 1 - CLOSE };
}

/**
 * The languages the desk writes to parties in, and how a party's language is chosen: the
 * dispute's own `language` for that party first, then the party's country, then English.
 * Pure data: the same answer on every desk and in the renderer's preview.
 */

export const LETTER_LANGUAGES = ['en', 'ru', 'es', 'pt', 'pl', 'fr', 'de', 'zh'] as const;
export type LetterLanguage = (typeof LETTER_LANGUAGES)[number];

export const LANGUAGE_NAMES: Record<LetterLanguage, string> = {
  en: 'English',
  ru: 'Russian',
  es: 'Spanish',
  pt: 'Portuguese',
  pl: 'Polish',
  fr: 'French',
  de: 'German',
  zh: 'Chinese',
};

/**
 * Countries whose usual language for customer letters is one we write. A country not listed
 * falls back to English rather than to a guess (Ukraine, for instance, is not written to in
 * Russian).
 */
const COUNTRY_LANGUAGE: Record<string, LetterLanguage> = {
  RU: 'ru',
  KZ: 'ru',
  BY: 'ru',
  KG: 'ru',
  ES: 'es',
  MX: 'es',
  AR: 'es',
  CL: 'es',
  CO: 'es',
  PE: 'es',
  UY: 'es',
  VE: 'es',
  EC: 'es',
  BO: 'es',
  PY: 'es',
  CR: 'es',
  GT: 'es',
  BR: 'pt',
  PT: 'pt',
  AO: 'pt',
  MZ: 'pt',
  PL: 'pl',
  FR: 'fr',
  BE: 'fr',
  LU: 'fr',
  MC: 'fr',
  SN: 'fr',
  CI: 'fr',
  DE: 'de',
  AT: 'de',
  CH: 'de',
  LI: 'de',
  CN: 'zh',
  TW: 'zh',
  HK: 'zh',
  SG: 'zh',
};

/** The supported language a tag such as "pt-BR" or "zh-Hans" falls under, or null. */
export function supportedLanguage(tag: string | null | undefined): LetterLanguage | null {
  if (!tag) return null;
  const base = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return (LETTER_LANGUAGES as readonly string[]).includes(base) ? (base as LetterLanguage) : null;
}

/** The language to write to a party in (see the file comment for the order of preference). */
export function partyLanguage(party: { language?: string | null; country?: string | null }): LetterLanguage {
  return supportedLanguage(party.language) ?? (party.country ? COUNTRY_LANGUAGE[party.country.toUpperCase()] : undefined) ?? 'en';
}

/** The locale used for numbers and dates in that language's letters. */
export const LETTER_LOCALE: Record<LetterLanguage, string> = {
  en: 'en-GB',
  ru: 'ru-RU',
  es: 'es-ES',
  pt: 'pt-BR',
  pl: 'pl-PL',
  fr: 'fr-FR',
  de: 'de-DE',
  zh: 'zh-CN',
};

/**
 * The locale for a letter's numbers and dates: the party's own country variant when it speaks
 * that language there ("es-CL" for a Chilean buyer), else the language's usual one.
 */
export function letterLocale(language: LetterLanguage, country?: string | null): string {
  const c = country?.toUpperCase();
  if (c && COUNTRY_LANGUAGE[c] === language) {
    const candidate = `${language}-${c}`;
    if (Intl.NumberFormat.supportedLocalesOf([candidate]).length > 0) return candidate;
  }
  return LETTER_LOCALE[language];
}

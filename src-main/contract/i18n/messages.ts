import { IntlMessageFormat } from 'intl-messageformat';
import { de } from './catalogs/de';
import { en, type Catalog, type MessageKey } from './catalogs/en';
import { es } from './catalogs/es';
import { fr } from './catalogs/fr';
import { pl } from './catalogs/pl';
import { pt } from './catalogs/pt';
import { ru } from './catalogs/ru';
import { zh } from './catalogs/zh';
import type { LetterLanguage } from './languages';

export const CATALOGS: Record<LetterLanguage, Catalog> = { en, ru, es, pt, pl, fr, de, zh };

const compiled = new Map<string, IntlMessageFormat>();

export type MessageValues = Record<string, string | number>;

/** One message of `language`, compiled once per (language, key) and formatted with `values`. */
export function message(language: LetterLanguage, locale: string, key: MessageKey, values: MessageValues = {}): string {
  const cacheKey = `${locale}\u0000${language}\u0000${key}`;
  let format = compiled.get(cacheKey);
  if (!format) {
    format = new IntlMessageFormat(CATALOGS[language][key], locale);
    compiled.set(cacheKey, format);
  }
  const out = format.format(values);
  // Every value is a string or number, so the result is a string; arrays appear only with rich-text tags, which no catalog uses.
  return Array.isArray(out) ? out.join('') : String(out);
}

export type { MessageKey };

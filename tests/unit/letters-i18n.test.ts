import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import {
  CATALOGS,
  LETTER_LANGUAGES,
  appealDecidedLetter,
  decisionLetter,
  evidenceRequestNotice,
  formatMoney,
  letterLocale,
  partyLanguage,
  resolutionsNotice,
  type PartyLetterCase,
} from '../../src-main/contract/i18n';
import { en } from '../../src-main/contract/i18n/catalogs/en';

/** The argument names a message uses, found by walking its parsed ICU tree. */
function argumentNames(source: string): string[] {
  const names = new Set<string>();
  const walk = (nodes: unknown[]): void => {
    for (const node of nodes as Array<{ type: number; value?: unknown; options?: Record<string, { value: unknown[] }> }>) {
      if (typeof node.value === 'string' && node.type !== 0) names.add(node.value);
      for (const option of Object.values(node.options ?? {})) walk(option.value);
    }
  };
  walk(new IntlMessageFormat(source, 'en').getAst());
  return [...names].sort();
}

const SAMPLE_VALUES = {
  caseId: 'D-1',
  orderId: 'O-1',
  outcome: 'X',
  verdict: 'uphold',
  dueAt: 'T',
  replyDueAt: 'T',
  returnDueAt: 'T',
  appealUntil: 'T',
  name: 'N',
  quantity: 3,
  title: 'Lamp',
  days: 7,
  hours: 5,
  item: 'I',
  reason: 'R',
  total: '1',
  amount: '1',
  rest: '1',
  duration: 'D',
  language: 'L',
  own: 'yes',
  maxImage: '2 MB',
  maxVideo: '100 MB',
  letter: 'A',
  label: 'A',
  text: 't',
  option: 'A',
};

const baseCase = (
  buyer: PartyLetterCase['buyer'],
  seller: PartyLetterCase['seller'] = { name: 'Shop', country: 'CN' },
): PartyLetterCase => ({
  id: 'D-7',
  reason: 'defective',
  order: { id: 'O-7', currency: 'EUR', totalMinor: 12_345, item: { title: 'Kettle', quantity: 1 } },
  buyer,
  seller,
});

describe('letter catalogs', () => {
  it.each(LETTER_LANGUAGES.filter((l) => l !== 'en'))('%s has every English key with the same placeholders', (language) => {
    const catalog = CATALOGS[language];
    expect(Object.keys(catalog).sort()).toEqual(Object.keys(en).sort());
    for (const [key, source] of Object.entries(en)) {
      expect({ key, names: argumentNames(catalog[key as keyof typeof en]) }).toEqual({ key, names: argumentNames(source) });
    }
  });

  it.each(LETTER_LANGUAGES)('%s formats every message without a placeholder left over', (language) => {
    for (const [key, source] of Object.entries(CATALOGS[language])) {
      const out = String(new IntlMessageFormat(source, letterLocale(language)).format(SAMPLE_VALUES));
      expect({ key, out }).not.toEqual({ key, out: expect.stringMatching(/[{}]/) });
    }
  });
});

describe('the party language', () => {
  it('takes the dispute’s language first, then the country, then English', () => {
    expect(partyLanguage({ language: 'pt-BR', country: 'US' })).toBe('pt');
    expect(partyLanguage({ language: 'tlh', country: 'KZ' })).toBe('ru');
    expect(partyLanguage({ country: 'CL' })).toBe('es');
    expect(partyLanguage({ country: 'UA' })).toBe('en');
    expect(partyLanguage({})).toBe('en');
  });

  it('uses the party’s country variant for numbers where it speaks the language there', () => {
    expect(letterLocale('es', 'CL')).toBe('es-CL');
    expect(letterLocale('es', 'US')).toBe('es-ES');
    expect(letterLocale('pt', 'PT')).toBe('pt-PT');
  });
});

describe('money in letters', () => {
  it('is exact for amounts no float can hold', () => {
    expect(formatMoney(9_007_199_254_740_991, 'USD', 'en-US')).toBe('$90,071,992,547,409.91');
    expect(formatMoney(99_999_999_999, 'JPY', 'en-US')).toBe('¥99,999,999,999');
    expect(formatMoney(1_234_567, 'KWD', 'en-US')).toBe('KWD\u00a01,234.567');
  });

  it('follows the locale: grouping, decimal mark and symbol', () => {
    expect(formatMoney(123_456, 'EUR', 'de-DE')).toBe('1.234,56\u00a0€');
    expect(formatMoney(123_456, 'EUR', 'fr-FR')).toBe('1\u202f234,56\u00a0€');
    expect(formatMoney(123_456, 'RUB', 'ru-RU')).toBe('1\u00a0234,56\u00a0₽');
  });
});

describe('letters', () => {
  const facts = {
    outcome: 'partial' as const,
    amountMinor: 4_000,
    reasons: { text: 'The kettle leaks at the base; the photos show it.' },
    appealUntil: '2026-03-08T09:00:00.000Z',
    appealWindowHours: 168,
    returnShipmentHours: 240,
  };

  it('in German, continues the greeting’s sentence in lower case, as German letters do', () => {
    const c = baseCase({ name: 'Anna', country: 'DE' });
    const first = (body: string) => body.split('\n\n')[1]!;
    const letters = [
      decisionLetter(c, 'buyer', facts),
      appealDecidedLetter(c, 'buyer', {
        verdict: 'uphold',
        outcome: 'partial',
        amountMinor: 4_000,
        reasons: facts.reasons,
        appellant: 'buyer',
        returnShipmentHours: 240,
      }),
      evidenceRequestNotice(c, 'buyer', {
        request: { text: 'A photo, please.' },
        dueAt: '2026-03-08T09:00:00.000Z',
        maxImageBytes: 2_097_152,
        maxVideoBytes: 104_857_600,
      }),
      resolutionsNotice(c, 'buyer', {
        options: [{ kind: 'partial', amountMinor: 4_000 }],
        recommended: null,
        replyDueAt: '2026-03-08T09:00:00.000Z',
      }),
    ];
    for (const letter of letters) {
      expect(letter.body.split('\n\n')[0]).toBe('Guten Tag Anna,');
      expect(first(letter.body)).toMatch(/^\p{Ll}/u);
    }
  });

  it('writes to each party in its own language, with the amounts and dates of its locale', () => {
    const c = baseCase({ name: 'Jan', country: 'PL' }, { name: 'Laden', country: 'DE' });
    const buyer = decisionLetter(c, 'buyer', facts);
    const seller = decisionLetter(c, 'seller', facts);
    expect(buyer.language).toBe('pl');
    expect(buyer.body).toContain('40,00\u00a0€');
    expect(buyer.body).toContain('8 marca 2026');
    expect(buyer.body).toContain('w ciągu 7 dni');
    expect(seller.language).toBe('de');
    expect(seller.body).toContain('83,45\u00a0€');
    expect(seller.body).toContain('8. März 2026');
  });

  it('quotes the mediator’s words as written and says they are not translated', () => {
    const letter = decisionLetter(baseCase({ name: 'Иван', country: 'RU' }), 'buyer', facts);
    expect(letter.body).toContain(facts.reasons.text);
    expect(letter.body).toContain('Этот текст не переводился');
  });

  it('uses a translation the mediator supplied, and says it is one', () => {
    const letter = decisionLetter(baseCase({ name: 'Ana', country: 'ES' }), 'buyer', {
      ...facts,
      reasons: { text: facts.reasons.text, translations: { es: 'El hervidor gotea por la base.' } },
    });
    expect(letter.body).toContain('El hervidor gotea por la base.');
    expect(letter.body).not.toContain(facts.reasons.text);
    expect(letter.body).toContain('Traducción del equipo de mediación');
  });

  it('offers no appeal on an agreement and a final word after an appeal', () => {
    const c = baseCase({ name: 'Ann', country: 'US' }, { name: 'Shop', country: 'GB' });
    expect(decisionLetter(c, 'buyer', { ...facts, basis: 'agreement' }).body).toContain('cannot be appealed');
    const appeal = appealDecidedLetter(c, 'seller', { ...facts, verdict: 'uphold', appellant: 'seller', returnShipmentHours: 240 });
    expect(appeal.subject).toContain('the decision stands');
    expect(appeal.body).toContain('your appeal');
  });

  it('renders every kind of letter in every language without a placeholder left over', () => {
    for (const language of LETTER_LANGUAGES) {
      const c = baseCase({ name: 'B', country: 'US', language });
      const letters = [
        decisionLetter(c, 'buyer', { ...facts, outcome: 'return', returnDueAt: '2026-03-11T09:00:00Z' }),
        appealDecidedLetter(c, 'buyer', { ...facts, verdict: 'overturn', outcome: 'none', appellant: 'seller' }),
        evidenceRequestNotice(c, 'buyer', {
          request: { text: 'A photo of the base.' },
          dueAt: '2026-03-04T09:00:00Z',
          maxImageBytes: 2_097_152,
          maxVideoBytes: 104_857_600,
        }),
        resolutionsNotice(c, 'buyer', {
          options: [
            { kind: 'partial', amountMinor: 4_000 },
            { kind: 'return', amountMinor: 12_345 },
          ],
          recommended: 'return',
          replyDueAt: '2026-03-05T09:00:00Z',
        }),
      ];
      for (const letter of letters) {
        expect(letter.language).toBe(language);
        expect(letter.subject + letter.body).not.toMatch(/[{}]|undefined|NaN/);
      }
    }
  });
});

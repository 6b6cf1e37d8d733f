import type { Language } from './family';

/**
 * What buyers write in the generated populations, per language: everyday complaints, bad-review
 * threats, requests to be paid off the platform, and honest buyers reporting a seller's
 * off-platform offer (which must not count against them).
 */
export const NEUTRAL: Record<Language, string[]> = {
  en: [
    'The item does not work, please see the photos.',
    'The parcel has not arrived and the tracking has not moved for weeks.',
    'Please refund, the size is completely different from the listing.',
    'I waited two months, the package never came.',
  ],
  ru: ['Товар пришёл с браком, прикладываю фото.', 'Посылка так и не пришла, трек не обновляется.'],
  es: ['El producto llegó roto, adjunto fotos.', 'El paquete nunca llegó.'],
  pt: ['O produto chegou com defeito, seguem as fotos.', 'A encomenda nunca chegou.'],
  fr: ["L'article ne fonctionne pas, voir les photos.", "Le colis n'est jamais arrivé."],
  pl: ['Produkt jest uszkodzony, załączam zdjęcia.', 'Paczka nigdy nie dotarła.'],
};

export const THREATS: Record<Language, string[]> = {
  en: [
    'If you do not refund me today I will leave a 1-star review and report your store.',
    'Refund the full amount or I will write bad feedback on every product of your shop.',
  ],
  ru: ['Если не вернёте деньги, оставлю плохой отзыв.'],
  es: ['Si no me devuelven el dinero dejaré una reseña negativa.'],
  pt: ['Se não devolver vou deixar uma avaliação negativa.'],
  fr: ['Sinon je laisserai un avis négatif partout.'],
  pl: ['Jeśli nie zwrócicie pieniędzy, wystawię negatywną opinię.'],
};

export const OFF_PLATFORM: Record<Language, string[]> = {
  en: [
    'Pay me by PayPal and I will close the dispute, it is faster for both of us.',
    'Send the money to my card directly, outside the platform.',
  ],
  ru: ['Переведите мне на карту, и я закрою спор.'],
  es: ['Págame por Bizum y cierro la disputa.'],
  pt: ['Me pague por Pix e fecho a disputa.'],
  fr: ['Virez-moi par PayPal et je ferme le litige.'],
  pl: ['Przelej mi przez BLIK i zamknę spór.'],
};

export const REPORTED: Record<Language, string[]> = {
  en: ['The seller offered to pay me by PayPal if I close the dispute. I refused.'],
  ru: ['Продавец предлагает перевести на карту, я отказался.'],
  es: ['El vendedor me ofrece pagar por Bizum si cierro la disputa, no acepto.'],
  pt: ['O vendedor me ofereceu pagar por Pix se eu fechar a disputa.'],
  fr: ['Le vendeur propose de me payer par PayPal si je ferme le litige.'],
  pl: ['Sprzedawca proponuje przelew BLIK, jeśli zamknę spór.'],
};

/**
 * Buyer messages that the seeds name as abuse: threatening a bad review to get a refund, and
 * asking to be paid outside the platform. Keyword patterns in the marketplace's main
 * languages (English, Russian, Spanish, Portuguese, French, Polish); deliberately
 * conservative: a threat needs both a bad-review phrase and a condition or a promise ("if",
 * "unless", "I will"), and a payment channel counts only with a request to be paid by it,
 * so a buyer reporting the seller's off-platform offer is not taken for making one.
 * Only the buyer's own messages are classified (seller tricks are warnings of their own).
 */

/**
 * `\b` in a JavaScript RegExp only knows ASCII letters; a leading or trailing `\b` of each
 * alternative becomes a boundary that knows every script. Texts are lower-cased before matching.
 */
const WORD = String.raw`[\p{L}\p{N}_]`;
const rx = (parts: string[]): RegExp =>
  new RegExp(
    parts
      .map((p) => {
        let q = p.startsWith(String.raw`\b`) ? `(?<!${WORD})${p.slice(2)}` : p;
        if (q.endsWith(String.raw`\b`)) q = `${q.slice(0, -2)}(?!${WORD})`;
        if (q.includes(String.raw`\b`)) throw new Error(`a word boundary inside a pattern: ${p}`);
        return q;
      })
      .join('|'),
    'u',
  );

/** Cheap first looks: most messages mention neither reviews nor payment at all. */
const REVIEW_HINT =
  /review|feedback|rating|star|report|отзыв|оценк|звезд|reseñ|opini|calific|valorac|estrell|avalia|coment|estrel|avis|commentaire|note|toile|komentarz|ocen|recenz|negatyw|gwiazd/u;
const MONEY_HINT =
  /platform|plataforma|plateforme|site|app|direct|diret|напрям|минуя|обход|pay|zelle|cash|venmo|union|moneygram|wise|revolut|skrill|crypto|usdt|bitcoin|btc|transfer|card|account|wallet|iban|phone|qiwi|сбп|сбер|тинько|money|карт|номер|bizum|cuentarut|mercado|pix|cpf|virement|lydia|blik|przelew|sepa|kaspi|monobank|kakao|paybox|bit|poza|bezpo/u;

const BAD_REVIEW = rx([
  // en
  String.raw`\b(bad|negative|terrible|awful|horrible|worst|1[- ]?star|one[- ]star)\s+(review|feedback|rating|comment)s?\b`,
  String.raw`\b(review|feedback|rating)s?\s+(of\s+)?(1|one)\s+star`,
  String.raw`\breport (your|the) (store|shop)\b`,
  // ru
  String.raw`(плох|негатив|отрицательн|ужасн)\p{L}*\s+(отзыв|оценк)`,
  String.raw`(одну|1)\s+звезд`,
  // es
  String.raw`\b(mala|malas|pésima|negativa)\s+(reseña|opini[oó]n|calificaci[oó]n|valoraci[oó]n)`,
  String.raw`(reseña|opini[oó]n|calificaci[oó]n|valoraci[oó]n)\s+(negativa|mala|pésima)`,
  String.raw`\b(una|1)\s+estrella\b`,
  // pt
  String.raw`(avalia[cç][aã]o|coment[aá]rio|feedback)\s+(negativ|ruim|p[ée]ssim)`,
  String.raw`\b(m[aá]|p[ée]ssima)\s+avalia[cç][aã]o`,
  String.raw`\b(uma|1)\s+estrela\b`,
  // fr
  String.raw`\b(mauvais|n[ée]gatif)s?\s+(avis|commentaire|note)`,
  String.raw`\bavis\s+n[ée]gatif`,
  String.raw`\b(une|1)\s+[ée]toile\b`,
  // pl
  String.raw`negatywn\p{L}*\s+(opini|komentarz|ocen|recenzj)`,
  String.raw`\bz[łl][ąa]\s+(opini|ocen|recenzj)`,
  String.raw`wystawi[ęe]\s+negatyw`,
  String.raw`\b(jedn[ąa]|1)\s+gwiazdk`,
]);

const THREAT_MARKER = rx([
  // en
  String.raw`\b(if|unless|otherwise|or else|or i|will|i'll|i am going to|i'm going to|gonna)\b`,
  // ru
  String.raw`(если|иначе|или я|оставлю|напишу|поставлю)`,
  // es
  String.raw`\b(si no|o si no|de lo contrario|dejar[ée]|escribir[ée]|pondr[ée]|voy a)\b`,
  // pt
  String.raw`\b(se n[aã]o|sen[aã]o|caso contr[aá]rio|vou|deixarei|escreverei)\b`,
  // fr
  String.raw`\b(si vous ne|sinon|je vais|je laisserai|j'[ée]crirai|je mettrai)\b`,
  // pl
  String.raw`\b(je[śs]li nie|je[żz]eli nie|bo inaczej|inaczej|wystawi[ęe]|napisz[ęe])`,
]);

/** Said outright: "off the platform", "outside AliExpress", "напрямую"… */
const OFF_PLATFORM_OUTRIGHT = rx([
  String.raw`\boff[- ]the[- ](platform|site|app)\b`,
  String.raw`\boutside (of )?(the )?(platform|site|app|aliexpress|marketplace)\b`,
  String.raw`\b(pay|send|refund) me directly\b`,
  String.raw`(напрямую|минуя (площадку|платформу|сайт|алиэкспресс)|в обход (площадки|платформы|сайта))`,
  String.raw`\b(fuera de la plataforma|por fuera de la plataforma|directamente a m[ií])\b`,
  String.raw`\b(fora da plataforma|diretamente para mim)\b`,
  String.raw`\b(hors (de la )?plateforme|en dehors de la plateforme|directement [àa] moi)\b`,
  String.raw`(poza platform[ąa]|bezpo[śs]rednio do mnie)`,
]);

/** Ways to move money around the platform. */
const PAYMENT_CHANNEL = rx([
  String.raw`\b(paypal|zelle|cash ?app|venmo|western union|moneygram|wise|revolut|skrill|payoneer|crypto|usdt|bitcoin|btc)\b`,
  String.raw`\b(bank|wire) transfer\b`,
  String.raw`\bto my (card|account|wallet|iban|phone)\b`,
  String.raw`\b(qiwi|сбп|сбер\p{L}*|тинькофф|юmoney|yoomoney|на (мою )?карту|по номеру телефона)`,
  String.raw`\b(bizum|transferencia|cuentarut|mercado ?pago)\b`,
  String.raw`\b(pix|cpf|transfer[eê]ncia)\b`,
  String.raw`\b(virement|lydia|paylib)\b`,
  String.raw`\b(blik|przelew\p{L}*)`,
  String.raw`\b(sepa|iban|kaspi|monobank|kakaopay|paypay|paybox|bit)\b`,
]);

/** The buyer asks to be paid, or offers to drop the dispute for it. */
const PAY_REQUEST = rx([
  String.raw`\b(pay|send|transfer|refund|give)( me| to me| it to me| the money to me| to my)\b`,
  String.raw`\bi('ll| will)? (close|cancel|withdraw|drop) the (dispute|case|claim)\b`,
  String.raw`\band i (close|cancel|withdraw|drop)\b`,
  String.raw`(переведите|переведи|скиньте|скинь|отправьте мне|верните мне|закрою спор|отменю спор)`,
  String.raw`\b(p[aá]game|env[ií]ame|transfi[ée]reme|devu[ée]lveme|cierro la disputa|cancelo la disputa|cerrar[ée] la disputa)`,
  String.raw`\b(me pague|me envie|me transfira|me devolva|fecho a disputa|cancelo a disputa)`,
  String.raw`\b(payez-moi|envoyez-moi|virez-moi|remboursez-moi|je ferme le litige|j'annule le litige|je fermerai le litige)`,
  String.raw`(zap[łl]a[ćc] mi|przelej mi|wy[śs]lij mi|odda[jć] mi|zamkn[ęe] sp[óo]r|anuluj[ęe] sp[óo]r)`,
]);

/** The buyer reports the seller's offer ("the seller offered to pay me by PayPal"): not the buyer's request. */
const REPORTED_OFFER = rx([
  String.raw`\b(seller|store|shop|they)\s+(has\s+|have\s+)?(offered|offers|asked|asks|suggested|suggests|proposed|proposes|wants|wanted|told me)`,
  String.raw`(продав\p{L}*|магазин)\s+(мне\s+)?(предлага|предложил|проси|просил|хочет)`,
  String.raw`\b(el vendedor|la tienda)\s+(me\s+)?(ofrec|ofreci|propon|propus|pidi|pide|quiere)`,
  String.raw`\b(o vendedor|a loja)\s+(me\s+)?(ofere|prop[oô]|pediu|pede|quer)`,
  String.raw`\b(le vendeur|la boutique)\s+(m'|me\s+)?(propos|offr|demand|veut)`,
  String.raw`\b(sprzedawca|sklep)\s+(mi\s+)?(proponuje|zaproponowa|oferuje|zaoferowa|prosi|chce)`,
]);

export interface MessageSignals {
  threat: boolean;
  offPlatform: boolean;
}

export function classifyBuyerMessage(text: string): MessageSignals {
  // eslint-disable-next-line no-control-regex
  const t = (/[^\u0000-\u007f]/.test(text) ? text.normalize('NFC') : text).toLowerCase();
  return {
    threat: REVIEW_HINT.test(t) && BAD_REVIEW.test(t) && THREAT_MARKER.test(t),
    offPlatform:
      MONEY_HINT.test(t) && !REPORTED_OFFER.test(t) && (OFF_PLATFORM_OUTRIGHT.test(t) || (PAYMENT_CHANNEL.test(t) && PAY_REQUEST.test(t))),
  };
}

/** Whether any of a dispute's buyer messages threatens or asks to be paid off the platform. */
export function classifyBuyerMessages(messages: Iterable<{ by: string; text: string }>): MessageSignals {
  const out = { threat: false, offPlatform: false };
  for (const m of messages) {
    if (m.by !== 'buyer') continue;
    const s = classifyBuyerMessage(m.text);
    out.threat ||= s.threat;
    out.offPlatform ||= s.offPlatform;
    if (out.threat && out.offPlatform) break;
  }
  return out;
}

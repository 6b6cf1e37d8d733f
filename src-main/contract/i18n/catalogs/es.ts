import type { Catalog } from './en';

/** Spanish: "usted", neutral between Spain and Latin America. */
export const es: Catalog = {
  'subject.decision': 'Resolución de la disputa {caseId} (pedido {orderId}): {outcome}',
  'subject.appeal':
    'Apelación de la disputa {caseId} (pedido {orderId}): {verdict, select, uphold {se mantiene la resolución} other {la resolución ha cambiado}}',
  'subject.evidence': 'Disputa {caseId} (pedido {orderId}): envíe las pruebas antes del {dueAt}',
  'subject.resolutions': 'Disputa {caseId} (pedido {orderId}): soluciones propuestas, responda antes del {replyDueAt}',
  greeting: 'Hola, {name}:',
  item: '{quantity, plural, =1 {«{title}»} other {# × «{title}»}}',
  'duration.days': '{days, plural, one {# día} other {# días}}',
  'duration.hours': '{hours, plural, one {# hora} other {# horas}}',
  intro: 'Hemos revisado la disputa sobre {item} (pedido {orderId}; motivo: {reason}).',
  decisionLine: 'Resolución: {outcome}.',
  'outcome.full': 'Reembolso total',
  'outcome.partial': 'Reembolso parcial; el comprador se queda con el artículo',
  'outcome.return': 'Devolución con reembolso total',
  'outcome.none': 'Sin reembolso',
  'reason.not_received.in_transit': 'No recibido · aún en tránsito',
  'reason.not_received.returned_to_sender': 'No recibido · devuelto al remitente',
  'reason.not_received.no_tracking_info': 'No recibido · sin información de seguimiento',
  'reason.not_received.customs': 'No recibido · retenido en aduana',
  'reason.not_received.wrong_address': 'No recibido · dirección incorrecta',
  'reason.not_as_described': 'No coincide con la descripción',
  'reason.defective': 'Defectuoso',
  'reason.damaged': 'Dañado',
  'reason.wrong_item': 'Artículo equivocado',
  'reason.missing_parts': 'Faltan piezas',
  'reason.counterfeit': 'Falsificación',
  'reason.quantity_short': 'Cantidad incompleta',
  'buyer.full': 'Se le reembolsará el total del pedido, {total}. No necesita devolver el artículo.',
  'buyer.partial': 'Se le reembolsarán {amount} y se queda con el artículo.',
  'buyer.return':
    'Envíe el artículo de vuelta al vendedor en un plazo de {duration} desde esta resolución, antes del {returnDueAt}, e indíquenos el número de seguimiento de la devolución. Cuando el vendedor confirme la recepción, se le reembolsará el total del pedido, {total}. El envío de la devolución corre por su cuenta; si el artículo no se envía a tiempo, el reembolso se cancela.',
  'buyer.none': 'No corresponde ningún reembolso. El pago de {total} se entrega al vendedor.',
  'seller.full': 'Se reembolsa al comprador el total del pedido, {total}, con cargo al pago retenido, y no devuelve el artículo.',
  'seller.partial':
    'Se reembolsan al comprador {amount} con cargo al pago retenido y se queda con el artículo; el resto, {rest}, se le entrega a usted.',
  'seller.return':
    'El comprador devolverá el artículo en un plazo de {duration} desde esta resolución, antes del {returnDueAt}. Confirme la recepción cuando llegue; entonces se reembolsará al comprador el total del pedido, {total}, con cargo al pago retenido.',
  'seller.none': 'No corresponde ningún reembolso. El pago retenido de {total} se le entrega a usted.',
  reasonsHeading: 'Motivos:',
  untranslated: '(Escrito por el mediador en {language}. Este texto no se ha traducido.)',
  translationNote: '(Traducción del equipo de mediación; el original está en {language}.)',
  appealRight:
    'Si no está de acuerdo, puede apelar en un plazo de {duration} desde esta resolución, hasta el {appealUntil}, por el resultado, por la actuación del mediador o por nuevas pruebas. Revisará la apelación un supervisor que no haya tomado esta resolución.',
  finalAgreement: 'Ambas partes aceptaron esta solución, por lo que es definitiva y no admite apelación.',
  signoff: 'El equipo de mediación',
  'appeal.reviewed':
    'Un supervisor que no tomó la resolución original ha revisado {own, select, yes {su apelación} other {la apelación presentada por la otra parte}}.',
  'appeal.upheld': 'Se mantiene la resolución original: {outcome}.',
  'appeal.overturned': 'La resolución se ha cambiado a: {outcome}.',
  'appeal.final': 'Esta resolución es definitiva y no admite una nueva apelación.',
  'evidence.intro': 'El mediador que lleva la disputa sobre {item} (pedido {orderId}) le pide las siguientes pruebas:',
  'evidence.deadline':
    'Envíelas antes del {dueAt}. Se aceptan fotos (JPG, PNG, BMP, GIF) de hasta {maxImage} cada una y vídeos (MP4, WebM, MOV) de hasta {maxVideo}.',
  'evidence.consequence.buyer': 'Si no recibimos nada a tiempo, la disputa podrá resolverse sin reembolso para usted.',
  'evidence.consequence.seller': 'Si no recibimos nada a tiempo, la disputa podrá resolverse a favor del comprador.',
  'resolutions.intro': 'El mediador ha revisado la disputa sobre {item} (pedido {orderId}) y propone lo siguiente:',
  'option.label': 'Opción {letter}',
  'option.line': '{label}: {text}',
  'option.partial': 'Reembolso parcial de {amount}; el comprador se queda con el artículo.',
  'option.return': 'Reembolso total de {total} una vez devuelto el artículo al vendedor (el comprador paga el envío de la devolución).',
  'option.full': 'Reembolso total de {total}; no se devuelve nada.',
  'resolutions.recommended': 'Recomendada: {option}.',
  'resolutions.reply':
    'Responda antes del {replyDueAt}: acepte una de las opciones o recháchelas. Si ambas partes aceptan la misma opción, la disputa se resuelve en ese momento de forma definitiva. Si usted no responde a tiempo y la otra parte aceptó una opción, se aplicará esa opción.',
};

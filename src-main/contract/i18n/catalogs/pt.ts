import type { Catalog } from './en';

/** Portuguese: "você", Brazilian usage (the larger share of buyers), readable in Portugal. */
export const pt: Catalog = {
  'subject.decision': 'Decisão sobre a disputa {caseId} (pedido {orderId}): {outcome}',
  'subject.appeal':
    'Recurso na disputa {caseId} (pedido {orderId}): {verdict, select, uphold {a decisão foi mantida} other {a decisão foi alterada}}',
  'subject.evidence': 'Disputa {caseId} (pedido {orderId}): envie as provas até {dueAt}',
  'subject.resolutions': 'Disputa {caseId} (pedido {orderId}): soluções propostas, responda até {replyDueAt}',
  greeting: 'Olá, {name},',
  item: '{quantity, plural, =1 {“{title}”} other {# × “{title}”}}',
  'duration.days': '{days, plural, one {# dia} other {# dias}}',
  'duration.hours': '{hours, plural, one {# hora} other {# horas}}',
  intro: 'Analisamos a disputa sobre {item} (pedido {orderId}; motivo: {reason}).',
  decisionLine: 'Decisão: {outcome}.',
  'outcome.full': 'Reembolso total',
  'outcome.partial': 'Reembolso parcial; o comprador fica com o item',
  'outcome.return': 'Devolução com reembolso total',
  'outcome.none': 'Sem reembolso',
  'reason.not_received.in_transit': 'Não recebido · ainda em trânsito',
  'reason.not_received.returned_to_sender': 'Não recebido · devolvido ao remetente',
  'reason.not_received.no_tracking_info': 'Não recebido · sem informações de rastreio',
  'reason.not_received.customs': 'Não recebido · retido na alfândega',
  'reason.not_received.wrong_address': 'Não recebido · endereço errado',
  'reason.not_as_described': 'Diferente do anunciado',
  'reason.defective': 'Com defeito',
  'reason.damaged': 'Danificado',
  'reason.wrong_item': 'Item errado',
  'reason.missing_parts': 'Peças faltando',
  'reason.counterfeit': 'Falsificado',
  'reason.quantity_short': 'Quantidade menor que a pedida',
  'buyer.full': 'Você receberá o reembolso do valor total do pedido, {total}. Não é preciso devolver o item.',
  'buyer.partial': 'Você receberá um reembolso de {amount} e fica com o item.',
  'buyer.return':
    'Envie o item de volta ao vendedor em até {duration} a partir desta decisão, até {returnDueAt}, e informe-nos o código de rastreio da devolução. Quando o vendedor confirmar o recebimento, você receberá o reembolso do valor total do pedido, {total}. O frete da devolução é por sua conta; se o item não for enviado a tempo, o reembolso é cancelado.',
  'buyer.none': 'Nenhum reembolso é devido. O pagamento de {total} é liberado ao vendedor.',
  'seller.full': 'O comprador recebe o reembolso do valor total do pedido, {total}, a partir do pagamento retido, e não devolve o item.',
  'seller.partial':
    'O comprador recebe um reembolso de {amount} a partir do pagamento retido e fica com o item; o restante, {rest}, é liberado para você.',
  'seller.return':
    'O comprador enviará o item de volta em até {duration} a partir desta decisão, até {returnDueAt}. Confirme o recebimento quando ele chegar; o valor total do pedido, {total}, será então reembolsado ao comprador a partir do pagamento retido.',
  'seller.none': 'Nenhum reembolso é devido. O pagamento retido de {total} é liberado para você.',
  reasonsHeading: 'Motivos:',
  untranslated: '(Escrito pelo mediador em {language}. Este texto não foi traduzido.)',
  translationNote: '(Tradução da equipe de mediação; o original está em {language}.)',
  appealRight:
    'Se não concordar, você pode recorrer em até {duration} a partir desta decisão, até {appealUntil}, contestando o resultado ou a conduta do mediador, ou apresentando novas provas. Um supervisor que não tomou esta decisão analisará o recurso.',
  finalAgreement: 'As duas partes aceitaram esta solução; por isso ela é definitiva e não cabe recurso.',
  signoff: 'A equipe de mediação',
  'appeal.reviewed':
    'Um supervisor que não tomou a decisão original analisou {own, select, yes {o seu recurso} other {o recurso apresentado pela outra parte}}.',
  'appeal.upheld': 'A decisão original foi mantida: {outcome}.',
  'appeal.overturned': 'A decisão foi alterada para: {outcome}.',
  'appeal.final': 'Esta decisão é definitiva e não cabe novo recurso.',
  'evidence.intro': 'O mediador responsável pela disputa sobre {item} (pedido {orderId}) pede as seguintes provas:',
  'evidence.deadline':
    'Envie-as até {dueAt}. Aceitamos fotos (JPG, PNG, BMP, GIF) de até {maxImage} cada e vídeos (MP4, WebM, MOV) de até {maxVideo}.',
  'evidence.consequence.buyer': 'Se nada chegar a tempo, a disputa poderá ser decidida sem reembolso para você.',
  'evidence.consequence.seller': 'Se nada chegar a tempo, a disputa poderá ser decidida a favor do comprador.',
  'resolutions.intro': 'O mediador analisou a disputa sobre {item} (pedido {orderId}) e propõe o seguinte:',
  'option.label': 'Opção {letter}',
  'option.line': '{label}: {text}',
  'option.partial': 'Reembolso parcial de {amount}; o comprador fica com o item.',
  'option.return': 'Reembolso total de {total} após a devolução do item ao vendedor (o comprador paga o frete da devolução).',
  'option.full': 'Reembolso total de {total}; nada é devolvido.',
  'resolutions.recommended': 'Recomendada: {option}.',
  'resolutions.reply':
    'Responda até {replyDueAt}: aceite uma das opções ou recuse-as. Se as duas partes aceitarem a mesma opção, a disputa é encerrada na hora, de forma definitiva. Se você não responder a tempo e a outra parte tiver aceitado uma opção, essa opção será aplicada.',
};

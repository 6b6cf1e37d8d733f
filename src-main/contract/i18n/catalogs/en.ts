/**
 * English: the reference catalog. Every other language has exactly these keys (the type
 * says so) and the same placeholders (a unit test says so). ICU MessageFormat syntax.
 */
export const en = {
  'subject.decision': 'Decision on dispute {caseId} (order {orderId}): {outcome}',
  'subject.appeal':
    'Appeal on dispute {caseId} (order {orderId}): {verdict, select, uphold {the decision stands} other {the decision is changed}}',
  'subject.evidence': 'Dispute {caseId} (order {orderId}): please send evidence by {dueAt}',
  'subject.resolutions': 'Dispute {caseId} (order {orderId}): proposed resolutions, please reply by {replyDueAt}',
  greeting: 'Dear {name},',
  item: '{quantity, plural, =1 {“{title}”} other {# × “{title}”}}',
  'duration.days': '{days, plural, one {# day} other {# days}}',
  'duration.hours': '{hours, plural, one {# hour} other {# hours}}',
  intro: 'We have reviewed the dispute about {item} (order {orderId}; reason: {reason}).',
  decisionLine: 'Decision: {outcome}.',
  'outcome.full': 'Full refund',
  'outcome.partial': 'Partial refund, buyer keeps the item',
  'outcome.return': 'Return for a full refund',
  'outcome.none': 'No refund',
  'reason.not_received.in_transit': 'Not received · still in transit',
  'reason.not_received.returned_to_sender': 'Not received · returned to sender',
  'reason.not_received.no_tracking_info': 'Not received · no tracking information',
  'reason.not_received.customs': 'Not received · held by customs',
  'reason.not_received.wrong_address': 'Not received · wrong address',
  'reason.not_as_described': 'Not as described',
  'reason.defective': 'Defective',
  'reason.damaged': 'Damaged',
  'reason.wrong_item': 'Wrong item',
  'reason.missing_parts': 'Missing parts',
  'reason.counterfeit': 'Counterfeit',
  'reason.quantity_short': 'Quantity short',
  'buyer.full': 'You will be refunded the order total of {total}. You do not need to send the item back.',
  'buyer.partial': 'You will be refunded {amount} and you keep the item.',
  'buyer.return':
    'Please send the item back to the seller within {duration} of this decision, by {returnDueAt}, and give us the return tracking number. Once the seller confirms receipt, you will be refunded the order total of {total}. The return postage is yours to pay; if the item is not shipped back in time, the refund is cancelled.',
  'buyer.none': 'No refund is due. The payment of {total} is released to the seller.',
  'seller.full': 'The buyer is refunded the order total of {total} from the held payment and does not return the item.',
  'seller.partial': 'The buyer is refunded {amount} from the held payment and keeps the item; the remaining {rest} is released to you.',
  'seller.return':
    'The buyer will send the item back within {duration} of this decision, by {returnDueAt}. Please confirm receipt when it arrives; the order total of {total} is then refunded to the buyer from the held payment.',
  'seller.none': 'No refund is due. The held payment of {total} is released to you.',
  reasonsHeading: 'Reasons:',
  untranslated: '(Written by the mediator in {language}. This text has not been translated.)',
  translationNote: '(Translated by the mediation team; the original is in {language}.)',
  appealRight:
    'If you disagree, you may appeal within {duration} of this decision, until {appealUntil}, on the grounds of the outcome, the mediator’s conduct or new evidence. A supervisor who did not take this decision will review the appeal.',
  finalAgreement: 'Both of you accepted this resolution, so it is final and cannot be appealed.',
  signoff: 'The mediation team',
  'appeal.reviewed':
    'A supervisor who did not take the original decision has reviewed {own, select, yes {your appeal} other {the appeal filed by the other party}}.',
  'appeal.upheld': 'The original decision stands: {outcome}.',
  'appeal.overturned': 'The decision is changed to: {outcome}.',
  'appeal.final': 'This decision is final and cannot be appealed again.',
  'evidence.intro': 'The mediator handling the dispute about {item} (order {orderId}) asks you for the following evidence:',
  'evidence.deadline':
    'Please send it before {dueAt}. We accept photos (JPG, PNG, BMP, GIF) of up to {maxImage} each and videos (MP4, WebM, MOV) of up to {maxVideo}.',
  'evidence.consequence.buyer': 'If nothing arrives in time, the dispute may be decided without a refund to you.',
  'evidence.consequence.seller': 'If nothing arrives in time, the dispute may be decided in the buyer’s favour.',
  'resolutions.intro': 'The mediator has reviewed the dispute about {item} (order {orderId}) and proposes the following:',
  'option.label': 'Option {letter}',
  'amount.pending': '(the refund amount you enter)',
  'option.line': '{label}: {text}',
  'option.partial': 'Partial refund of {amount}; the buyer keeps the item.',
  'option.return': 'Full refund of {total} once the item is returned to the seller (the buyer pays the return postage).',
  'option.full': 'Full refund of {total}; nothing is returned.',
  'resolutions.recommended': 'Recommended: {option}.',
  'resolutions.reply':
    'Please reply by {replyDueAt}: accept one of the options or reject them. If both of you accept the same option, the dispute is settled at once and the outcome is final. If you do not reply in time and the other party accepted an option, that option is applied.',
} as const;

export type MessageKey = keyof typeof en;
export type Catalog = Record<MessageKey, string>;

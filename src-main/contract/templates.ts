import { isNotReceived, type Outcome, type Party, type Reason } from './domain';

/**
 * Starting texts for the mediator's two most frequent writings: evidence requests (per
 * reason and party) and decision reasons (per outcome). Static data, pure TypeScript: the
 * screens offer them, the mediator edits them; nothing is sent without a person reading it.
 */

export interface EvidenceTemplate {
  id: string;
  /** Reasons the template fits; empty = every reason. */
  reasons: Reason[];
  party: Party;
  title: string;
  text: string;
}

export interface DecisionReasonTemplate {
  id: string;
  outcomes: Outcome[];
  /** 'not_received' / 'received' narrows the template to one family of reasons; 'any' fits both. */
  family: 'not_received' | 'received' | 'any';
  title: string;
  text: string;
}

const NR = [
  'not_received.in_transit',
  'not_received.returned_to_sender',
  'not_received.no_tracking_info',
  'not_received.customs',
  'not_received.wrong_address',
] as const;

export const EVIDENCE_TEMPLATES: EvidenceTemplate[] = [
  // Item not received
  {
    id: 'nr-seller-proof-of-delivery',
    reasons: [...NR],
    party: 'seller',
    title: 'Proof of delivery',
    text: 'Please send the carrier’s proof of delivery for this order: the delivery scan with date, place and, if available, the recipient’s signature or a photo of the parcel at the door.',
  },
  {
    id: 'nr-seller-shipping-receipt',
    reasons: ['not_received.no_tracking_info', 'not_received.in_transit', 'not_received.customs'],
    party: 'seller',
    title: 'Shipping receipt',
    text: 'Please send the shipping receipt from the carrier showing the tracking number, the date the parcel was handed over and the destination address.',
  },
  {
    id: 'nr-buyer-nondelivery-statement',
    reasons: [...NR],
    party: 'buyer',
    title: 'Statement from the local post office',
    text: 'Please ask your local post office or the delivering carrier for a written statement that the parcel with this tracking number was not delivered to you, and send a photo or scan of it.',
  },
  {
    id: 'nr-buyer-customs',
    reasons: ['not_received.customs'],
    party: 'buyer',
    title: 'Customs notice',
    text: 'Please send the notice you received from customs (letter, e-mail or screenshot) showing why the parcel is held and what is needed to release it.',
  },
  {
    id: 'nr-buyer-address',
    reasons: ['not_received.wrong_address'],
    party: 'buyer',
    title: 'Shipping address at order time',
    text: 'Please send a screenshot of the order page showing the shipping address you entered when you placed the order.',
  },
  {
    id: 'nr-seller-return-scan',
    reasons: ['not_received.returned_to_sender'],
    party: 'seller',
    title: 'Returned parcel received',
    text: 'The tracking shows the parcel was returned to you. Please confirm whether you received it back and send a photo of the returned parcel with its label.',
  },
  // Item received with a problem
  {
    id: 'r-buyer-photos',
    reasons: ['not_as_described', 'damaged', 'wrong_item', 'missing_parts', 'quantity_short', 'counterfeit'],
    party: 'buyer',
    title: 'Photos of the item and the parcel',
    text: 'Please send clear photos of the item as received, the packaging and the shipping label, with the problem visible in at least one photo.',
  },
  {
    id: 'r-buyer-defect-video',
    reasons: ['defective'],
    party: 'buyer',
    title: 'Video of the defect',
    text: 'Please send a short, uncut video showing the item being switched on or used as intended and the defect happening (for example the phone on its charger next to a second device that does charge).',
  },
  {
    id: 'r-buyer-unboxing',
    reasons: ['missing_parts', 'quantity_short', 'wrong_item'],
    party: 'buyer',
    title: 'Contents laid out',
    text: 'Please lay out everything that was in the parcel next to the packing list or the listing’s “what is in the box”, and send one photo showing it all together.',
  },
  {
    id: 'r-buyer-comparison',
    reasons: ['not_as_described', 'counterfeit'],
    party: 'buyer',
    title: 'Comparison with the listing',
    text: 'Please send photos that show the difference between the item you received and the listing (labels, markings, size, colour or material), each next to the matching listing picture.',
  },
  {
    id: 'r-seller-packing',
    reasons: ['missing_parts', 'quantity_short', 'wrong_item', 'damaged'],
    party: 'seller',
    title: 'Packing record and weight',
    text: 'Please send your packing record for this order: the photo or video taken when packing, and the parcel weight declared to the carrier.',
  },
  {
    id: 'r-seller-authenticity',
    reasons: ['counterfeit'],
    party: 'seller',
    title: 'Proof of authenticity',
    text: 'Please send proof that the item is genuine: a purchase invoice from the brand or an authorised distributor covering this item.',
  },
  {
    id: 'r-seller-test-record',
    reasons: ['defective'],
    party: 'seller',
    title: 'Quality check record',
    text: 'Please send the quality-check or test record for this unit (serial number if it has one) made before shipping.',
  },
  {
    id: 'any-seller-response',
    reasons: [],
    party: 'seller',
    title: 'Your account of the problem',
    text: 'Please describe what you know about this problem and send anything that supports your account (photos, messages, carrier records).',
  },
];

export const DECISION_REASON_TEMPLATES: DecisionReasonTemplate[] = [
  {
    id: 'nr-full-no-proof',
    outcomes: ['full'],
    family: 'not_received',
    title: 'No proof of delivery',
    text: 'The tracking does not show the parcel delivered to the buyer’s address and the seller did not provide proof of delivery. The buyer is refunded the order total.',
  },
  {
    id: 'nr-none-delivered',
    outcomes: ['none'],
    family: 'not_received',
    title: 'Delivery confirmed',
    text: 'The carrier confirms delivery to the address the buyer entered, with a delivery scan, and the buyer provided nothing showing otherwise. No refund is due.',
  },
  {
    id: 'r-partial-keeps-item',
    outcomes: ['partial'],
    family: 'received',
    title: 'Partial refund, buyer keeps the item',
    text: 'The evidence shows the item differs from what was ordered, but it remains usable. A partial refund compensates the buyer, who keeps the item.',
  },
  {
    id: 'r-return-full',
    outcomes: ['return'],
    family: 'received',
    title: 'Return for a full refund',
    text: 'The evidence shows the item is not what was ordered or does not work. The buyer returns the item and is refunded the order total once the seller confirms receipt.',
  },
  {
    id: 'r-full-no-return',
    outcomes: ['full'],
    family: 'received',
    title: 'Full refund without return',
    text: 'The item is of no use to the buyer and a return would cost more than it recovers. The buyer is refunded the order total and need not send the item back.',
  },
  {
    id: 'r-none-not-shown',
    outcomes: ['none'],
    family: 'received',
    title: 'Problem not shown',
    text: 'The evidence does not show the problem described: the item matches the listing. No refund is due.',
  },
  {
    id: 'any-seller-silent',
    outcomes: ['full', 'partial', 'return'],
    family: 'any',
    title: 'Seller did not answer',
    text: 'The seller did not answer the evidence request within the deadline, and the buyer’s evidence supports the claim.',
  },
  {
    id: 'any-buyer-silent',
    outcomes: ['none'],
    family: 'any',
    title: 'Buyer did not answer',
    text: 'The buyer did not provide the requested evidence within the deadline, so the claim is not supported.',
  },
  {
    id: 'any-forced',
    outcomes: ['partial', 'return', 'full'],
    family: 'any',
    title: 'No agreement on the published options',
    text: 'The parties did not agree on the published resolutions within the reply period. Weighing the evidence, this published option is the fair one.',
  },
];

export function evidenceTemplatesFor(reason: Reason, party?: Party): EvidenceTemplate[] {
  return EVIDENCE_TEMPLATES.filter(
    (t) => (t.reasons.length === 0 || t.reasons.includes(reason)) && (party === undefined || t.party === party),
  );
}

export function decisionTemplatesFor(reason: Reason, outcome?: Outcome): DecisionReasonTemplate[] {
  const family = isNotReceived(reason) ? 'not_received' : 'received';
  return DECISION_REASON_TEMPLATES.filter(
    (t) => (t.family === 'any' || t.family === family) && (outcome === undefined || t.outcomes.includes(outcome)),
  );
}

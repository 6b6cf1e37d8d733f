import type { ChecklistItem, ChecklistItemKey, ChecklistView, EvidenceStrength } from '../contract/casework';
import type { Party, Reason } from '../contract/domain';
import { isNotReceived } from '../contract/domain';

/**
 * The evidence checklist per dispute reason (DOMAIN.md "The case" and "Reasons"), from the
 * intake facts alone: the order's tracking (number, carrier status, delivery date) and the
 * files each party sent (name and media type; the type comes from the bytes at intake).
 * Pure: the case screen, the evidence request dialog and the consistency comparison read it.
 *
 * - Item not received: the seller must show the parcel reached the buyer (a tracking
 *   number, a carrier status, a delivery date); a carrier that does not show delivery
 *   supports the buyer, who cannot prove an absence.
 * - Item received with a problem: the buyer shows the problem (photos of the defect or of
 *   what arrived; a video of the device when it does not work; photos of the packaging
 *   when it arrived damaged); the seller shows what was shipped (photos of the item) and
 *   that it was delivered.
 */

export interface ChecklistFacts {
  caseId: string;
  reason: Reason;
  tracking: { number: string | null; status: string; deliveredAt: string | null };
  evidence: ReadonlyArray<{ party: string; name: string; mediaType: string }>;
}

/** A file name that says it shows the packaging (box, parcel, label …), in a few languages. */
const PACKAGING_NAME = /box|pack|parcel|carton|envelope|label|wrap|karton|paket|caja|embalag|colis|упаков|короб|посыл/i;

const isImage = (f: { mediaType: string }) => f.mediaType.startsWith('image/');
const isVideo = (f: { mediaType: string }) => f.mediaType.startsWith('video/');

/** What "photos of the defect" means for each reason the buyer received the item with. */
const PHOTO_LABEL: Partial<Record<Reason, string>> = {
  not_as_described: 'Photos showing how the item differs from the listing',
  defective: 'Photos of the defect',
  damaged: 'Photos of the damage',
  wrong_item: 'Photos of the item that arrived',
  missing_parts: 'Photos of everything that arrived',
  counterfeit: 'Photos of the labels, serial numbers and logos',
  quantity_short: 'Photos of all the units that arrived',
};

const STATUS_WORDS: Record<string, string> = {
  in_transit: 'still in transit',
  delivered: 'delivered',
  returned_to_sender: 'returned to the sender',
  no_info: 'without any information',
};

function item(key: ChecklistItemKey, party: Party, label: string, present: boolean, detail: string, weight: number): ChecklistItem {
  return { key, party, label, present, detail, weight };
}

function count(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

/** The items expected for this reason, each ticked from the facts. */
export function checklistItems(facts: ChecklistFacts): ChecklistItem[] {
  const { reason, tracking } = facts;
  const hasNumber = !!tracking.number;
  const knownStatus = tracking.status !== 'no_info';
  const delivered = tracking.status === 'delivered';
  const trackingItem = item(
    'tracking',
    'seller',
    'Tracking number',
    hasNumber,
    hasNumber ? `Tracking number ${tracking.number}.` : 'The order has no tracking number.',
    isNotReceived(reason) ? 3 : 1,
  );
  const statusItem = item(
    'delivery_status',
    'seller',
    'Carrier delivery status',
    knownStatus,
    knownStatus ? `The carrier shows the parcel ${STATUS_WORDS[tracking.status] ?? tracking.status}.` : 'The carrier gives no status.',
    2,
  );
  if (isNotReceived(reason)) {
    const dated = delivered && !!tracking.deliveredAt;
    return [
      trackingItem,
      statusItem,
      item(
        'delivery_date',
        'seller',
        'Delivery date',
        dated,
        dated
          ? `Delivered on ${tracking.deliveredAt!.slice(0, 10)}.`
          : delivered
            ? 'The carrier shows delivery without a date.'
            : 'No delivery date: the carrier does not show delivery.',
        2,
      ),
    ];
  }

  const buyerFiles = facts.evidence.filter((f) => f.party === 'buyer');
  const sellerFiles = facts.evidence.filter((f) => f.party === 'seller');
  const packagingPhotos = buyerFiles.filter((f) => isImage(f) && PACKAGING_NAME.test(f.name));
  const itemPhotos = buyerFiles.filter((f) => isImage(f) && !PACKAGING_NAME.test(f.name));
  const videos = buyerFiles.filter(isVideo);
  const items: ChecklistItem[] = [
    item(
      'defect_photos',
      'buyer',
      PHOTO_LABEL[reason] ?? 'Photos of the problem',
      itemPhotos.length > 0,
      itemPhotos.length ? `${count(itemPhotos.length, 'photo')} from the buyer.` : 'The buyer sent no photo of the item.',
      3,
    ),
  ];
  if (reason === 'defective')
    items.push(
      item(
        'device_video',
        'buyer',
        'A video of the device not working',
        videos.length > 0,
        videos.length ? `${count(videos.length, 'video')} from the buyer.` : 'The buyer sent no video.',
        3,
      ),
    );
  if (reason === 'damaged')
    items.push(
      item(
        'packaging',
        'buyer',
        'Photos of the packaging as it arrived',
        packagingPhotos.length > 0,
        packagingPhotos.length
          ? `${count(packagingPhotos.length, 'photo')} of the packaging (${packagingPhotos.map((f) => f.name).join(', ')}).`
          : 'No photo named as the box, parcel or packaging.',
        2,
      ),
    );
  const sellerPhotos = sellerFiles.filter(isImage);
  items.push(
    item(
      'item_photos',
      'seller',
      'Photos of the item as shipped',
      sellerPhotos.length > 0,
      sellerPhotos.length ? `${count(sellerPhotos.length, 'photo')} from the seller.` : 'The seller sent no photo of what was shipped.',
      2,
    ),
    trackingItem,
    statusItem,
  );
  return items;
}

function level(score: number): EvidenceStrength['level'] {
  return score >= 70 ? 'strong' : score >= 40 ? 'moderate' : 'weak';
}

function share(items: ChecklistItem[], party: Party): { score: number; present: ChecklistItem[]; missing: ChecklistItem[] } {
  const mine = items.filter((i) => i.party === party);
  const total = mine.reduce((s, i) => s + i.weight, 0);
  const got = mine.filter((i) => i.present).reduce((s, i) => s + i.weight, 0);
  return {
    score: total ? Math.round((100 * got) / total) : 0,
    present: mine.filter((i) => i.present),
    missing: mine.filter((i) => !i.present),
  };
}

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const listOf = (items: ChecklistItem[]) => items.map((i) => lower(i.label)).join(', ');

/** Each side's evidence strength, with the sentences that explain it. */
export function evidenceStrength(facts: ChecklistFacts, items: ChecklistItem[]): Record<Party, EvidenceStrength> {
  const seller = share(items, 'seller');
  const delivered = facts.tracking.status === 'delivered';
  if (isNotReceived(facts.reason)) {
    const status = STATUS_WORDS[facts.tracking.status] ?? facts.tracking.status;
    // The seller's tracking proves delivery only when the carrier shows it; otherwise it supports the buyer.
    const sellerScore = delivered ? seller.score : Math.min(seller.score, 30);
    const buyerScore = delivered ? (facts.tracking.deliveredAt ? 15 : 35) : facts.tracking.status === 'no_info' ? 60 : 85;
    return {
      seller: {
        score: sellerScore,
        level: level(sellerScore),
        sentences: [
          delivered
            ? `The carrier shows the parcel delivered${facts.tracking.deliveredAt ? ` on ${facts.tracking.deliveredAt.slice(0, 10)}` : ''}, which supports the seller.`
            : `The carrier shows the parcel ${status}: the seller has not shown that it arrived.`,
          ...(seller.missing.length ? [`Missing from the seller: ${listOf(seller.missing)}.`] : []),
        ],
      },
      buyer: {
        score: buyerScore,
        level: level(buyerScore),
        sentences: [
          delivered
            ? 'A buyer cannot prove a parcel did not arrive; against a delivery scan the claim rests on the buyer’s word.'
            : `Nothing shows the parcel arrived (${status}), which supports the buyer’s claim.`,
        ],
      },
    };
  }
  const buyer = share(items, 'buyer');
  const sentencesFor = (party: Party, s: ReturnType<typeof share>) => [
    s.present.length ? `The ${party} sent ${listOf(s.present)}.` : `The ${party} has sent nothing this reason needs.`,
    ...(s.missing.length ? [`Missing from the ${party}: ${listOf(s.missing)}.`] : []),
  ];
  return {
    buyer: { score: buyer.score, level: level(buyer.score), sentences: sentencesFor('buyer', buyer) },
    seller: { score: seller.score, level: level(seller.score), sentences: sentencesFor('seller', seller) },
  };
}

/** A request text naming what is missing from a party (null: nothing the checklist expects is missing). */
export function requestTextFor(items: ChecklistItem[], party: Party): string | null {
  const missing = items.filter((i) => i.party === party && !i.present);
  if (!missing.length) return null;
  const lines = missing.map((i) => `- ${i.label}${REQUEST_HINT[i.key] ?? ''}`);
  return `To decide this dispute we need from you:\n${lines.join('\n')}\nPlease send them within the deadline shown.`;
}

const REQUEST_HINT: Partial<Record<ChecklistItemKey, string>> = {
  tracking: ' (and the carrier’s name)',
  delivery_status: ': the carrier’s tracking page or a delivery confirmation',
  delivery_date: ': the carrier’s proof of delivery with its date',
  defect_photos: ', in good light, close up and of the whole item',
  device_video: ', in one take, showing it switched on next to its charger',
  packaging: ': every side of the box and the shipping label',
  item_photos: ': the item as it was packed for shipping',
};

/** The whole checklist of a case. */
export function evidenceChecklist(facts: ChecklistFacts): ChecklistView {
  const items = checklistItems(facts);
  return {
    caseId: facts.caseId,
    reason: facts.reason,
    items,
    strength: evidenceStrength(facts, items),
    requestText: { buyer: requestTextFor(items, 'buyer'), seller: requestTextFor(items, 'seller') },
  };
}

/** A short code of the evidence each side has ("buyer strong / seller weak"): the consistency comparison's evidence pattern. */
export function evidencePattern(facts: ChecklistFacts): string {
  const s = evidenceStrength(facts, checklistItems(facts));
  return `buyer ${s.buyer.level} / seller ${s.seller.level}`;
}

export interface NegotiationEntry {
  at: number;
  by: string;
  amountMinor: number;
  comment: string;
}

export interface Warning {
  code: 'AMOUNT_CONTRADICTS_COMMENT' | 'REFILED_BEFORE_DEADLINES';
  text: string;
}

const PROMISES_MONEY = /full refund|refund (in )?full|100 ?%|agree(d)? to (a )?refund|return (your|the) money|refund you/i;
const DAY = 86_400_000;

/**
 * The seller tricks the seeds describe, shown to the mediator (never decided on):
 * a proposal whose amount is 0 while its comment promises a refund, and proposals
 * re-filed on a steady rhythm so the buyer's response deadline keeps restarting.
 */
export function sellerTrickWarnings(entries: NegotiationEntry[]): Warning[] {
  const out: Warning[] = [];
  const seller = entries.filter((e) => e.by === 'seller').sort((a, b) => a.at - b.at);
  for (const e of seller)
    if (e.amountMinor === 0 && PROMISES_MONEY.test(e.comment))
      out.push({
        code: 'AMOUNT_CONTRADICTS_COMMENT',
        text: `On ${new Date(e.at).toISOString().slice(0, 10)} the seller proposed an amount of 0 while writing "${e.comment.slice(0, 120)}": accepting it would refund nothing.`,
      });
  if (seller.length >= 3) {
    const gaps = seller.slice(1).map((e, i) => e.at - seller[i]!.at);
    const min = Math.min(...gaps);
    const max = Math.max(...gaps);
    if (min >= DAY && max - min <= 12 * 3_600_000)
      out.push({
        code: 'REFILED_BEFORE_DEADLINES',
        text: `The seller re-filed a proposal ${seller.length} times, every ${(min / DAY).toFixed(1)} days: a pattern that restarts the buyer's response deadline each time instead of settling.`,
      });
  }
  return out;
}

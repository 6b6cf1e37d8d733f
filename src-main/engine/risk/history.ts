import type { AccountLabel } from '../../contract/domain';
import type { HistoryRecord } from '../../contract/history';
import { MemoryRiskStore } from './memory-store';
import { classifyBuyerMessages } from './messages';
import { linkKey, withOrderHistory, type RiskOutcome, type RiskReason } from './model';
import { PhotoIndex } from './photos';
import { DEFAULT_PRIORS, PriorsFitter, type Priors } from './priors';
import type { ScoreContext, Weights } from './score';
import { RiskUpdater, rescore, rescoreAll, scoreAt } from './update';

/**
 * Scoring a buyer history (SCENARIOS.md, "score") in memory: records in time order update the
 * model one at a time, exactly as the database's per-event updates do, and the answer is every
 * buyer scored as of the last record. Records arrive parsed (instants as epoch ms).
 */
export type HistoryEvent =
  | {
      type: 'account';
      id: string;
      role: 'buyer' | 'seller';
      at: number | null;
      links: { device?: string[]; address?: string[]; payment?: string[] };
    }
  | { type: 'order'; id: string; buyerId: string; sellerId?: string | null; at: number; delivered: boolean }
  | {
      type: 'dispute';
      id: string;
      orderId: string;
      at: number;
      reason: string;
      evidence: Array<{ sha256: string; phash?: string | null; party?: string }>;
      messages: Array<{ by: string; text: string }>;
      outcome: string | null;
    }
  | { type: 'label'; accountId: string; at: number; label: AccountLabel | null };

/** A parsed history line as the scorer takes it (instants as epoch ms). */
export function toHistoryEvent(r: HistoryRecord): HistoryEvent {
  switch (r.type) {
    case 'account':
      return { type: 'account', id: r.id, role: r.role, at: r.createdAt ? Date.parse(r.createdAt) : null, links: r.links };
    case 'order':
      return {
        type: 'order',
        id: r.id,
        buyerId: r.buyerId,
        sellerId: r.sellerId ?? null,
        at: Date.parse(r.placedAt),
        delivered: r.delivery.status === 'delivered',
      };
    case 'dispute':
      return {
        type: 'dispute',
        id: r.id,
        orderId: r.orderId,
        at: Date.parse(r.openedAt),
        reason: r.reason,
        evidence: r.evidence,
        messages: r.messages,
        outcome: r.outcome ?? null,
      };
    case 'label':
      return { type: 'label', accountId: r.accountId, at: Date.parse(r.at), label: r.label };
  }
}

export interface BuyerScore {
  accountId: string;
  score: number;
  reasons: RiskReason[];
}

/** The history format's outcome words, mapped to the model's three. */
export function outcomeOf(s: string | null | undefined): RiskOutcome | null {
  switch ((s ?? '').toLowerCase()) {
    case 'buyer_won':
    case 'buyer':
    case 'refunded':
    case 'full_refund':
      return 'buyer_won';
    case 'seller_won':
    case 'seller':
    case 'rejected':
    case 'no_refund':
      return 'seller_won';
    case 'split':
    case 'partial':
    case 'partial_refund':
      return 'split';
    default:
      return null;
  }
}

export interface ScorerOptions {
  /** Score the touched buyers after every record (needed to see when a buyer first crossed a line). */
  incremental?: boolean;
  /** Called with every buyer scored along the way (incremental only). */
  onScored?: (accountId: string, score: number, at: number) => void;
  /** Fixed priors instead of fitting them to the population. */
  priors?: Priors;
  /** The model's weights (default: the fitted ones; the fit itself tries others). */
  weights?: Weights;
}

export class HistoryScorer {
  readonly store = new MemoryRiskStore();
  private readonly photos = new PhotoIndex();
  private readonly updater = new RiskUpdater(this.store);
  private readonly sellers = new Set<string>();
  private priors: Priors;
  private fittedAt = 0;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: ScorerOptions = {}) {
    this.priors = opts.priors ?? DEFAULT_PRIORS;
  }

  get asOf(): number {
    return this.lastAt;
  }

  get currentPriors(): Priors {
    return this.priors;
  }

  /** Applies one record; returns a problem (the record is then ignored) or null. */
  add(e: HistoryEvent): string | null {
    const u = this.updater;
    switch (e.type) {
      case 'account':
        if (e.role === 'seller') {
          this.sellers.add(e.id);
          break;
        }
        u.account(
          e.id,
          (['device', 'address', 'payment'] as const).flatMap((kind) => (e.links[kind] ?? []).map((v) => linkKey(kind, v))),
          undefined,
          e.at,
        );
        break;
      case 'order':
        if (this.sellers.has(e.buyerId)) return `order ${e.id}: ${e.buyerId} is a seller account`;
        u.order({ id: e.id, buyerId: e.buyerId, placedAt: e.at, delivered: e.delivered, sellerId: e.sellerId ?? null });
        break;
      case 'dispute': {
        const order = this.store.order(e.orderId);
        if (!order) return `dispute ${e.id}: order ${e.orderId} is unknown (an order must come before its disputes)`;
        const signals = classifyBuyerMessages(e.messages);
        u.dispute({
          id: e.id,
          orderId: e.orderId,
          buyerId: order.buyerId,
          openedAt: e.at,
          notReceived: e.reason.startsWith('not_received'),
          outcome: outcomeOf(e.outcome),
          threat: signals.threat,
          offPlatform: signals.offPlatform,
          photos: e.evidence.filter((x) => x.party !== 'seller').map((x) => this.photos.resolve(x.sha256, x.phash)),
        });
        break;
      }
      case 'label':
        u.label(e.accountId, e.label);
        break;
    }
    if (e.at !== null && e.at > this.lastAt) this.lastAt = e.at;
    this.maybeRefit();
    if (this.opts.incremental) {
      const at = e.at ?? this.lastAt;
      const scored = rescore(this.store, u.dirty, u.linkDirty, this.context(at));
      if (this.opts.onScored) for (const id of scored) this.opts.onScored(id, this.store.buyer(id)!.scored!.score, at);
    }
    u.dirty.clear();
    u.linkDirty.clear();
    return null;
  }

  private context(asOf: number): ScoreContext {
    return this.opts.weights ? { asOf, priors: this.priors, weights: this.opts.weights } : { asOf, priors: this.priors };
  }

  /** Refits the priors each time the population has doubled: amortised constant work per record. */
  private maybeRefit(): void {
    if (this.opts.priors) return;
    const n = this.store.buyers.size;
    if (n < 64 || n < 2 * this.fittedAt) return;
    this.priors = fitPriors(this.store);
    this.fittedAt = n;
  }

  /**
   * A buyer's score at a later instant with no new record (its last scoring aged: see
   * `scoreAt`); undefined for an account never scored.
   */
  scoreAt(accountId: string, asOf: number): BuyerScore | undefined {
    const b = this.store.buyer(accountId);
    if (!b?.scored) return undefined;
    const s = scoreAt(b, this.context(asOf));
    return { accountId, score: s.score, reasons: s.reasons };
  }

  /** Every buyer scored as of the last record (priors refitted on the whole population), highest score first. */
  finish(): BuyerScore[] {
    if (!this.opts.priors) this.priors = fitPriors(this.store);
    const ids = [...this.store.buyers.keys()].filter((id) => !this.sellers.has(id));
    const asOf = Number.isFinite(this.lastAt) ? this.lastAt : 0;
    rescoreAll(this.store, ids, this.context(asOf));
    return ids
      .map((id) => {
        const s = this.store.buyer(id)!.scored!;
        return { accountId: id, score: s.score, reasons: s.reasons };
      })
      .sort((a, b) => b.score - a.score || (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
  }
}

export function fitPriors(store: MemoryRiskStore): Priors {
  const f = new PriorsFitter();
  for (const b of store.buyers.values()) f.add(withOrderHistory(b).n);
  return f.fit();
}

import { z } from 'zod';
import { AccountLabel } from '../domain';

/** What the analysts' methods answer: buyers by risk, one buyer's detail, and a flag's result. */

export const RiskReasonView = z.object({
  code: z.string(),
  text: z.string(),
  weight: z.number(),
});
export type RiskReasonView = z.output<typeof RiskReasonView>;

/** A row of the analysts' "Buyers by risk" list. */
export const BuyerRiskListRow = z.object({
  buyerId: z.string(),
  name: z.string(),
  country: z.string(),
  score: z.number(),
  label: AccountLabel.nullable(),
  /** The heaviest reason's sentence (null: no signal). */
  topReason: z.string().nullable(),
  reasons: z.array(z.string()),
  orders: z.number().int(),
  disputes: z.number().int(),
  scoredAt: z.string(),
});
export type BuyerRiskListRow = z.output<typeof BuyerRiskListRow>;

export const BuyerRiskListView = z.object({
  rows: z.array(BuyerRiskListRow),
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: z.object({ score: z.number(), buyerId: z.string() }).nullable(),
});
export type BuyerRiskListView = z.output<typeof BuyerRiskListView>;

export const BuyerDetailView = z.object({
  buyer: z.object({
    id: z.string(),
    name: z.string(),
    country: z.string(),
    createdAt: z.string().nullable(),
    label: AccountLabel.nullable(),
    labelNote: z.string().nullable(),
    labelledBy: z.string().nullable(),
    labelledAt: z.string().nullable(),
  }),
  risk: z.object({ score: z.number(), reasons: z.array(z.string()), details: z.array(RiskReasonView) }),
  labelHistory: z.array(z.object({ label: z.string(), note: z.string(), by: z.string(), at: z.string() })),
  /** The newest 200 cases, newest first; outcome is the latest decision's. */
  cases: z.array(
    z.object({
      id: z.string(),
      reason: z.string(),
      status: z.string(),
      claimAmountMinor: z.number().int(),
      currency: z.string(),
      outcome: z.string().nullable(),
      openedAt: z.string(),
    }),
  ),
  /** Accounts sharing a device, address or payment value with this buyer, riskiest first. */
  linked: z.array(
    z.object({
      accountId: z.string(),
      name: z.string(),
      country: z.string(),
      score: z.number().nullable(),
      label: AccountLabel.nullable(),
      via: z.array(z.object({ kind: z.string(), value: z.string() })),
    }),
  ),
  /** A value shared by more accounts than this is a place (a parcel locker, an office): the model and this list leave it out. */
  linkGroupLimit: z.number().int(),
});
export type BuyerDetailView = z.output<typeof BuyerDetailView>;

/** What `account.flag` answers: the buyer and the label now on the account. */
export const FlagResult = z.object({ accountId: z.string(), label: AccountLabel });
export type FlagResult = z.output<typeof FlagResult>;

/** The fairness monitor: per group of buyers, the score distribution and labels, with warnings. */
export const FairnessView = z.object({
  groups: z.array(
    z.object({
      dimension: z.enum(['country', 'accountAge', 'orderVolume']),
      group: z.string(),
      members: z.number().int(),
      meanScore: z.number(),
      /** Share of the group scoring at or above `highScore`. */
      highShare: z.number(),
      flagRate: z.number(),
      clearRate: z.number(),
      /** Each names the test that fired; empty when the group does not stand out. */
      warnings: z.array(z.string()),
    }),
  ),
  highScore: z.number().int(),
  /** The rule, in a sentence, for the screen. */
  rule: z.string(),
  /**
   * Which risk model computed the stored scores (the model row's version; null: no row yet)
   * and which one this desk runs, with a sentence for the screen when they differ (a team's
   * server rescored by a newer desk than this one), else null.
   */
  scoresModel: z.object({ stored: z.number().int().nullable(), running: z.number().int(), note: z.string().nullable() }),
});
export type FairnessView = z.output<typeof FairnessView>;

/** What the risk methods answer. */
export interface RiskOutputs {
  'risk.list': BuyerRiskListView;
  'risk.get': BuyerDetailView;
  'risk.fairness': FairnessView;
  'account.flag': FlagResult;
}

import { z } from 'zod';
import { RECEIVED_REASONS } from './domain';

const Hours = z
  .number()
  .int('must be whole hours')
  .min(1, 'must be at least 1 hour')
  .max(24 * 365, 'must be at most a year');
const Rate = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');
const SampleRate = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

/** The versioned policy of DOMAIN.md. Every number a supervisor may change lives here. */
export const Policy = z
  .object({
    evidenceRequestHours: Hours,
    replyPeriodHours: Hours,
    appealWindowHours: Hours,
    returnShipmentHours: Hours,
    defaultOnMissedEvidence: z.boolean(),
    maxImageBytes: z.number().int().min(1),
    maxVideoBytes: z.number().int().min(1),
    partialRates: z
      .object(Object.fromEntries(RECEIVED_REASONS.map((r) => [r, Rate])) as Record<(typeof RECEIVED_REASONS)[number], typeof Rate>)
      .strict(),
    /** Share of mediators' decisions sampled for a supervisor's quality review; versions stored before it existed read as the default. */
    qualitySampleRate: SampleRate.default(0.05),
    /** Share of cases (a keyed draw on the case id) also decided blind by a second mediator, for the noise audit. */
    doubleDecisionRate: SampleRate.default(0.05),
    /** Share of quality samples that a second supervisor also scores, blind to the first (calibration); stored versions before it read as 25 %. */
    calibrationShare: SampleRate.default(0.25),
  })
  .strict();
export type Policy = z.infer<typeof Policy>;

export const DEFAULT_POLICY: Policy = {
  evidenceRequestHours: 72,
  replyPeriodHours: 96,
  appealWindowHours: 168,
  returnShipmentHours: 240,
  defaultOnMissedEvidence: true,
  maxImageBytes: 2_097_152,
  maxVideoBytes: 104_857_600,
  partialRates: {
    not_as_described: 0.5,
    defective: 0.9,
    damaged: 0.5,
    wrong_item: 1.0,
    missing_parts: 0.3,
    counterfeit: 1.0,
    quantity_short: 0.5,
  },
  qualitySampleRate: 0.05,
  doubleDecisionRate: 0.05,
  calibrationShare: 0.25,
};

/** Overrides as a scenario or a draft gives them: any subset of keys, rates merged per reason. */
// qualitySampleRate, doubleDecisionRate and calibrationShare without their defaults here: an override that leaves it out must keep the base's value.
export const PolicyOverrides = Policy.extend({
  partialRates: Policy.shape.partialRates.partial(),
  qualitySampleRate: SampleRate,
  doubleDecisionRate: SampleRate,
  calibrationShare: SampleRate,
})
  .partial()
  .strict();
export type PolicyOverrides = z.infer<typeof PolicyOverrides>;

export const mergePolicy = (base: Policy, o: PolicyOverrides): Policy =>
  Policy.parse({ ...base, ...o, partialRates: { ...base.partialRates, ...(o.partialRates ?? {}) } });

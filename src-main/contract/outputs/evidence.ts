import type { EvidenceVerifyView } from '../evidence';
import type { CommandResult } from './case';

/**
 * What the evidence methods answer. The file views stay next to the methods' inputs in
 * contract/evidence.ts; submitting evidence is a case command and answers its result.
 */
export interface EvidenceOutputs {
  'party.submitEvidence': CommandResult;
  'evidence.verify': EvidenceVerifyView;
}

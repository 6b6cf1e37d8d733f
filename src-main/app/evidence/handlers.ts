import type { evidenceMethods } from '../../contract/evidence';
import { verifyEvidence } from './intake';
import type { Handler } from '../handlers';

type Name = keyof typeof evidenceMethods;

/** Handlers of contract/evidence.ts. */
export const evidenceHandlers: { [M in Name]: Handler<M> } = {
  'evidence.verify': (ctx, input) => verifyEvidence(ctx, input.sha256),
};

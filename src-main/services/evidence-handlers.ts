import { AppFailure } from '../contract/errors';
import type { evidenceMethods } from '../contract/evidence';
import type { Handler } from './handlers';

type Name = keyof typeof evidenceMethods;

/** Handlers of contract/evidence.ts. */
export const evidenceHandlers: { [M in Name]: Handler<M> } = {
  'evidence.verify': async () => {
    throw new AppFailure('NOT_FOUND', 'Not built yet.');
  },
};

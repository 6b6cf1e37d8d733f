import { AppFailure } from '../contract/errors';
import type { supervisionMethods } from '../contract/supervision';
import type { Handler } from './handlers';

type Name = keyof typeof supervisionMethods;
const todo = (): never => {
  throw new AppFailure('NOT_FOUND', 'Not built yet.');
};

/** Handlers of contract/supervision.ts. */
export const supervisionHandlers: { [M in Name]: Handler<M> } = {
  'appeals.list': async () => todo(),
  'team.overview': async () => todo(),
  'case.assignMany': async () => todo(),
  'policy.get': async () => todo(),
  'policy.history': async () => todo(),
  'policy.preview': async () => todo(),
  'policy.publish': async () => todo(),
  'quality.list': async () => todo(),
  'quality.review': async () => todo(),
};

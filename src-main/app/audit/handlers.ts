import type { auditMethods } from '../../contract/audit';
import type { Handler } from '../handlers';

type Name = keyof typeof auditMethods;

/** Handlers of contract/audit.ts. */
export const auditHandlers: { [M in Name]: Handler<M> } = {
  // No monitor in this process (a replay): nothing was checked, and nothing is claimed.
  'audit.integrity': async (ctx) =>
    ctx.integrity?.view() ?? { state: 'failed', fullCheck: false, checkedAt: null, brokenCases: 0, cases: [] },
};

import { describe, expectTypeOf, it } from 'vitest';
import type { handlers, Handler } from '../../src-main/app/handlers';
import type { CaseStatus } from '../../src-main/contract/domain';
import type { MethodName, MethodOutput, MethodOutputs } from '../../src-main/contract/methods';
import type { CaseView, CommandResult } from '../../src-main/contract/outputs/case';
import type { Me } from '../../src-main/contract/outputs/session';
import type { AssignManyResult } from '../../src-main/contract/outputs/supervision';

// Type tests: `npm test` runs tsc over tests/, so a method without an output, or a handler
// answering something else than its contract output, fails the typecheck here.
describe('method outputs (contract)', () => {
  it('every method in the table has an output, and every output a method', () => {
    expectTypeOf<Exclude<MethodName, keyof MethodOutputs>>().toEqualTypeOf<never>();
    expectTypeOf<Exclude<keyof MethodOutputs, MethodName>>().toEqualTypeOf<never>();
  });

  it('commands answer the case and its status, not unknown', () => {
    expectTypeOf<MethodOutput<'appeal.review'>>().not.toBeUnknown();
    expectTypeOf<MethodOutput<'appeal.review'>>().toEqualTypeOf<{ caseId: string; status: CaseStatus }>();
    expectTypeOf<MethodOutput<'case.assign'>>().toEqualTypeOf<CommandResult>();
    expectTypeOf<MethodOutput<'party.submitEvidence'>>().toEqualTypeOf<CommandResult>();
  });

  it('queries answer their views', () => {
    expectTypeOf<MethodOutput<'case.get'>>().toEqualTypeOf<CaseView>();
    expectTypeOf<MethodOutput<'session.me'>>().toEqualTypeOf<Me | null>();
    expectTypeOf<MethodOutput<'case.assignMany'>>().toEqualTypeOf<AssignManyResult>();
    expectTypeOf<MethodOutput<'system.tick'>>().toEqualTypeOf<{ applied: number }>();
    expectTypeOf<MethodOutput<'intake.dispute'>>().toEqualTypeOf<{ caseId: string; result: 'created' | 'updated' | 'unchanged' }>();
  });

  it('handlers are checked against the contract output', () => {
    expectTypeOf<(typeof handlers)['appeal.review']>().returns.resolves.toEqualTypeOf<CommandResult>();
    expectTypeOf<(typeof handlers)['case.assign']>().returns.resolves.toEqualTypeOf<CommandResult>();
    // A handler answering anything else than its output does not compile.
    // @ts-expect-error `status` is missing from the answer
    const partial: Handler<'case.assign'> = async (_ctx, input) => ({ caseId: input.caseId });
    expectTypeOf(partial).toBeFunction();
  });
});

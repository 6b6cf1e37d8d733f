/**
 * Compile-time checks, run by `npm run typecheck` (the renderer's tsconfig) and never bundled
 * (nothing imports this file): the renderer's call() answers the contract's typed outputs,
 * so a method whose output type goes missing or changes breaks the renderer's build here.
 */
import type { Envelope } from '../../../src-main/contract/errors';
import type { CommandResult } from '../../../src-main/contract/outputs/case';
import type { call } from './client';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export const callAnswersTypedOutputs: [
  Equal<ReturnType<typeof call<'appeal.review'>>, Promise<Envelope<CommandResult>>>,
  Equal<ReturnType<typeof call<'case.assign'>>, Promise<Envelope<CommandResult>>>,
] = [true, true];

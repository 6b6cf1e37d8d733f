import type { MethodName, MethodRawInput } from '../../../src-main/contract/methods';
import type { MethodOutput } from './types';

type Fetch = <M extends MethodName>(method: M, input: MethodRawInput<M>) => Promise<MethodOutput<M>>;

/**
 * Calls started before the screen that needs them has rendered. At sign-in the window knows
 * which queue page it will show (the address, or the role's default tab) the moment the
 * sign-in answer arrives, but the shell's first render (60-100 ms of script on a busy
 * machine) used to come before the list's request. The sign-in starts the request at once;
 * the list's first fetch takes its answer. Each warm call is taken once, and only while
 * fresh: a later fetch of the same input asks the server again.
 */
const FRESH_MS = 5_000;

const keyOf = (method: string, input: unknown) => `${method} ${stableJson(input)}`;

/** JSON with object keys sorted: the same input built in another key order is the same call. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** Warm calls through `fetchMethod` (api/warm-calls.ts binds the app's; tests give their own). */
export function createWarmCalls(fetchMethod: Fetch) {
  const warm = new Map<string, { at: number; answer: Promise<unknown> }>();
  return {
    startWarmCall: <M extends MethodName>(method: M, input: MethodRawInput<M>): void => {
      const answer = fetchMethod(method, input);
      // Nobody may take it (the screen changed): a refusal must not surface as an unhandled rejection.
      answer.catch(() => undefined);
      warm.set(keyOf(method, input), { at: performance.now(), answer });
    },

    /** The warm call for exactly this input, if one was started in the last few seconds; else a new call. */
    fetchWarmOrCall: <M extends MethodName>(method: M, input: MethodRawInput<M>): Promise<MethodOutput<M>> => {
      const key = keyOf(method, input);
      const hit = warm.get(key);
      warm.delete(key);
      if (hit && performance.now() - hit.at < FRESH_MS) return hit.answer as Promise<MethodOutput<M>>;
      return fetchMethod(method, input);
    },

    /** A session ended or began: nothing one user asked for is answered to the next. */
    forgetWarmCalls: (): void => {
      warm.clear();
    },
  };
}

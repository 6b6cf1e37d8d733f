import { fetchMethod } from './queries';
import { createWarmCalls } from './warm';

/** The app's warm calls (api/warm.ts) through its own method calls. */
export const { startWarmCall, fetchWarmOrCall, forgetWarmCalls } = createWarmCalls(fetchMethod);

/** The replay core lives in app/replay/replay.ts (the policy preview runs on it too); the CLI and tests import it from here as before. */
export { replay, Scenario } from '../app/replay/replay';

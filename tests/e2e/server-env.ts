import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the e2e server listens and keeps its data. Shared by the Playwright config (which
 * starts the server on an emptied folder) and the helpers (which read the demo feed's token
 * there to act as the marketplace through the feed API).
 */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 5199);
export const E2E_DATA_DIR = process.env.E2E_DATA_DIR ?? join(tmpdir(), `mediation-desk-e2e-${E2E_PORT}`);

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedApi } from '../../src-main/app/feed/api';
import { startFeedServer } from '../../src-main/transport/feed-http';
import { twoCallsOnOneSocket } from './keep-alive';

/**
 * The desktop's own feed listener (MEDIATION_DESK_FEED_LISTEN, transport/feed-http.ts
 * startFeedServer): a marketplace keeps its sockets open between calls, as it would to `serve`.
 */
describe("the desktop's feed listener", () => {
  let server: Awaited<ReturnType<typeof startFeedServer>>;

  beforeAll(async () => {
    // Only the token-free OpenAPI document is asked for: nothing else of the API is reached.
    const api = { openApi: () => ({ openapi: '3.1.0' }) } as unknown as FeedApi;
    server = await startFeedServer(api, { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => server.close());

  it('keeps an idle keep-alive socket open past the 5 s Node default, so a reused socket is not closed under a call', async () => {
    expect(await twoCallsOnOneSocket(server.url, '/feed/v1/openapi.json')).toEqual([
      { status: 200, reused: false },
      { status: 200, reused: true },
    ]);
  }, 20_000);
});

import type { Server, ServerOptions } from 'node:http';

/**
 * The socket timeouts of both HTTP listeners (`serve`'s carrier and the desktop's own feed
 * listener), so a marketplace or a browser meets the same ones on either.
 */

/**
 * How long an idle keep-alive socket stays open. Clients keep sockets open between requests (browsers,
 * Playwright's request context, a marketplace's keep-alive agent) and reuse them without asking. Node
 * closes a socket idle for 5 s by default; a request written on it at that moment dies with ECONNRESET
 * ("socket hang up") before it arrives. Idle sockets are kept far longer, so the server is practically
 * never the side that closes one mid-reuse (clients close their own idle sockets sooner).
 */
export const KEEP_ALIVE_MS = 10 * 60_000;
/**
 * A request, headers and body, must arrive whole within this (Node's default, stated here): a
 * client that trickles its body a byte at a time is answered 408 and its socket closed, rather
 * than held (with what it sent so far) for as long as it keeps dripping. A 100 MB video to the
 * feed's upload route needs about 350 kB/s for it.
 */
export const REQUEST_TIMEOUT_MS = 5 * 60_000;
/**
 * Headers within this. It counts from a request's first byte, not from the idle time before it,
 * so it stays short; it must not exceed the request's timeout, or Node checks neither (a
 * headers timeout raised above it once let a body sent a byte every 10 s be read for days).
 */
const HEADERS_TIMEOUT_MS = 60_000;

/** createServer's options for a request timeout (REQUEST_TIMEOUT_MS unless a test shortens it). */
export function timeoutOptions(requestTimeout = REQUEST_TIMEOUT_MS): ServerOptions {
  return {
    requestTimeout,
    headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout),
    // How often Node looks for requests past those timeouts (its default is 30 s).
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(requestTimeout / 4))),
  };
}

/** After createServer: idle keep-alive sockets are kept (KEEP_ALIVE_MS). */
export function keepIdleSockets(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_MS;
}

import { Agent, request } from 'node:http';

/**
 * Two GETs of `path` on one keep-alive socket, `idleMs` apart (past Node's 5 s default), as a
 * client that keeps sockets (a browser, Playwright's request context, a marketplace's agent) would
 * send them: each one's status and whether it went over the socket kept from the first.
 */
export async function twoCallsOnOneSocket(
  baseUrl: string,
  path: string,
  idleMs = 6_000,
): Promise<Array<{ status: number; reused: boolean }>> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(baseUrl);
  const once = () =>
    new Promise<{ status: number; reused: boolean }>((ok, fail) => {
      const req = request({ host: url.hostname, port: url.port, path, agent }, (res) => {
        res.resume();
        res.on('end', () => ok({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
      });
      req.on('error', fail);
      req.end();
    });
  try {
    const first = await once();
    await new Promise((r) => setTimeout(r, idleMs));
    return [first, await once()];
  } finally {
    agent.destroy();
  }
}

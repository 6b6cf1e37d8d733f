import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between a desk and PostgreSQL, so a test can take the database away from one
 * desk (every socket destroyed, new ones refused) without stopping the server other tests use,
 * or put a slow network between one desk and the database (`latencyMs`, each way).
 */
export interface TcpProxy {
  port: number;
  /** Destroys every open connection and refuses new ones until `accept`. */
  refuse(): Promise<void>;
  /** Listens again on the same port. */
  accept(): Promise<void>;
  /**
   * A server that stops answering without closing anything (a paused process, a suspended
   * machine): connections stay open and new ones are accepted, but no byte goes through either
   * way until `thaw`, which delivers what waited, in order.
   */
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

export async function startProxy(target: { host: string; port: number }, port = 0, opts: { latencyMs?: number } = {}): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let frozen = false;
  const held: Array<() => void> = [];
  /** Writes now, or at the thaw while frozen. */
  const send = (to: Socket, chunk: Buffer) => {
    const write = () => void (to.writable && to.write(chunk));
    if (frozen) held.push(write);
    else write();
  };

  const listen = (onPort: number) =>
    new Promise<number>((done, fail) => {
      const s = createServer((client) => {
        const upstream = createConnection(target);
        sockets.add(client);
        sockets.add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        // Timers of one duration fire in the order they were set: the bytes keep their order.
        const forward = (to: Socket) => (chunk: Buffer) =>
          opts.latencyMs ? void setTimeout(() => send(to, chunk), opts.latencyMs) : send(to, chunk);
        client.on('data', forward(upstream));
        upstream.on('data', forward(client));
      });
      s.once('error', fail);
      s.listen(onPort, '127.0.0.1', () => {
        server = s;
        const address = s.address();
        done(typeof address === 'object' && address ? address.port : onPort);
      });
    });

  const stop = async () => {
    const s = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };

  const bound = await listen(port);
  return {
    port: bound,
    refuse: stop,
    accept: async () => {
      if (!server) await listen(bound);
    },
    close: stop,
    freeze: () => void (frozen = true),
    thaw: () => {
      frozen = false;
      for (const write of held.splice(0)) write();
    },
  };
}

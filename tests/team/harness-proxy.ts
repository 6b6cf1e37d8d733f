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
  close(): Promise<void>;
}

export async function startProxy(target: { host: string; port: number }, port = 0, opts: { latencyMs?: number } = {}): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | null = null;

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
        if (opts.latencyMs) {
          // Timers of one duration fire in the order they were set: the bytes keep their order.
          const delayed = (to: Socket) => (chunk: Buffer) => void setTimeout(() => to.writable && to.write(chunk), opts.latencyMs);
          client.on('data', delayed(upstream));
          upstream.on('data', delayed(client));
        } else {
          client.pipe(upstream);
          upstream.pipe(client);
        }
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
  };
}

/**
 * A tiny TCP proxy for simulating a database outage: a server started with DATABASE_URL
 * pointing at the proxy reaches PostgreSQL through it. `stop()` closes the port and cuts every
 * connection (the server's next connection attempt fails with ECONNREFUSED, as when PostgreSQL
 * is down); `start()` opens the same port again (PostgreSQL is back).
 */
import net from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** `url` (a postgres:// URL) with its host and port replaced by the proxy's. */
  via(url: string): string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const connections = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(target);
        for (const socket of [client, upstream]) {
          connections.add(socket);
          socket.on('close', () => connections.delete(socket));
        }
        // Either end failing ends both, as a dropped database connection does.
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
        client.pipe(upstream).pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });

  await listen();
  return {
    get port() {
      return port;
    },
    via(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    async stop() {
      const s = server;
      server = null;
      if (!s) return;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      for (const socket of connections) socket.destroy();
      await closed;
    },
    async start() {
      if (!server) await listen();
    },
  };
}

/** Where a postgres:// URL points. */
export function hostOf(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || 5432) };
}

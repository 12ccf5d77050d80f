/** The `/metrics` endpoint over node:http. Each scrape collects afresh; scrapes that
 * arrive while a collection runs share it. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XconnectError } from '../errors.js';
import { CONTENT_TYPE } from './exposition.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface MetricsServer {
  /** `host:port` actually bound (the port is chosen by the kernel when 0 was asked). */
  address: string;
  close(): Promise<void>;
}

/** `HOST:PORT`, `:PORT` (every address) or `[IPv6]:PORT`, checked. */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new XconnectError('USAGE', `--metrics-address ${text}: expected HOST:PORT`, {
      value: text,
      hint: "e.g. '127.0.0.1:9464', ':9464' (all addresses) or '[::1]:9464'",
    });
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** Serves `collect()` on GET /metrics; resolves once listening. */
export async function serveMetrics(at: ListenAddress, collect: () => Promise<string>): Promise<MetricsServer> {
  let inFlight: Promise<string> | undefined;
  const once = () => (inFlight ??= collect().finally(() => (inFlight = undefined)));
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('clab-xconnect: metrics are at /metrics\n');
      return;
    }
    once().then(
      (text) => res.writeHead(200, { 'content-type': CONTENT_TYPE }).end(req.method === 'HEAD' ? undefined : text),
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`clab-xconnect: ${(e as Error).message}\n`),
    );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new XconnectError('USAGE', `cannot listen on ${at.host}:${at.port}: ${e.code ?? e.message}`, { cause: e, hint: 'choose another --metrics-address' })),
    );
    server.listen(at.port, at.host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return {
    address: a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

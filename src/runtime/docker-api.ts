/** The two read-only Docker Engine API calls `apply` and `destroy` make (list
 * a lab's containers, inspect one for its pid), as HTTP/1.0 GETs over the
 * engine's unix socket with node:net. Measured on a no-op re-apply, whose
 * budget is 0.2 s: dockerode takes 50-250 ms to load (55 ms trimmed, 210 ms
 * whole), and node:http's first request another 25-30 ms of lazy set-up,
 * against 4 ms for node:net and 6 ms for a first raw request. HTTP/1.0 keeps
 * the reply simple: no keep-alive, the body runs to the end of the stream
 * (chunked encoding is still decoded, for a proxy that sends it). An engine
 * that is not on a unix socket (DOCKER_HOST=tcp://, ssh://) goes through
 * dockerode, which speaks those. The shapes are dockerode's, so either client
 * serves findNodes. */
import { connect } from 'node:net';

/** What findNodes needs of a Docker client (a subset of dockerode's). */
export interface DockerReads {
  listContainers(o: { all: boolean; filters: Record<string, string[]> }): Promise<ContainerSummary[]>;
  getContainer(id: string): { inspect(): Promise<{ State: { Pid: number; Running: boolean } }> };
}

export interface ContainerSummary {
  Id: string;
  Names: string[];
  State: string;
  Labels?: Record<string, string>;
}

/** The engine's socket path, or undefined when DOCKER_HOST names another transport. */
function socketPath(): string | undefined {
  const host = process.env['DOCKER_HOST'];
  if (!host) return '/var/run/docker.sock';
  return host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
}

/** The body of a chunked transfer coding. */
function dechunk(raw: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(raw.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    out.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** Splits an HTTP/1.x reply into status code and body. */
export function parseReply(raw: Buffer): { status: number; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error('incomplete HTTP reply from the Docker engine');
  const head = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '')?.[1]);
  if (!status) throw new Error(`not an HTTP reply from the Docker engine: ${JSON.stringify(head[0])}`);
  const chunked = head.some((h) => /^transfer-encoding:\s*chunked\s*$/i.test(h));
  const body = raw.subarray(end + 4);
  return { status, body: (chunked ? dechunk(body) : body).toString('utf8') };
}

function get<T>(socket: string, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const conn = connect({ path: socket });
    conn.on('connect', () => conn.end(`GET ${path} HTTP/1.0\r\nHost: docker\r\n\r\n`));
    conn.on('data', (c: Buffer) => chunks.push(c));
    conn.on('error', reject);
    conn.on('end', () => {
      try {
        const { status, body } = parseReply(Buffer.concat(chunks));
        if (status >= 300) {
          let message = body.trim();
          try {
            message = (JSON.parse(body) as { message?: string }).message ?? message;
          } catch {
            // not JSON: the body as it is
          }
          return reject(new Error(`(HTTP code ${status}) ${message}`));
        }
        resolve(JSON.parse(body) as T);
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** A client for DOCKER_HOST (or the default socket). */
export async function dockerReads(): Promise<DockerReads> {
  const socket = socketPath();
  if (!socket) return new (await import('dockerode')).default();
  return {
    listContainers: (o) => get(socket, `/containers/json?all=${o.all ? 1 : 0}&filters=${encodeURIComponent(JSON.stringify(o.filters))}`),
    getContainer: (id) => ({ inspect: () => get(socket, `/containers/${encodeURIComponent(id)}/json`) }),
  };
}

/** The two read-only Docker Engine API calls `apply` and `destroy` make (list
 * a lab's containers, inspect one for its pid), over the engine's unix
 * socket with node:http. dockerode, which watch uses for its event stream,
 * takes 50-250 ms to load (measured: 55 ms trimmed, 210 ms whole, against 5 ms
 * for node:http): a quarter or more of a no-op re-apply's budget. An engine
 * that is not on a unix socket (DOCKER_HOST=tcp://, ssh://) goes through
 * dockerode, which speaks those. The shapes are dockerode's, so either client
 * serves findNodes. */
import { request } from 'node:http';

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

function get<T>(socket: string, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path, method: 'GET', headers: { Host: 'docker' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 500) >= 300) {
          let message = body.trim();
          try {
            message = (JSON.parse(body) as { message?: string }).message ?? message;
          } catch {
            // not JSON: the body as it is
          }
          return reject(new Error(`(HTTP code ${res.statusCode}) ${message}`));
        }
        try {
          resolve(JSON.parse(body) as T);
        } catch (e) {
          reject(e);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
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

/** Follows the Docker events of one lab's containers (label `containerlab=<lab>`)
 * through dockerode's event stream. When the engine goes away it reconnects with a
 * growing delay and replays what it missed (`since` the last event seen), skipping
 * any event it already delivered. */
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';

export type LabAction = 'start' | 'die' | 'destroy';

export interface LabEvent {
  action: LabAction;
  /** containerlab's `clab-node-name` label ('' when the container has none). */
  node: string;
  /** Container id. */
  id: string;
  /** Event time, nanoseconds since the epoch. */
  timeNano: bigint;
}

export interface EventHandlers {
  onEvent(e: LabEvent): void;
  /** The stream is (again) open; `again` after a lost connection. */
  onConnected(again: boolean): void;
  /** The stream broke; `retryMs` until the next attempt. */
  onLost(error: Error, retryMs: number): void;
}

export interface EventFollower {
  close(): void;
}

const ACTIONS: readonly LabAction[] = ['start', 'die', 'destroy'];
const MAX_RETRY_MS = 30_000;

interface RawEvent {
  Type?: string;
  Action?: string;
  id?: string;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/** Parses one event line; undefined for anything that is not a lab container event we follow. */
export function parseEvent(line: string): LabEvent | undefined {
  let raw: RawEvent;
  try {
    raw = JSON.parse(line) as RawEvent;
  } catch {
    return undefined;
  }
  const action = raw.Action as LabAction;
  if (raw.Type !== 'container' || !ACTIONS.includes(action)) return undefined;
  const id = raw.Actor?.ID ?? raw.id ?? '';
  // timeNano arrives as a JSON number beyond 2^53: re-read it from the text for exactness.
  const nano = /"timeNano":\s*(\d+)/.exec(line)?.[1];
  return { action, node: raw.Actor?.Attributes?.['clab-node-name'] ?? '', id, timeNano: BigInt(nano ?? 0) };
}

/** Starts following; events of the lab's containers go to `handlers.onEvent` in order. */
export function followLabEvents(docker: Docker, lab: string, handlers: EventHandlers): EventFollower {
  let closed = false;
  let stream: Readable | undefined;
  let timer: NodeJS.Timeout | undefined;
  let last = 0n;
  let retryMs = 500;
  let connectedOnce = false;

  const connect = async () => {
    if (closed) return;
    try {
      const since = last > 0n ? Number(last / 1000n) / 1e6 : undefined;
      const s = (await docker.getEvents({
        ...(since !== undefined ? { since } : {}),
        filters: { type: ['container'], label: [`containerlab=${lab}`], event: [...ACTIONS] },
      })) as Readable;
      if (closed) {
        s.destroy();
        return;
      }
      stream = s;
      retryMs = 500;
      handlers.onConnected(connectedOnce);
      connectedOnce = true;
      let buf = '';
      s.setEncoding('utf8');
      s.on('data', (chunk: string) => {
        buf += chunk;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const e = parseEvent(buf.slice(0, i));
          buf = buf.slice(i + 1);
          if (!e || e.timeNano <= last) continue;
          last = e.timeNano;
          handlers.onEvent(e);
        }
      });
      s.once('error', (err) => lost(err));
      s.once('end', () => lost(new Error('the Docker engine closed the event stream')));
    } catch (err) {
      lost(err as Error);
    }
  };
  const lost = (err: Error) => {
    stream?.removeAllListeners();
    stream?.destroy();
    stream = undefined;
    if (closed || timer) return;
    handlers.onLost(err, retryMs);
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, retryMs);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  void connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      stream?.removeAllListeners();
      stream?.destroy();
    },
  };
}

/** Raw frames in and out of an interface (AF_PACKET), for the tests, the
 * benchmarks and the demo: what a node puts on the wire and what arrives. A
 * namespace may be given by path, for one-off use: it is opened for the call. */
import { native, type PacketSocketHandle } from './addon.js';
import { Netns } from './netns.js';

type Where = Netns | string | null;

async function withNetns<T>(where: Where, fn: (ns: Netns | null) => Promise<T>): Promise<T> {
  if (typeof where !== 'string') return fn(where);
  const ns = await Netns.open(where);
  try {
    return await fn(ns);
  } finally {
    ns.close();
  }
}

/** Sends frames out of `ifname` as written, tags and all; returns the count sent. */
export function sendFrames(where: Where, ifname: string, frames: Buffer[]): Promise<number> {
  return withNetns(where, (ns) => native.sendFrames(ns?.handle ?? null, ifname, frames));
}

/** Frames arriving on one interface, queued from open() until read. */
export class PacketTap {
  private constructor(private readonly socket: PacketSocketHandle) {}

  static async open(where: Where, ifname: string): Promise<PacketTap> {
    return new PacketTap(await withNetns(where, (ns) => native.openCapture(ns?.handle ?? null, ifname)));
  }

  /** Frames received (a VLAN tag held in metadata put back), up to `max`, within `timeoutMs`. */
  read(o: { max?: number; timeoutMs?: number } = {}): Promise<Buffer[]> {
    return native.readCapture(this.socket, o);
  }

  close(): void {
    native.closeHandle(this.socket);
  }
}

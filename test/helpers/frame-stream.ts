/** Numbered frames through a wire, to count loss and duplication exactly: a
 * sender that keeps sending batches of frames carrying (stream, sequence) out
 * of a node interface (AF_PACKET), and a capture on the node interface at the
 * other end that records every such frame it sees. */
import { PacketTap, sendFrames } from '../../src/native/packet.js';

/** IEEE 802 local experimental ethertype. */
const ETHERTYPE = 0x88b5;
const MAGIC = Buffer.from('XCSEQ');

/** A 60-byte frame: broadcast, ethertype 0x88b5, magic, stream (u16), seq (u32). */
export function numberedFrame(stream: number, seq: number): Buffer {
  const b = Buffer.alloc(60);
  b.fill(0xff, 0, 6);
  Buffer.from([0x02, 0x00, 0x5e, 0x10, 0x00, stream & 0xff]).copy(b, 6);
  b.writeUInt16BE(ETHERTYPE, 12);
  MAGIC.copy(b, 14);
  b.writeUInt16BE(stream, 19);
  b.writeUInt32BE(seq, 21);
  return b;
}

export function parseNumbered(b: Buffer): { stream: number; seq: number } | undefined {
  if (b.length < 25 || b.readUInt16BE(12) !== ETHERTYPE || !b.subarray(14, 19).equals(MAGIC)) return undefined;
  return { stream: b.readUInt16BE(19), seq: b.readUInt32BE(21) };
}

export interface StreamResult {
  sent: number;
  /** Sequence numbers that never arrived. */
  lost: number;
  /** Frames that arrived more than once (extra copies). */
  duplicated: number;
  /** Frames of the stream received in all. */
  received: number;
}

/** One stream: `batch` frames every `everyMs` from (netns, from) to (netns2, to). */
export class FrameStream {
  private sent = 0;
  private stopping = false;
  private readonly seen = new Map<number, number>();
  private sender?: Promise<void>;
  private reader?: Promise<void>;
  private tap: PacketTap | undefined;

  constructor(
    readonly stream: number,
    private readonly src: { netns: string; ifname: string },
    private readonly dst: { netns: string; ifname: string },
    private readonly batch = 8,
    private readonly everyMs = 10,
  ) {}

  async start(): Promise<void> {
    this.tap = await PacketTap.open(this.dst.netns, this.dst.ifname);
    this.reader = this.read();
    this.sender = this.send();
  }

  private async send(): Promise<void> {
    while (!this.stopping) {
      const frames = Array.from({ length: this.batch }, (_, k) => numberedFrame(this.stream, this.sent + k));
      // Frames not sent (a full queue) keep their numbers for the next batch.
      this.sent += await sendFrames(this.src.netns, this.src.ifname, frames);
      await new Promise((r) => setTimeout(r, this.everyMs));
    }
  }

  private async read(): Promise<void> {
    let quietSince = Date.now();
    for (;;) {
      const got = await this.tap!.read({ max: 1024, timeoutMs: 50 });
      for (const f of got) {
        const n = parseNumbered(f);
        if (n && n.stream === this.stream) this.seen.set(n.seq, (this.seen.get(n.seq) ?? 0) + 1);
      }
      if (got.length) quietSince = Date.now();
      // After the sender stops: read until the wire has been quiet a while.
      if (this.stopping && Date.now() - quietSince > 500) return;
    }
  }

  /** Frames sent so far. */
  get count(): number {
    return this.sent;
  }

  async stop(): Promise<StreamResult> {
    this.stopping = true;
    await this.sender;
    await this.reader;
    this.tap?.close();
    let received = 0;
    let duplicated = 0;
    for (const [, n] of this.seen) {
      received += n;
      duplicated += n - 1;
    }
    let lost = 0;
    for (let s = 0; s < this.sent; s++) if (!this.seen.has(s)) lost++;
    return { sent: this.sent, lost, duplicated, received };
  }
}

/** A pcapng reader for tests: the blocks clab-xconnect writes, parsed back. */
export interface Pcapng {
  application: string | undefined;
  interfaces: { name: string; description: string; tsresol: number; snaplen: number; linktype: number }[];
  packets: { iface: number; tsNs: bigint; data: Buffer; origLen: number }[];
  stats: { iface: number; received: bigint | undefined; dropped: bigint | undefined }[];
}

function options(b: Buffer, at: number, end: number): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  while (at + 4 <= end) {
    const code = b.readUInt16LE(at);
    const len = b.readUInt16LE(at + 2);
    if (code === 0) break;
    out.set(code, b.subarray(at + 4, at + 4 + len));
    at += 4 + len + ((4 - (len % 4)) % 4);
  }
  return out;
}

export function parsePcapng(b: Buffer): Pcapng {
  const r: Pcapng = { application: undefined, interfaces: [], packets: [], stats: [] };
  let at = 0;
  while (at + 12 <= b.length) {
    const type = b.readUInt32LE(at);
    const len = b.readUInt32LE(at + 4);
    if (len < 12 || at + len > b.length) throw new Error(`truncated block at ${at}`);
    if (b.readUInt32LE(at + len - 4) !== len) throw new Error(`bad trailing length at ${at}`);
    const body = at + 8;
    const end = at + len - 4;
    if (type === 0x0a0d0d0a) {
      if (b.readUInt32LE(body) !== 0x1a2b3c4d) throw new Error('not little endian');
      r.application = options(b, body + 16, end).get(4)?.toString();
    } else if (type === 1) {
      const o = options(b, body + 8, end);
      r.interfaces.push({
        linktype: b.readUInt16LE(body),
        snaplen: b.readUInt32LE(body + 4),
        name: o.get(2)?.toString() ?? '',
        description: o.get(3)?.toString() ?? '',
        tsresol: o.get(9)?.[0] ?? 6,
      });
    } else if (type === 6) {
      const caplen = b.readUInt32LE(body + 12);
      r.packets.push({
        iface: b.readUInt32LE(body),
        tsNs: (BigInt(b.readUInt32LE(body + 4)) << 32n) | BigInt(b.readUInt32LE(body + 8)),
        origLen: b.readUInt32LE(body + 16),
        data: Buffer.from(b.subarray(body + 20, body + 20 + caplen)),
      });
    } else if (type === 5) {
      const o = options(b, body + 12, end);
      r.stats.push({ iface: b.readUInt32LE(body), received: o.get(4)?.readBigUInt64LE(0), dropped: o.get(5)?.readBigUInt64LE(0) });
    }
    at += len;
  }
  if (at !== b.length) throw new Error(`${b.length - at} trailing bytes`);
  return r;
}

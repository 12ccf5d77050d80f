/** pcapng (draft-ietf-opsawg-pcapng): the blocks a capture of several wires
 * needs. One interface per port, nanosecond timestamps, and per interface the
 * count of frames lost because the capture buffer was full. Little endian. */

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const ISB = 0x00000005;
const EPB = 0x00000006;
const LINKTYPE_ETHERNET = 1;

/** One option: code, length, value padded to 32 bits. */
function option(code: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16LE(code, 0);
  head.writeUInt16LE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

function u64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return b;
}

/** A block: type, total length, body, total length again. */
function block(type: number, body: Buffer): Buffer {
  const len = 12 + body.length;
  const head = Buffer.alloc(8);
  head.writeUInt32LE(type, 0);
  head.writeUInt32LE(len, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(len, 0);
  return Buffer.concat([head, body, tail]);
}

function options(list: Buffer[]): Buffer {
  return list.length ? Buffer.concat([...list, Buffer.alloc(4)]) : Buffer.alloc(0);
}

/** The section header, naming the tool that wrote it. */
export function sectionHeader(application: string): Buffer {
  const fixed = Buffer.alloc(16);
  fixed.writeUInt32LE(0x1a2b3c4d, 0); // byte-order magic
  fixed.writeUInt16LE(1, 4);
  fixed.writeUInt16LE(0, 6);
  fixed.writeBigInt64LE(-1n, 8); // section length unknown: a stream
  return block(SHB, Buffer.concat([fixed, options([option(4, Buffer.from(application))])]));
}

/** An interface: its name (`r1:eth1`) and description, nanosecond timestamps. */
export function interfaceDescription(name: string, description: string, snaplen: number): Buffer {
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16LE(LINKTYPE_ETHERNET, 0);
  fixed.writeUInt32LE(snaplen, 4);
  return block(IDB, Buffer.concat([fixed, options([option(2, Buffer.from(name)), option(3, Buffer.from(description)), option(9, Buffer.from([9]))])]));
}

/** One frame on interface `iface` (its index in the order of description blocks). */
export function enhancedPacket(iface: number, tsNs: bigint, data: Buffer, origLen: number): Buffer {
  const fixed = Buffer.alloc(20);
  fixed.writeUInt32LE(iface, 0);
  fixed.writeUInt32LE(Number(tsNs >> 32n), 4);
  fixed.writeUInt32LE(Number(tsNs & 0xffffffffn), 8);
  fixed.writeUInt32LE(data.length, 12);
  fixed.writeUInt32LE(origLen, 16);
  return block(EPB, Buffer.concat([fixed, data, Buffer.alloc((4 - (data.length % 4)) % 4)]));
}

/** Statistics of one interface at the end: frames received, and dropped
 * because the capture buffer was full (isb_ifdrop). */
export function interfaceStatistics(iface: number, tsNs: bigint, s: { startNs: bigint; received: bigint; dropped: bigint }): Buffer {
  const fixed = Buffer.alloc(12);
  fixed.writeUInt32LE(iface, 0);
  fixed.writeUInt32LE(Number(tsNs >> 32n), 4);
  fixed.writeUInt32LE(Number(tsNs & 0xffffffffn), 8);
  const ts = (v: bigint) => {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(Number(v >> 32n), 0);
    b.writeUInt32LE(Number(v & 0xffffffffn), 4);
    return b;
  };
  return block(
    ISB,
    Buffer.concat([
      fixed,
      options([option(2, ts(s.startNs)), option(3, ts(tsNs)), option(4, u64(s.received)), option(5, u64(s.dropped))]),
    ]),
  );
}

/** Sample frames of every class a transparent wire must carry, built byte by byte
 * (the demo shows some; the tests send all). Each carries a marker so a capture
 * can be matched to what was sent. */

const SRC = Buffer.from([0x02, 0x00, 0x5e, 0x00, 0x00, 0x01]);
const UNICAST = Buffer.from([0x02, 0x00, 0x5e, 0x00, 0x00, 0x02]);

function mac(last: number): Buffer {
  return Buffer.from([0x01, 0x80, 0xc2, 0x00, 0x00, last]);
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
}

/** Pads to the 60-byte Ethernet minimum (without FCS), as a NIC would. */
function pad(b: Buffer, size = 60): Buffer {
  return b.length >= size ? b : Buffer.concat([b, Buffer.alloc(size - b.length)]);
}

function marker(tag: string): Buffer {
  return Buffer.from(`clab-xconnect:${tag}`);
}

export interface TestFrame {
  name: string;
  bytes: Buffer;
}

/** The transparency matrix. `maxFrame` bounds the large frame (MTU + 14). */
export function frameMatrix(tag: string, maxFrame: number): TestFrame[] {
  const m = (k: string) => marker(`${tag}:${k}`);
  const stpPayload = Buffer.concat([Buffer.from([0x42, 0x42, 0x03, 0x00, 0x00, 0x00, 0x00]), m('stp')]);
  const frames: TestFrame[] = [
    // 802.3 length + LLC (DSAP/SSAP 0x42): a BPDU as bridges send it.
    { name: 'STP BPDU', bytes: pad(Buffer.concat([mac(0x00), SRC, u16(stpPayload.length), stpPayload])) },
    // MAC control PAUSE, opcode 1, quanta 0xffff.
    { name: 'PAUSE', bytes: pad(Buffer.concat([mac(0x01), SRC, u16(0x8808), u16(0x0001), u16(0xffff), m('pause')])) },
    // Slow protocols, LACP subtype 1, version 1.
    { name: 'LACP', bytes: pad(Buffer.concat([mac(0x02), SRC, u16(0x8809), Buffer.from([0x01, 0x01]), m('lacp')]), 124) },
    // EAPOL-Start.
    { name: '802.1X', bytes: pad(Buffer.concat([mac(0x03), SRC, u16(0x888e), Buffer.from([0x02, 0x01, 0x00, 0x00]), m('eapol')])) },
    // LLDP: chassis id TLV, port id TLV, TTL, end.
    {
      name: 'LLDP',
      bytes: pad(
        Buffer.concat([
          mac(0x0e), SRC, u16(0x88cc),
          Buffer.from([0x02, 0x07, 0x04]), SRC,
          Buffer.from([0x04, 0x05, 0x05]), Buffer.from('eth1'),
          Buffer.from([0x06, 0x02, 0x00, 0x78]),
          m('lldp'),
          Buffer.from([0x00, 0x00]),
        ]),
      ),
    },
    { name: '802.1Q', bytes: pad(Buffer.concat([UNICAST, SRC, u16(0x8100), u16(100), u16(0x88b5), m('dot1q')])) },
    {
      name: 'QinQ',
      bytes: pad(Buffer.concat([UNICAST, SRC, u16(0x88a8), u16(200), u16(0x8100), u16(100), u16(0x88b5), m('qinq')])),
    },
    { name: 'untagged', bytes: pad(Buffer.concat([UNICAST, SRC, u16(0x88b5), m('untagged')])) },
  ];
  const bigSize = Math.min(8000, maxFrame);
  const big = Buffer.alloc(bigSize, 0xa5);
  Buffer.concat([UNICAST, SRC, u16(0x88b5), m('big')]).copy(big);
  frames.push({ name: `${bigSize}-byte frame`, bytes: big });
  return frames;
}

/** A frame the tc fixture (test/fixtures/bpf/vlan_push.bpf.c) tags with VID 100
 * in skb metadata on its way out, as a VLAN sub-interface would. */
export function metadataVlanFrame(tag: string): { sent: Buffer; expected: Buffer } {
  const sent = pad(Buffer.concat([UNICAST, SRC, u16(0x88b6), marker(`${tag}:vlan-metadata`)]));
  const expected = Buffer.concat([sent.subarray(0, 12), u16(0x8100), u16(100), sent.subarray(12)]);
  return { sent, expected };
}

/** True when `frames` holds `want` byte for byte. */
export function contains(frames: Buffer[], want: Buffer): boolean {
  return frames.some((f) => f.equals(want));
}

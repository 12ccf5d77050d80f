import { describe, expect, it } from 'vitest';
import { checkLayouts, decodePort, encodePort, NO_IMPAIRMENT, PORT_SIZE, type PortConfig } from '../../../src/dataplane/layout.js';

describe('port config layout', () => {
  it('encodes and decodes every field', () => {
    const c: PortConfig = {
      partner: 4242,
      adminUp: true,
      slot: 17,
      peerMac: 'aa:c1:ab:01:02:03',
      impair: { loss: 0.2, corruption: 0.01, duplicate: 0.5, rateKbit: 1000, burst: 9000, delayUs: 10_000, jitterUs: 2_000 },
      capture: { snaplen: 128 },
    };
    const b = encodePort(c);
    expect(b.length).toBe(PORT_SIZE);
    expect(decodePort(b)).toEqual(c);
    expect(decodePort(encodePort({ ...c, adminUp: false, peerMac: null, impair: { ...NO_IMPAIRMENT }, capture: null }))).toEqual({
      ...c,
      adminUp: false,
      peerMac: null,
      impair: NO_IMPAIRMENT,
      capture: null,
    });
  });

  it('refuses a compiled object whose structs moved, naming each difference', () => {
    const ok = {
      xc_port: { size: 56, members: { partner: 0, flags: 4, slot: 8, peer_mac: 12, loss: 20, corrupt: 24, duplicate: 28, rate: 32, burst: 40, delay_us: 44, jitter_us: 48, snaplen: 52 } },
      xc_stats: { size: 80, members: Object.fromEntries(['rx_packets', 'rx_bytes', 'redirected', 'drop_admin', 'drop_loss', 'pass_no_partner', 'drop_rate', 'corrupted', 'duplicated', 'cap_dropped'].map((f, k) => [f, 8 * k])) },
      xc_bucket: { size: 24, members: { lock: 0, reserved: 4, tokens: 8, last_ns: 16 } },
    };
    expect(() => checkLayouts(ok)).not.toThrow();
    const moved = { ...ok, xc_port: { size: 60, members: { ...ok.xc_port.members, slot: 12 } } };
    expect(() => checkLayouts(moved)).toThrow(
      /the BPF object and src\/dataplane\/layout\.ts disagree: struct xc_port is 60 bytes, the TypeScript layout 56; xc_port\.slot is at 12, the TypeScript layout at 8 - change bpf\/xconnect\.h and src\/dataplane\/layout\.ts together/,
    );
  });
});

/** A three-namespace test bed: node1 (e0) -- [pa  wire ns  pb] -- node2 (e0).
 * The wire namespace holds the two ports a wire joins, like containerlab's
 * root-netns stitch ends. The bed is the test bed's (src/lab/wire-bed.ts, which
 * the bench builds its paths on); this adds the names the kernel tests use and
 * a bpffs directory per bed. Everything is named uniquely and removed by name. */
import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { createWireBed, stitchBothWays, unstitch } from '../../src/lab/index.js';
import { nsPath, uniq } from './sys.js';

export interface WireLab {
  node1: string;
  node2: string;
  wire: string;
  /** netns paths */
  n1: string;
  n2: string;
  w: string;
  pinDir: string;
  ip1: string;
  ip2: string;
  destroy(): Promise<void>;
}

export const TEST_BPFFS = '/sys/fs/bpf/clab-xconnect-test';

export async function createWireLab(opts: { mtu: number; txChecksumOff?: boolean }): Promise<WireLab> {
  const id = uniq('');
  const node1 = `xt1-${id}`, node2 = `xt2-${id}`, wire = `xtw-${id}`;
  const pinDir = path.join(TEST_BPFFS, id);
  const [ip1, ip2] = ['198.18.7.1', '198.18.7.2'];
  const bed = await createWireBed({
    names: { node1, node2, wire },
    ifname: 'e0',
    mtu: opts.mtu,
    addrs: [ip1, ip2],
    txChecksumOff: opts.txChecksumOff ?? true,
  });
  return {
    node1, node2, wire,
    n1: nsPath(node1), n2: nsPath(node2), w: nsPath(wire),
    pinDir, ip1, ip2,
    async destroy() {
      await bed.destroy();
      await rm(pinDir, { recursive: true, force: true });
      await rmdir(TEST_BPFFS).catch(() => undefined); // only when no other test bed uses it
    },
  };
}

/** containerlab's stitch (src/lab/stitch.ts), both ways, in a test namespace. */
export async function addTcStitch(ns: string, a: string, b: string): Promise<void> {
  await stitchBothWays(a, b, { netns: nsPath(ns) });
}

/** Removes the stitch from both ports: its u32 filters, and its `ingress`
 * qdisc (a clsact one, which the legacy tc engine may have added, stays). */
export async function removeTcStitch(ns: string, a: string, b: string): Promise<void> {
  for (const dev of [a, b]) await unstitch(dev, { netns: nsPath(ns) });
}

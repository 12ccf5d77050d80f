/** Which XDP mode a wire runs in, and what the node side of each port needs
 * for every frame class to pass. Pure decisions; src/dataplane/peer-tuning.ts
 * applies them.
 *
 * Measured on kernel 6.18 (docs/mode-policy.md has the numbers and the
 * alternatives):
 * - native XDP needs a driver that implements it: veth yes, vxlan no;
 * - a native redirect INTO a veth is dropped unless the veth's peer (the node's
 *   interface) has NAPI: GRO on, or an XDP program of its own. We turn GRO on:
 *   it leaves the node's XDP hook free and caps nothing;
 * - a native wire strips a VLAN tag held in skb metadata; with tx-vlan offload
 *   off on the sending node interface the kernel writes the tag into the frame
 *   before it leaves, and it survives;
 * - neither mode completes partial checksums: tx checksum offload must be off on
 *   the sending node interface (containerlab does this; we make sure), which also
 *   stops TSO super-packets that generic mode would drop as too big. */
import { XconnectError } from '../errors.js';
import type { ModeChoice } from '../plan/types.js';
import type { XdpMode } from '../native/addon.js';

export interface PortFacts {
  ifname: string;
  /** rtnetlink kind of the port ('veth', 'vxlan', ...). */
  kind: string;
  /** The port's veth peer, when it is one and its netns is reachable. */
  peer: { netns: string; ifname: string } | null;
}

export interface ModeDecision {
  mode: XdpMode;
  /** Why, in words fit for `status`. */
  reason: string;
}

/** Chooses the mode for a wire between ports a and b. */
export function chooseMode(requested: ModeChoice, a: PortFacts, b: PortFacts): ModeDecision {
  if (requested === 'generic') return { mode: 'generic', reason: 'requested' };
  const blocker = nativeBlocker(a) ?? nativeBlocker(b);
  if (!blocker) return { mode: 'native', reason: requested === 'native' ? 'requested' : 'both ports are veths' };
  if (requested === 'native')
    throw new XconnectError('PLAN', `native XDP is not possible for ${a.ifname}<->${b.ifname}: ${blocker}`, {
      hint: "use mode 'auto' or 'generic' for this link",
    });
  return { mode: 'generic', reason: blocker };
}

function nativeBlocker(p: PortFacts): string | undefined {
  if (p.kind !== 'veth') return `${p.ifname} is a ${p.kind || 'non-veth'} device without native XDP`;
  if (!p.peer) return `the peer of ${p.ifname} is not reachable to enable GRO on it`;
  return undefined;
}

/** Offload settings (ethtool feature names) the node-side peer of a port needs
 * in the given mode. */
export function peerFeatures(mode: XdpMode): Record<string, boolean> {
  const always = { 'tx-checksum-ip-generic': false };
  if (mode === 'generic') return always;
  return { ...always, 'tx-vlan-hw-insert': false, 'tx-vlan-stag-hw-insert': false, 'rx-gro': true };
}

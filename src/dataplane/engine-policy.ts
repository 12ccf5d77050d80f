/** Which engine carries the frames arriving on a port, and what the node
 * side needs for every frame class to pass. Pure decisions, per direction:
 * the engine runs at the ingress of `port` and sends out through `partner`.
 *
 * Measured on kernel 6.18 (docs/engine-policy.md has the figures):
 * - A port that receives skbs from a kernel stack (a veth whose other end is a
 *   node, a vxlan device) is fastest on the tc engine: TCX ingress with
 *   bpf_redirect_peer keeps the skb whole and skips a backlog hop; native XDP
 *   there turns every skb into an xdp_buff and back (0.76-0.86x containerlab's
 *   tc stitch on socket traffic), and changes settings inside the nodes.
 * - A port whose driver has native XDP and receives frames from outside (a
 *   NIC) is fastest on the XDP engine: 3x tc on frames that arrive as XDP frames.
 * - A native XDP redirect INTO a veth is dropped unless the veth's peer has
 *   NAPI (GRO on); native XDP loses a VLAN tag held in skb metadata unless the
 *   sender's tx-vlan offload is off; no XDP engine completes partial checksums
 *   (tx checksum offload off at the sender, which containerlab sets). Only these
 *   directions change anything inside a node. */
import { XconnectError } from '../errors.js';
import type { XdpFeatures } from '../native/addon.js';
import type { NodeIface } from './peer-tuning.js';

export type Engine = 'tc' | 'xdp' | 'xdp-generic';
export type EngineRequest = 'auto' | Engine;
export const ENGINES: readonly Engine[] = ['tc', 'xdp', 'xdp-generic'];

export interface PortFacts {
  ifname: string;
  /** rtnetlink kind of the port ('veth', 'vxlan', '' for a NIC). */
  kind: string;
  /** The node interface at the other end of a veth port, when reachable. */
  peer: NodeIface | null;
  /** XDP features of the port's driver (null: the kernel cannot tell). */
  xdp: XdpFeatures | null;
}

export interface EngineDecision {
  engine: Engine;
  /** Why, in words fit for `status`. */
  reason: string;
}

/** A device that gets its frames from a kernel stack as skbs, not from a NIC's ring. */
function skbSource(p: PortFacts): boolean {
  return p.kind !== '';
}

function nativeXdpBlocker(port: PortFacts, partner: PortFacts): string | undefined {
  if (port.kind !== 'veth' && !(port.kind === '' && port.xdp?.basic && port.xdp.redirect))
    return `${port.ifname} is a ${port.kind || 'device'} without native XDP`;
  if (partner.kind === 'veth' && !partner.peer)
    return `the node-side peer of ${partner.ifname} is not reachable, and a native redirect into a veth needs GRO on it`;
  if (partner.kind === '' && partner.xdp && !partner.xdp.ndoXmit)
    return `${partner.ifname}'s driver cannot transmit redirected XDP frames`;
  if (partner.kind !== '' && partner.kind !== 'veth') return `${partner.ifname} is a ${partner.kind} device: native XDP cannot redirect into it`;
  return undefined;
}

/** Chooses the engine for frames entering `port` and leaving through `partner`.
 * `tcOnly` names what this direction needs that only the tc engine does
 * (duplication and delay need an skb). */
export function chooseEngine(requested: EngineRequest, port: PortFacts, partner: PortFacts, tcOnly?: string): EngineDecision {
  if (tcOnly && requested !== 'auto' && requested !== 'tc')
    throw new XconnectError('PLAN', `the ${requested} engine cannot carry ${port.ifname} -> ${partner.ifname}: ${tcOnly} needs the tc engine`, {
      hint: "use engine 'auto' or 'tc' for this link, or drop that impairment",
    });
  if (tcOnly) return { engine: 'tc', reason: `${tcOnly} needs the tc engine` };
  if (requested === 'tc' || requested === 'xdp-generic') return { engine: requested, reason: 'requested' };
  if (requested === 'xdp') {
    const blocker = nativeXdpBlocker(port, partner);
    if (blocker)
      throw new XconnectError('PLAN', `native XDP is not possible for ${port.ifname} -> ${partner.ifname}: ${blocker}`, {
        hint: "use engine 'auto', 'tc' or 'xdp-generic' for this link",
      });
    return { engine: 'xdp', reason: 'requested' };
  }
  if (skbSource(port)) return { engine: 'tc', reason: `${port.ifname} receives skbs from a kernel stack (${port.kind})` };
  const blocker = nativeXdpBlocker(port, partner);
  if (blocker) return { engine: 'tc', reason: blocker };
  return { engine: 'xdp', reason: `${port.ifname} is a NIC with native XDP: its frames arrive as XDP frames` };
}

/** Offload settings (ethtool feature names) node-side interfaces need for one
 * direction: the sender behind `port`, and the receiver behind `partner`. */
export function nodeSettings(engine: Engine, port: PortFacts, partner: PortFacts): { peer: NodeIface; want: Record<string, boolean> }[] {
  const out: { peer: NodeIface; want: Record<string, boolean> }[] = [];
  if (engine === 'tc') return out;
  if (port.peer) {
    const want: Record<string, boolean> = { 'tx-checksum-ip-generic': false };
    if (engine === 'xdp') Object.assign(want, { 'tx-vlan-hw-insert': false, 'tx-vlan-stag-hw-insert': false });
    out.push({ peer: port.peer, want });
  }
  if (engine === 'xdp' && partner.kind === 'veth' && partner.peer) out.push({ peer: partner.peer, want: { 'rx-gro': true } });
  return out;
}

/** The node-side settings of a whole wire whose two directions both run `engine`
 * (what a test bed of two veth ports needs). */
export function wireNodeSettings(engine: Engine): Record<string, boolean> {
  if (engine === 'tc') return {};
  if (engine === 'xdp-generic') return { 'tx-checksum-ip-generic': false };
  return { 'tx-checksum-ip-generic': false, 'tx-vlan-hw-insert': false, 'tx-vlan-stag-hw-insert': false, 'rx-gro': true };
}

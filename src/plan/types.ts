/** The wire plan: which root-netns interfaces become wires. Pure data,
 * computed offline from a Topology (src/plan/plan.ts) or from an xdp-xconnect
 * config; consumed by the runtime (src/runtime/) and printed by `plan`. */
import type { Impairment } from '../dataplane/layout.js';
import type { LinkWireKind } from '../links/kind.js';

/** The link types' wire kinds (src/links/kind.ts), and a pair from an xdp-xconnect config. */
export type WireKind = LinkWireKind | 'xdp-xconnect';
/** Which engine carries a link (label `xconnect.clab/mode`): `auto` picks per
 * port (src/dataplane/engine-policy.ts); the others force it for both directions. */
export type ModeChoice = 'auto' | 'tc' | 'xdp' | 'xdp-generic';
export type AdminState = 'up' | 'down';

/** One side of a wire: a port in the root netns and, when it is a veth,
 * the node interface at its other end. */
export interface PortPlan {
  /** Interface name in the root netns as containerlab creates it. */
  ifname: string;
  /** Set when the kernel name may differ (names Linux cannot take): find by altname. */
  altname?: string;
  /** The node endpoint behind this port (its veth peer); absent for a vxlan device
   * or a plain host interface. */
  node?: { name: string; iface: string };
  /** What the port is: a veth whose peer sits in a node, or a vxlan device. */
  device: 'veth' | 'vxlan' | 'host';
}

export interface WireOptions {
  admin: AdminState;
  mode: ModeChoice;
  /** What happens to the frames each end sends into the wire: `a` to those
   * from wire.a's side (they enter port a), `b` to those from wire.b's side. */
  impair: { a: Impairment; b: Impairment };
}

export interface WirePlan {
  /** Stable id, used for pins and in status output: `r1:eth1--r2:eth1` (sorted). */
  id: string;
  kind: WireKind;
  a: PortPlan;
  b: PortPlan;
  options: WireOptions;
  /** Where the link was written (absent for xdp-xconnect configs without lines). */
  line?: number;
}

export interface SkippedLink {
  /** `node:iface` endpoints of the link as written. */
  endpoints: string[];
  type: string;
  line?: number;
  /** direct: already a point-to-point veth; excluded: by label; unwireable: see reason. */
  status: 'direct' | 'excluded' | 'unwireable';
  reason: string;
}

export interface Plan {
  /** Lab name; for an xdp-xconnect config, the config file's base name. */
  lab: string;
  source: { file: string; format: 'containerlab' | 'xdp-xconnect' };
  wires: WirePlan[];
  skipped: SkippedLink[];
}

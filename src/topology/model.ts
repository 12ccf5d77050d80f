/** The topology model: what a containerlab file means once loaded, with
 * defaults/kinds/groups inherited and links normalized. Produced by
 * src/topology/load.ts, consumed by src/plan/ and the lab deployer. */

export interface Topology {
  /** Lab name (`name:`), after variable substitution. */
  name: string;
  /** Absolute path of the topology file. */
  file: string;
  /** `prefix:` as written (undefined when absent). */
  prefix: string | undefined;
  /** Absolute lab directory (`clab-<lab>` beside the file, or under $CLAB_LABDIR_BASE). */
  labDir: string;
  /** Nodes in file order. */
  nodes: TopologyNode[];
  /** Links in file order. */
  links: Link[];
}

export interface TopologyNode {
  name: string;
  /** Container name by containerlab's prefix rules. */
  longName: string;
  kind: string;
  image: string | undefined;
  group: string | undefined;
  labels: Record<string, string>;
  env: Record<string, string>;
  networkMode: string | undefined;
  /** 1-based line of the node's key in the file. */
  line: number;
  /** `type:` (platform type), inherited and trimmed. */
  type?: string;
  /** `cmd:` inherited (not magic-expanded, as in containerlab). */
  cmd?: string;
  /** `exec:` commands, concatenated defaults+kind+group+node, magic variables expanded. */
  exec?: string[];
  /** `binds:` merged by container path, magic variables expanded in the host path. */
  binds?: string[];
}

export interface Endpoint {
  node: string;
  /** Interface name as written in the topology. */
  iface: string;
  mac?: string;
}

export type LinkType = 'veth' | 'veth-stitch' | 'host' | 'mgmt-net' | 'macvlan' | 'vxlan' | 'vxlan-stitch' | 'dummy';

interface LinkBase {
  type: LinkType;
  mtu: number;
  labels: Record<string, string>;
  vars: Record<string, unknown>;
  /** 1-based line of the link entry; `index` is its position in `links:`. */
  line: number;
  index: number;
  /** 1-based line of each `labels:` key of the link (for messages about option labels). */
  labelLines?: Record<string, number>;
  /** True when the link was written in the brief `endpoints: ["a:x", "b:y"]` form. */
  brief?: boolean;
}

export interface VethLink extends LinkBase {
  type: 'veth' | 'veth-stitch';
  endpoints: [Endpoint, Endpoint];
}

export interface HostLink extends LinkBase {
  type: 'host' | 'mgmt-net';
  endpoint: Endpoint;
  hostInterface: string;
}

export interface MacvlanLink extends LinkBase {
  type: 'macvlan';
  endpoint: Endpoint;
  hostInterface: string;
  mode: string | undefined;
}

export interface VxlanLink extends LinkBase {
  type: 'vxlan' | 'vxlan-stitch';
  endpoint: Endpoint;
  remote: string;
  vni: number;
  dstPort: number;
  srcPort: number | undefined;
  /** `parent-interface:` (the underlay interface) when written. */
  parentInterface?: string;
}

export interface DummyLink extends LinkBase {
  type: 'dummy';
  endpoint: Endpoint;
}

export type Link = VethLink | HostLink | MacvlanLink | VxlanLink | DummyLink;

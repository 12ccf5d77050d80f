/** The link model: each link of a topology once loaded (links/link*.go's raw
 * structs, normalized by src/topology/links.ts). It sits with the link types
 * (src/links/<type>.ts), below the topology loader, so that the loader's
 * checks, the planner and the test deployer all reach one link's knowledge
 * through one module. */

export interface Endpoint {
  node: string;
  /** Interface name as written in the topology. */
  iface: string;
  mac?: string;
}

export type LinkType = 'veth' | 'veth-stitch' | 'host' | 'mgmt-net' | 'macvlan' | 'vxlan' | 'vxlan-stitch' | 'dummy';

export interface LinkBase {
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

/** The record of one link type, e.g. `LinkOf<'host'>` (a HostLink whose type is `host`). */
export type LinkOf<T extends LinkType> = Link & { type: T };

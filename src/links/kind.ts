/** The one interface every link type implements (src/links/<type>.ts), in the
 * manner of containerlab's links/ package: one file per type, shared contracts
 * here. A type says which devices it makes in the root netns (the loader's
 * name-clash check, src/topology/verify.ts), what the planner does with it
 * (src/plan/plan.ts), and, when the test deployer can build it, how it is
 * plumbed and torn down (src/lab/).
 *
 * Everything here is pure: the deploy half of a type describes the devices it
 * needs as a plan (./plumbing.ts) that the deployer's Plumbing makes, so
 * loading a link type (as the offline planner does) loads no process runner,
 * Docker client or addon, and the deploy steps can be tested with a fake. */
import type { Endpoint, Link, LinkOf, LinkType } from './model.js';
import type { NodeHandle, PlumbPlan, VxlanRef } from './plumbing.js';

/** What a link type needs to know about the lab around one of its links. */
export interface LinkContext {
  /** Lab name (`name:`): it is hashed into stitch far-end names. */
  lab: string;
  /** The kind of a node (undefined for a node the topology does not have). */
  kindOf(node: string): string | undefined;
}

/** A device containerlab creates (or attaches) in the root netns for a link,
 * and how a name clash names its owner. */
export interface RootName {
  name: string;
  owner: string;
}

/** One port of a wire as a link type sees it: the root-netns device name as
 * containerlab gives it, what the device is, and the node endpoint behind it
 * (its veth peer) when there is one. The planner turns it into a PortPlan. */
export interface RootPortSpec {
  name: string;
  device: 'veth' | 'vxlan' | 'host';
  node?: Endpoint;
}

/** The wire kinds link types produce (`kind` in plan JSON; docs/plan.md). */
export type LinkWireKind = 'veth-stitch' | 'vxlan-stitch' | 'host-pair';

/** A wire a link (or a pair of host links) becomes, before options. */
export interface WireSpec {
  kind: LinkWireKind;
  /** Stable id (see wireId). */
  id: string;
  a: RootPortSpec;
  b: RootPortSpec;
  /** What `@` labels and the command line call each direction: the endpoint
   * whose frames it carries (the first name is the one messages use). */
  directions: { a: string[]; b: string[] };
}

/** What the planner does with one link: wire it, or skip it with a reason. */
export type LinkPlan = { wire: WireSpec } | { skip: 'direct' | 'unwireable'; reason: string };

/** What the test deployer knows of one running node. */
export interface DeployContext extends LinkContext {
  /** Nodes running now, by name (the node being plumbed included). */
  up: ReadonlyMap<string, NodeHandle>;
  /** The node was restarted: re-stitch surviving far ends from scratch. */
  fresh: boolean;
}

/** The deploy half of a link type: what the test deployer (src/lab/) makes
 * for a link as containerlab v0.79 does, and what it removes. Data only: the
 * deployer makes the plans of all of a node's links together. */
export interface LinkDeploy<L extends Link> {
  /** The devices of the part of `link` that `node` brings up, as far as the
   * nodes at its other ends are up (a link whose other side is down waits for
   * that side's own plan). */
  plumb(link: L, node: string, ctx: DeployContext): PlumbPlan;
  /** Root-netns veth ends of `node`'s side (all sides when undefined): they die
   * with the node's netns, and are deleted at teardown while still veths. */
  rootVeths(link: L, node: string | undefined, ctx: LinkContext): string[];
  /** Root-netns vxlan devices of `node`'s side (all sides when undefined),
   * deleted at teardown while they still have the link's VNI and remote. */
  rootVxlans?(link: L, node: string | undefined): VxlanRef[];
}

/** One link type. `L` is its record in the link model. */
export interface LinkKind<L extends Link> {
  type: L['type'];
  /** Node endpoints of the link (the interfaces it puts into nodes). */
  endpoints(link: L): Endpoint[];
  /** The link's ends as a skipped link lists them in a plan (`node:iface`, or
   * the far side such as `host:<if>` or `vxlan:<vni>@<remote>`). */
  skippedEndpoints(link: L): string[];
  /** Devices containerlab creates in the root netns for the link
   * (core/config.go verifyRootNetNSLinks). */
  rootNames(link: L, ctx: LinkContext): RootName[];
  /** What the planner does with the link (labels aside: see src/plan/plan.ts). */
  plan(link: L, ctx: LinkContext): LinkPlan;
  /** Absent: the test deployer cannot build this type. */
  deploy?: LinkDeploy<L>;
}

/** Every link type, by its `type:`; see src/links/index.ts. */
export type LinkKinds = { [T in LinkType]: LinkKind<LinkOf<T>> };

/** Kinds whose interfaces live in the root network namespace (containerlab's
 * IsRootNamespaceBased): a link end on such a node is a bridge port. */
export const ROOT_NETNS_KINDS: ReadonlySet<string> = new Set(['bridge', 'ovs-bridge']);

/** True when `node` is a bridge-like node whose interfaces are root-netns devices. */
export function inRootNetns(node: string, ctx: LinkContext): boolean {
  return ROOT_NETNS_KINDS.has(ctx.kindOf(node) ?? '');
}

/** The root-netns names of endpoints on bridge-like nodes (their interfaces
 * are bridge ports in the root netns). */
export function bridgePortNames(eps: readonly Endpoint[], ctx: LinkContext): RootName[] {
  return eps.filter((ep) => inRootNetns(ep.node, ctx)).map((ep) => ({ name: ep.iface, owner: `${ep.node}:${ep.iface}` }));
}

/** Stable wire id from two endpoint strings: sorted, joined by `--`. */
export function wireId(a: string, b: string): string {
  return [a, b].sort().join('--');
}

/** The context of a lab's links, from its name and nodes. */
export function linkContext(lab: string, nodes: Iterable<{ name: string; kind: string }>): LinkContext {
  const kinds = new Map([...nodes].map((n) => [n.name, n.kind]));
  return { lab, kindOf: (n) => kinds.get(n) };
}

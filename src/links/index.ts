/** The link types, by their `type:` (one file each beside this one), and the
 * calls the loader, the planner and the test deployer make on a link without
 * knowing its type. Adding a link type: write src/links/<type>.ts against
 * LinkKind (./kind.ts), add it to LINK_KINDS below, and give it a row in
 * test/unit/links/links.test.ts. */
import type { DeployContext, LinkContext, LinkDeploy, LinkKind, LinkKinds, LinkPlan, RootName } from './kind.js';
import type { Endpoint, Link, LinkType } from './model.js';
import { emptyPlan, mergePlans, type Plumbing, type VxlanRef } from './plumbing.js';
import { dummy } from './dummy.js';
import { host } from './host.js';
import { macvlan } from './macvlan.js';
import { mgmtNet } from './mgmt-net.js';
import { veth } from './veth.js';
import { vethStitch } from './veth-stitch.js';
import { vxlan } from './vxlan.js';
import { vxlanStitch } from './vxlan-stitch.js';

export const LINK_KINDS: LinkKinds = {
  veth,
  'veth-stitch': vethStitch,
  host,
  'mgmt-net': mgmtNet,
  macvlan,
  vxlan,
  'vxlan-stitch': vxlanStitch,
  dummy,
};

/** The type of `link`, typed for any link (the one place the union is widened). */
export function linkKind(link: Link): LinkKind<Link> {
  return LINK_KINDS[link.type] as unknown as LinkKind<Link>;
}

/** Node endpoints of a link. */
export function linkEndpoints(link: Link): Endpoint[] {
  return linkKind(link).endpoints(link);
}

/** Devices containerlab creates in the root netns for a link. */
export function rootNames(link: Link, ctx: LinkContext): RootName[] {
  return linkKind(link).rootNames(link, ctx);
}

/** What the planner does with a link (see LinkKind.plan). */
export function planLink(link: Link, ctx: LinkContext): LinkPlan {
  return linkKind(link).plan(link, ctx);
}

/** The link's ends as a skipped link lists them. */
export function skippedEndpoints(link: Link): string[] {
  return linkKind(link).skippedEndpoints(link);
}

/** The types the test deployer can build, in LINK_KINDS order. */
export const DEPLOYABLE: readonly LinkType[] = (Object.keys(LINK_KINDS) as LinkType[]).filter((t) => LINK_KINDS[t].deploy);

/** The deploy half of a link's type; undefined when the test deployer cannot build it. */
export function linkDeploy(link: Link): LinkDeploy<Link> | undefined {
  return linkKind(link).deploy;
}

/** Makes `node`'s part of `links` (see LinkDeploy.plumb), all links at once; a
 * type the deployer cannot build is left alone (the deployer refuses those up front). */
export async function plumbLinks(links: readonly Link[], node: string, ctx: DeployContext, io: Plumbing): Promise<void> {
  await io.apply(mergePlans(links.map((l) => linkDeploy(l)?.plumb(l, node, ctx) ?? emptyPlan())));
}

/** Root-netns veth ends of `node`'s side of `links` (all sides when undefined). */
export function linksRootVeths(links: readonly Link[], node: string | undefined, ctx: LinkContext): string[] {
  return links.flatMap((l) => linkDeploy(l)?.rootVeths(l, node, ctx) ?? []);
}

/** Deletes the root-netns devices of `node`'s side of `links` (all sides when
 * undefined), only those still of the kind the link made. */
export async function removeLinksRoot(links: readonly Link[], node: string | undefined, ctx: LinkContext, io: Plumbing): Promise<void> {
  const vxlans: VxlanRef[] = links.flatMap((l) => linkDeploy(l)?.rootVxlans?.(l, node) ?? []);
  await io.removeRoot(linksRootVeths(links, node, ctx), vxlans);
}

export type { DeployContext, LinkContext, LinkKind, LinkPlan, RootName, WireSpec, LinkWireKind, RootPortSpec } from './kind.js';
export type { NodeEnd, NodeHandle, Plumbing, PlumbPlan, RootEnd, StitchSpec, VethSpec, VxlanDevice, VxlanRef, VxlanSpec } from './plumbing.js';
export { emptyPlan, mergePlans } from './plumbing.js';
export type * from './model.js';
export { linkContext, ROOT_NETNS_KINDS, wireId } from './kind.js';
export { epName, isValidIfname, ownershipAltname, sanitizeIfname } from './names.js';
export { farEnds, stitchAltname, stitchIfname } from './veth-stitch.js';
export { vxlanStitchIfnames } from './vxlan-stitch.js';
export { VXLAN_DEFAULT_PORT } from './vxlan.js';
export { isPairable, pairWire, PAIR_LABEL } from './host.js';

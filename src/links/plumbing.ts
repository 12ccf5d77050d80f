/** What a link type's deploy half asks the test deployer to make, and the
 * device operations that make it. A link type describes the devices of its
 * links as data (a PlumbPlan); the deployer merges the plans of all of a
 * node's links and makes them together (src/lab/plumbing.ts: a handful of
 * batched ip/tc runs and addon calls per node, not a dozen runs per link);
 * tests hand in a fake. A narrow interface defined where it is used, so
 * src/links imports nothing that does I/O. */
import type { Endpoint } from './model.js';

/** A running node as the plumbing needs it. */
export interface NodeHandle {
  /** PID of the node's init process (devices are moved into its netns). */
  pid: number;
  /** `/proc/<pid>/ns/net`. */
  netns: string;
}

/** A vxlan device as containerlab's LinkVxlan.deployVxlanInterface makes it. */
export interface VxlanDevice {
  vni: number;
  remote: string;
  dstPort: number;
  /** The underlay device; when absent, the device of the route to `remote`. */
  parent: string | undefined;
  mtu: number;
  /** The endpoint's `mac`, or a generated one when absent. */
  mac: string | undefined;
}

/** A veth end moved into `node` as `ep`: tx checksum offload off (before the
 * move), renamed (or the sanitized name as altname), containerlab's ownership
 * altname, the endpoint's MAC or a generated one, up. */
export interface NodeEnd {
  node: NodeHandle;
  ep: Endpoint;
}

/** A veth end kept in the root netns as `ifname`: tx checksum offload off, a
 * generated MAC when `randomMac`, up. */
export interface RootEnd {
  ifname: string;
  randomMac?: boolean;
}

/** A veth pair, both ends at `mtu`, made under temporary names and then
 * planted. `forEp` names it in errors. */
export interface VethSpec {
  mtu: number;
  forEp: Endpoint;
  a: NodeEnd;
  b: NodeEnd | RootEnd;
}

/** A root-netns vxlan device named `ifname`. */
export interface VxlanSpec {
  ifname: string;
  dev: VxlanDevice;
  forEp: Endpoint;
}

/** containerlab's tc stitch between two root-netns devices, both ways. */
export interface StitchSpec {
  a: string;
  b: string;
  /** Names the link in errors. */
  what: string;
  /** First take any old stitch off devices that were there before (after a
   * node restart the surviving far end still redirects to a device that is gone). */
  fresh: boolean;
  /** Altnames the stitched devices carry; one a device has already is kept. */
  altnames: { dev: string; altname: string; forEp: Endpoint }[];
  /** Root-netns devices the plan does not make that must exist for the stitch
   * (and its altnames) to be made: the other segment may wait for its node. */
  needs: string[];
}

/** What one node's links need made, in this order: vxlan devices, veth pairs,
 * stitches (which may join the far ends of veths made here). */
export interface PlumbPlan {
  vxlans: VxlanSpec[];
  veths: VethSpec[];
  stitches: StitchSpec[];
}

/** A root-netns vxlan device a link made: deleted only when it still has this VNI and remote. */
export interface VxlanRef {
  name: string;
  vni: number;
  remote: string;
}

export interface Plumbing {
  /** Makes what `plan` asks for. When making the devices fails, deletes what
   * it made of them and throws naming the link or endpoint; a failed stitch
   * leaves the devices in place. */
  apply(plan: PlumbPlan): Promise<void>;
  /** Deletes the root-netns devices named (by name or altname) that are still
   * veths, and the vxlan devices that still have their VNI and remote; one
   * already gone is not an error. */
  removeRoot(veths: string[], vxlans: VxlanRef[]): Promise<void>;
}

/** A plan with nothing in it. */
export function emptyPlan(): PlumbPlan {
  return { vxlans: [], veths: [], stitches: [] };
}

/** The plans of several links as one, each kind in link order. */
export function mergePlans(plans: PlumbPlan[]): PlumbPlan {
  return {
    vxlans: plans.flatMap((p) => p.vxlans),
    veths: plans.flatMap((p) => p.veths),
    stitches: plans.flatMap((p) => p.stitches),
  };
}

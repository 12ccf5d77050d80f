/** The device operations a link type's deploy half is written against. The
 * test deployer implements them over ip/tc/ethtool and the addon
 * (src/lab/plumbing.ts); tests hand in a fake. A narrow interface defined
 * where it is used, so src/links imports nothing that does I/O. */
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

export interface Plumbing {
  /** Creates a veth pair in the root netns under two temporary names (both
   * ends at `mtu`); returns the names. */
  vethPair(mtu: number, forEp: Endpoint): Promise<[string, string]>;
  /** Moves root-netns `current` into `node` as `ep` (tx checksum offload off
   * first, the ownership altname, the endpoint's MAC or a generated one, up);
   * returns its kernel name there. */
  plantNodeEnd(current: string, node: NodeHandle, ep: Endpoint): Promise<string>;
  /** Names root-netns `current` as `ifname` (tx checksum offload off, a
   * generated MAC when `randomMac`, up); returns its kernel name. */
  plantRootEnd(current: string, ifname: string, forEp: Endpoint, randomMac?: boolean): Promise<string>;
  /** Creates and names a root-netns vxlan device; returns its kernel name. */
  addVxlan(ifname: string, dev: VxlanDevice, forEp: Endpoint): Promise<string>;
  /** A root-netns device by name or altname: its kind and altnames; null when there is none. */
  link(name: string): Promise<{ kind: string; altnames: string[] } | null>;
  addAltname(dev: string, altname: string, forEp: Endpoint): Promise<void>;
  /** containerlab's tc stitch between two root-netns devices, both ways;
   * `fresh` first takes any old stitch off both. `what` names the link in errors. */
  stitch(a: string, b: string, what: string, fresh: boolean): Promise<void>;
  /** Deletes a device; one already gone is not an error. */
  deleteLink(name: string): Promise<void>;
  /** Deletes a root-netns device only when it is a veth. */
  deleteVeth(name: string): Promise<void>;
  /** Deletes a root-netns device only when it is a vxlan with this VNI and remote. */
  deleteVxlan(name: string, vni: number, remote: string): Promise<void>;
}

/** Runs `plant` on a fresh root-netns veth pair; when it fails, deletes both
 * ends (an end still in the root netns takes its peer with it; moved ends die
 * with their node) and rethrows. */
export async function withVethPair<T>(io: Plumbing, mtu: number, forEp: Endpoint, plant: (a: string, b: string) => Promise<T>): Promise<T> {
  const [a, b] = await io.vethPair(mtu, forEp);
  try {
    return await plant(a, b);
  } catch (e) {
    await io.deleteLink(a);
    await io.deleteLink(b);
    throw e;
  }
}

/** Interface primitives of the deployer, each mirroring one step of
 * containerlab's link code (links/link_veth.go, links/link.go). */
import { randomBytes } from 'node:crypto';
import { isValidIfname, sanitizeIfname } from '../topology/names.js';
import { ipBatch, run, tryRun } from './exec.js';

/** containerlab's OUI for generated MACs (constants.ClabOUI). */
const CLAB_OUI = 'aa:c1:ab';

/** A temporary name like containerlab's genRandomIfName(): `clab-` + 8 hex. */
export function randomIfname(): string {
  return 'clab-' + randomBytes(4).toString('hex');
}

/** A MAC in containerlab's OUI with random low bytes (utils.GenMac). */
export function clabMac(): string {
  return CLAB_OUI + ':' + [...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** How an end is named and marked once it sits in its namespace. */
export interface EndSetup {
  /** Interface name as written in the topology. */
  ifname: string;
  mac?: string | undefined;
  /** Extra altname (containerlab's ownership altname on node ends). */
  ownershipAltname?: string | undefined;
}

/** Creates a veth pair in the root netns, both ends at `mtu`. */
export async function addVethPair(a: string, b: string, mtu: number, endpoint: string): Promise<void> {
  await run('ip', ['link', 'add', a, 'mtu', String(mtu), 'type', 'veth', 'peer', 'name', b, 'mtu', String(mtu)], { endpoint });
}

/** Turns tx checksum offload off (utils.EthtoolTXOff: ETHTOOL_STXCSUM 0), in the root netns. */
export async function txChecksumOff(ifname: string, endpoint: string): Promise<void> {
  await run('ethtool', ['-K', ifname, 'tx', 'off'], { endpoint, hint: 'install ethtool' });
}

/** Moves a root-netns interface into the netns of `pid`. */
export async function moveToPid(ifname: string, pid: number, endpoint: string): Promise<void> {
  await run('ip', ['link', 'set', 'dev', ifname, 'netns', String(pid)], { endpoint });
}

/** links.SetNameMACAndUpInterface (+ the ownership altname): rename to the
 * topology name when Linux can take it, otherwise keep the temporary name and add
 * the sanitized name as altname; set the MAC; bring it up. Returns the kernel name. */
export async function nameAndUp(netns: string | undefined, current: string, setup: EndSetup, endpoint: string): Promise<string> {
  const lines: string[] = [];
  let name = current;
  if (isValidIfname(setup.ifname)) {
    lines.push(`link set dev ${current} name ${setup.ifname}`);
    name = setup.ifname;
  } else {
    lines.push(`link property add dev ${current} altname ${sanitizeIfname(setup.ifname)}`);
  }
  if (setup.mac) lines.push(`link set dev ${name} address ${setup.mac}`);
  if (setup.ownershipAltname) lines.push(`link property add dev ${name} altname ${setup.ownershipAltname}`);
  lines.push(`link set dev ${name} up`);
  await ipBatch(lines, { netns, endpoint });
  return name;
}

/** One interface as `ip -j -d link show` reports it. */
export interface LinkInfo {
  ifindex: number;
  ifname: string;
  mtu: number;
  address?: string;
  altnames?: string[];
  link_netnsid?: number;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> };
}

/** The interface named (or altnamed) `name`, or undefined when there is none. */
export async function linkInfo(name: string, netns?: string): Promise<LinkInfo | undefined> {
  try {
    const out = await run('ip', ['-j', '-d', 'link', 'show', 'dev', name], { netns });
    return (JSON.parse(out) as LinkInfo[])[0];
  } catch {
    return undefined;
  }
}

/** Deletes an interface; an interface already gone is not an error. */
export async function deleteLink(name: string, netns?: string): Promise<void> {
  await tryRun('ip', ['link', 'del', 'dev', name], { netns });
}

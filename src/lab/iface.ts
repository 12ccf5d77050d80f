/** Interface primitives of the test bed, each mirroring one step of
 * containerlab's link code (links/link_veth.go, links/link.go). Devices are
 * looked up through the addon (its LinkInfo; root netns only), changed with ip
 * and ethtool. */
import { randomBytes } from 'node:crypto';
import { isValidIfname, sanitizeIfname } from '../links/index.js';
import { native, type LinkInfo } from '../native/addon.js';
import { run } from './exec.js';

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

/** One end of a veth pair to create: its name, and the namespace it is created in (root when absent). */
export interface VethEnd {
  name: string;
  netns?: string | undefined;
}

/** Creates a veth pair, both ends at `mtu`, each end in its namespace (`netns`
 * names a namespace as `ip` takes it: a name under /run/netns or a pid). */
export async function addVethPair(a: VethEnd, b: VethEnd, mtu: number, endpoint?: string): Promise<void> {
  const where = (e: VethEnd) => (e.netns ? ['netns', e.netns] : []);
  // `peer name`, not `peer`: iproute2 would read a short name like "a" as a keyword.
  await run('ip', ['link', 'add', a.name, ...where(a), 'mtu', String(mtu), 'type', 'veth', 'peer', 'name', b.name, ...where(b), 'mtu', String(mtu)], {
    ...(endpoint ? { endpoint } : {}),
  });
}

/** Sets ethtool features (`-K`, e.g. `{ tx: 'off' }`) of a device (in `netns` when given). */
export async function ethtoolK(ifname: string, features: Record<string, 'on' | 'off'>, opts: { netns?: string; endpoint?: string } = {}): Promise<void> {
  await run('ethtool', ['-K', ifname, ...Object.entries(features).flat()], { ...opts, hint: 'install ethtool' });
}

/** Turns tx checksum offload off (utils.EthtoolTXOff: ETHTOOL_STXCSUM 0), as containerlab does on node interfaces. */
export async function txChecksumOff(ifname: string, opts: { netns?: string; endpoint?: string } = {}): Promise<void> {
  await ethtoolK(ifname, { tx: 'off' }, opts);
}

/** What `ethtool -K <dev> tx off` (containerlab's utils.EthtoolTXOff,
 * ETHTOOL_STXCSUM 0) turns off: every tx checksum feature. Set with the addon's
 * setFeatures, one call for many devices instead of an ethtool run each; the
 * kernel then drops what depends on them (TSO, USO) the same way, so `ethtool
 * -k` reads exactly as after ethtool's `tx off`. */
export const TX_CHECKSUM_OFF: Readonly<Record<string, boolean>> = {
  'tx-checksum-ipv4': false,
  'tx-checksum-ip-generic': false,
  'tx-checksum-ipv6': false,
  'tx-checksum-fcoe-crc': false,
  'tx-checksum-sctp': false,
};

/** links.SetNameMACAndUpInterface (+ the ownership altname) as `ip -batch`
 * lines: rename to the topology name when Linux can take it, otherwise keep
 * the temporary name and add the sanitized name as altname; set the MAC; bring
 * it up. Also returns the kernel name it ends up with. */
export function nameAndUpLines(current: string, setup: EndSetup): { name: string; lines: string[] } {
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
  return { name, lines };
}

/** A root-netns interface by name or altname, or undefined when there is none. */
export async function rootLink(name: string): Promise<LinkInfo | undefined> {
  return (await native.getLink(null, name).catch(() => null)) ?? undefined;
}

/** A root-netns vxlan device's VNI and remote (the addon's LinkInfo does not
 * carry them), or undefined when `name` is not a vxlan device. */
export async function vxlanParams(name: string): Promise<{ ifname: string; vni: unknown; remote: unknown } | undefined> {
  const r = await run('ip', ['-j', '-d', 'link', 'show', 'dev', name], { allowFail: true });
  if (r.code !== 0) return undefined;
  const [l] = JSON.parse(r.stdout) as { ifname: string; linkinfo?: { info_kind?: string; info_data?: { id?: unknown; remote?: unknown } } }[];
  if (l?.linkinfo?.info_kind !== 'vxlan') return undefined;
  return { ifname: l.ifname, vni: l.linkinfo.info_data?.id, remote: l.linkinfo.info_data?.remote };
}

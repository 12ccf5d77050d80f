/** The device operations the link types' deploy halves are written against
 * (src/links/plumbing.ts), done the way containerlab v0.79 does them: ip,
 * ethtool and tc in the root netns, lookups through the addon. */
import { XconnectError } from '../errors.js';
import { epName, ownershipAltname, type Plumbing, type VxlanDevice } from '../links/index.js';
import type { Endpoint } from '../links/model.js';
import { run } from './exec.js';
import { addVethPair, clabMac, deleteLink, moveToPid, nameAndUp, randomIfname, rootLink, txChecksumOff, vxlanParams } from './iface.js';
import { stitchBothWays } from './stitch.js';

export const plumbing: Plumbing = {
  async vethPair(mtu, forEp) {
    const [a, b] = [randomIfname(), randomIfname()];
    await addVethPair({ name: a }, { name: b }, mtu, epName(forEp));
    return [a, b];
  },

  /** deployAEnd: tx checksum offload off (in the root netns, before the move),
   * into the node, renamed, ownership altname, MAC, up. */
  async plantNodeEnd(current, node, ep) {
    await txChecksumOff(current, { endpoint: epName(ep) });
    await moveToPid(current, node.pid, epName(ep));
    return nameAndUp(node.netns, current, { ifname: ep.iface, mac: ep.mac ?? clabMac(), ownershipAltname: ownershipAltname(ep.node, ep.iface) }, epName(ep));
  },

  async plantRootEnd(current, ifname, forEp, randomMac) {
    await txChecksumOff(current, { endpoint: epName(forEp) });
    return nameAndUp(undefined, current, { ifname, mac: randomMac ? clabMac() : undefined }, epName(forEp));
  },

  addVxlan,

  async link(name) {
    const l = await rootLink(name);
    return l ? { kind: l.kind, altnames: l.altnames } : null;
  },

  async addAltname(dev, altname, forEp) {
    await run('ip', ['link', 'property', 'add', 'dev', dev, 'altname', altname], { endpoint: epName(forEp) });
  },

  stitch: (a, b, what, fresh) => stitchBothWays(a, b, { endpoint: what, fresh }),

  deleteLink: (name) => deleteLink(name),

  async deleteVeth(name) {
    const l = await rootLink(name);
    if (l?.kind === 'veth') await deleteLink(l.name);
  },

  async deleteVxlan(name, vni, remote) {
    const v = await vxlanParams(name);
    if (v && v.vni === vni && v.remote === remote) await deleteLink(v.ifname);
  },
};

/** The vxlan device as LinkVxlan.deployVxlanInterface makes it: parent =
 * `parent-interface` or the device of the route to `remote`, learning on (kernel
 * default), txqueuelen 1000, the endpoint's `mac` (or a generated one), MTU = link
 * MTU. `src-port` is not applied (not in the containerlab code read). */
async function addVxlan(ifname: string, v: VxlanDevice, forEp: Endpoint): Promise<string> {
  const ep = epName(forEp);
  const parent = v.parent || (await routeDev(v.remote, ep));
  const tmp = randomIfname();
  await run('ip', ['link', 'add', tmp, 'address', v.mac ?? clabMac(), 'mtu', String(v.mtu), 'txqueuelen', '1000',
    'type', 'vxlan', 'id', String(v.vni), 'remote', v.remote, 'dev', parent, 'dstport', String(v.dstPort)],
  { endpoint: ep, hint: `the vxlan MTU must fit the MTU of ${parent} minus 50` });
  try {
    return await nameAndUp(undefined, tmp, { ifname }, ep);
  } catch (e) {
    await deleteLink(tmp);
    throw e;
  }
}

/** The device of the route to `remote` (containerlab's default parent interface). */
async function routeDev(remote: string, ep: string): Promise<string> {
  const out = await run('ip', ['-j', 'route', 'get', remote], { endpoint: ep, code: 'RUNTIME', hint: `no route to vxlan remote ${remote}` });
  const dev = (JSON.parse(out.stdout) as Array<{ dev?: string }>)[0]?.dev;
  if (!dev) throw new XconnectError('RUNTIME', `${ep}: no route to vxlan remote ${remote}`, { endpoint: ep });
  return dev;
}

/** A "remote host" for vxlan-stitch tests: a network namespace holding the far VTEP,
 * reached from the root netns over a veth. Addresses only from 198.18.0.0/15. */
import { randomInt } from 'node:crypto';
import { delNetns, run } from '../../src/lab/index.js';

export interface RemoteVtep {
  /** netns name (`/run/netns/<name>`). */
  name: string;
  netns: string;
  /** Underlay: root-netns side (the local VTEP's source) and the remote side (the `remote:` of the link). */
  hostIp: string;
  remoteIp: string;
  /** Root-netns end of the underlay veth. */
  hostIfname: string;
  /** Overlay address on the remote vxlan device (/24), and a free one for the node side. */
  overlayIp: string;
  nodeOverlayIp: string;
  destroy(): Promise<void>;
}

export interface RemoteVtepOptions {
  /** Short unique name (<= 12 chars): netns `<name>`, root veth `<name>-u`. */
  name: string;
  vni: number;
  dstPort?: number;
  /** Underlay MTU; default 9600 so a vxlan device at containerlab's 9500 fits. */
  underlayMtu?: number;
}

async function sh(args: string[], netns?: string): Promise<void> {
  await run(args[0]!, args.slice(1), { netns });
}

/** Creates the netns, its underlay veth and the remote VTEP (vxlan `vx0` with an overlay address). */
export async function createRemoteVtep(opts: RemoteVtepOptions): Promise<RemoteVtep> {
  const { name, vni } = opts;
  const port = opts.dstPort ?? 14789;
  const mtu = opts.underlayMtu ?? 9600;
  const o3 = randomInt(0, 256);
  const o4 = randomInt(0, 64) * 4;
  const hostIp = `198.18.${o3}.${o4 + 1}`;
  const remoteIp = `198.18.${o3}.${o4 + 2}`;
  const ov = randomInt(0, 256);
  const overlayIp = `198.19.${ov}.2`;
  const nodeOverlayIp = `198.19.${ov}.1`;
  const hostIfname = `${name}-u`;
  const netns = `/run/netns/${name}`;
  const destroy = async () => {
    await delNetns(name);
    await run('ip', ['link', 'del', 'dev', hostIfname], { allowFail: true });
  };
  try {
    await sh(['ip', 'netns', 'add', name]);
    await sh(['ip', 'link', 'add', hostIfname, 'mtu', String(mtu), 'type', 'veth', 'peer', 'name', `${name}-r`, 'mtu', String(mtu)]);
    await sh(['ip', 'link', 'set', 'dev', `${name}-r`, 'netns', name]);
    await sh(['ip', 'addr', 'add', `${hostIp}/30`, 'dev', hostIfname]);
    await sh(['ip', 'link', 'set', 'dev', hostIfname, 'up']);
    await sh(['ip', 'link', 'set', 'dev', 'lo', 'up'], netns);
    await sh(['ip', 'link', 'set', 'dev', `${name}-r`, 'name', 'uplink'], netns);
    await sh(['ip', 'addr', 'add', `${remoteIp}/30`, 'dev', 'uplink'], netns);
    await sh(['ip', 'link', 'set', 'dev', 'uplink', 'up'], netns);
    await sh(['ip', 'link', 'add', 'vx0', 'type', 'vxlan', 'id', String(vni), 'remote', hostIp, 'local', remoteIp, 'dev', 'uplink', 'dstport', String(port)], netns);
    await sh(['ip', 'addr', 'add', `${overlayIp}/24`, 'dev', 'vx0'], netns);
    await sh(['ip', 'link', 'set', 'dev', 'vx0', 'up'], netns);
  } catch (e) {
    await destroy();
    throw e;
  }
  return { name, netns, hostIp, remoteIp, hostIfname, overlayIp, nodeOverlayIp, destroy };
}

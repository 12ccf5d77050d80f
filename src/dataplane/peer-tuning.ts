/** Applies the engine policy's offload settings to node-side interfaces and
 * says exactly what it changed, so `apply` can report it. One kernel job per
 * namespace to read, one more only where something must change, at most
 * KERNEL_JOBS at a time (a lab of 500 nodes must not start 500 threads).
 * Before it changes a namespace it checks that the node still owns it: a
 * setting written into the namespace of a node that has since restarted would
 * be reported done and be lost. */
import { XconnectError } from '../errors.js';
import { native } from '../native/addon.js';
import type { Netns } from '../native/netns.js';
import { KERNEL_JOBS, mapLimit } from '../util/pool.js';

/** An interface inside a node, as a snapshot of the node's netns saw it. */
export interface NodeIface {
  netns: Netns;
  ifindex: number;
  /** For messages. */
  ifname: string;
}

export interface FeatureChange extends NodeIface {
  feature: string;
  from: boolean;
  to: boolean;
}

export interface PeerWant extends NodeIface {
  want: Record<string, boolean>;
}

function byNetns<T extends NodeIface>(items: T[]): Map<Netns, T[]> {
  const out = new Map<Netns, T[]>();
  for (const i of items) out.set(i.netns, [...(out.get(i.netns) ?? []), i]);
  return out;
}

/** What must change on each interface for `peers` to hold, read from the
 * kernel. A wanted feature the device does not report is an error: the engine
 * that needs it would drop frames silently. */
export async function planPeerChanges(peers: PeerWant[]): Promise<FeatureChange[]> {
  const out = await mapLimit([...byNetns(peers)], KERNEL_JOBS, async ([netns, list]) => {
    const before = await native.getFeatures(netns.handle, list.map((p) => p.ifindex));
    return list.flatMap((p, k) =>
      Object.entries(p.want).flatMap(([feature, on]) => {
        const cur = before[k]![feature];
        const where = { netns: netns.path, endpoint: p.ifname, hint: 'use the tc engine for this link (label xconnect.clab/mode: tc)' };
        if (!cur)
          throw new XconnectError('RUNTIME', `interface ${p.ifname} in netns ${netns.path} has no offload feature ${feature}, which its wire's XDP engine needs`, where);
        if (cur.active === on) return [];
        if (!cur.changeable)
          throw new XconnectError('RUNTIME', `interface ${p.ifname} in netns ${netns.path}: ${feature} is fixed ${cur.active ? 'on' : 'off'}, and its wire's XDP engine needs it ${on ? 'on' : 'off'}`, where);
        return [{ netns, ifindex: p.ifindex, ifname: p.ifname, feature, from: cur.active, to: on }];
      }),
    );
  });
  return out.flat();
}

/** Makes the changes planned by planPeerChanges, one kernel job per namespace. */
export async function applyPeerChanges(changes: FeatureChange[]): Promise<void> {
  await mapLimit([...byNetns(changes)], KERNEL_JOBS, async ([netns, list]) => {
    const want = new Map<number, Record<string, boolean>>();
    for (const c of list) want.set(c.ifindex, { ...want.get(c.ifindex), [c.feature]: c.to });
    await netns.assertAt(`interface ${list[0]!.ifname}`);
    await native.setFeatures(netns.handle, [...want].map(([ifindex, w]) => ({ ifindex, want: w })));
  });
}

/** Sets `want` on each interface; returns the changes made (empty when
 * everything already matched). */
export async function tunePeers(peers: PeerWant[]): Promise<FeatureChange[]> {
  const changes = await planPeerChanges(peers);
  await applyPeerChanges(changes);
  return changes;
}

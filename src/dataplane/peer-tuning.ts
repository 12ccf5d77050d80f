/** Applies the engine policy's offload settings to node-side interfaces and
 * says exactly what it changed, so `apply` can report it. One kernel job per
 * namespace to read, one more only where something must change, at most
 * KERNEL_JOBS at a time (a lab of 500 nodes must not start 500 threads). */
import { XconnectError } from '../errors.js';
import { native } from '../native/addon.js';
import { KERNEL_JOBS, mapLimit } from '../util/pool.js';

export interface FeatureChange {
  netns: string;
  ifname: string;
  feature: string;
  from: boolean;
  to: boolean;
}

export interface PeerWant {
  netns: string;
  ifname: string;
  want: Record<string, boolean>;
}

/** What must change on each interface for `peers` to hold, read from the
 * kernel. A wanted feature the device does not report is an error: the engine
 * that needs it would drop frames silently. */
export async function planPeerChanges(peers: PeerWant[]): Promise<FeatureChange[]> {
  const byNetns = new Map<string, PeerWant[]>();
  for (const p of peers) byNetns.set(p.netns, [...(byNetns.get(p.netns) ?? []), p]);
  const out = await mapLimit([...byNetns], KERNEL_JOBS, async ([netns, list]) => {
    const before = await native.getFeatures(netns, list.map((p) => p.ifname));
    return list.flatMap((p, k) =>
      Object.entries(p.want).flatMap(([feature, on]) => {
        const cur = before[k]![feature];
        if (!cur)
          throw new XconnectError('RUNTIME', `interface ${p.ifname} in netns ${netns} has no offload feature ${feature}, which its wire's XDP engine needs`, {
            netns,
            endpoint: p.ifname,
            hint: "use the tc engine for this link (label xconnect.clab/mode: tc)",
          });
        if (cur.active === on) return [];
        if (!cur.changeable)
          throw new XconnectError('RUNTIME', `interface ${p.ifname} in netns ${netns}: ${feature} is fixed ${cur.active ? 'on' : 'off'}, and its wire's XDP engine needs it ${on ? 'on' : 'off'}`, {
            netns,
            endpoint: p.ifname,
            hint: "use the tc engine for this link (label xconnect.clab/mode: tc)",
          });
        return [{ netns, ifname: p.ifname, feature, from: cur.active, to: on }];
      }),
    );
  });
  return out.flat();
}

/** Makes the changes planned by planPeerChanges, one kernel job per namespace. */
export async function applyPeerChanges(changes: FeatureChange[]): Promise<void> {
  const byNetns = new Map<string, Map<string, Record<string, boolean>>>();
  for (const c of changes) {
    const ifs = byNetns.get(c.netns) ?? new Map<string, Record<string, boolean>>();
    ifs.set(c.ifname, { ...ifs.get(c.ifname), [c.feature]: c.to });
    byNetns.set(c.netns, ifs);
  }
  await mapLimit([...byNetns], KERNEL_JOBS, ([netns, ifs]) => native.setFeatures(netns, [...ifs].map(([ifname, want]) => ({ ifname, want }))));
}

/** Sets `want` on each interface; returns the changes made (empty when
 * everything already matched). */
export async function tunePeers(peers: PeerWant[]): Promise<FeatureChange[]> {
  const changes = await planPeerChanges(peers);
  await applyPeerChanges(changes);
  return changes;
}

/** One interface; see tunePeers. */
export async function tunePeer(netns: string, ifname: string, want: Record<string, boolean>): Promise<FeatureChange[]> {
  return tunePeers([{ netns, ifname, want }]);
}

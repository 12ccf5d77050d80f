/** Applies the mode policy's offload settings to node-side interfaces and
 * says exactly what it changed, so `apply` can report it. One kernel job per
 * namespace to read, one more only where something must change. */
import { native } from '../native/addon.js';

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

/** Sets `want` on each interface; features a device lacks are skipped.
 * Returns the changes made (empty when everything already matched). */
export async function tunePeers(peers: PeerWant[]): Promise<FeatureChange[]> {
  const byNetns = new Map<string, PeerWant[]>();
  for (const p of peers) byNetns.set(p.netns, [...(byNetns.get(p.netns) ?? []), p]);
  const changes: FeatureChange[] = [];
  await Promise.all(
    [...byNetns].map(async ([netns, list]) => {
      const before = await native.getFeatures(netns, list.map((p) => p.ifname));
      const todo = list
        .map((p, k) => {
          const delta: Record<string, boolean> = {};
          for (const [feature, on] of Object.entries(p.want)) {
            const cur = before[k]![feature];
            if (cur && cur.active !== on) delta[feature] = on;
          }
          return { ifname: p.ifname, want: delta };
        })
        .filter((t) => Object.keys(t.want).length > 0);
      if (todo.length === 0) return;
      await native.setFeatures(netns, todo);
      for (const t of todo)
        for (const [feature, to] of Object.entries(t.want)) changes.push({ netns, ifname: t.ifname, feature, from: !to, to });
    }),
  );
  return changes;
}

/** One interface; see tunePeers. */
export async function tunePeer(netns: string, ifname: string, want: Record<string, boolean>): Promise<FeatureChange[]> {
  return tunePeers([{ netns, ifname, want }]);
}

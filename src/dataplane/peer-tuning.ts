/** Applies the mode policy's offload settings to a node-side interface and
 * says exactly what it changed, so `apply` can report it. */
import { native } from '../native/addon.js';

export interface FeatureChange {
  netns: string;
  ifname: string;
  feature: string;
  from: boolean;
  to: boolean;
}

/** Sets `want` on `ifname` in `netns`; features the device lacks are skipped.
 * Returns the changes made (empty when it already matched). */
export async function tunePeer(netns: string, ifname: string, want: Record<string, boolean>): Promise<FeatureChange[]> {
  const before = await native.getFeatures(netns, ifname);
  const delta: Record<string, boolean> = {};
  for (const [feature, on] of Object.entries(want)) {
    const cur = before[feature];
    if (cur && cur.active !== on) delta[feature] = on;
  }
  if (Object.keys(delta).length === 0) return [];
  await native.setFeatures(netns, ifname, delta);
  return Object.entries(delta).map(([feature, to]) => ({ netns, ifname, feature, from: !to, to }));
}

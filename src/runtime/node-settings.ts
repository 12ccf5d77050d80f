/** The settings inside nodes that an XDP engine needs, changed where they
 * differ (and recorded first, so destroy can put them back), and put back as
 * soon as no wire needs them any more. The tc engine needs none. */
import { nodeSettings } from '../dataplane/engine-policy.js';
import { applyPeerChanges, planPeerChanges, type FeatureChange, type PeerWant } from '../dataplane/peer-tuning.js';
import { dropOriginalsOf, readOriginals, recordOriginals } from './peer-state.js';
import type { WireStep } from './reconcile.js';
import { facts, type NodeView } from './resolve.js';

export interface PeerChangeReport {
  endpoint: string;
  /** The node's netns, by the path it was found at. */
  netns: string;
  interface: string;
  feature: string;
  from: boolean;
  to: boolean;
}

export interface NodeSettingWant extends PeerWant {
  endpoint: string;
}

/** Node settings each wanted wire's engines need (the XDP engines only). */
export function wantedNodeSettings(steps: WireStep[]): NodeSettingWant[] {
  return steps.flatMap((s) =>
    (['a', 'b'] as const).flatMap((side) => {
      const port = s.wire[side];
      const partner = s.wire[side === 'a' ? 'b' : 'a'];
      return nodeSettings(s.wire.engines[side].engine, facts(port), facts(partner)).map((n) => ({
        ...n.peer,
        want: n.want,
        endpoint: (n.peer === port.peer ? port.endpoint : partner.endpoint) ?? n.peer.ifname,
      }));
    }),
  );
}

function toReport(c: FeatureChange, endpoint: string): PeerChangeReport {
  return { endpoint, netns: c.netns.path, interface: c.ifname, feature: c.feature, from: c.from, to: c.to };
}

/** Makes the node settings in `wants` hold; records each original value
 * before it changes. Returns what changed. */
export async function tuneNodes(lab: string, wants: NodeSettingWant[]): Promise<PeerChangeReport[]> {
  const endpointOf = new Map(wants.map((p) => [`${p.netns.path}\0${p.ifindex}`, p.endpoint]));
  const changes = await planPeerChanges(wants);
  const reports = changes.map((c) => toReport(c, endpointOf.get(`${c.netns.path}\0${c.ifindex}`)!));
  await recordOriginals(lab, reports);
  await applyPeerChanges(changes);
  return reports;
}

/** Puts back recorded node settings that no wanted wire needs, on nodes that run. */
export async function restoreUnneeded(lab: string, wants: NodeSettingWant[], views: Map<string, NodeView>): Promise<PeerChangeReport[]> {
  const needed = new Set(wants.flatMap((p) => Object.keys(p.want).map((f) => `${p.endpoint}\0${f}`)));
  const originals = await readOriginals(lab);
  const out: PeerChangeReport[] = [];
  for (const [endpoint, features] of Object.entries(originals)) {
    const i = endpoint.indexOf(':');
    const view = views.get(endpoint.slice(0, i));
    const link = view?.links.find(endpoint.slice(i + 1));
    if (!view || !link) continue;
    const want = Object.fromEntries(Object.entries(features).filter(([f]) => !needed.has(`${endpoint}\0${f}`)));
    if (Object.keys(want).length === 0) continue;
    const plan = await planPeerChanges([{ netns: view.runtime.netns, ifindex: link.ifindex, ifname: link.name, want }]);
    await applyPeerChanges(plan);
    out.push(...plan.map((c) => toReport(c, endpoint)));
    await dropOriginalsOf(lab, endpoint, Object.keys(want));
  }
  return out;
}

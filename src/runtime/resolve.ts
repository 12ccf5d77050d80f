/** Plan -> runtime: finds each planned port in the host netns, checks that
 * its veth peer is the node interface the plan expects, and decides the
 * engine of each direction. Collects every problem before failing, so one run tells the
 * user all that is wrong. Reads only; changes nothing. */
import { native, type LinkInfo, type XdpFeatures } from '../native/addon.js';
import { nsHandle, type Netns } from '../native/netns.js';
import { chooseEngine, type EngineDecision, type PortFacts } from '../dataplane/engine-policy.js';
import type { NodeIface } from '../dataplane/peer-tuning.js';
import { XconnectError, type ErrorCode } from '../errors.js';
import type { PortPlan, WirePlan } from '../plan/types.js';
import { sanitizeIfname } from '../topology/names.js';
import { settleAll } from '../util/pool.js';
import type { NodeRuntime } from './nodes.js';

export interface ResolvedPort {
  plan: PortPlan;
  /** Kernel name in the host netns. */
  ifname: string;
  ifindex: number;
  kind: string;
  /** `node:iface` behind the port, when it has one. */
  endpoint: string | null;
  /** The node interface behind the port (the veth peer), to tune it. */
  peer: NodeIface | null;
  /** The node interface's MAC (for the tc engine's bpf_redirect_peer). */
  peerMac: string | null;
  /** XDP features of the port's driver, read for NICs only (null otherwise). */
  xdp: XdpFeatures | null;
  link: LinkInfo;
}

export interface ResolvedWire {
  plan: WirePlan;
  a: ResolvedPort;
  b: ResolvedPort;
  /** The engine of each direction, named by the port the frames enter. */
  engines: { a: EngineDecision; b: EngineDecision };
}

/** Interfaces of one netns by name and by altname: one netlink dump, the
 * snapshot a run decides and acts on. */
export class LinkIndex {
  readonly byName = new Map<string, LinkInfo>();
  readonly byIndex = new Map<number, LinkInfo>();
  constructor(links: LinkInfo[]) {
    for (const l of links) {
      this.byIndex.set(l.ifindex, l);
      this.byName.set(l.name, l);
      for (const alt of l.altnames) if (!this.byName.has(alt)) this.byName.set(alt, l);
    }
  }
  static async of(netns: Netns | null): Promise<LinkIndex> {
    return new LinkIndex(await native.listLinks(nsHandle(netns)));
  }
  find(name: string): LinkInfo | undefined {
    return this.byName.get(name) ?? this.byName.get(sanitizeIfname(name));
  }
  /** A planned port's device: by its name, else by its altname. */
  port(p: Pick<PortPlan, 'ifname' | 'altname'>): LinkInfo | undefined {
    return this.find(p.ifname) ?? (p.altname ? this.find(p.altname) : undefined);
  }
}

export interface NodeView {
  runtime: NodeRuntime;
  links: LinkIndex;
  /** The id under which the host netns knows this node's netns. */
  nsid: number | null;
}

/** Reads the nodes' interfaces (one kernel job for all) and their netns ids,
 * those once the host's links are listed (`hostListed`): that dump makes the
 * kernel assign ids to the namespaces of the host's veth peers. */
export async function viewNodes(runtimes: NodeRuntime[], hostListed: Promise<unknown>): Promise<NodeView[]> {
  if (runtimes.length === 0) return [];
  const handles = runtimes.map((r) => r.netns.handle);
  const [links, nsids] = await settleAll([native.listLinksIn(handles), hostListed.then(() => native.netnsIds(null, handles))] as const);
  return runtimes.map((runtime, i) => ({ runtime, links: new LinkIndex(links[i]!), nsid: nsids[i] ?? null }));
}

function endpointOf(p: PortPlan): string | null {
  return p.node ? `${p.node.name}:${p.node.iface}` : null;
}

/** Resolves one port, or returns why it cannot be used. */
export function resolvePort(p: PortPlan, host: LinkIndex, nodes: Map<string, NodeView>): ResolvedPort | string {
  const endpoint = endpointOf(p);
  const label = endpoint ? `${p.ifname} (${endpoint})` : p.ifname;
  const link = host.port(p);
  if (!link) return `port ${label} does not exist in the host netns`;
  let peer: ResolvedPort['peer'] = null;
  let peerMac: string | null = null;
  if (p.node) {
    const view = nodes.get(p.node.name);
    if (!view) return `port ${label}: node ${p.node.name} is not available`;
    if (link.kind !== 'veth') return `port ${label} is a ${link.kind || 'plain'} device, expected the veth peer of ${endpoint}`;
    const want = view.links.find(p.node.iface);
    if (!want) return `interface ${endpoint} does not exist in node ${p.node.name}'s netns ${view.runtime.netns.path}`;
    const samePeer = link.peerIfindex === want.ifindex && link.peerNetnsId !== null && link.peerNetnsId === view.nsid;
    if (!samePeer)
      return `port ${label} is not the veth peer of ${endpoint} (its peer is ifindex ${link.peerIfindex} in netns id ${link.peerNetnsId}; ${endpoint} is ifindex ${want.ifindex} in netns id ${view.nsid})`;
    peer = { netns: view.runtime.netns, ifindex: want.ifindex, ifname: want.name };
    peerMac = want.mac || null;
  }
  return { plan: p, ifname: link.name, ifindex: link.ifindex, kind: link.kind, endpoint, peer, peerMac, xdp: null, link };
}

/** What a direction's impairments need that only the tc engine does. */
function tcOnly(i: WirePlan['options']['impair']['a']): string | undefined {
  if (i.duplicate > 0) return 'duplicate';
  if (i.delayUs > 0) return 'delay';
  return undefined;
}

export function facts(p: ResolvedPort): PortFacts {
  return { ifname: p.ifname, kind: p.kind, peer: p.peer, xdp: p.xdp };
}

/** Reads the XDP features of ports that are NICs (the engine policy's one
 * question about a driver); other ports never run native XDP by default. */
export async function readXdpFeatures(wires: WirePlan[], host: LinkIndex): Promise<Map<number, XdpFeatures | null>> {
  const nics = [...new Set(wires.flatMap((w) => [w.a, w.b]).map((p) => host.port(p)))]
    .filter((l): l is LinkInfo => !!l && l.kind === '');
  const out = new Map<number, XdpFeatures | null>();
  if (nics.length === 0) return out;
  const feats = await native.xdpFeatures(null, nics.map((l) => l.ifindex));
  nics.forEach((l, k) => out.set(l.ifindex, feats[k] ?? null));
  return out;
}

/** Resolves wires; returns the good ones and one problem line per bad port. */
export function resolveWires(
  wires: WirePlan[],
  host: LinkIndex,
  nodes: Map<string, NodeView>,
  xdp: Map<number, XdpFeatures | null> = new Map(),
  /** The topology file, so each problem names where its link is written. */
  file?: string,
): { wires: ResolvedWire[]; problems: string[] } {
  const out: ResolvedWire[] = [];
  const problems: string[] = [];
  const withXdp = (r: ResolvedPort | string) => (typeof r === 'string' ? r : { ...r, xdp: xdp.get(r.ifindex) ?? null });
  for (const w of wires) {
    const wire = `wire ${w.id}${file && w.line ? ` (${file}:${w.line})` : ''}`;
    const a = withXdp(resolvePort(w.a, host, nodes));
    const b = withXdp(resolvePort(w.b, host, nodes));
    if (typeof a === 'string') problems.push(`${wire}: ${a}`);
    if (typeof b === 'string') problems.push(`${wire}: ${b}`);
    if (typeof a === 'string' || typeof b === 'string') continue;
    if (a.link.mtu !== b.link.mtu) {
      // containerlab gives both ends of a link the link's MTU: a difference
      // means frames above the smaller one would vanish inside the wire.
      const label = (p: ResolvedPort) => `${p.ifname}${p.endpoint ? ` (${p.endpoint})` : ''}`;
      problems.push(
        `${wire}: its ports have different MTUs, ${label(a)} ${a.link.mtu} and ${label(b)} ${b.link.mtu}; frames above ${Math.min(a.link.mtu, b.link.mtu)} bytes would be dropped - set one mtu on the link (or on both ports)`,
      );
      continue;
    }
    try {
      const engines = {
        a: chooseEngine(w.options.mode, facts(a), facts(b), tcOnly(w.options.impair.a)),
        b: chooseEngine(w.options.mode, facts(b), facts(a), tcOnly(w.options.impair.b)),
      };
      out.push({ plan: w, a, b, engines });
    } catch (e) {
      problems.push(`${wire}: ${(e as Error).message}`);
    }
  }
  return { wires: out, problems };
}

export function problemsError(problems: string[], hint = 'nothing was changed', code: ErrorCode = 'RUNTIME'): XconnectError {
  const head = problems.length === 1 ? problems[0]! : `${problems.length} problems:\n  - ${problems.join('\n  - ')}`;
  return new XconnectError(code, head, { hint });
}

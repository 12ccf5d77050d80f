/** The offline planner: which links of a topology become XDP wires, between which
 * root-netns interfaces. Pure: a Topology in, a Plan out. */
import { XconnectError } from '../errors.js';
import type { Endpoint, HostLink, Link, Topology, VethLink, VxlanLink } from '../topology/model.js';
import { isValidIfname, sanitizeIfname, stitchIfname, vxlanStitchIfnames } from '../topology/names.js';
import { formatPath } from '../topology/source.js';
import { ROOT_NETNS_KINDS } from '../topology/verify.js';
import { NO_IMPAIRMENT } from '../dataplane/layout.js';
import { impairmentProblem } from './impairment-spec.js';
import { LABELS, type ImpairmentLabel, type LinkLabelOptions, parseLinkLabels } from './labels.js';
import type { Plan, PortPlan, SkippedLink, WireOptions, WirePlan } from './types.js';

export const DEFAULT_OPTIONS: Readonly<Pick<WireOptions, 'admin' | 'mode'>> = { admin: 'up', mode: 'auto' };

/** The options of a wire no label speaks about. */
export function defaultOptions(): WireOptions {
  return { ...DEFAULT_OPTIONS, impair: { a: { ...NO_IMPAIRMENT }, b: { ...NO_IMPAIRMENT } } };
}

/** The names the two directions of a wire go by in `@` labels and on the
 * command line: the endpoint whose frames they are. */
export interface DirectionNames {
  a: string[];
  b: string[];
}

export interface PlanOptions {
  /** File name used in error messages (default: topology.file). */
  displayFile?: string;
}

const epText = (e: Endpoint): string => `${e.node}:${e.iface}`;

/** Stable wire id from two endpoint strings: sorted, joined by `--`. */
export function wireId(a: string, b: string): string {
  return [a, b].sort().join('--');
}

/** A root-netns port by the name containerlab gives it. A name Linux cannot take
 * (over 15 chars, `/`, space) is never set by containerlab: the device keeps a random
 * kernel name and carries the sanitized name as altname. Such ports have `altname` set
 * and `ifname` equal to it: resolve them by altname at run time. */
export function rootPort(name: string, device: PortPlan['device'], node?: Endpoint): PortPlan {
  const port: PortPlan = isValidIfname(name) ? { ifname: name, device } : { ifname: sanitizeIfname(name), altname: sanitizeIfname(name), device };
  if (node) port.node = { name: node.node, iface: node.iface };
  return port;
}

function skippedEndpoints(link: Link): string[] {
  switch (link.type) {
    case 'veth':
    case 'veth-stitch':
      return link.endpoints.map(epText);
    case 'host':
    case 'mgmt-net':
    case 'macvlan':
      return [epText(link.endpoint), `${link.type}:${link.hostInterface}`];
    case 'vxlan':
    case 'vxlan-stitch':
      return [epText(link.endpoint), `vxlan:${link.vni}@${link.remote}`];
    case 'dummy':
      return [epText(link.endpoint)];
  }
}

function unwireableReason(link: Link): string {
  switch (link.type) {
    case 'host':
      return `host link: its root-netns end ${link.hostInterface} has no peer; pair it with another host link by giving both the label ${LABELS.pair}: <name>`;
    case 'mgmt-net':
      return 'mgmt-net link: its root-netns end is a port of the management bridge, not a point-to-point wire';
    case 'macvlan':
      return `macvlan link: the node interface is a macvlan on ${link.hostInterface}; there is no veth end to cross-connect`;
    case 'vxlan':
      return 'vxlan link: the vxlan device lives in the node netns; use type: vxlan-stitch for root-netns devices xconnect can wire';
    case 'dummy':
      return 'dummy link: a single interface with no peer';
    default:
      return `${link.type} link is not wireable`;
  }
}

class Planner {
  readonly wires: WirePlan[] = [];
  readonly skipped: SkippedLink[] = [];
  private readonly kinds: Map<string, string>;

  constructor(
    private readonly topo: Topology,
    private readonly file: string,
  ) {
    this.kinds = new Map(topo.nodes.map((n) => [n.name, n.kind]));
  }

  private labelError(link: Link, key: string, message: string, hint: string): never {
    throw new XconnectError('PLAN', message, {
      file: this.file,
      line: link.labelLines?.[key] ?? (link.line || undefined),
      path: formatPath(['topology', 'links', link.index, 'labels', key]),
      value: link.labels[key],
      hint,
    });
  }

  /** Options on a link xconnect does not carry would silently do nothing: refuse them. */
  private rejectOptions(link: Link, opts: LinkLabelOptions, why: string): void {
    const keys = [...(['admin', 'mode'] as const).filter((k) => opts[k] !== undefined).map((k) => LABELS[k]), ...(opts.impair ?? []).map((l) => l.key)];
    for (const key of keys)
      this.labelError(link, key, `label ${key} has no effect: ${why}`, 'remove the label, or change the link type so xconnect carries it');
  }

  private skip(link: Link, status: SkippedLink['status'], reason: string): void {
    this.skipped.push({ endpoints: skippedEndpoints(link), type: link.type, line: link.line || undefined, status, reason });
  }

  /** The wire's options; impairment labels go to the direction they name.
   * `labels` pairs each impairment label with the link it was written on. */
  private options(opts: LinkLabelOptions, names: DirectionNames, labels: { link: Link; label: ImpairmentLabel }[]): WireOptions {
    const impair = { a: { ...NO_IMPAIRMENT }, b: { ...NO_IMPAIRMENT } };
    for (const { link, label } of labels) {
      const sides = label.direction === 'both' ? (['a', 'b'] as const) : (['a', 'b'] as const).filter((s) => names[s].includes(label.direction));
      if (sides.length === 0)
        this.labelError(link, label.key, `label ${label.key} names ${label.direction}, which is not an end of this wire`, `write @${names.a[0]} or @${names.b[0]}, or leave out the @ part for both directions`);
      for (const side of sides) Object.assign(impair[side], label.field);
    }
    for (const side of ['a', 'b'] as const) {
      const problem = impairmentProblem(impair[side]);
      const at = labels.at(-1);
      if (problem && at) this.labelError(at.link, at.label.key, `impairment labels of the direction from ${names[side][0]}: ${problem}`, 'set the missing label too');
    }
    return { admin: opts.admin ?? DEFAULT_OPTIONS.admin, mode: opts.mode ?? DEFAULT_OPTIONS.mode, impair };
  }

  private vethStitch(link: VethLink, opts: LinkLabelOptions): void {
    const [a, b] = link.endpoints;
    const lab = this.topo.name;
    this.wires.push({
      id: wireId(epText(a), epText(b)),
      kind: 'veth-stitch',
      a: rootPort(stitchIfname(lab, a.node, a.iface), 'veth', a),
      b: rootPort(stitchIfname(lab, b.node, b.iface), 'veth', b),
      options: this.options(opts, { a: [epText(a)], b: [epText(b)] }, (opts.impair ?? []).map((label) => ({ link, label }))),
      line: link.line || undefined,
    });
  }

  private vxlanStitch(link: VxlanLink, opts: LinkLabelOptions): void {
    const names = vxlanStitchIfnames(link.endpoint.node, link.endpoint.iface);
    const remote = `vxlan:${link.vni}@${link.remote}`;
    this.wires.push({
      id: `${epText(link.endpoint)}--${remote}`,
      kind: 'vxlan-stitch',
      a: rootPort(names.veth, 'veth', link.endpoint),
      b: rootPort(names.vxlan, 'vxlan'),
      options: this.options(opts, { a: [epText(link.endpoint)], b: [remote, 'remote'] }, (opts.impair ?? []).map((label) => ({ link, label }))),
      line: link.line || undefined,
    });
  }

  private hostPair(name: string, members: { link: HostLink; opts: LinkLabelOptions }[]): void {
    const lines = members.map((m) => m.link.line).join(', ');
    const first = members[0]!;
    if (members.length !== 2) {
      this.labelError(
        (members[2] ?? first).link,
        LABELS.pair,
        members.length === 1
          ? `host link pair "${name}" has only one link (line ${lines})`
          : `host link pair "${name}" has ${members.length} links (lines ${lines})`,
        `label exactly two host links with ${LABELS.pair}: ${name}`,
      );
    }
    const [x, y] = members as [(typeof members)[0], (typeof members)[0]];
    const merged: LinkLabelOptions = { exclude: Boolean(x.opts.exclude || y.opts.exclude) };
    for (const k of ['admin', 'mode'] as const) {
      const vx = x.opts[k];
      const vy = y.opts[k];
      if (vx !== undefined && vy !== undefined && vx !== vy) {
        this.labelError(y.link, LABELS[k], `host link pair "${name}" sets ${LABELS[k]} differently on its two links (lines ${lines})`, 'set it on one link, or the same on both');
      }
      (merged as Record<string, unknown>)[k] = vx ?? vy;
    }
    const xLabels = new Map((x.opts.impair ?? []).map((l) => [l.key, l]));
    for (const l of y.opts.impair ?? []) {
      const other = xLabels.get(l.key);
      if (other && JSON.stringify(other.field) !== JSON.stringify(l.field))
        this.labelError(y.link, l.key, `host link pair "${name}" sets ${l.key} differently on its two links (lines ${lines})`, 'set it on one link, or the same on both');
    }
    if (merged.exclude) {
      for (const m of members) this.skip(m.link, 'excluded', `excluded by label ${LABELS.exclude} (host link pair "${name}")`);
      return;
    }
    this.wires.push({
      id: wireId(epText(x.link.endpoint), epText(y.link.endpoint)),
      kind: 'host-pair',
      a: rootPort(x.link.hostInterface, 'veth', x.link.endpoint),
      b: rootPort(y.link.hostInterface, 'veth', y.link.endpoint),
      options: this.options(merged, { a: [epText(x.link.endpoint)], b: [epText(y.link.endpoint)] }, [
        ...(x.opts.impair ?? []).map((label) => ({ link: x.link as Link, label })),
        ...(y.opts.impair ?? []).map((label) => ({ link: y.link as Link, label })),
      ]),
      line: x.link.line || undefined,
    });
  }

  run(): Plan {
    const pairs = new Map<string, { link: HostLink; opts: LinkLabelOptions }[]>();
    const order: ({ kind: 'link'; link: Link; opts: LinkLabelOptions } | { kind: 'pair'; name: string })[] = [];
    for (const link of this.topo.links) {
      const opts = parseLinkLabels(link, this.file);
      if (opts.pair !== undefined && link.type !== 'host') {
        this.labelError(link, LABELS.pair, `label ${LABELS.pair} is set on a ${link.type} link`, 'pair labels go on host links only (type: host, or a "host:<if>" endpoint)');
      }
      if (opts.pair !== undefined && link.type === 'host') {
        const list = pairs.get(opts.pair);
        if (list) list.push({ link, opts });
        else {
          pairs.set(opts.pair, [{ link, opts }]);
          order.push({ kind: 'pair', name: opts.pair });
        }
        continue;
      }
      order.push({ kind: 'link', link, opts });
    }
    for (const item of order) {
      if (item.kind === 'pair') {
        this.hostPair(item.name, pairs.get(item.name)!);
        continue;
      }
      const { link, opts } = item;
      if (opts.exclude) {
        this.skip(link, 'excluded', `excluded by label ${LABELS.exclude}`);
        continue;
      }
      switch (link.type) {
        case 'veth-stitch':
          this.vethStitch(link, opts);
          break;
        case 'vxlan-stitch':
          this.vxlanStitch(link, opts);
          break;
        case 'veth': {
          const bridge = link.endpoints.find((e) => ROOT_NETNS_KINDS.has(this.kinds.get(e.node) ?? ''));
          const reason = bridge
            ? `veth to ${this.kinds.get(bridge.node)} node "${bridge.node}": a bridge port, forwarded by the bridge, not a point-to-point wire`
            : `veth pair ${link.endpoints.map(epText).join(' <-> ')} is already a direct wire with no root-netns end; use type: veth-stitch to have xconnect carry it`;
          this.rejectOptions(link, opts, reason);
          this.skip(link, 'direct', reason);
          break;
        }
        default: {
          const reason = unwireableReason(link);
          this.rejectOptions(link, opts, reason);
          this.skip(link, 'unwireable', reason);
        }
      }
    }
    return {
      lab: this.topo.name,
      source: { file: this.topo.file, format: 'containerlab' },
      wires: this.wires,
      skipped: this.skipped,
    };
  }
}

/** Plans the XDP wires of a loaded topology. Throws PLAN errors for bad option labels and
 * host-link pairs that are not exactly two links. */
export function planTopology(topo: Topology, opts: PlanOptions = {}): Plan {
  return new Planner(topo, opts.displayFile ?? topo.file).run();
}

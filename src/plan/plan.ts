/** The offline planner: which links of a topology become wires, between which
 * root-netns interfaces. Pure: a Topology in, a Plan out. Each link type says
 * what it becomes (src/links/<type>.ts plan); this file adds what labels say
 * (options, impairments, exclusion, host-link pairs). */
import { XconnectError } from '../errors.js';
import { isPairable, isValidIfname, linkContext, pairWire, planLink, sanitizeIfname, skippedEndpoints, type LinkContext, type RootPortSpec, type WireSpec } from '../links/index.js';
import type { Endpoint, HostLink, Link, Topology } from '../topology/model.js';
import { formatPath } from '../topology/source.js';
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

export { wireId } from '../links/index.js';

/** A port a link type names, as the plan holds it (see rootPort). */
function portPlan(p: RootPortSpec): PortPlan {
  return rootPort(p.name, p.device, p.node);
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

class Planner {
  readonly wires: WirePlan[] = [];
  readonly skipped: SkippedLink[] = [];
  private readonly ctx: LinkContext;

  constructor(
    private readonly topo: Topology,
    private readonly file: string,
  ) {
    this.ctx = linkContext(topo.name, topo.nodes);
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

  /** Adds the wire a link type (or a host pair) made, with its options. */
  private wire(spec: WireSpec, opts: LinkLabelOptions, labels: { link: Link; label: ImpairmentLabel }[], line: number): void {
    this.wires.push({
      id: spec.id,
      kind: spec.kind,
      a: portPlan(spec.a),
      b: portPlan(spec.b),
      options: this.options(opts, spec.directions, labels),
      line: line || undefined,
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
    const labels = [
      ...(x.opts.impair ?? []).map((label) => ({ link: x.link as Link, label })),
      ...(y.opts.impair ?? []).map((label) => ({ link: y.link as Link, label })),
    ];
    this.wire(pairWire(x.link, y.link), merged, labels, x.link.line);
  }

  run(): Plan {
    const pairs = new Map<string, { link: HostLink; opts: LinkLabelOptions }[]>();
    const order: ({ kind: 'link'; link: Link; opts: LinkLabelOptions } | { kind: 'pair'; name: string })[] = [];
    for (const link of this.topo.links) {
      const opts = parseLinkLabels(link, this.file);
      if (opts.pair !== undefined && !isPairable(link)) {
        this.labelError(link, LABELS.pair, `label ${LABELS.pair} is set on a ${link.type} link`, 'pair labels go on host links only (type: host, or a "host:<if>" endpoint)');
      }
      if (opts.pair !== undefined && isPairable(link)) {
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
      const step = planLink(link, this.ctx);
      if ('wire' in step) {
        this.wire(step.wire, opts, (opts.impair ?? []).map((label) => ({ link, label })), link.line);
      } else {
        this.rejectOptions(link, opts, step.reason);
        this.skip(link, step.skip, step.reason);
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

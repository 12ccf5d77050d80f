/** A status report as Prometheus metrics. Per wire: its state (with `pending` from
 * watch), admin state and loss. Per port: engine and attach, oper state, and one
 * counter family per key of the report's `counters` object, so a counter the
 * dataplane adds shows up with no change here (`dropX` keys become
 * `clab_xconnect_port_drops_total{reason="x"}`). Beside them, the names containerlab's
 * topology viewer puts in its Grafana export: `interface_oper_state`,
 * `interface_traffic_rate_in_bps` and `interface_traffic_rate_out_bps`, labelled
 * `source` (node) and `interface_name` (the interface as the topology writes it). */
import type { PortStatus, StatusReport, WireStatus } from '../runtime/status.js';
import { Exposition, labelPairs, snakeCase, type LabelPairs } from './exposition.js';
import { portKey, type PortRate } from './rates.js';

export const PREFIX = 'clab_xconnect';

/** Wire states, `pending` being watch's word for a wire whose node is down. */
export const WIRE_STATES = ['active', 'partial', 'absent', 'pending'] as const;

/** Help of the counters known today; a new key gets a generic help line. */
const COUNTER_HELP: Record<string, string> = {
  rxPackets: 'Frames that entered the port (its ingress direction).',
  rxBytes: 'Bytes of the frames that entered the port.',
  redirected: 'Frames the wire sent on to the partner port.',
  passNoPartner: 'Frames passed to the stack under the wire (tc) because the partner port was gone.',
};
const DROPS_HELP = 'Frames the wire dropped, by reason (admin: admin state down; loss: random loss; others as the dataplane names them).';

export interface MetricsContext {
  /** Wires that wait for a node (watch): id -> reason. Their state reads `pending`. */
  pending?: ReadonlyMap<string, string>;
  /** Rates by portKey(), when two samples are known. */
  rates?: ReadonlyMap<string, PortRate>;
}

function endpointParts(p: PortStatus): { node: string; iface: string } | undefined {
  if (!p.endpoint) return undefined;
  const i = p.endpoint.indexOf(':');
  return { node: p.endpoint.slice(0, i), iface: p.endpoint.slice(i + 1) };
}

export interface CounterFamily {
  name: string;
  reason?: string;
  /** `reason="..."`, formatted once for every port's sample. */
  reasonLabel?: LabelPairs;
  help: string;
}

/** The families of the counter keys seen so far: a scrape asks for each key once per port. */
const families = new Map<string, CounterFamily>();

/** A counter key as a family: `dropAdmin` -> drops_total{reason="admin"}, `rxBytes` -> rx_bytes_total. */
export function counterFamily(key: string): CounterFamily {
  let f = families.get(key);
  if (!f) {
    const drop = /^drop([A-Z0-9].*)$/.exec(key);
    const help = COUNTER_HELP[key] ?? `Counter "${key}" of the port's ingress direction, as clab-xconnect status reports it.`;
    const reason = drop ? snakeCase(drop[1]!) : undefined;
    f = reason ? { name: `${PREFIX}_port_drops_total`, reason, reasonLabel: labelPairs({ reason }), help: DROPS_HELP } : { name: `${PREFIX}_port_${snakeCase(key)}_total`, help };
    families.set(key, f);
  }
  return f;
}

/** Adds a status report's metrics to `exp`. */
export function addStatusMetrics(exp: Exposition, report: StatusReport, ctx: MetricsContext = {}): void {
  const lab = report.lab;
  // Each port's labels, formatted once for the dozen families that carry them.
  const ports = report.wires.map((w) => ({ a: portLabels(lab, w, 'a', w.a), b: portLabels(lab, w, 'b', w.b) }));
  report.wires.forEach((w, i) => addWire(exp, lab, w, ports[i]!, ctx));
  // Counters after the per-wire gauges, one family per key, ports in wire order.
  report.wires.forEach((w, i) => {
    for (const side of ['a', 'b'] as const) {
      const counters = w[side].counters as unknown as Record<string, unknown>;
      for (const key in counters) {
        const value = counters[key];
        if (typeof value !== 'number') continue;
        const f = counterFamily(key);
        exp.add(f.name, 'counter', f.help, ports[i]![side], value, f.reasonLabel);
      }
    }
  });
  addClabInterfaces(exp, report, ctx);
}

function portLabels(lab: string, w: WireStatus, side: 'a' | 'b', p: PortStatus): LabelPairs {
  const ep = endpointParts(p);
  return labelPairs({ lab, wire: w.id, side, port: p.port, node: ep?.node ?? '', interface: ep?.iface ?? '' });
}

/** `state="..."` of each wire state, formatted once. */
const STATE_LABELS = Object.fromEntries(WIRE_STATES.map((s) => [s, labelPairs({ state: s })])) as Record<(typeof WIRE_STATES)[number], LabelPairs>;

/** `engine="...",attach="..."` of the few pairs there are, formatted once each. */
const infoLabelsSeen = new Map<string, LabelPairs>();
function infoLabels(engine: string, attach: string): LabelPairs {
  const key = `${engine}\u0000${attach}`;
  let l = infoLabelsSeen.get(key);
  if (!l) infoLabelsSeen.set(key, (l = labelPairs({ engine, attach })));
  return l;
}

function wireState(w: WireStatus, ctx: MetricsContext): (typeof WIRE_STATES)[number] {
  return ctx.pending?.has(w.id) ? 'pending' : w.state;
}

/** Up: wired both ways, admin up, and not waiting for a node. */
function operUp(w: WireStatus, ctx: MetricsContext): boolean {
  return wireState(w, ctx) === 'active' && w.admin !== 'down' && w.admin !== 'mixed';
}

function addWire(exp: Exposition, lab: string, w: WireStatus, ports: { a: LabelPairs; b: LabelPairs }, ctx: MetricsContext): void {
  const state = wireState(w, ctx);
  const wire = labelPairs({ lab, wire: w.id });
  const kind = labelPairs({ lab, wire: w.id, kind: w.kind });
  for (const s of WIRE_STATES) {
    exp.add(`${PREFIX}_wire_state`, 'gauge', 'Wire state: 1 for the current one (pending: a node of the wire is down).', kind, s === state ? 1 : 0, STATE_LABELS[s]);
  }
  if (w.admin === 'up' || w.admin === 'down') exp.add(`${PREFIX}_wire_admin_up`, 'gauge', 'Admin state of the wire (1 up, 0 down).', wire, w.admin === 'up' ? 1 : 0);
  const loss = (w as unknown as Record<string, unknown>)['loss'];
  if (typeof loss === 'number') exp.add(`${PREFIX}_wire_loss_ratio`, 'gauge', 'Share of frames the wire drops at random, each direction (0..1).', wire, loss);
  for (const side of ['a', 'b'] as const) {
    const p = w[side];
    const labels = ports[side];
    exp.add(`${PREFIX}_port_info`, 'gauge', 'Port of a wire: the engine carrying the frames entering it and how it is attached.', labels, 1, infoLabels(p.engine ?? 'none', p.attach ?? 'none'));
    exp.add(`${PREFIX}_port_oper_state`, 'gauge', 'Port carries its wire: 1 when the wire is active, admin up and no node is pending, else 0.', labels, p.engine && operUp(w, ctx) ? 1 : 0);
  }
}

/** containerlab's Grafana export names, per node interface behind a port. */
function addClabInterfaces(exp: Exposition, report: StatusReport, ctx: MetricsContext): void {
  const lab = report.lab;
  const ifaces: { w: WireStatus; side: 'a' | 'b'; labels: LabelPairs }[] = [];
  for (const w of report.wires) {
    for (const side of ['a', 'b'] as const) {
      const ep = endpointParts(w[side]);
      if (ep) ifaces.push({ w, side, labels: labelPairs({ lab, source: ep.node, interface_name: ep.iface }) });
    }
  }
  for (const { w, labels } of ifaces) {
    exp.add('interface_oper_state', 'gauge', 'Oper state of a node interface behind a clab-xconnect wire (1 up, 0 down).', labels, operUp(w, ctx) ? 1 : 0);
  }
  if (!ctx.rates) return;
  for (const { w, side, labels } of ifaces) {
    const own = ctx.rates.get(portKey(w.id, side));
    if (own) exp.add('interface_traffic_rate_out_bps', 'gauge', 'Bits per second the node interface sends into its wire.', labels, round(own.rxBps));
  }
  for (const { w, side, labels } of ifaces) {
    const other = ctx.rates.get(portKey(w.id, side === 'a' ? 'b' : 'a'));
    if (other) exp.add('interface_traffic_rate_in_bps', 'gauge', 'Bits per second the wire delivers to the node interface (sent by the other end, less what the wire dropped).', labels, round(other.rxBps * other.forwarded));
  }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

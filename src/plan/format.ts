/** Renders a Plan for `clab-xconnect plan`: a human table or the JSON document
 * `{ "ok": true, "plan": Plan }` (see docs/plan.md). */
import { table } from '../util/table.js';
import { formatImpairment } from './impairment-spec.js';

/** A table's lines, indented under a heading. */
function indent(text: string): string[] {
  return text.trimEnd().split('\n').map((l) => '  ' + l);
}
import type { Plan, PortPlan, WirePlan } from './types.js';

/** The name of the end whose frames enter port `side`: its `node:iface`, or
 * the remote end of a vxlan-stitch as the wire id names it. */
export function endpointName(w: WirePlan, side: 'a' | 'b'): string {
  const p = w[side];
  return p.node ? `${p.node.name}:${p.node.iface}` : (w.id.split('--')[side === 'a' ? 0 : 1] ?? p.ifname);
}

/** The JSON output of `plan --format json`. */
export function formatPlanJson(plan: Plan): string {
  return JSON.stringify({ ok: true, plan }, null, 2) + '\n';
}

function port(p: PortPlan): string {
  const name = p.altname ? `altname:${p.altname}` : p.ifname;
  return p.node ? `${name} (${p.node.name}:${p.node.iface})` : `${name} [${p.device}]`;
}

function options(w: WirePlan): string {
  const o = w.options;
  const dir = (side: 'a' | 'b') => {
    const text = formatImpairment(o.impair[side]);
    return text === '-' ? [] : [`${endpointName(w, side)}: ${text}`];
  };
  return [`admin=${o.admin} mode=${o.mode}`, ...dir('a'), ...dir('b')].join('; ');
}

/** Human-readable plan: wires with kind, root-netns ports and options; then skipped links. */
export function formatPlanTable(plan: Plan): string {
  const out: string[] = [`lab ${plan.lab} (${plan.source.format}: ${plan.source.file})`, ''];
  out.push(`wires: ${plan.wires.length}`);
  if (plan.wires.length) {
    out.push(
      ...indent(
        table(
          ['ID', 'KIND', 'PORT A', 'PORT B', 'OPTIONS', 'LINE'],
          plan.wires.map((w) => [w.id, w.kind, port(w.a), port(w.b), options(w), w.line ? String(w.line) : '-']),
        ),
      ),
    );
  }
  out.push('', `skipped links: ${plan.skipped.length}`);
  if (plan.skipped.length) {
    out.push(
      ...indent(
        table(
          ['LINK', 'TYPE', 'STATUS', 'LINE', 'REASON'],
          plan.skipped.map((s) => [s.endpoints.join(' <-> '), s.type, s.status, s.line ? String(s.line) : '-', s.reason]),
        ),
      ),
    );
  }
  if (plan.wires.some((w) => w.a.altname || w.b.altname)) {
    out.push('', 'altname:NAME = the kernel picks the interface name at deploy time; the port is found by this altname.');
  }
  return out.join('\n') + '\n';
}

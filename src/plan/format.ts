/** Renders a Plan for `clab-xconnect plan`: a human table or the JSON document
 * `{ "ok": true, "plan": Plan }` (see docs/plan.md). */
import type { Plan, PortPlan, WireOptions } from './types.js';

/** The JSON output of `plan --format json`. */
export function formatPlanJson(plan: Plan): string {
  return JSON.stringify({ ok: true, plan }, null, 2) + '\n';
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

function port(p: PortPlan): string {
  const name = p.altname ? `altname:${p.altname}` : p.ifname;
  return p.node ? `${name} (${p.node.name}:${p.node.iface})` : `${name} [${p.device}]`;
}

function options(o: WireOptions): string {
  return `admin=${o.admin} loss=${Number((o.loss * 100).toFixed(4))}% mode=${o.mode}`;
}

/** Human-readable plan: wires with kind, root-netns ports and options; then skipped links. */
export function formatPlanTable(plan: Plan): string {
  const out: string[] = [`lab ${plan.lab} (${plan.source.format}: ${plan.source.file})`, ''];
  out.push(`wires: ${plan.wires.length}`);
  if (plan.wires.length) {
    out.push(
      ...table([
        ['ID', 'KIND', 'PORT A', 'PORT B', 'OPTIONS', 'LINE'],
        ...plan.wires.map((w) => [w.id, w.kind, port(w.a), port(w.b), options(w.options), w.line ? String(w.line) : '-']),
      ]).map((l) => '  ' + l),
    );
  }
  out.push('', `skipped links: ${plan.skipped.length}`);
  if (plan.skipped.length) {
    out.push(
      ...table([
        ['LINK', 'TYPE', 'STATUS', 'LINE', 'REASON'],
        ...plan.skipped.map((s) => [s.endpoints.join(' <-> '), s.type, s.status, s.line ? String(s.line) : '-', s.reason]),
      ]).map((l) => '  ' + l),
    );
  }
  if (plan.wires.some((w) => w.a.altname || w.b.altname)) {
    out.push('', 'altname:NAME = the kernel picks the interface name at deploy time; the port is found by this altname.');
  }
  return out.join('\n') + '\n';
}

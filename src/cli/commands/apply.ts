/** `clab-xconnect apply`: wire a running lab; a repeated run changes nothing. */
import { formatImpairment } from '../../plan/impairment-spec.js';
import type { ApplyReport } from '../../runtime/apply.js';
import { type Command, formatOption, outputFormat, requireTopology, topologyOption, varsOf, varsOption, writeJson } from '../command.js';
import { table } from '../../util/table.js';
import { trace } from '../../util/trace.js';

/** One engine name, or each direction's (named by the port frames enter). */
function engineText(w: ApplyReport['wires'][number]): string {
  return w.engine === 'mixed' ? `${w.a.port}:${w.a.engine} ${w.b.port}:${w.b.engine}` : w.engine;
}

/** Each impaired direction, named by the end whose frames it affects. */
function impairText(w: ApplyReport['wires'][number]): string {
  const dir = (p: ApplyReport['wires'][number]['a']) => {
    const t = formatImpairment(p.impair);
    return t === '-' ? [] : [`${p.endpoint ?? p.port}: ${t}${p.impairFrom === 'run-time' ? ' *' : ''}`];
  };
  return [...dir(w.a), ...dir(w.b)].join('; ') || '-';
}

export function formatApplyTable(r: ApplyReport): string {
  const out: string[] = [];
  const verb = r.dryRun ? 'would change' : 'changed';
  out.push(`lab ${r.lab}: ${r.changes} ${r.changes === 1 ? 'wire' : 'wires'} ${verb}${r.dryRun ? ' (dry run)' : ''}`);
  if (r.wires.length)
    out.push(
      table(
        ['WIRE', 'ACTION', 'ENGINE', 'ADMIN', 'PORTS', 'IMPAIRMENT'],
        r.wires.map((w) => [w.id, w.action, engineText(w), w.admin + (w.cut ? ' (cut)' : ''), `${w.a.port} <-> ${w.b.port}`, impairText(w)]),
      ).trimEnd(),
    );
  for (const p of r.removedPorts) out.push(`removed: ${p}`);
  for (const p of r.pending) out.push(`pending: ${p.id} (${p.reason})`);
  if (r.staleCaptures.length) out.push(`capture flags a killed capture left on, turned off: ${r.staleCaptures.join(', ')}`);
  for (const c of r.peerChanges) out.push(`node setting: ${c.endpoint} ${c.feature} ${c.from ? 'on' : 'off'} -> ${c.to ? 'on' : 'off'}`);
  return out.join('\n') + '\n';
}

export const applyCommand: Command = {
  name: 'apply',
  summary: 'install or reconcile the wires of a running lab',
  options: {
    topology: topologyOption,
    vars: varsOption,
    node: { type: 'string', arg: 'NAME', help: "wire only NAME's links whose other end is ready (for stages hooks)" },
    'dry-run': { type: 'boolean', default: false, help: 'validate and show what would change, change nothing' },
    format: formatOption,
  },
  async run(values) {
    const file = requireTopology(values, 'apply');
    const format = outputFormat(values);
    // Loaded when run: a command pays only for the modules it uses.
    const { apply } = await import('../../runtime/apply.js');
    trace('apply loaded');
    const report = await apply({
      file,
      node: typeof values['node'] === 'string' ? values['node'] : undefined,
      dryRun: values['dry-run'] === true,
      ...varsOf(values),
    });
    if (format === 'json') writeJson(report);
    else process.stdout.write(formatApplyTable(report));
    return 0;
  },
};

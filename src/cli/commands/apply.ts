/** `clab-xconnect apply`: wire a running lab; a repeated run changes nothing. */
import { apply, type ApplyReport } from '../../runtime/apply.js';
import { type Command, formatOption, outputFormat, requireTopology, topologyOption, writeJson } from '../command.js';
import { table } from '../table.js';

function pct(loss: number): string {
  return `${+(loss * 100).toFixed(4)}%`;
}

/** One engine name, or each direction's (named by the port frames enter). */
function engineText(w: ApplyReport['wires'][number]): string {
  return w.engine === 'mixed' ? `${w.a.port}:${w.a.engine} ${w.b.port}:${w.b.engine}` : w.engine;
}

export function formatApplyTable(r: ApplyReport): string {
  const out: string[] = [];
  const verb = r.dryRun ? 'would change' : 'changed';
  out.push(`lab ${r.lab}: ${r.changes} ${r.changes === 1 ? 'wire' : 'wires'} ${verb}${r.dryRun ? ' (dry run)' : ''}`);
  if (r.wires.length)
    out.push(
      table(
        ['WIRE', 'ACTION', 'ENGINE', 'ADMIN', 'LOSS', 'PORTS'],
        r.wires.map((w) => [w.id, w.action, engineText(w), w.admin, pct(w.loss), `${w.a.port} <-> ${w.b.port}`]),
      ).trimEnd(),
    );
  for (const p of r.removedPorts) out.push(`removed: ${p}`);
  for (const p of r.pending) out.push(`pending: ${p.id} (${p.reason})`);
  for (const c of r.peerChanges) out.push(`node setting: ${c.endpoint} ${c.feature} ${c.from ? 'on' : 'off'} -> ${c.to ? 'on' : 'off'}`);
  return out.join('\n') + '\n';
}

export const applyCommand: Command = {
  name: 'apply',
  summary: 'install or reconcile the wires of a running lab',
  options: {
    topology: topologyOption,
    node: { type: 'string', arg: 'NAME', help: "wire only NAME's links whose other end is ready (for stages hooks)" },
    'dry-run': { type: 'boolean', default: false, help: 'validate and show what would change, change nothing' },
    format: formatOption,
  },
  async run(values) {
    const file = requireTopology(values, 'apply');
    const format = outputFormat(values);
    const report = await apply({
      file,
      node: typeof values['node'] === 'string' ? values['node'] : undefined,
      dryRun: values['dry-run'] === true,
    });
    if (format === 'json') writeJson(report);
    else process.stdout.write(formatApplyTable(report));
    return 0;
  },
};

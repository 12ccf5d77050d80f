/** `clab-xconnect status`: each wire with its ports, engine, admin state,
 * impairments and counters. */
import { formatImpairment } from '../../plan/impairment-spec.js';
import type { StatusReport } from '../../runtime/status.js';
import { type Command, formatOption, outputFormat, requireTopology, topologyOption, varsOf, varsOption, writeJson } from '../command.js';
import { table } from '../../util/table.js';

export function formatStatusTable(r: StatusReport): string {
  const rows = r.wires.flatMap((w) => {
    const head = [w.id, w.state + (w.runtime.cut ? ' (cut)' : ''), w.engine, w.admin ?? '-'];
    const side = (p: StatusReport['wires'][number]['a'], s: 'a' | 'b') => {
      const c = p.counters;
      const dropped = c.dropAdmin + c.dropLoss + c.dropRate;
      const impair = p.impair ? formatImpairment(p.impair) : '-';
      return [
        `${p.endpoint ?? '-'} (${p.port})`,
        String(c.rxPackets),
        String(c.redirected),
        String(dropped),
        impair + (w.runtime.impair[s] ? ' *' : ''),
      ];
    };
    return [[...head, ...side(w.a, 'a')], ['', '', '', '', ...side(w.b, 'b')]];
  });
  const marked = r.wires.some((w) => w.runtime.cut || w.runtime.impair.a || w.runtime.impair.b);
  return (
    `lab ${r.lab}: ${r.wires.length} ${r.wires.length === 1 ? 'wire' : 'wires'}\n` +
    table(['WIRE', 'STATE', 'ENGINE', 'ADMIN', 'FROM (PORT)', 'RX', 'FORWARDED', 'DROPPED', 'IMPAIRMENT'], rows) +
    (marked ? '(cut) and * differ from the topology file: set at run time with `link` / `impair`\n' : '')
  );
}

export const statusCommand: Command = {
  name: 'status',
  summary: "show a lab's wires: ports, engine, admin state, counters",
  options: {
    topology: topologyOption,
    vars: varsOption,
    format: { ...formatOption, arg: 'table|json|prometheus', help: 'output format (prometheus: the text of watch\'s /metrics, once)' },
  },
  async run(values) {
    const file = requireTopology(values, 'status');
    const format = outputFormat(values, ['table', 'json', 'prometheus']);
    const { status } = await import('../../runtime/status.js');
    const report = await status({ file, ...varsOf(values) });
    if (format === 'json') writeJson(report);
    else if (format === 'prometheus') process.stdout.write(await (await import('../../metrics/index.js')).oneShotMetricsText(report));
    else process.stdout.write(formatStatusTable(report));
    return 0;
  },
};

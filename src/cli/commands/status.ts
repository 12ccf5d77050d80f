/** `clab-xconnect status`: each wire with its ports, mode, admin state and counters. */
import { status, type StatusReport } from '../../runtime/status.js';
import { type Command, formatOption, outputFormat, requireTopology, topologyOption, writeJson } from '../command.js';
import { table } from '../table.js';

export function formatStatusTable(r: StatusReport): string {
  const rows = r.wires.flatMap((w) => {
    const head = [w.id, w.state, w.engine, w.admin ?? '-', w.loss === null ? '-' : `${+(w.loss * 100).toFixed(4)}%`];
    const side = (p: StatusReport['wires'][number]['a']) => [
      `${p.endpoint ?? '-'} (${p.port})`,
      String(p.counters.rxPackets),
      String(p.counters.redirected),
      String(p.counters.dropAdmin + p.counters.dropLoss),
      String(p.counters.passNoPartner),
    ];
    return [[...head, ...side(w.a)], ['', '', '', '', '', ...side(w.b)]];
  });
  return `lab ${r.lab}: ${r.wires.length} ${r.wires.length === 1 ? 'wire' : 'wires'}\n` +
    table(['WIRE', 'STATE', 'ENGINE', 'ADMIN', 'LOSS', 'INGRESS (PORT)', 'RX', 'FORWARDED', 'DROPPED', 'PASSED'], rows);
}

export const statusCommand: Command = {
  name: 'status',
  summary: "show a lab's wires: ports, engine, admin state, counters",
  options: { topology: topologyOption, format: formatOption },
  async run(values) {
    const file = requireTopology(values, 'status');
    const format = outputFormat(values);
    const report = await status({ file });
    if (format === 'json') writeJson(report);
    else process.stdout.write(formatStatusTable(report));
    return 0;
  },
};

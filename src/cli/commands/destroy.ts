/** `clab-xconnect destroy`: remove every program, link, map and pin of a lab. */
import { type Command, formatOption, outputFormat, requireTopology, topologyOption, varsOf, varsOption, writeJson } from '../command.js';

export const destroyCommand: Command = {
  name: 'destroy',
  summary: "remove all of a lab's wires and state (containerlab's tc stitches take over again)",
  options: { topology: topologyOption, vars: varsOption, format: formatOption },
  async run(values) {
    const file = requireTopology(values, 'destroy');
    const format = outputFormat(values);
    const { destroy } = await import('../../runtime/destroy.js');
    const report = await destroy({ file, ...varsOf(values) });
    if (format === 'json') writeJson(report);
    else process.stdout.write(`lab ${report.lab}: removed ${report.removedPorts.length} port links and ${report.pinDir}\n`);
    return 0;
  },
};

/** `clab-xconnect plan`: prints the wire plan of a topology (or xdp-xconnect config)
 * without touching the system. */
import { XconnectError } from '../../errors.js';
import { formatPlanJson, formatPlanTable } from '../../plan/format.js';
import { planFile } from '../../plan/plan-file.js';
import { type Command, formatOption, topologyOption } from '../command.js';

export const planCommand: Command = {
  name: 'plan',
  summary: 'print the XDP wire plan of a topology, offline',
  options: {
    topology: topologyOption,
    offline: {
      type: 'boolean',
      default: false,
      help: 'plan from the file alone, without looking at the running lab (the only mode for now; implied)',
    },
    format: formatOption,
  },
  async run(values) {
    const file = values['topology'];
    const format = values['format'] ?? 'table';
    if (typeof file !== 'string' || file === '') {
      throw new XconnectError('USAGE', 'missing the topology file', { hint: "pass it with -t FILE, e.g. 'clab-xconnect plan -t lab.clab.yml --offline'" });
    }
    if (format !== 'table' && format !== 'json') {
      throw new XconnectError('USAGE', `unknown format "${String(format)}"`, { value: format, hint: 'use --format table or --format json' });
    }
    const plan = planFile(file);
    process.stdout.write(format === 'json' ? formatPlanJson(plan) : formatPlanTable(plan));
    return 0;
  },
};

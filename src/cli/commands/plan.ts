/** `clab-xconnect plan`: prints the wire plan of a topology (or xdp-xconnect config)
 * without touching the system. */
import { formatPlanJson, formatPlanTable } from '../../plan/format.js';
import { planFile } from '../../plan/plan-file.js';
import { type Command, formatOption, outputFormat, requireTopology, topologyOption } from '../command.js';

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
    const file = requireTopology(values, 'plan');
    const format = outputFormat(values);
    const plan = planFile(file);
    process.stdout.write(format === 'json' ? formatPlanJson(plan) : formatPlanTable(plan));
    return 0;
  },
};

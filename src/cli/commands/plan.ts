/** `clab-xconnect plan`: prints the wire plan of a topology (or xdp-xconnect config)
 * without touching the system; `--rendered` prints the topology as containerlab reads it
 * after Go template rendering (containerlab's --export-rendered). */
import { type Command, formatOption, outputFormat, requireTopology, topologyOption, varsOf, varsOption, writeJson } from '../command.js';

export const planCommand: Command = {
  name: 'plan',
  summary: 'print the wire plan of a topology, offline',
  options: {
    topology: topologyOption,
    vars: varsOption,
    rendered: {
      type: 'boolean',
      default: false,
      help: 'print the topology rendered from its Go template (and environment variables) instead of the plan',
    },
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
    const opts = varsOf(values);
    const { planFile, renderedTopology } = await import('../../plan/plan-file.js');
    if (values['rendered'] === true) {
      const r = renderedTopology(file, opts);
      if (format === 'json') writeJson({ rendered: r });
      else process.stdout.write(r.text);
      return 0;
    }
    const plan = planFile(file, opts);
    const { formatPlanJson, formatPlanTable } = await import('../../plan/format.js');
    process.stdout.write(format === 'json' ? formatPlanJson(plan) : formatPlanTable(plan));
    return 0;
  },
};

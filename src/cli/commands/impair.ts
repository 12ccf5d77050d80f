/** `clab-xconnect impair set|show|reset`: impairments of the frames one end
 * sends into a wire, in the wire's own programs (netem's names and units). */
import type { Impairment } from '../../dataplane/layout.js';
import { XconnectError } from '../../errors.js';
import { formatImpairment, parseImpairmentValue, type ImpairmentKey } from '../../plan/impairment-spec.js';
import type { ImpairReport } from '../../runtime/impair.js';
import { type Command, formatOption, outputFormat, requireTopology, topologyOption, varsOf, varsOption, writeJson } from '../command.js';
import { table } from '../../util/table.js';

const FLAGS: Record<ImpairmentKey, string> = {
  loss: 'PCT',
  corruption: 'PCT',
  duplicate: 'PCT',
  rate: 'KBIT',
  burst: 'BYTES',
  delay: 'DUR',
  jitter: 'DUR',
};
const HELP: Record<ImpairmentKey, string> = {
  loss: 'set: drop this percentage of frames at random',
  corruption: 'set: flip one random bit in this percentage of frames',
  duplicate: 'set: send this percentage of frames twice (tc engine)',
  rate: 'set: police to this rate in kbit/s (drops the excess; 0 removes it)',
  burst: 'set: token bucket depth in bytes (default: 20 ms of the rate)',
  delay: 'set: delay frames (Go duration; needs sch_fq in the kernel)',
  jitter: 'set: random extra delay up to this (needs a delay)',
};

/** The impairment flags given, checked; a bad value is a usage error. */
function fields(values: Record<string, unknown>): Partial<Impairment> {
  const out: Partial<Impairment> = {};
  for (const key of Object.keys(FLAGS) as ImpairmentKey[]) {
    const v = values[key];
    if (typeof v !== 'string') continue;
    const r = parseImpairmentValue(key, v);
    if ('error' in r) throw new XconnectError('USAGE', `--${r.error}`, { value: v, hint: r.hint.replace(/^e\.g\. (\w+) /, 'e.g. --$1 ') });
    Object.assign(out, r.field);
  }
  return out;
}

function describe(r: ImpairReport): string {
  const lines = r.directions.map((d) => `  ${d.from} (${d.wire}): ${formatImpairment(d.impair)}`);
  return `lab ${r.lab}: ${r.directions.length} ${r.directions.length === 1 ? 'direction' : 'directions'}\n${lines.join('\n')}\n`;
}

export const impairCommand: Command = {
  name: 'impair',
  summary: 'impair the frames an end sends into a wire (loss, corruption, duplicate, rate, delay), show or reset',
  positionals: 'set|show|reset [ENDPOINT]',
  options: {
    topology: topologyOption,
    vars: varsOption,
    ...Object.fromEntries((Object.keys(FLAGS) as ImpairmentKey[]).map((k) => [k, { type: 'string' as const, arg: FLAGS[k], help: HELP[k] }])),
    all: { type: 'boolean', default: false, help: 'reset: every direction of the lab' },
    format: formatOption,
  },
  async run(values, positionals) {
    const [action, endpoint, ...extra] = positionals;
    const file = requireTopology(values, 'impair');
    const format = outputFormat(values);
    const usage = (msg: string) =>
      new XconnectError('USAGE', msg, { hint: 'e.g. clab-xconnect impair set -t lab.clab.yml r1:eth1 --loss 20; impair show -t lab.clab.yml; impair reset -t lab.clab.yml --all' });
    if (extra.length) throw usage(`impair takes one ENDPOINT, got ${JSON.stringify(positionals.slice(1).join(' '))}`);
    switch (action) {
      case 'set': {
        if (!endpoint) throw usage('impair set needs the ENDPOINT whose frames to impair (node:iface)');
        const { impairSet } = await import('../../runtime/impair.js');
        const r = await impairSet({ file, endpoint, set: fields(values), ...varsOf(values) });
        if (format === 'json') writeJson(r);
        else process.stdout.write(describe(r));
        return 0;
      }
      case 'reset': {
        const { impairReset } = await import('../../runtime/impair.js');
        const r = await impairReset({ file, endpoint, all: values['all'] === true, ...varsOf(values) });
        if (format === 'json') writeJson(r);
        else process.stdout.write(describe(r));
        return 0;
      }
      case 'show': {
        if (endpoint) throw usage('impair show takes no ENDPOINT');
        const { impairShow } = await import('../../runtime/impair.js');
        const r = await impairShow({ file, ...varsOf(values) });
        if (format === 'json') writeJson(r);
        else {
          const rows = r.directions.map((d) => [
            d.from,
            d.wire,
            formatImpairment(d.file),
            d.runtime ? formatImpairment({ ...d.file, ...d.runtime }) : '-',
            d.installed ? formatImpairment(d.installed) : 'not installed',
            `${d.counters.dropLoss}/${d.counters.corrupted}/${d.counters.duplicated}/${d.counters.dropRate}`,
          ]);
          process.stdout.write(
            `lab ${r.lab}: ${r.directions.length} impaired ${r.directions.length === 1 ? 'direction' : 'directions'}\n` +
              (rows.length ? table(['FROM', 'WIRE', 'FILE', 'RUN-TIME', 'INSTALLED', 'LOST/CORRUPTED/DUPLICATED/OVER RATE'], rows) : ''),
          );
        }
        return 0;
      }
      default:
        throw usage(`impair takes set, show or reset, got ${JSON.stringify(action ?? '')}`);
    }
  },
};

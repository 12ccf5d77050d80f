/** `clab-xconnect watch`: apply, then keep the lab wired while it lives (topology
 * edits, node restarts, the lab's destruction), with Prometheus metrics. */
import { XconnectError } from '../../errors.js';
import { LOG_FORMATS, type LogFormat } from '../../watch/log.js';
import { type Command, requireTopology, topologyOption } from '../command.js';

function logFormat(values: Record<string, unknown>): LogFormat {
  const f = values['log-format'] ?? 'text';
  if (!LOG_FORMATS.includes(f as LogFormat))
    throw new XconnectError('USAGE', `unknown log format "${String(f)}"`, { value: f, hint: 'use --log-format text or --log-format json' });
  return f as LogFormat;
}

export const watchCommand: Command = {
  name: 'watch',
  summary: 'apply, then keep the lab wired: topology edits, node restarts, metrics',
  options: {
    topology: topologyOption,
    'metrics-address': { type: 'string', arg: 'HOST:PORT', help: 'serve Prometheus metrics on http://HOST:PORT/metrics' },
    'log-format': { type: 'string', default: 'text', arg: 'text|json', help: 'log lines as text or JSON' },
  },
  async run(values) {
    const file = requireTopology(values, 'watch');
    const format = logFormat(values);
    const address = values['metrics-address'];
    // Loaded here, not at the top: node:http is ~4 ms of every other command's start.
    const metrics = typeof address === 'string' ? (await import('../../metrics/server.js')).parseListenAddress(address) : undefined;
    const { watch } = await import('../../watch/index.js');
    await watch({ file, logFormat: format, ...(metrics ? { metrics } : {}) });
    return 0;
  },
};

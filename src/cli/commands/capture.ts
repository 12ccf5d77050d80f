/** `clab-xconnect capture`: what crosses the wires, from the wires' own
 * programs, as pcapng to a file or to stdout (`-w - | wireshark -k -i -`). */
import { createWriteStream } from 'node:fs';
import type { CaptureReport } from '../../capture/session.js';
import { XconnectError } from '../../errors.js';
import { parseDuration } from '../../util/duration.js';
import { type Command, formatOption, outputFormat, requireTopology, topologyOption, varsOf, varsOption } from '../command.js';

function positiveInt(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(n > 0)) throw new XconnectError('USAGE', `--${name} needs a whole number above 0, got ${JSON.stringify(v)}`, { value: v });
  return n;
}

function summary(r: CaptureReport): string {
  const per = r.interfaces.map((i) => `  ${i.name.padEnd(24)} ${String(i.frames).padStart(8)} frames  ${i.dropped} dropped (buffer full)`);
  return [
    `lab ${r.lab}: ${r.frames} frames captured, ${r.dropped} dropped because the capture buffer was full${r.filteredOut ? `, ${r.filteredOut} left out by the filter` : ''} (stopped by ${r.stoppedBy})`,
    ...per,
    ...(r.staleCleared.length ? [`capture flags a killed capture left on, turned off: ${r.staleCleared.join(', ')}`] : []),
  ].join('\n') + '\n';
}

export const captureCommand: Command = {
  name: 'capture',
  summary: 'capture what crosses wires (both directions, from the wire programs) as pcapng',
  positionals: '[ENDPOINT|WIRE ...]',
  options: {
    topology: topologyOption,
    vars: varsOption,
    write: { type: 'string', short: 'w', arg: 'PATH|-', help: 'pcapng output file, or - for stdout (e.g. | wireshark -k -i -)' },
    count: { type: 'string', short: 'c', arg: 'N', help: 'stop after N frames' },
    snaplen: { type: 'string', arg: 'N', help: 'bytes kept of each frame (default 65000, the most)' },
    filter: { type: 'string', arg: 'EXPR', help: 'pcap-filter expression (libpcap), e.g. "lldp or stp"' },
    duration: { type: 'string', arg: 'DUR', help: 'stop after this long (Go duration: 10s, 1m)' },
    format: { ...formatOption, help: 'format of the summary (on stdout with a file, on stderr with -w -)' },
  },
  async run(values, positionals) {
    const file = requireTopology(values, 'capture');
    const format = outputFormat(values);
    const target = values['write'];
    if (typeof target !== 'string' || target === '')
      throw new XconnectError('USAGE', 'capture needs -w PATH (a pcapng file) or -w - (stdout)', { hint: 'e.g. clab-xconnect capture -t lab.clab.yml -w - | wireshark -k -i -' });
    if (target === '-' && process.stdout.isTTY)
      throw new XconnectError('USAGE', 'refusing to write pcapng to a terminal', { hint: 'pipe it (| wireshark -k -i -, | tcpdump -r -) or use -w FILE' });
    const durationText = values['duration'];
    const durationUs = typeof durationText === 'string' ? parseDuration(durationText) : undefined;
    if (durationText !== undefined && !(durationUs && durationUs > 0))
      throw new XconnectError('USAGE', `--duration needs a duration such as 10s or 1m, got ${JSON.stringify(durationText)}`, { value: durationText });
    const out = target === '-' ? process.stdout : createWriteStream(target);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    // A reader that goes away (wireshark closed) ends the capture cleanly.
    process.stdout.on('error', () => undefined);
    try {
      const { capture } = await import('../../capture/session.js');
      const r = await capture({
        file,
        ...varsOf(values),
        select: positionals,
        out,
        count: positiveInt(values, 'count'),
        snaplen: positiveInt(values, 'snaplen'),
        filter: typeof values['filter'] === 'string' ? values['filter'] : undefined,
        durationMs: durationUs !== undefined ? durationUs / 1000 : undefined,
        signal: stop.signal,
      });
      if (out !== process.stdout) await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
      const report = format === 'json' ? JSON.stringify({ ok: true, ...r }, null, 2) + '\n' : summary(r);
      (target === '-' ? process.stderr : process.stdout).write(report);
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

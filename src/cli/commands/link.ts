/** `clab-xconnect link down|up|flap ENDPOINT`: cut a wire so that both nodes
 * see it go down, restore it, or flap it. */
import { XconnectError } from '../../errors.js';
import type { LinkReport } from '../../runtime/link-control.js';
import { parseDuration } from '../../util/duration.js';
import { type Command, formatOption, outputFormat, requireTopology, topologyOption, varsOf, varsOption, writeJson } from '../command.js';

function describe(r: LinkReport): string {
  const seen = r.ends.filter((e) => e.seesCarrier).map((e) => e.end);
  const head = `lab ${r.lab}: wire ${r.wire} ${r.state === 'cut' ? 'cut' : 'up'}${r.changed ? '' : ' (already)'}`;
  const lines = [head + (seen.length ? `; ${seen.join(' and ')} ${r.state === 'cut' ? 'see the carrier go' : 'have their carrier back'}` : '')];
  for (const e of r.ends.filter((x) => !x.seesCarrier)) lines.push(`  ${e.end}: ${e.note}`);
  return lines.join('\n') + '\n';
}

function duration(values: Record<string, unknown>, name: string): number {
  const v = values[name];
  const us = typeof v === 'string' ? parseDuration(v) : undefined;
  if (us === undefined || us <= 0)
    throw new XconnectError('USAGE', `--${name} needs a duration such as 500ms or 2s${v === undefined ? '' : `, got ${JSON.stringify(v)}`}`, { value: v });
  return us / 1000;
}

export const linkCommand: Command = {
  name: 'link',
  summary: 'cut a wire so both nodes see it go down, restore it, or flap it',
  positionals: 'down|up|flap ENDPOINT',
  options: {
    topology: topologyOption,
    vars: varsOption,
    down: { type: 'string', arg: 'DUR', help: 'flap: how long each cut lasts (Go duration: 500ms, 2s)' },
    up: { type: 'string', arg: 'DUR', help: 'flap: how long the link stays up between cuts' },
    count: { type: 'string', arg: 'N', help: 'flap: number of cycles (default: until Ctrl-C)' },
    format: formatOption,
  },
  async run(values, positionals) {
    const [action, endpoint, ...extra] = positionals;
    if (!action || !['down', 'up', 'flap'].includes(action) || !endpoint || extra.length)
      throw new XconnectError('USAGE', `link takes down, up or flap and one ENDPOINT (node:iface or a wire id), got ${JSON.stringify(positionals.join(' '))}`, {
        hint: 'e.g. clab-xconnect link down -t lab.clab.yml r1:eth1',
      });
    const file = requireTopology(values, 'link');
    const format = outputFormat(values);
    if (action !== 'flap') {
      const { linkDown, linkUp } = await import('../../runtime/link-control.js');
      const r = await (action === 'down' ? linkDown : linkUp)({ file, endpoint, ...varsOf(values) });
      if (format === 'json') writeJson(r);
      else process.stdout.write(describe(r));
      return 0;
    }
    const downMs = duration(values, 'down');
    const upMs = duration(values, 'up');
    const countText = values['count'];
    const count = countText === undefined ? undefined : Number(countText);
    if (count !== undefined && !(Number.isInteger(count) && count > 0))
      throw new XconnectError('USAGE', `--count needs a whole number above 0, got ${JSON.stringify(countText)}`, { value: countText });
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const transitions: { at: string; state: string }[] = [];
    try {
      const { linkFlap } = await import('../../runtime/link-control.js');
      const r = await linkFlap({
        file,
        endpoint,
        ...varsOf(values),
        downMs,
        upMs,
        count,
        signal: stop.signal,
        onTransition: (at, state, rep) => {
          transitions.push({ at: at.toISOString(), state });
          if (format !== 'json') process.stdout.write(`${at.toISOString()} ${rep.wire} ${state === 'cut' ? 'down' : 'up'}\n`);
        },
      });
      if (format === 'json') writeJson({ endpoint, cycles: r.cycles, stopped: r.stopped, transitions });
      else if (r.stopped) process.stdout.write('stopped: the link is left up\n');
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

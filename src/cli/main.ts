#!/usr/bin/env node
/** clab-xconnect command line: a table of commands (src/cli/commands/).
 * Installed, it runs through a launcher that passes node the flags of its
 * command (src/util/node-flags.ts). */
import { parseArgs } from 'node:util';
import { XconnectError } from '../errors.js';
import type { Command, OptionSpec } from './command.js';
import { commands } from './commands/index.js';
import { versionCommand } from './commands/version.js';
import { trace } from '../util/trace.js';

// A reader that stops early (`clab-xconnect status | head`) closes the pipe:
// end quietly with a broken pipe's status, as a command killed by SIGPIPE
// does, not with an unhandled 'error' event and its stack. Nothing is left
// half done: a one-shot command writes its report last, the kernel already
// changed, and watch leaves its wires pinned as on SIGTERM.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(128 + 13);
});

function usage(): string {
  const lines = ['usage: clab-xconnect <command> [options]', '', 'commands:'];
  for (const c of commands) lines.push(`  ${c.name.padEnd(10)} ${c.summary}`);
  lines.push('', "run 'clab-xconnect <command> --help' for a command's options");
  return lines.join('\n');
}

function commandUsage(c: Command): string {
  const lines = [`usage: clab-xconnect ${c.name}${c.positionals ? ` ${c.positionals}` : ''} [options]`, '', c.summary, '', 'options:'];
  for (const [name, o] of Object.entries(c.options) as [string, OptionSpec][]) {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.arg ? ` ${o.arg}` : ''}`;
    const def = o.default !== undefined && o.default !== false ? ` (default: ${String(o.default)})` : '';
    lines.push(`  ${flag.padEnd(28)} ${o.help}${def}`);
  }
  return lines.join('\n');
}

/** Prints an error the way the chosen format asks: JSON on stdout for CI, text on stderr. */
function reportError(e: unknown, json: boolean): number {
  const err =
    e instanceof XconnectError ? e : new XconnectError('RUNTIME', e instanceof Error ? e.message : String(e), { cause: e });
  if (json) process.stdout.write(JSON.stringify({ ok: false, error: err.toJSON() }, null, 2) + '\n');
  process.stderr.write(`clab-xconnect: ${err.message}\n`);
  if (process.env.CLAB_XCONNECT_DEBUG && err.context.cause instanceof Error) process.stderr.write(`${err.context.cause.stack}\n`);
  return err.code === 'USAGE' ? 2 : 1;
}

/** Whether the arguments ask for JSON output (`--format json` or `--format=json`,
 * the last one winning, as parseArgs takes it). Read before parsing, so that
 * a usage error is reported in the format asked for too. The values of the
 * command's string options are skipped: `-t json` names a file. */
function wantsJson(args: readonly string[], options: Record<string, OptionSpec> = {}): boolean {
  const takesValue = new Set<string>();
  for (const [name, o] of Object.entries(options)) {
    if (o.type !== 'string') continue;
    takesValue.add(`--${name}`);
    if (o.short) takesValue.add(`-${o.short}`);
  }
  let format: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (a.startsWith('--format=')) format = a.slice('--format='.length);
    else if (a === '--format') format = args[++i];
    else if (takesValue.has(a)) i++;
  }
  return format === 'json';
}

export async function main(argv: string[]): Promise<number> {
  trace('cli loaded');
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version') return versionCommand.run({ format: wantsJson(rest) ? 'json' : 'table' }, []);
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    const hint = `the commands are ${commands.map((c) => c.name).join(', ')}; see 'clab-xconnect --help'`;
    return reportError(new XconnectError('USAGE', `unknown command '${name}'`, { value: name, hint }), wantsJson(rest));
  }
  const json = wantsJson(rest, cmd.options);
  let parsed;
  try {
    const options = Object.fromEntries(
      Object.entries({ ...cmd.options, help: { type: 'boolean', short: 'h', help: 'show help' } as OptionSpec }).map(
        ([k, { help: _h, arg: _a, ...o }]) => [k, o],
      ),
    );
    parsed = parseArgs({ args: rest, options, allowPositionals: !!cmd.positionals, strict: true });
  } catch (e) {
    return reportError(new XconnectError('USAGE', (e as Error).message, { hint: `see 'clab-xconnect ${cmd.name} --help'` }), json);
  }
  if (parsed.values.help) {
    process.stdout.write(commandUsage(cmd) + '\n');
    return 0;
  }
  try {
    return await cmd.run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals);
  } catch (e) {
    return reportError(e, json);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.exitCode = reportError(e, false);
  },
);

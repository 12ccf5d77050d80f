/** The CLI contract: every command is a declared table entry over a plain
 * function the library also exports. Parsing is node:util's parseArgs. */
import type { ParseArgsConfig } from 'node:util';
import { XconnectError } from '../errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { help: string; arg?: string };

export interface Command {
  name: string;
  summary: string;
  options: Record<string, OptionSpec>;
  /** Runs the command; returns the process exit code. Throw XconnectError for errors. */
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number>;
}

export type OutputFormat = 'table' | 'json';

export const formatOption: OptionSpec = {
  type: 'string',
  default: 'table',
  arg: 'table|json',
  help: 'output format',
};

export const topologyOption: OptionSpec = {
  type: 'string',
  short: 't',
  arg: 'FILE',
  help: 'containerlab topology file (*.clab.yml) or xdp-xconnect config',
};

/** The -t value, or a usage error that shows how to pass it. */
export function requireTopology(values: Record<string, unknown>, command: string): string {
  const file = values['topology'];
  if (typeof file !== 'string' || file === '')
    throw new XconnectError('USAGE', 'missing the topology file', { hint: `pass it with -t FILE, e.g. 'clab-xconnect ${command} -t lab.clab.yml'` });
  return file;
}

/** The --format value, checked. */
export function outputFormat(values: Record<string, unknown>): OutputFormat {
  const f = values['format'] ?? 'table';
  if (f !== 'table' && f !== 'json')
    throw new XconnectError('USAGE', `unknown format "${String(f)}"`, { value: f, hint: 'use --format table or --format json' });
  return f;
}

/** Writes `{ ok: true, ...body }` as the JSON output of a command. */
export function writeJson(body: object): void {
  process.stdout.write(JSON.stringify({ ok: true, ...body }, null, 2) + '\n');
}

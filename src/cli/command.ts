/** The CLI contract: every command is a declared table entry over a plain
 * function the library also exports. Parsing is node:util's parseArgs. */
import type { ParseArgsConfig } from 'node:util';
import { XconnectError } from '../errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { help: string; arg?: string };

export interface Command {
  name: string;
  summary: string;
  /** Positional arguments, as the usage line shows them (e.g. "down|up ENDPOINT");
   * a command without it takes none. */
  positionals?: string;
  options: Record<string, OptionSpec>;
  /** Runs the command; returns the process exit code. Throw XconnectError for errors. */
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number>;
}

export type OutputFormat = 'table' | 'json' | 'prometheus';

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

export const varsOption: OptionSpec = {
  type: 'string',
  arg: 'FILE',
  help: 'template variables file (default: <topology name>_vars.yml|.yaml|.json beside the topology, as containerlab finds it)',
};

/** The --vars value, as the library functions take it. */
export function varsOf(values: Record<string, unknown>): { vars?: string } {
  return typeof values['vars'] === 'string' ? { vars: values['vars'] } : {};
}

/** The -t value, or a usage error that shows how to pass it. */
export function requireTopology(values: Record<string, unknown>, command: string): string {
  const file = values['topology'];
  if (typeof file !== 'string' || file === '')
    throw new XconnectError('USAGE', 'missing the topology file', { hint: `pass it with -t FILE, e.g. 'clab-xconnect ${command} -t lab.clab.yml'` });
  return file;
}

/** The --format value, checked against the formats the command prints (table and json
 * unless it names more, as status does with prometheus). */
export function outputFormat<F extends OutputFormat = 'table' | 'json'>(
  values: Record<string, unknown>,
  allowed: readonly F[] = ['table', 'json'] as F[],
): F {
  const f = values['format'] ?? 'table';
  if (!allowed.includes(f as F)) {
    const names = allowed.map((a) => `--format ${a}`);
    const hint = `use ${names.slice(0, -1).join(', ')}${names.length > 2 ? ',' : ''} or ${names[names.length - 1]}`;
    throw new XconnectError('USAGE', `unknown format "${String(f)}"`, { value: f, hint });
  }
  return f as F;
}

/** Writes `{ ok: true, ...body }` as the JSON output of a command. */
export function writeJson(body: object): void {
  process.stdout.write(JSON.stringify({ ok: true, ...body }, null, 2) + '\n');
}

/** The CLI contract: every command is a declared table entry over a plain
 * function the library also exports. Parsing is node:util's parseArgs. */
import type { ParseArgsConfig } from 'node:util';

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

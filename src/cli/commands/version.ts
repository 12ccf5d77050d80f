/** `clab-xconnect version` (and `--version`): the package version, and the
 * kernel features that decide how wires are made (containerlab has a
 * `version` command too). */
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { native } from '../../native/addon.js';
import { packageVersion } from '../../util/package.js';
import { type Command, formatOption, outputFormat, writeJson } from '../command.js';

export interface VersionReport {
  version: string;
  node: string;
  kernel: string;
  /** Whether the kernel has TCX (else the tc engine uses cls_bpf filters); null: could not tell. */
  tcx: boolean | null;
  /** Why `tcx` is null. */
  tcxError?: string;
  /** The libbpf the native addon runs with (from the loaded shared object); null: not known. */
  libbpf: string | null;
}

/** libbpf.so.X.Y.Z as mapped into this process (after the addon loaded it). */
function libbpfVersion(): string | null {
  try {
    return /\/libbpf\.so\.(\d+(?:\.\d+)*)\s*$/m.exec(readFileSync('/proc/self/maps', 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Everything `version` prints; never fails (a missing feature is reported as unknown). */
export async function versionReport(): Promise<VersionReport> {
  const r: VersionReport = { version: packageVersion(), node: process.version, kernel: release(), tcx: null, libbpf: null };
  try {
    r.tcx = await native.probeTcx();
  } catch (e) {
    r.tcxError = (e as Error).message;
  }
  r.libbpf = libbpfVersion();
  return r;
}

export function formatVersion(r: VersionReport): string {
  const tcx = r.tcx === null ? `unknown (${r.tcxError ?? 'not probed'})` : r.tcx ? 'available (the tc engine attaches with TCX links)' : 'not available (the tc engine uses cls_bpf filters)';
  return [
    `clab-xconnect ${r.version}`,
    `  node:   ${r.node}`,
    `  kernel: ${r.kernel}`,
    `  TCX:    ${tcx}`,
    `  libbpf: ${r.libbpf ?? 'unknown'}`,
  ].join('\n') + '\n';
}

export const versionCommand: Command = {
  name: 'version',
  summary: 'print the version and the kernel features clab-xconnect uses (TCX, libbpf)',
  options: { format: formatOption },
  async run(values) {
    const format = outputFormat(values);
    const r = await versionReport();
    if (format === 'json') writeJson(r);
    else process.stdout.write(formatVersion(r));
    return 0;
  },
};

/** The container image in tests: built by scripts/image.sh (offline), run the way
 * docs/ci.md says, and removed by tag. */
import path from 'node:path';
import { execa } from 'execa';
import { setupOrFail } from './docker.js';
import { packageRoot } from '../../src/util/package.js';

/** `docker run` options the image needs, as docs/ci.md documents them: the host's
 * network and pid namespaces, the capabilities (nothing else: --cap-drop ALL), bpffs,
 * the netns links, clab-xconnect's run directory (locks), the Docker socket, and the
 * lab directory at the same path (containerlab's labels name it). */
export function imageRunOptions(labDir: string): string[] {
  return [
    '--network', 'host', '--pid', 'host',
    '--cap-drop', 'ALL', '--cap-add', 'NET_ADMIN', '--cap-add', 'SYS_ADMIN', '--cap-add', 'SYS_PTRACE',
    '-v', '/sys/fs/bpf:/sys/fs/bpf',
    '-v', '/run/netns:/run/netns',
    '-v', '/run/clab-xconnect:/run/clab-xconnect',
    '-v', '/var/run/docker.sock:/var/run/docker.sock',
    '-v', `${labDir}:${labDir}`, '-w', labDir,
  ];
}

/** Builds the image as `tag` with scripts/image.sh. */
export async function buildImage(tag: string): Promise<void> {
  const r = await execa(path.join(packageRoot, 'scripts', 'image.sh'), ['--tag', tag], { cwd: packageRoot, reject: false, all: true, timeout: 600_000 });
  if (r.exitCode !== 0) throw new Error(`scripts/image.sh failed (${r.exitCode}):\n${r.all}`);
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** `docker run --rm` of the image with `imageRunOptions(labDir)`. */
export async function runImage(tag: string, labDir: string, args: string[]): Promise<RunResult> {
  const r = await execa('docker', ['run', '--rm', ...imageRunOptions(labDir), tag, ...args], { reject: false, timeout: 120_000 });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Removes an image by tag (and the layers only it used). */
export async function removeImage(tag: string): Promise<void> {
  await execa('docker', ['image', 'rm', '-f', tag], { reject: false });
}

/** setupOrFail with a longer time for the setup (building the image). */
export function setupOrFailWithin(timeoutMs: number, setup: () => Promise<void>): void {
  setupOrFail(setup, timeoutMs);
}

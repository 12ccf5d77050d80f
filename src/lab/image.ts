/** The node image, built offline: a busybox-static rootfs plus the host's
 * iproute2 binaries (ip, tc, bridge) and the shared libraries they load. */
import { execa } from 'execa';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { XconnectError } from '../errors.js';
import { dockerClient } from './docker.js';

export const DEFAULT_NODE_IMAGE = 'clab-xconnect/node:latest';

/** Host binaries copied into the image (found on PATH), installed under /sbin. */
const HOST_TOOLS = ['ip', 'tc', 'bridge'];

/** PID 1 of a node: sleeps forever, exits at once on SIGTERM (a shell traps it;
 * a bare `sleep` as PID 1 would ignore it and make `docker stop` wait). */
const INIT = ['/bin/sh', '-c', "trap 'exit 0' TERM INT; sleep 2147483647 & wait"];

/** Builds `tag` from the host's binaries unless the engine already has it; returns the tag. */
export async function ensureNodeImage(tag = DEFAULT_NODE_IMAGE): Promise<string> {
  const docker = dockerClient();
  try {
    await docker.getImage(tag).inspect();
    return tag;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) throw e;
  }
  const dir = await mkdtemp(join(tmpdir(), 'clab-xconnect-image-'));
  try {
    await writeRootfs(join(dir, 'rootfs'));
    await writeFile(
      join(dir, 'Dockerfile'),
      ['FROM scratch', 'COPY rootfs/ /', `CMD ${JSON.stringify(INIT)}`, 'LABEL clab-xconnect.image=node', ''].join('\n'),
    );
    const { stdout: context } = await execa('tar', ['-C', dir, '-c', '.'], { encoding: 'buffer' });
    const stream = await docker.buildImage(Readable.from([Buffer.from(context)]), { t: tag, rm: true, forcerm: true });
    await followBuild(stream);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return tag;
}

/** Lays out busybox (with applet symlinks) and the host tools with their libraries. */
async function writeRootfs(root: string): Promise<void> {
  for (const d of ['bin', 'sbin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'run', 'root']) await mkdir(join(root, d), { recursive: true });
  const busybox = await which('busybox', 'install the Debian package busybox-static');
  await copyFile(busybox, join(root, 'bin/busybox'));
  const { stdout: applets } = await execa(busybox, ['--list']);
  for (const applet of applets.split('\n')) {
    if (!applet || applet === 'busybox' || HOST_TOOLS.includes(applet)) continue;
    await symlink('busybox', join(root, 'bin', applet));
  }
  const libs = new Set<string>();
  for (const tool of HOST_TOOLS) {
    const path = await which(tool, 'install the Debian package iproute2');
    await copyFile(path, join(root, 'sbin', tool));
    for (const lib of await sharedLibraries(path)) libs.add(lib);
  }
  // Copied (symlinks dereferenced) to the paths the loader asks for.
  for (const lib of libs) {
    await mkdir(join(root, dirname(lib)), { recursive: true });
    await copyFile(lib, join(root, lib));
  }
  await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  await writeFile(join(root, 'etc/group'), 'root:x:0:\n');
}

/** Absolute paths of the shared objects `ldd` lists for a binary (loader included). */
async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await execa('ldd', [binary]);
  const out: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (m?.[1]) out.push(m[1]);
  }
  return out;
}

async function which(cmd: string, hint: string): Promise<string> {
  const r = await execa('sh', ['-c', `command -v ${cmd}`], { reject: false });
  if (r.exitCode !== 0 || !r.stdout) throw new XconnectError('RUNTIME', `${cmd} not found on this host`, { hint });
  return r.stdout.trim();
}

/** Waits for a build stream to end; rejects on the first build error. */
function followBuild(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    dockerClient().modem.followProgress(stream, (err, result: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
      const failed = err ?? result.find((r) => r.error || r.errorDetail);
      if (!failed) return resolve();
      const msg = failed instanceof Error ? failed.message : (failed.errorDetail?.message ?? failed.error);
      reject(new XconnectError('RUNTIME', `building the node image failed: ${msg}`, { cause: failed }));
    });
  });
}

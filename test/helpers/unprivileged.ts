/** Running the built package as an unprivileged user (uid 65534) from a test.
 * The checkout may be private (a clone under /root, or in `mktemp -d`, is
 * 0700), where such a user can read nothing: so the process runs from a
 * world-readable copy of what it needs (dist/, the native addon,
 * package.json, and the runtime packages the CLI imports), and with that
 * copy as its working directory. */
import { chmod, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { packageRoot } from '../../src/util/package.js';

export const NOBODY = 65534;

export interface PublicCopy {
  /** The copy's root: `<root>/dist/...`, `<root>/build/Release/xconnect.node`. */
  root: string;
  /** `<root>/dist/bin/clab-xconnect.cjs`, the installed CLI. */
  cli: string;
  remove(): Promise<void>;
}

/** Packages the CLI imports at load time (dockerode is loaded only when a lab
 * needs it, after the root check). */
const RUNTIME_PACKAGES = ['yaml', 'zod'];

/** Copies what an unprivileged node process needs into a 0755 temp dir. */
export async function publicCopy(): Promise<PublicCopy> {
  const root = await mkdtemp(path.join(tmpdir(), 'clab-xconnect-public-'));
  try {
    await chmod(root, 0o755);
    await cp(path.join(packageRoot, 'dist'), path.join(root, 'dist'), { recursive: true });
    await cp(path.join(packageRoot, 'build', 'Release', 'xconnect.node'), path.join(root, 'build', 'Release', 'xconnect.node'));
    await cp(path.join(packageRoot, 'package.json'), path.join(root, 'package.json'));
    for (const p of RUNTIME_PACKAGES)
      await cp(path.join(packageRoot, 'node_modules', p), path.join(root, 'node_modules', p), { recursive: true, dereference: true });
    // mkdtemp made it 0700 and cp keeps the sources' modes: open everything up for reading.
    await execa('chmod', ['-R', 'a+rX', root]);
  } catch (e) {
    await rm(root, { recursive: true, force: true });
    throw e;
  }
  return { root, cli: path.join(root, 'dist', 'bin', 'clab-xconnect.cjs'), remove: () => rm(root, { recursive: true, force: true }) };
}

/** Runs `node args...` as uid/gid 65534 with no groups, in `cwd`. */
export async function nodeAsNobody(args: string[], opts: { cwd: string; env?: Record<string, string>; timeout?: number }) {
  return execa('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, ...args], {
    cwd: opts.cwd,
    env: opts.env ?? {},
    extendEnv: true,
    reject: false,
    timeout: opts.timeout ?? 30_000,
  });
}

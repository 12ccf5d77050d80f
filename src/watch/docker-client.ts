/** dockerode for a long-running watch, without the parts watch never uses. When
 * imported, dockerode loads gRPC and protobufjs (for BuildKit sessions) and
 * docker-modem loads ssh2 (for ssh:// engines): about 13 MB of a process that should
 * stay small. Their entry modules are put in the require cache as stubs that throw
 * if ever called, before dockerode loads; ssh stays real when DOCKER_HOST asks for it.
 * Anything else in the process that imports dockerode gets the same instance. */
import type Docker from 'dockerode';
import { existsSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

function stub(file: string, what: string): void {
  if (!existsSync(file) || require.cache[file]) return; // another layout, or already loaded for real
  const m = new Module(file);
  m.filename = file;
  m.loaded = true;
  m.exports = () => {
    throw new Error(`${what} is not available in clab-xconnect watch`);
  };
  require.cache[file] = m;
}

/** A client for DOCKER_HOST (or the default socket). */
export async function dockerClient(): Promise<Docker> {
  try {
    const dockerode = path.dirname(require.resolve('dockerode/package.json'));
    stub(path.join(dockerode, 'lib', 'session.js'), 'a BuildKit session');
    if (!/^ssh:/.test(process.env.DOCKER_HOST ?? '')) {
      const modem = path.dirname(createRequire(path.join(dockerode, 'package.json')).resolve('docker-modem/package.json'));
      stub(path.join(modem, 'lib', 'ssh.js'), 'an ssh:// Docker host');
    }
  } catch {
    // Resolution failed: load dockerode whole.
  }
  return new (await import('dockerode')).default();
}

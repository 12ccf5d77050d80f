/** A cache of parsed plans, so an unchanged topology is not parsed again on
 * every `apply` (parsing a 1,000-link file costs ~0.25 s and ~40 MB; a no-op
 * re-apply is what CI and stages hooks run most).
 *
 * The key covers everything the result depends on: the file's path and bytes,
 * the values of the environment variables the file refers to, and
 * CLAB_LABDIR_BASE. Entries live on tmpfs (/run), one per topology file, and
 * are written atomically; a missing, unreadable or mismatched entry just means
 * a normal load. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../native/addon.js';
import { RUN_DIR } from './paths.js';

/** Bump when the shape of Plan or Topology changes; the package version is
 * part of the key too, so an upgrade never reads an older parser's result. */
const CACHE_FORMAT = 1;
const VERSION = (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;

export function cacheKey(file: string, text: string, env: Record<string, string | undefined>): string {
  const vars = [...new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))].sort();
  const values = vars.map((v) => [v, env[v] ?? null]);
  return createHash('sha256')
    .update(JSON.stringify({ f: CACHE_FORMAT, v: VERSION, file: path.resolve(file), text, values, base: env['CLAB_LABDIR_BASE'] ?? null }))
    .digest('hex');
}

function entryPath(file: string): string {
  return path.join(RUN_DIR, 'plans', createHash('sha256').update(path.resolve(file)).digest('hex').slice(0, 32) + '.json');
}

export async function readCached<T>(file: string, key: string): Promise<T | undefined> {
  try {
    const entry = JSON.parse(await readFile(entryPath(file), 'utf8')) as { key: string; value: T };
    return entry.key === key ? entry.value : undefined;
  } catch {
    return undefined;
  }
}

/** Forgets the cached plan of `file` (destroy leaves nothing of a lab behind). */
export async function dropCached(file: string): Promise<void> {
  await rm(entryPath(file), { force: true });
}

export async function writeCached(file: string, key: string, value: unknown): Promise<void> {
  const target = entryPath(file);
  const tmp = `${target}.${process.pid}`;
  try {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(tmp, JSON.stringify({ key, value }));
    await rename(tmp, target);
  } catch {
    // Best effort: without a cache the next run parses again.
  }
}

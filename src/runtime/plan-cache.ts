/** A cache of parsed plans, so an unchanged topology is not parsed again on
 * every `apply` (parsing a 1,000-link file costs ~0.25 s and ~40 MB; a no-op
 * re-apply is what CI and stages hooks run most).
 *
 * The key covers everything the result depends on (src/runtime/load-plan.ts
 * gathers it): the bytes of every file the rendering read (the topology, its
 * vars files, its clab_templates), the explicit --vars paths, the value of each
 * environment variable the substitution looked up (bare `$VAR` and defaults
 * such as `${A:-$B}` included), and CLAB_LABDIR_BASE. Entries live on tmpfs
 * (/run), one per topology file, and are written atomically; a missing,
 * unreadable or mismatched entry just means a normal load.
 *
 * The key is that material itself, texts and all, compared whole: no hash to
 * trust, and no node:crypto to load (~6 ms of a start-up that is mostly this
 * read). An entry is as big again as the files it was made from. */
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { byCodeUnit } from '../util/compare.js';
import { writeAtomic } from './atomic-file.js';
import { packageVersion } from '../util/package.js';
import { RUN_DIR } from './paths.js';

/** Bump when the shape of Plan or Topology changes; the package version is
 * part of the key too, so an upgrade never reads an older parser's result. */
const CACHE_FORMAT = 3;
const VERSION = packageVersion();

/** What a load read: the key is exactly this. */
export interface CacheInputs {
  /** The topology file as given (-t). */
  file: string;
  /** Every file the rendering read, with the bytes read (the topology first). */
  inputs: readonly { file: string; text: string }[];
  /** Explicit template variables files (--vars), undefined when none were given. */
  vars?: string | readonly string[];
  /** Each variable the substitution looked up, with its value (undefined: unset). */
  lookups: ReadonlyMap<string, string | undefined>;
  /** CLAB_LABDIR_BASE (the lab directory, and so node binds, depend on it). */
  labDirBase: string | undefined;
}

/** FNV-1a, 64 bits as two 32-bit halves: names an entry's file. A collision
 * only costs a miss (the entry's key names its file). */
function fnv1a(s: string): string {
  let a = 0x811c9dc5;
  let b = 0xcbf29ce4;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x0100019d);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

export function cacheKey(k: CacheInputs): string {
  const vars = k.vars === undefined ? null : (typeof k.vars === 'string' ? [k.vars] : [...k.vars]).map((v) => path.resolve(v));
  const lookups = [...k.lookups].sort(([a], [b]) => byCodeUnit(a, b)).map(([n, v]) => [n, v ?? null]);
  return JSON.stringify({
    f: CACHE_FORMAT,
    v: VERSION,
    file: path.resolve(k.file),
    inputs: k.inputs.map((i) => [path.resolve(i.file), i.text]),
    vars,
    lookups,
    base: k.labDirBase ?? null,
  });
}

function entryPath(file: string): string {
  return path.join(RUN_DIR, 'plans', fnv1a(path.resolve(file)) + '.json');
}

export async function readCached<T>(file: string, key: string): Promise<T | undefined> {
  try {
    const entry = JSON.parse(await readFile(entryPath(file), 'utf8')) as { key: string; value: T };
    return entry.key === key ? entry.value : undefined;
  } catch {
    return undefined;
  }
}

/** Forgets the cached plan of `file` (destroy leaves nothing of a lab behind),
 * with any temporary file a crashed run left beside it. */
export async function dropCached(file: string): Promise<void> {
  const entry = entryPath(file);
  // Earlier builds named the entry by a SHA-256 of the path: those go too.
  const legacy = process.getBuiltinModule('node:crypto').createHash('sha256').update(path.resolve(file)).digest('hex').slice(0, 32) + '.json';
  const bases = [path.basename(entry), legacy];
  const names = await readdir(path.dirname(entry)).catch(() => [] as string[]);
  for (const n of names)
    if (bases.some((base) => n === base || n.startsWith(`${base}.`))) await rm(path.join(path.dirname(entry), n), { force: true });
}

export async function writeCached(file: string, key: string, value: unknown): Promise<void> {
  const target = entryPath(file);
  try {
    await writeAtomic(target, JSON.stringify({ key, value }));
  } catch {
    // Best effort: without a cache the next run parses again.
    await rm(`${target}.${process.pid}`, { force: true }).catch(() => undefined);
  }
}

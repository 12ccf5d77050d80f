/** Reads a plan source for the runtime: the plan, and for a containerlab file
 * the topology too (the runtime needs its nodes to find their namespaces).
 * An unchanged source comes from the plan cache (src/runtime/plan-cache.ts).
 *
 * The parsers (YAML, the schema, the Go template engine, the planner) are
 * loaded only when needed: a re-apply of an unchanged plain topology reads
 * the cache and never loads them, which is most of its start-up time. */
import { readFileSync } from 'node:fs';
import { XconnectError } from '../errors.js';
import type { Plan } from '../plan/types.js';
import { type Env, substituteEnv } from '../topology/env-subst.js';
import type { Topology } from '../topology/model.js';
import { cacheKey, readCached, writeCached } from './plan-cache.js';

/** From this many links on, parsing a topology leaves garbage worth collecting. */
const BIG_LAB_LINKS = 200;

export interface LoadedPlan {
  plan: Plan;
  topology?: Topology;
}

export interface PlanSourceOptions {
  /** Template variables file(s), as `--vars` (default: found beside the topology). */
  vars?: string | readonly string[];
}

async function parse(file: string, env: Env, vars: PlanSourceOptions['vars']): Promise<LoadedPlan> {
  const [{ detectPlanSource }, { planTopology }, { loadXdpXconnectConfig }, { loadTopology }] = await Promise.all([
    import('../plan/plan-file.js'),
    import('../plan/plan.js'),
    import('../plan/xdp-xconnect.js'),
    import('../topology/load.js'),
  ]);
  if (detectPlanSource(file) === 'xdp-xconnect') return { plan: loadXdpXconnectConfig(file) };
  const topology = loadTopology(file, vars === undefined ? { env } : { env, vars });
  const plan = planTopology(topology, { displayFile: file });
  // The YAML document of a big lab is garbage now, and would stay in the RSS
  // through the run: with the CLI's 1 MiB young generation, a cold apply of
  // 1,000 wires peaks at 89-91 MiB instead of 95-105.
  if (topology.links.length >= BIG_LAB_LINKS) (await import('../util/gc.js')).collectGarbage();
  return { plan, topology };
}

/** `env`, recording each variable read through it (and the value read). */
function recording(env: Env, seen: Map<string, string | undefined>): Env {
  return new Proxy(env, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as string | undefined;
      if (typeof prop === 'string') seen.set(prop, v);
      return v;
    },
  });
}

/** The cache key of what loading `file` reads right now: every file the
 * rendering reads (topology, vars files, sub-templates) and every variable the
 * substitution looks up, found by doing both on one read of the bytes.
 * Undefined when any step fails: the load then reports it, with context. */
async function currentKey(file: string, env: Env, vars: PlanSourceOptions['vars']): Promise<string | undefined> {
  try {
    const text = readFileSync(file, 'utf8');
    // Plain text renders to itself (and reads no vars file unless one is
    // named): no template engine needed for its key.
    const rendered =
      vars === undefined && !text.includes('{{')
        ? { text, inputs: [{ file, text }] }
        : (await import('../topology/template/render.js')).renderTopologyText(file, vars === undefined ? {} : { vars }, text);
    const lookups = new Map<string, string | undefined>();
    substituteEnv(rendered.text, recording(env, lookups), file);
    return cacheKey({ file, inputs: rendered.inputs, vars, lookups, labDirBase: env['CLAB_LABDIR_BASE'] });
  } catch {
    return undefined;
  }
}

/** Characters a lab name may hold: it names the lab's lock, state files and
 * bpffs directory here, and its containers (clab-<lab>-<node>, which Docker
 * allows [a-zA-Z0-9_.-] in) and /run/netns links in containerlab. */
const LAB_NAME = /^[A-Za-z0-9_.-]+$/;

/** Refuses a containerlab lab name that cannot name a file or a container:
 * `a/b` or `..` would make paths escape, or two labs share one state. */
function checkLabName(loaded: LoadedPlan, file: string): void {
  const lab = loaded.plan.lab;
  if (!loaded.topology || (LAB_NAME.test(lab) && lab !== '.' && lab !== '..')) return;
  let line: number | undefined;
  try {
    const text = readFileSync(file, 'utf8');
    const at = /^name\s*:/m.exec(text);
    if (at) line = text.slice(0, at.index).split('\n').length;
  } catch {
    // The line is a nicety; the message names the value.
  }
  throw new XconnectError('TOPOLOGY', `the lab name ${JSON.stringify(lab)} cannot name the lab's files and containers`, {
    file,
    line,
    path: 'name',
    value: lab,
    hint: 'use letters, digits, "_", "-" and "." only (and not "." or ".."), as containerlab\'s container names do',
  });
}

/** The plan-source options of a command's options (only what is set). */
export function varsOf(o: { vars?: PlanSourceOptions['vars'] }): PlanSourceOptions {
  return o.vars === undefined ? {} : { vars: o.vars };
}

/** Loads the plan of `file` (a containerlab topology or an xdp-xconnect config). */
export async function loadPlan(file: string, env: Env = process.env, opts: PlanSourceOptions = {}): Promise<LoadedPlan> {
  const loaded = await load(file, env, opts);
  checkLabName(loaded, file);
  return loaded;
}

async function load(file: string, env: Env, opts: PlanSourceOptions): Promise<LoadedPlan> {
  const key = await currentKey(file, env, opts.vars);
  if (key === undefined) return parse(file, env, opts.vars);
  const hit = await readCached<LoadedPlan>(file, key);
  if (hit) return hit;
  const loaded = await parse(file, env, opts.vars);
  // The loader reads the files again itself: cache its result only when they
  // still hold the bytes the key was made of (an edit in between would
  // otherwise file one version's plan under another version's key).
  if ((await currentKey(file, env, opts.vars)) === key) await writeCached(file, key, loaded);
  return loaded;
}

/** Reads a plan source for the runtime: the plan, and for a containerlab file
 * the topology too (the runtime needs its nodes to find their namespaces).
 * An unchanged file comes from the plan cache (src/runtime/plan-cache.ts). */
import { readFile } from 'node:fs/promises';
import { detectPlanSource } from '../plan/plan-file.js';
import { planTopology } from '../plan/plan.js';
import type { Plan } from '../plan/types.js';
import { loadXdpXconnectConfig } from '../plan/xdp-xconnect.js';
import { loadTopology } from '../topology/load.js';
import type { Topology } from '../topology/model.js';
import { cacheKey, readCached, writeCached } from './plan-cache.js';

export interface LoadedPlan {
  plan: Plan;
  topology?: Topology;
}

function parse(file: string, env: Record<string, string | undefined>): LoadedPlan {
  if (detectPlanSource(file) === 'xdp-xconnect') return { plan: loadXdpXconnectConfig(file) };
  const topology = loadTopology(file, { env });
  return { plan: planTopology(topology, { displayFile: file }), topology };
}

export async function loadPlan(file: string, env: Record<string, string | undefined> = process.env): Promise<LoadedPlan> {
  // An unreadable file is reported by the loader, with its own message.
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return parse(file, env);
  const key = cacheKey(file, text, env);
  const hit = await readCached<LoadedPlan>(file, key);
  if (hit) return hit;
  const loaded = parse(file, env);
  await writeCached(file, key, loaded);
  return loaded;
}

/** Reads a plan source for the runtime: the plan, and for a containerlab file
 * the topology too (the runtime needs its nodes to find their namespaces). */
import { detectPlanSource } from '../plan/plan-file.js';
import { planTopology } from '../plan/plan.js';
import type { Plan } from '../plan/types.js';
import { loadXdpXconnectConfig } from '../plan/xdp-xconnect.js';
import { loadTopology } from '../topology/load.js';
import type { Topology } from '../topology/model.js';

export interface LoadedPlan {
  plan: Plan;
  topology?: Topology;
}

export async function loadPlan(file: string, env?: Record<string, string | undefined>): Promise<LoadedPlan> {
  if (detectPlanSource(file) === 'xdp-xconnect') return { plan: loadXdpXconnectConfig(file) };
  const topology = loadTopology(file, env ? { env } : {});
  return { plan: planTopology(topology, { displayFile: file }), topology };
}

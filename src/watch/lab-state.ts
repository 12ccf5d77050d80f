/** What watch knows about the lab's nodes: which run, which containers it has seen
 * (a container seen before that starts again was restarted; a new one was made by
 * someone else, e.g. containerlab), and so which wires wait for a node. */
import type Docker from 'dockerode';
import type { Plan, WirePlan } from '../plan/types.js';

export type NodeState = 'running' | 'down';

export class LabState {
  private readonly nodes = new Map<string, { state: NodeState; id: string }>();
  private readonly seen = new Set<string>();

  /** Reads the lab's containers (running or not) from Docker. */
  static async read(docker: Docker, lab: string): Promise<LabState> {
    const s = new LabState();
    const list = await docker.listContainers({ all: true, filters: { label: [`containerlab=${lab}`] } });
    for (const c of list) {
      const node = c.Labels['clab-node-name'];
      if (node) s.set(node, c.Id, c.State === 'running' ? 'running' : 'down');
    }
    return s;
  }

  /** Number of the lab's containers watch knows to exist. */
  get containers(): number {
    return this.nodes.size;
  }

  /** Records a node's container and state; returns whether the container was seen before. */
  set(node: string, id: string, state: NodeState): boolean {
    const known = this.seen.has(id);
    this.seen.add(id);
    this.nodes.set(node, { state, id });
    return known;
  }

  /** The container was removed. */
  remove(node: string, id: string): void {
    if (this.nodes.get(node)?.id === id) this.nodes.delete(node);
  }

  isRunning(node: string): boolean {
    return this.nodes.get(node)?.state === 'running';
  }

  /** Nodes of `plan`'s wires that do not run (stopped, or with no container). */
  downNodes(plan: Plan): string[] {
    return [...new Set(plan.wires.flatMap(wireNodes))].filter((n) => !this.isRunning(n)).sort();
  }

  /** Wires of `plan` that wait for a node, with the reason. */
  pending(plan: Plan): Map<string, string> {
    const out = new Map<string, string>();
    for (const w of plan.wires) {
      const down = wireNodes(w).find((n) => !this.isRunning(n));
      if (down) out.set(w.id, `node ${down} is ${this.nodes.has(down) ? 'stopped' : 'gone'}`);
    }
    return out;
  }
}

/** The nodes a wire's ports belong to. */
export function wireNodes(w: WirePlan): string[] {
  return [w.a.node?.name, w.b.node?.name].filter((n): n is string => !!n);
}

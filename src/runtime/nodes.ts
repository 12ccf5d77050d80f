/** Finds each lab node's network namespace: through the Docker API by
 * containerlab's labels, then by the container's long name, then by the
 * /run/netns/<longname> link containerlab makes (which also serves nodes that
 * are not Docker containers). */
import { access } from 'node:fs/promises';
import type Docker from 'dockerode';
import { XconnectError } from '../errors.js';
import type { Topology, TopologyNode } from '../topology/model.js';

export interface NodeRuntime {
  name: string;
  /** Network namespace path to enter. */
  netns: string;
  /** Container id when found through Docker. */
  container?: string;
}

export interface NodeProblem {
  name: string;
  reason: string;
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

/** Resolves `names` of `topo`; returns what it found and, per node, why not. */
export async function findNodes(
  topo: Topology,
  names: Iterable<string>,
  client?: Docker,
): Promise<{ nodes: Map<string, NodeRuntime>; problems: NodeProblem[] }> {
  const wanted = new Map<string, TopologyNode>();
  for (const n of names) {
    const node = topo.nodes.find((x) => x.name === n);
    if (node) wanted.set(n, node);
  }
  const nodes = new Map<string, NodeRuntime>();
  const problems: NodeProblem[] = [];
  if (wanted.size === 0) return { nodes, problems };

  let containers: Docker.ContainerInfo[] = [];
  let dockerError: string | undefined;
  // dockerode (and its ssh stack) costs ~0.1 s to load: only when a lab needs it.
  const docker = client ?? new (await import('dockerode')).default();
  try {
    containers = await docker.listContainers({ all: true, filters: { label: [`containerlab=${topo.name}`] } });
    const byName = await docker.listContainers({ all: true, filters: { name: [...wanted.values()].map((n) => n.longName) } });
    for (const c of byName) if (!containers.some((x) => x.Id === c.Id)) containers.push(c);
  } catch (e) {
    dockerError = (e as Error).message;
  }

  for (const [name, node] of wanted) {
    const c =
      containers.find((x) => x.Labels?.containerlab === topo.name && x.Labels?.['clab-node-name'] === name) ??
      containers.find((x) => x.Names.includes(`/${node.longName}`));
    if (c) {
      if (c.State !== 'running') {
        problems.push({ name, reason: `node ${name} (container ${node.longName}) is not running (state: ${c.State})` });
        continue;
      }
      const info = await docker.getContainer(c.Id).inspect();
      const pid = info.State.Pid;
      if (!pid) {
        problems.push({ name, reason: `node ${name} (container ${node.longName}) has no process` });
        continue;
      }
      nodes.set(name, { name, netns: `/proc/${pid}/ns/net`, container: c.Id });
      continue;
    }
    const link = `/run/netns/${node.longName}`;
    if (await exists(link)) {
      nodes.set(name, { name, netns: link });
      continue;
    }
    problems.push({
      name,
      reason: dockerError
        ? `node ${name}: cannot reach Docker (${dockerError}) and ${link} does not exist`
        : `node ${name} is not running: no container labelled containerlab=${topo.name}, clab-node-name=${name} or named ${node.longName}, and no ${link}`,
    });
  }
  return { nodes, problems };
}

export function nodeProblemsError(problems: NodeProblem[], lab: string): XconnectError {
  return new XconnectError('RUNTIME', problems.map((p) => p.reason).join('; '), {
    hint: `deploy the lab first (containerlab deploy) or check 'docker ps --filter label=containerlab=${lab}'`,
  });
}

/** Finds each lab node's network namespace: through the Docker API by
 * containerlab's labels, then by the container's long name, then by the
 * /run/netns/<longname> link containerlab makes (which also serves nodes that
 * are not Docker containers). Each namespace is opened once, here, and the
 * run works through that handle; a container's is opened by its pid and then
 * checked to still be that container's (a pid can be reused the moment a
 * container stops). */
import { access } from 'node:fs/promises';
import { XconnectError } from '../errors.js';
import { Netns } from '../native/netns.js';
import { dockerReads, type ContainerSummary, type DockerReads } from './docker-api.js';
import type { Topology, TopologyNode } from '../topology/model.js';
import { mapLimit } from '../util/pool.js';

export interface NodeRuntime {
  name: string;
  /** The node's network namespace, held open. */
  netns: Netns;
  /** Container id when found through Docker. */
  container?: string;
}

/** Closes the namespaces of `nodes`. */
export function closeNodes(nodes: Iterable<NodeRuntime>): void {
  for (const n of nodes) n.netns.close();
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
  client?: DockerReads,
): Promise<{ nodes: Map<string, NodeRuntime>; problems: NodeProblem[] }> {
  const wanted = new Map<string, TopologyNode>();
  for (const n of names) {
    const node = topo.nodes.find((x) => x.name === n);
    if (node) wanted.set(n, node);
  }
  const nodes = new Map<string, NodeRuntime>();
  const problems: NodeProblem[] = [];
  if (wanted.size === 0) return { nodes, problems };

  let containers: ContainerSummary[] = [];
  let dockerError: string | undefined;
  const docker = client ?? (await dockerReads());
  try {
    containers = await docker.listContainers({ all: true, filters: { label: [`containerlab=${topo.name}`] } });
    const byName = await docker.listContainers({ all: true, filters: { name: [...wanted.values()].map((n) => n.longName) } });
    for (const c of byName) if (!containers.some((x) => x.Id === c.Id)) containers.push(c);
  } catch (e) {
    dockerError = (e as Error).message;
  }

  await mapLimit([...wanted], 8, async ([name, node]) => {
    const c =
      containers.find((x) => x.Labels?.containerlab === topo.name && x.Labels?.['clab-node-name'] === name) ??
      containers.find((x) => x.Names.includes(`/${node.longName}`));
    if (c) {
      if (c.State !== 'running') {
        problems.push({ name, reason: `node ${name} (container ${node.longName}) is not running (state: ${c.State})` });
        return;
      }
      const container = docker.getContainer(c.Id);
      const pid = (await container.inspect()).State.Pid;
      if (!pid) {
        problems.push({ name, reason: `node ${name} (container ${node.longName}) has no process` });
        return;
      }
      const netns = await Netns.open(`/proc/${pid}/ns/net`).catch(() => null);
      // Opened: the handle now pins a namespace. Still this container's only
      // if the container still runs with that pid.
      const after = netns ? await container.inspect().catch(() => null) : null;
      if (!netns || !after?.State.Running || after.State.Pid !== pid) {
        netns?.close();
        problems.push({ name, reason: `node ${name} (container ${node.longName}) restarted or stopped while clab-xconnect was finding it; run the command again` });
        return;
      }
      nodes.set(name, { name, netns, container: c.Id });
      return;
    }
    const link = `/run/netns/${node.longName}`;
    if (await exists(link)) {
      nodes.set(name, { name, netns: await Netns.open(link) });
      return;
    }
    problems.push({
      name,
      reason: dockerError
        ? `node ${name}: cannot reach Docker (${dockerError}) and ${link} does not exist`
        : `node ${name} is not running: no container labelled containerlab=${topo.name}, clab-node-name=${name} or named ${node.longName}, and no ${link}`,
    });
  });
  // Found in parallel: report in the order the caller named them.
  const order = [...wanted.keys()];
  problems.sort((x, y) => order.indexOf(x.name) - order.indexOf(y.name));
  return { nodes: new Map(order.filter((n) => nodes.has(n)).map((n) => [n, nodes.get(n)!])), problems };
}

export function nodeProblemsError(problems: NodeProblem[], lab: string): XconnectError {
  return new XconnectError('RUNTIME', problems.map((p) => p.reason).join('; '), {
    hint: `deploy the lab first (containerlab deploy) or check 'docker ps --filter label=containerlab=${lab}'`,
  });
}

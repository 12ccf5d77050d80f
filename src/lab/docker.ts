/** The Docker side of the deployer: one client, containerlab's labels, and the
 * container operations a node needs (create/start/inspect/stop/remove). */
import Docker from 'dockerode';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { XconnectError } from '../errors.js';
import type { Topology, TopologyNode } from '../topology/model.js';

let client: Docker | undefined;

/** The shared dockerode client (DOCKER_HOST or the default socket). */
export function dockerClient(): Docker {
  client ??= new Docker();
  return client;
}

/** Rejects with a RUNTIME error naming the fix when the engine does not answer. */
export async function assertDockerReachable(): Promise<void> {
  try {
    await dockerClient().ping();
  } catch (e) {
    throw new XconnectError('RUNTIME', 'the Docker engine is not reachable', {
      cause: e,
      hint: 'start it with scripts/dockerd.sh start',
    });
  }
}

/** containerlab's label keys (constants/labels.go). */
export const LABEL = {
  lab: 'containerlab',
  nodeName: 'clab-node-name',
  longName: 'clab-node-longname',
  kind: 'clab-node-kind',
  type: 'clab-node-type',
  group: 'clab-node-group',
  labDir: 'clab-node-lab-dir',
  topoFile: 'clab-topo-file',
  owner: 'clab-owner',
} as const;

/** Labels containerlab puts on a node container; the node's own `labels:` are merged in. */
export function nodeLabels(topo: Topology, node: TopologyNode): Record<string, string> {
  return {
    ...node.labels,
    [LABEL.lab]: topo.name,
    [LABEL.nodeName]: node.name,
    [LABEL.longName]: node.longName,
    [LABEL.kind]: node.kind,
    // `type` is read structurally: the loader's model may or may not carry it yet.
    [LABEL.type]: (node as TopologyNode & { type?: string }).type ?? '',
    [LABEL.group]: node.group ?? '',
    [LABEL.labDir]: join(topo.labDir, node.name),
    [LABEL.topoFile]: topo.file,
    [LABEL.owner]: process.env.SUDO_USER || userInfo().username,
  };
}

/** Network modes the deployer can give a node: links are plumbed by hand either way. */
const NETWORK_MODES = new Set(['none', 'bridge']);

/** Creates and starts a node's container; returns its id. */
export async function createNodeContainer(topo: Topology, node: TopologyNode, image: string): Promise<string> {
  const networkMode = node.networkMode ?? 'none';
  if (!NETWORK_MODES.has(networkMode)) {
    throw new XconnectError('PLAN', `node ${node.name}: network-mode ${networkMode} is not supported by the test deployer`, {
      line: node.line,
      file: topo.file,
      hint: 'use none (default) or bridge',
    });
  }
  const docker = dockerClient();
  try {
    const c = await docker.createContainer({
      name: node.longName,
      Hostname: node.name,
      Image: image,
      Labels: nodeLabels(topo, node),
      Env: Object.entries(node.env).map(([k, v]) => `${k}=${v}`),
      HostConfig: { NetworkMode: networkMode, CapAdd: ['NET_ADMIN', 'NET_RAW'] },
    });
    await c.start();
    return c.id;
  } catch (e) {
    throw new XconnectError('RUNTIME', `node ${node.name}: cannot start container ${node.longName}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/** PID of a running container's init process (0 when not running). */
export async function containerPid(id: string): Promise<number> {
  const info = await dockerClient().getContainer(id).inspect();
  return info.State.Running ? info.State.Pid : 0;
}

/** Ids of the lab's containers (label `containerlab=<lab>`), optionally of one node. */
export async function labContainerIds(lab: string, node?: string): Promise<string[]> {
  const label = [`${LABEL.lab}=${lab}`];
  if (node !== undefined) label.push(`${LABEL.nodeName}=${node}`);
  const list = await dockerClient().listContainers({ all: true, filters: { label } });
  return list.map((c) => c.Id);
}

/** Stops a container quickly (the node image's init exits on SIGTERM). */
export async function stopContainer(id: string): Promise<void> {
  try {
    await dockerClient().getContainer(id).stop({ t: 5 });
  } catch (e) {
    // 304: already stopped
    if ((e as { statusCode?: number }).statusCode !== 304) throw e;
  }
}

/** Removes a container by id; a container already gone is not an error. */
export async function removeContainer(id: string): Promise<void> {
  try {
    await dockerClient().getContainer(id).remove({ force: true });
  } catch (e) {
    const code = (e as { statusCode?: number }).statusCode;
    if (code !== 404 && code !== 409) throw e; // 409: removal already in progress
  }
}

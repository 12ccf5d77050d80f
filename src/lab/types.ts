/** Types of the built-in containerlab-shaped deployer (src/lab/). */
import type { NodeHandle } from '../links/index.js';
import type { Topology } from '../topology/model.js';

/** A running node container (pid and netns: see NodeHandle). */
export interface DeployedNode extends NodeHandle {
  /** Docker container id. */
  id: string;
  /** Container name (containerlab's long name). */
  longName: string;
}

export interface DeployedLab {
  topology: Topology;
  /** Running nodes by short name. */
  nodes: Record<string, DeployedNode>;
}

export interface DeployOptions {
  /** Image for every node (node `image:` values are ignored: no registry here). Default: ensureNodeImage(). */
  image?: string;
  /** Called after each node is up and its links (as far as its peers are up) are plumbed,
   * like containerlab's per-node stage hooks. A rejection aborts the deployment. */
  onNodeUp?: (node: string) => Promise<void>;
}

export interface StartNodeOptions {
  /** Re-create the node's links, as containerlab's reconciling `deploy` does for a
   * recreated node. Default false: a restarted container has only `lo`. */
  relink?: boolean;
}

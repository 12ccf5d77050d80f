/** The topology model: what a containerlab file means once loaded, with
 * defaults/kinds/groups inherited and links normalized. Produced by
 * src/topology/load.ts, consumed by src/plan/ and the lab deployer. */

import type { Link } from '../links/model.js';

export interface Topology {
  /** Lab name (`name:`), after variable substitution. */
  name: string;
  /** Absolute path of the topology file. */
  file: string;
  /** `prefix:` as written (undefined when absent). */
  prefix: string | undefined;
  /** Absolute lab directory (`clab-<lab>` beside the file, or under $CLAB_LABDIR_BASE). */
  labDir: string;
  /** Nodes in file order. */
  nodes: TopologyNode[];
  /** Links in file order. */
  links: Link[];
}

export interface TopologyNode {
  name: string;
  /** Container name by containerlab's prefix rules. */
  longName: string;
  kind: string;
  image: string | undefined;
  group: string | undefined;
  labels: Record<string, string>;
  env: Record<string, string>;
  networkMode: string | undefined;
  /** 1-based line of the node's key in the file. */
  line: number;
  /** `type:` (platform type), inherited and trimmed. */
  type?: string;
  /** `cmd:` inherited (not magic-expanded, as in containerlab). */
  cmd?: string;
  /** `exec:` commands, concatenated defaults+kind+group+node, magic variables expanded. */
  exec?: string[];
  /** `binds:` merged by container path, magic variables expanded in the host path. */
  binds?: string[];
}

/** The link model lives with the link types (src/links/), which sit below the
 * topology loader; it is re-exported here for the loader's users. */
export type {
  DummyLink,
  Endpoint,
  HostLink,
  Link,
  LinkType,
  MacvlanLink,
  VethLink,
  VxlanLink,
} from '../links/model.js';

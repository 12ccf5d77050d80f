/** The internal test bed (not part of the library API, src/index.ts): the
 * containerlab-shaped lab deployer (linux nodes on Docker, links plumbed as
 * containerlab v0.79 plumbs them: src/links/<type>.ts), labs of plain network
 * namespaces, the three-namespace wire bed, containerlab's tc stitch, and the
 * process runner. The tests (test/helpers), the bench (src/bench) and the demo
 * (src/demo) build on it; watch shares its re-plumbing of a restarted node
 * (relink.ts). */
export { deployLab, inspectLab, startNode, stopNode } from './deploy.js';
export { destroyLab } from './destroy.js';
export { relinkNode, type RelinkOptions, type RelinkResult } from './relink.js';
export { DEFAULT_NODE_IMAGE, ensureNodeImage } from './image.js';
export { assertDockerReachable, dockerClient, LABEL as CLAB_LABEL, nodeLabels } from './docker.js';
export type { DeployedLab, DeployedNode, DeployOptions, StartNodeOptions } from './types.js';
export { buildNetnsLab, type NetnsLab, type NetnsLabOptions, type NetnsWire } from './netns-lab.js';
export { createWireBed, type WireBed, type WireBedOptions } from './wire-bed.js';
export { stitchBatch, stitchBothWays, stitchLines, stitchOneWay, unstitch } from './stitch.js';
export { addNetns, delNetns, deleteOwnedNetnsSync, netnsPath, ownedNetnsName, reapStaleNetns, type Netns } from './netns.js';
export { killChildren, pidAlive, run, sleep, start, tryRun, type Output, type RunOptions } from './exec.js';
export { ethtoolK } from './iface.js';

/** The built-in containerlab-shaped lab deployer (tests and demos). */
export { deployLab, inspectLab, startNode, stopNode } from './deploy.js';
export { destroyLab } from './destroy.js';
export { relinkNode, type RelinkOptions, type RelinkResult } from './relink.js';
export { DEFAULT_NODE_IMAGE, ensureNodeImage } from './image.js';
export { LABEL as CLAB_LABEL, nodeLabels } from './docker.js';
export type { DeployedLab, DeployedNode, DeployOptions, StartNodeOptions } from './types.js';

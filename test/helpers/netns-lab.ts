/** A containerlab-shaped lab of plain network namespaces: the test bed's
 * (src/lab/netns-lab.ts), which the control-plane benchmark builds too. */
export { buildNetnsLab, type NetnsLab, type NetnsWire } from '../../src/lab/index.js';
export type { Endpoint } from '../../src/lab/netns-lab.js';

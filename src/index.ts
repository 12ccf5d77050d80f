/** clab-xconnect library API: the functions behind the CLI, one import away. */
export * from './errors.js';
export type * from './topology/model.js';
export type * from './plan/types.js';

// topology -> plan (pure, offline)
export { loadTopology, type LoadOptions } from './topology/load.js';
export { longName } from './topology/names.js';
export { stitchIfname, stitchAltname, vxlanStitchIfnames } from './links/index.js';
export { planTopology } from './plan/plan.js';
export { planFile, detectPlanSource } from './plan/plan-file.js';
export { loadXdpXconnectConfig } from './plan/xdp-xconnect.js';
export { formatPlanJson, formatPlanTable } from './plan/format.js';
export { LABELS, LABEL_PREFIX } from './plan/labels.js';

// runtime: a running lab
export { apply, type ApplyOptions, type ApplyReport, type WireReport } from './runtime/apply.js';
export { status, type StatusReport, type WireStatus } from './runtime/status.js';
export { destroy, destroyLab, type DestroyReport } from './runtime/destroy.js';
export { labPinDir } from './runtime/paths.js';

// dataplane: wires between two ports of any netns
export { Dataplane, type PortLink, type WireSettings, type PortState, type Engine } from './dataplane/dataplane.js';
export { Netns } from './native/netns.js';
export type { PortConfig, PortCounters } from './dataplane/layout.js';
export { chooseEngine, nodeSettings, wireNodeSettings, type EngineDecision } from './dataplane/engine-policy.js';
export { tunePeers, type FeatureChange, type NodeIface } from './dataplane/peer-tuning.js';

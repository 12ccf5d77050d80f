/** zod schemas for the keys containerlab v0.79 decodes from a topology file (Go structs in
 * core/config.go, types/node_definition.go, types/topology.go, links/*.go). Objects are
 * strict: containerlab decodes with yaml.UnmarshalStrict, so an unknown key fails there too.
 * Scalars follow Go's yaml.v2: a number or bool in a string field is its text as written;
 * null is the zero value (treated as absent). Nested settings clab-xconnect does not read
 * (extras, config, stages, components, mgmt, settings, ...) are checked to be mappings or
 * lists only: containerlab's own decoder remains the authority on their insides. */
import { z } from 'zod';
import { GoScalar, unwrap } from './source.js';

const nullToUndefined = (v: unknown): unknown => (v === null ? undefined : v);
const scalarText = (v: unknown): unknown => (v instanceof GoScalar ? v.source : nullToUndefined(v));
const scalarValue = (v: unknown): unknown =>
  v instanceof GoScalar ? (typeof v.value === 'bigint' ? Number(v.value) : v.value) : nullToUndefined(v);

/** Go `string`: required. */
export const str = z.preprocess(scalarText, z.string());
/** Go `string`: optional (absent or null -> undefined). */
export const optStr = z.preprocess(scalarText, z.string().optional());
/** Go `int`. */
export const optInt = z.preprocess(scalarValue, z.number().int().optional());
export const int = z.preprocess(scalarValue, z.number().int());
export const optNumber = z.preprocess(scalarValue, z.number().optional());
export const optBool = z.preprocess(scalarValue, z.boolean().optional());
/** Go `map[string]string`: a null value is "". */
export const stringMap = z.preprocess(
  nullToUndefined,
  z.record(z.string(), z.preprocess((v) => (v === null ? '' : scalarText(v)), z.string())).optional(),
);
/** Go `[]string`. */
export const stringList = z.preprocess(
  nullToUndefined,
  z.array(z.preprocess((v) => (v === null ? '' : scalarText(v)), z.string())).optional(),
);
/** A mapping whose insides clab-xconnect does not interpret. */
export const looseMap = z.preprocess(nullToUndefined, z.record(z.string(), z.unknown()).optional()).transform(
  (v) => unwrap(v) as Record<string, unknown> | undefined,
);
export const looseList = z.preprocess(nullToUndefined, z.array(z.unknown()).optional()).transform(
  (v) => unwrap(v) as unknown[] | undefined,
);

/** Strict object whose unknown-key error lists the keys containerlab knows there. */
export function strict<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `keys allowed here: ${known}` : undefined),
  });
}

/** types.NodeDefinition: used for topology.defaults, kinds.<k>, groups.<g> and nodes.<n>. */
export const nodeDefinition = strict({
  kind: optStr,
  group: optStr,
  type: optStr,
  'startup-config': optStr,
  'startup-delay': optInt,
  'enforce-startup-config': optBool,
  'suppress-startup-config': optBool,
  'auto-remove': optBool,
  'restart-policy': optStr,
  config: looseMap,
  image: optStr,
  'image-pull-policy': optStr,
  license: optStr,
  position: optStr,
  entrypoint: optStr,
  cmd: optStr,
  exec: stringList,
  binds: stringList,
  volumes: stringList,
  devices: stringList,
  'cap-add': stringList,
  'shm-size': optStr,
  ports: stringList,
  'mgmt-ipv4': optStr,
  'mgmt-ipv6': optStr,
  env: stringMap,
  'env-files': stringList,
  user: optStr,
  hostname: optStr,
  labels: stringMap,
  'network-mode': optStr,
  'link-apply-mode': optStr,
  sandbox: optStr,
  kernel: optStr,
  runtime: optStr,
  cpu: optNumber,
  'cpu-set': optStr,
  memory: optStr,
  sysctls: stringMap,
  extras: looseMap,
  stages: looseMap,
  dns: looseMap,
  certificate: looseMap,
  healthcheck: looseMap,
  credentials: looseMap,
  aliases: stringList,
  components: looseList,
  privileged: optBool,
  'cgroupns-mode': optStr,
  'cgroup-parent': optStr,
  'pid-mode': optStr,
  tmpfs: stringMap,
  'security-opts': stringList,
});
export type NodeDefinition = z.output<typeof nodeDefinition>;

const nodeDefOrNull = z.preprocess(nullToUndefined, nodeDefinition.optional());
const nodeDefMap = z.preprocess(nullToUndefined, z.record(z.string(), nodeDefOrNull).optional());

export const topologySection = strict({
  defaults: nodeDefOrNull,
  kinds: nodeDefMap,
  groups: nodeDefMap,
  nodes: nodeDefMap,
  links: z.preprocess(nullToUndefined, z.array(z.unknown()).optional()),
});

/** core.Config: the top level of a topology file. */
export const topologyFile = strict({
  name: str,
  prefix: optStr,
  mgmt: looseMap,
  settings: looseMap,
  topology: z.preprocess(nullToUndefined, topologySection),
  debug: optBool,
});
export type TopologyFileRaw = z.output<typeof topologyFile>;

/** links.EndpointRaw (extended endpoint object). */
export const endpointObject = strict({
  node: str,
  interface: str,
  mac: optStr,
  ipv4: optStr,
  ipv6: optStr,
  vars: looseMap,
});
export type EndpointRaw = z.output<typeof endpointObject>;

/** links.LinkCommonParams plus the artificial `type` key every link struct carries. */
const common = {
  type: optStr,
  mtu: optInt,
  labels: stringMap,
  vars: looseMap,
  ipv4: stringList,
  ipv6: stringList,
};

export const briefLink = strict({ ...common, endpoints: z.preprocess(nullToUndefined, z.array(str)) });
export const vethLink = strict({ ...common, endpoints: z.preprocess(nullToUndefined, z.array(endpointObject)) });
export const hostLink = strict({ ...common, endpoint: endpointObject, 'host-interface': str });
export const macvlanLink = strict({
  ...common,
  endpoint: endpointObject,
  'host-interface': str,
  mode: z.preprocess(scalarText, z.enum(['private', 'vepa', 'bridge', 'passthru', 'source']).optional()),
});
/** vxlan / vxlan-stitch. `dst-port`/`src-port` as in containerlab's current tests and schema;
 * `udp-port` (older containerlab releases and docs) is accepted as dst-port. */
export const vxlanLink = strict({
  ...common,
  endpoint: endpointObject,
  remote: str,
  vni: int,
  'dst-port': optInt,
  'src-port': optInt,
  'udp-port': optInt,
  'parent-interface': optStr,
});
export const dummyLink = strict({ ...common, endpoint: endpointObject });

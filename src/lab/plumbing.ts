/** The device operations the link types' deploy halves are written against
 * (src/links/plumbing.ts), done the way containerlab v0.79 does them, but for
 * all of a node's links at once: each step of containerlab's per-link sequence
 * is one `ip -batch` (or `tc -batch`) process for every link, so a node's
 * links take a handful of processes rather than a dozen per link (what
 * decides how fast a restarted node carries traffic again). Lookups and the
 * tx checksum offload go through the addon. What is left is mostly the
 * kernel's move of each node end into its node (about 18 ms per device on the
 * development VM, serialized under RTNL): creating the end in the node's netns
 * would skip it, but the node's interfaces would then not keep the ifindex
 * they get in the root netns, as containerlab's moved devices do. */
import { XconnectError } from '../errors.js';
import { epName, ownershipAltname, type Endpoint, type NodeEnd, type Plumbing, type PlumbPlan, type RootEnd, type StitchSpec, type VethSpec, type VxlanRef } from '../links/index.js';
import { native, type LinkInfo } from '../native/addon.js';
import { run, runBatch, type BatchLine } from './exec.js';
import { clabMac, nameAndUpLines, randomIfname, TX_CHECKSUM_OFF, vxlanParams } from './iface.js';
import { stitchLines } from './stitch.js';

export const plumbing: Plumbing = {
  async apply(plan) {
    if (plan.vxlans.length + plan.veths.length + plan.stitches.length === 0) return;
    const before = byName(await native.listLinks(null));
    const kernelNames = await makeDevices(plan, before);
    await stitch(plan, before, kernelNames);
  },

  async removeRoot(veths, vxlans) {
    const now = byName(await native.listLinks(null));
    const doomed = new Set<string>();
    for (const name of veths) if (now.get(name)?.kind === 'veth') doomed.add(now.get(name)!.name);
    for (const v of vxlans) if (now.get(v.name)?.kind === 'vxlan' && (await isVxlanOf(v))) doomed.add(now.get(v.name)!.name);
    // May fail: the peer of a veth deleted just before goes with it, and a node's
    // ends vanish on their own shortly after its netns.
    await runBatch('ip', [...doomed].map((name) => ({ line: `link del dev ${name}`, endpoint: name, mayFail: true })));
  },
};

/** Root-netns devices by name and by altname. */
function byName(links: LinkInfo[]): Map<string, LinkInfo> {
  const out = new Map<string, LinkInfo>();
  for (const l of links) for (const n of [l.name, ...l.altnames]) out.set(n, l);
  return out;
}

async function isVxlanOf(v: VxlanRef): Promise<boolean> {
  const p = await vxlanParams(v.name);
  return !!p && p.vni === v.vni && p.remote === v.remote;
}

/** A veth of the plan under its temporary names. */
interface Pair extends VethSpec {
  tmpA: string;
  tmpB: string;
}

const isNodeEnd = (e: NodeEnd | RootEnd): e is NodeEnd => 'node' in e;

/** The plan's vxlan devices and veth pairs, in containerlab's steps, each one
 * batch for all of them: create (root netns); tx checksum offload off on every
 * veth end (addon); node ends into their nodes, root ends and vxlan devices
 * named and up, and the stitch altnames (root netns); node ends named, marked
 * and up (one batch per node netns). When a step fails, deletes every device
 * made so far and rethrows. Returns the kernel name of each device it made,
 * by the name the plan gives it (a name Linux cannot take stays the temporary
 * one, with the sanitized name as altname). */
async function makeDevices(plan: PlumbPlan, before: Map<string, LinkInfo>): Promise<Map<string, string>> {
  const vxlans = plan.vxlans.map((v) => ({ ...v, tmp: randomIfname() }));
  const pairs: Pair[] = plan.veths.map((v) => ({ ...v, tmpA: randomIfname(), tmpB: randomIfname() }));
  const temps = [...vxlans.map((v) => v.tmp), ...pairs.flatMap((p) => [p.tmpA, p.tmpB])];
  const parents = await Promise.all(vxlans.map((v) => v.dev.parent || routeDev(v.dev.remote, epName(v.forEp))));
  const kernelNames = new Map<string, string>();
  const made = new Set<number>();
  try {
    await runBatch('ip', [
      ...vxlans.map((v, i) => ({
        line: `link add ${v.tmp} address ${v.dev.mac ?? clabMac()} mtu ${v.dev.mtu} txqueuelen 1000 type vxlan id ${v.dev.vni} remote ${v.dev.remote} dev ${parents[i]} dstport ${v.dev.dstPort}`,
        endpoint: epName(v.forEp),
        hint: `the vxlan MTU must fit the MTU of ${parents[i]} minus 50`,
      })),
      // `peer name`, not `peer`: iproute2 would read a short name like "a" as a keyword.
      ...pairs.map((p) => ({ line: `link add ${p.tmpA} mtu ${p.mtu} type veth peer name ${p.tmpB} mtu ${p.mtu}`, endpoint: epName(p.forEp) })),
    ]);
    const created = byName(await native.listLinks(null));
    for (const t of temps) if (created.has(t)) made.add(created.get(t)!.ifindex);
    await txChecksumOff(pairs, created);

    const root: BatchLine[] = [];
    const inNodes = new Map<string, BatchLine[]>();
    const plant = (tmp: string, end: NodeEnd) => {
      root.push({ line: `link set dev ${tmp} netns ${end.node.pid}`, endpoint: epName(end.ep) });
      const { ep } = end;
      const { lines } = nameAndUpLines(tmp, { ifname: ep.iface, mac: ep.mac ?? clabMac(), ownershipAltname: ownershipAltname(ep.node, ep.iface) });
      inNodes.set(end.node.netns, [...(inNodes.get(end.node.netns) ?? []), ...lines.map((line) => ({ line, endpoint: epName(ep) }))]);
    };
    const name = (tmp: string, ifname: string, mac: string | undefined, forEp: Endpoint) => {
      const r = nameAndUpLines(tmp, { ifname, mac });
      kernelNames.set(ifname, r.name);
      root.push(...r.lines.map((line) => ({ line, endpoint: epName(forEp) })));
    };
    for (const p of pairs) {
      plant(p.tmpA, p.a);
      if (isNodeEnd(p.b)) plant(p.tmpB, p.b);
      else name(p.tmpB, p.b.ifname, p.b.randomMac ? clabMac() : undefined, p.forEp);
    }
    for (const v of vxlans) name(v.tmp, v.ifname, undefined, v.forEp);
    // The altnames of the far ends to stitch (a far end that survived a node restart has its own already).
    for (const s of plan.stitches.filter((x) => stitchable(x, before))) {
      for (const a of s.altnames) {
        if (before.get(a.dev)?.altnames.includes(a.altname)) continue;
        root.push({ line: `link property add dev ${kernelNames.get(a.dev) ?? a.dev} altname ${a.altname}`, endpoint: epName(a.forEp) });
      }
    }
    await runBatch('ip', root);
    await Promise.all([...inNodes].map(([netns, lines]) => runBatch('ip', lines, { netns })));
  } catch (e) {
    await deleteMade(temps, made);
    throw e;
  }
  return kernelNames;
}

/** Every veth end of `pairs` (still in the root netns) with tx checksum offload
 * off, as containerlab does before it moves an end. */
async function txChecksumOff(pairs: Pair[], links: Map<string, LinkInfo>): Promise<void> {
  const ends = pairs.flatMap((p) => [p.tmpA, p.tmpB]);
  if (ends.length === 0) return;
  await native.setFeatures(null, ends.map((n) => ({ ifindex: links.get(n)!.ifindex, want: { ...TX_CHECKSUM_OFF } }))).catch((e: XconnectError) => {
    // The addon names the device (a temporary name): say whose it is.
    const p = pairs.find((x) => e.message.includes(x.tmpA) || e.message.includes(x.tmpB));
    const endpoint = p ? epName(p.forEp) : pairs.map((x) => epName(x.forEp)).join(', ');
    throw new XconnectError(e.code, `${endpoint}: cannot turn tx checksum offload off: ${e.message}`, { endpoint, cause: e });
  });
}

/** Deletes what makeDevices made: devices still under a temporary name, and
 * those it made (by ifindex) that have their final name by now. A veth end in
 * the root netns takes its peer with it; a pair whose ends both went into
 * nodes dies with them. */
async function deleteMade(temps: string[], made: Set<number>): Promise<void> {
  const tmp = new Set(temps);
  const left = (await native.listLinks(null).catch(() => [])).filter((l) => tmp.has(l.name) || made.has(l.ifindex));
  await runBatch('ip', left.map((l) => ({ line: `link del dev ${l.name}`, endpoint: l.name, mayFail: true }))).catch(() => undefined);
}

/** Whether the devices a stitch needs (besides those the plan makes) are there. */
const stitchable = (s: StitchSpec, before: Map<string, LinkInfo>) => s.needs.every((n) => before.has(n));

/** containerlab's tc stitch of every stitch the plan can make, in one `tc -batch`;
 * for `fresh` ones, first the old stitch off the devices that were there before:
 * their u32 filters (found through the addon) and their `ingress` qdisc (a
 * clsact one, which a legacy tc engine may have added, stays: the kernel
 * refuses to delete it as `ingress`). A device already carrying an ingress
 * qdisc keeps it (containerlab ignores EEXIST). */
async function stitch(plan: PlumbPlan, before: Map<string, LinkInfo>, kernelNames: Map<string, string>): Promise<void> {
  const todo = plan.stitches.filter((s) => stitchable(s, before));
  const dev = (n: string) => kernelNames.get(n) ?? before.get(n)?.name ?? n;
  const stale = new Map<string, { ifindex: number; what: string }>();
  for (const s of todo.filter((x) => x.fresh)) {
    for (const n of [s.a, s.b]) {
      const l = before.get(n);
      if (l) stale.set(l.name, { ifindex: l.ifindex, what: s.what });
    }
  }
  const states = stale.size ? await native.tcState(null, [...stale.values()].map((x) => x.ifindex)) : [];
  const lines: BatchLine[] = [...stale].flatMap(([name, { what }], i) => [
    ...[...new Set((states[i]?.filters ?? []).filter((f) => f.kind === 'u32').map((f) => f.prio))].map((pref) => ({
      line: `filter del dev ${name} ingress protocol all pref ${pref} u32`,
      endpoint: what,
    })),
    { line: `qdisc del dev ${name} ingress`, endpoint: what, mayFail: true },
  ]);
  for (const s of todo) {
    for (const [from, to] of [[dev(s.a), dev(s.b)], [dev(s.b), dev(s.a)]] as const) {
      const [qdisc, filter] = stitchLines(from, to) as [string, string];
      lines.push({ line: qdisc, endpoint: s.what, mayFail: true }, { line: filter, endpoint: s.what });
    }
  }
  await runBatch('tc', lines);
}

/** The device of the route to `remote` (containerlab's default parent interface). */
async function routeDev(remote: string, ep: string): Promise<string> {
  const out = await run('ip', ['-j', 'route', 'get', remote], { endpoint: ep, code: 'RUNTIME', hint: `no route to vxlan remote ${remote}` });
  const dev = (JSON.parse(out.stdout) as Array<{ dev?: string }>)[0]?.dev;
  if (!dev) throw new XconnectError('RUNTIME', `${ep}: no route to vxlan remote ${remote}`, { endpoint: ep });
  return dev;
}

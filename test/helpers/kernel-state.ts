/** What a lab has in the kernel, read with the system's own tools (bpftool,
 * ip, tc, ethtool) rather than with clab-xconnect's code: the BPF programs,
 * links and maps of the lab (attached to its ports or pinned under its bpffs
 * directory), its pins, the XDP and tc state of its root-netns ports, and the
 * offload settings of its node interfaces. Two snapshots compare equal when
 * nothing of the lab changed.
 *
 * The lists are scoped to the lab, not the whole machine: other suites (and
 * other users of the machine) load BPF objects at the same time, and what a
 * clab-xconnect run can leave behind is either pinned under the lab's
 * directory or attached to one of its ports (an object held by neither dies
 * with the process). `bpfObjectsExist` checks, machine-wide, that objects
 * once seen are gone. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

export interface LabScope {
  /** The lab's bpffs directory (src/runtime/paths.ts labPinDir). */
  pinDir: string;
  /** Root-netns ports (names or altnames); a missing one is recorded as missing. */
  ports: string[];
  /** Node interfaces whose settings apply may change. */
  nodeIfaces: { netns: string; iface: string }[];
}

export interface KernelSnapshot {
  progs: number[];
  links: string[];
  maps: number[];
  pins: string[];
  /** Per port: ifindex, XDP mode and program, or 'missing'. */
  ports: Record<string, string>;
  /** Per port: `tc -j qdisc show` + `tc -j filter show ... ingress` (no statistics). */
  tc: Record<string, string>;
  /** Per `netns iface`: `ethtool -k` (the offload settings) and the MTU. */
  nodes: Record<string, string>;
}

async function json<T>(cmd: string, args: string[]): Promise<T> {
  const r = await execa(cmd, args, { timeout: 60_000 });
  return JSON.parse(r.stdout || '[]') as T;
}

/** Every file under `dir`, relative, sorted ([] when there is no `dir`). */
export async function pinsUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.map((e) => path.relative(dir, path.join(e.parentPath, e.name)) + (e.isDirectory() ? '/' : '')).sort();
}

interface IpLink {
  ifindex: number;
  ifname: string;
  altnames?: string[];
  xdp?: { mode?: number; prog?: { id: number }; attached?: { mode: number; prog: { id: number } }[] };
}
interface BpfLink {
  id: number;
  type: string;
  prog_id: number;
  ifindex?: number;
  pinned?: string[];
}
interface BpfMap {
  id: number;
  pinned?: string[];
}
interface BpfProg {
  id: number;
  map_ids?: number[];
}

function under(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir + '/');
}

/** Reads everything of the lab the kernel holds. */
export async function snapshot(scope: LabScope): Promise<KernelSnapshot> {
  const [root, links, maps, progs, pins] = await Promise.all([
    json<IpLink[]>('ip', ['-j', '-d', 'link', 'show']),
    json<BpfLink[]>('bpftool', ['-j', '-f', 'link', 'show']),
    json<BpfMap[]>('bpftool', ['-j', '-f', 'map', 'show']),
    json<BpfProg[]>('bpftool', ['-j', 'prog', 'show']),
    pinsUnder(scope.pinDir),
  ]);
  const byName = new Map<string, IpLink>();
  for (const l of root) for (const n of [l.ifname, ...(l.altnames ?? [])]) if (!byName.has(n)) byName.set(n, l);
  const ports: Record<string, string> = {};
  const ifindexes = new Set<number>();
  const progIds = new Set<number>();
  for (const p of scope.ports) {
    const l = byName.get(p);
    if (!l) {
      ports[p] = 'missing';
      continue;
    }
    ifindexes.add(l.ifindex);
    const xdp = l.xdp?.attached?.map((a) => `${a.mode}:${a.prog.id}`) ?? (l.xdp?.prog ? [`${l.xdp.mode}:${l.xdp.prog.id}`] : []);
    for (const a of l.xdp?.attached ?? []) progIds.add(a.prog.id);
    if (l.xdp?.prog) progIds.add(l.xdp.prog.id);
    ports[p] = `${l.ifname}#${l.ifindex} xdp[${xdp.join(',')}]`;
  }
  const labLinks = links.filter((l) => (l.ifindex !== undefined && ifindexes.has(l.ifindex)) || (l.pinned ?? []).some((p) => under(p, scope.pinDir)));
  for (const l of labLinks) progIds.add(l.prog_id);

  const present = scope.ports.filter((p) => byName.has(p)).map((p) => byName.get(p)!.ifname);
  const tc: Record<string, string> = {};
  if (present.length) {
    // One tc process for every port: one JSON line per command, in order.
    const batch = present.flatMap((d) => [`qdisc show dev ${d}`, `filter show dev ${d} ingress`]).join('\n') + '\n';
    const lines = (await execa('tc', ['-j', '-batch', '-'], { input: batch, timeout: 60_000 })).stdout.split('\n').filter((l) => l.trim());
    if (lines.length !== 2 * present.length) throw new Error(`tc -batch gave ${lines.length} answers for ${2 * present.length} commands`);
    present.forEach((d, k) => {
      tc[d] = `qdiscs ${lines[2 * k]}\nfilters ${lines[2 * k + 1]}`;
      for (const m of lines[2 * k + 1]!.matchAll(/"prog":\{"id":(\d+)/g)) progIds.add(Number(m[1]));
    });
  }

  const mapIds = new Set(maps.filter((m) => (m.pinned ?? []).some((p) => under(p, scope.pinDir))).map((m) => m.id));
  for (const p of progs) if (progIds.has(p.id)) for (const m of p.map_ids ?? []) mapIds.add(m);

  const nodes: Record<string, string> = {};
  const byNetns = new Map<string, string[]>();
  for (const n of scope.nodeIfaces) byNetns.set(n.netns, [...(byNetns.get(n.netns) ?? []), n.iface]);
  await Promise.all(
    [...byNetns].map(async ([netns, ifaces]) => {
      const script = 'for i in "$@"; do echo "## $i"; ethtool -k "$i" 2>&1; cat "/sys/class/net/$i/mtu" 2>&1; done';
      const r = await execa('nsenter', [`--net=${netns}`, 'sh', '-c', script, 'sh', ...ifaces], { timeout: 60_000, reject: false });
      if (r.exitCode !== 0 && !r.stdout) {
        for (const i of ifaces) nodes[`${netns} ${i}`] = `unreachable: ${r.stderr.trim()}`;
        return;
      }
      for (const part of r.stdout.split(/^## /m).slice(1)) {
        const nl = part.indexOf('\n');
        nodes[`${netns} ${part.slice(0, nl)}`] = part.slice(nl + 1);
      }
    }),
  );
  return {
    progs: [...progIds].sort((a, b) => a - b),
    links: labLinks.map((l) => `${l.id}:${l.type}:prog${l.prog_id}:if${l.ifindex ?? '-'}`).sort(),
    maps: [...mapIds].sort((a, b) => a - b),
    pins,
    ports,
    tc,
    nodes,
  };
}

/** The programs, links and maps among `ids` that still exist machine-wide
 * (a freed map or program may take a moment to go: waits up to `waitMs`). */
export async function bpfObjectsExist(ids: { progs: number[]; links: number[]; maps: number[] }, waitMs = 3000): Promise<{ progs: number[]; links: number[]; maps: number[] }> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const [progs, links, maps] = await Promise.all([
      json<{ id: number }[]>('bpftool', ['-j', 'prog', 'show']),
      json<{ id: number }[]>('bpftool', ['-j', 'link', 'show']),
      json<{ id: number }[]>('bpftool', ['-j', 'map', 'show']),
    ]);
    const left = {
      progs: ids.progs.filter((id) => progs.some((p) => p.id === id)),
      links: ids.links.filter((id) => links.some((l) => l.id === id)),
      maps: ids.maps.filter((id) => maps.some((m) => m.id === id)),
    };
    if (left.progs.length + left.links.length + left.maps.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The link ids of a snapshot. */
export function linkIds(s: KernelSnapshot): number[] {
  return s.links.map((l) => Number(l.split(':')[0]));
}

/** `clab-xconnect watch` on a real Docker engine, against a containerlab-shaped lab
 * (src/lab/): a restarted node is re-plumbed as containerlab plumbs it and wired
 * again; topology edits apply, a broken one changes nothing; metrics count traffic;
 * a stopped node leaves its wires pending; SIGTERM leaves the wires; a destroyed lab
 * takes its wires with it. containerlab's tc stitch is taken off the ports, so that
 * traffic that crosses can only have crossed a wire. */
import { readFileSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { destroyLab, inspectLab, type DeployedLab } from '../../src/lab/index.js';
import { labPinDir } from '../../src/runtime/paths.js';
import type { Topology } from '../../src/topology/model.js';
import { ownershipAltname, stitchAltname, stitchIfname } from '../../src/links/index.js';
import { cli, cliJson } from '../helpers/cli.js';
import { dockerClient, findLink, ingressMirreds, nsRun, peerIfindex, setupOrFail, txChecksumOff, uniqueId } from '../helpers/docker.js';
import { deployFromYaml, labYaml, removeSampleFile, tearDownLab, vethStitch } from '../helpers/docker-lab.js';
import { families, metric, removeRootStitch, startWatch, type WatchProcess } from '../helpers/watch.js';

const L1 = 'r1:eth1--r2:eth1';
const L2 = 'r2:eth2--r3:eth1';
const L3 = 'r1:eth2--r3:eth2';
/** Each link's /30 and the interfaces on it. */
const NETS = [
  { wire: L1, a: ['r1', 'eth1', '198.18.31.1'], b: ['r2', 'eth1', '198.18.31.2'] },
  { wire: L2, a: ['r2', 'eth2', '198.18.32.1'], b: ['r3', 'eth1', '198.18.32.2'] },
  { wire: L3, a: ['r1', 'eth2', '198.18.33.1'], b: ['r3', 'eth2', '198.18.33.2'] },
] as const;

function topologyYaml(lab: string, l3Admin: 'up' | 'down', l1Admin: 'up' | 'down' = 'up'): string {
  return labYaml(lab, ['r1', 'r2', 'r3'], [
    vethStitch('r1:eth1', 'r2:eth1', `xconnect.clab/admin: ${l1Admin}`),
    vethStitch('r2:eth2', 'r3:eth1'),
    vethStitch('r1:eth2', 'r3:eth2', `xconnect.clab/admin: ${l3Admin}`),
  ]);
}

interface StatusJson {
  wires: { id: string; state: string; admin: string | null; a: { counters: Record<string, number> }; b: { counters: Record<string, number> } }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watch keeps a lab wired', () => {
  const name = uniqueId('w');
  let dir: string;
  let file: string;
  let topo: Topology;
  let lab: DeployedLab;
  const procs: WatchProcess[] = [];
  let w: WatchProcess;
  const port = (node: string, iface: string) => stitchIfname(name, node, iface);
  const netns = (node: string) => lab.nodes[node]!.netns;

  /** IPv6 off (its chatter would pollute counters) and the node's addresses on. */
  async function address(node: string): Promise<void> {
    await nsRun(netns(node), 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
    for (const n of NETS) for (const [nd, iface, ip] of [n.a, n.b]) if (nd === node) await nsRun(netns(node), 'ip', ['addr', 'replace', `${ip}/30`, 'dev', iface]);
  }

  /** Whether `from` reaches the other end of `wire` (3 pings, each side's address). */
  async function crosses(wire: string, reverse = false): Promise<boolean> {
    const n = NETS.find((x) => x.wire === wire)!;
    const [from, to] = reverse ? [n.b, n.a] : [n.a, n.b];
    const r = await nsRun(netns(from[0]), 'ping', ['-c', '3', '-i', '0.2', '-W', '1', to[2]]).catch((e: { stdout?: string }) => e.stdout ?? '');
    return /[1-9]\d* received/.test(r);
  }

  async function unstitch(wire: string): Promise<void> {
    const n = NETS.find((x) => x.wire === wire)!;
    await removeRootStitch(port(n.a[0], n.a[1]));
    await removeRootStitch(port(n.b[0], n.b[1]));
  }

  async function scrape(p: WatchProcess = w): Promise<string> {
    const r = await fetch(p.metricsUrl);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return r.text();
  }

  async function container(node: string): Promise<string> {
    const [c] = await dockerClient().listContainers({ all: true, filters: { label: [`containerlab=${name}`, `clab-node-name=${node}`] } });
    return c!.Id;
  }

  setupOrFail(async () => {
    // address() turns IPv6 off, here and in a restarted node.
    ({ dir, file, topo, lab } = await deployFromYaml(name, topologyYaml(name, 'up'), { keepIpv6: true }));
    for (const node of ['r1', 'r2', 'r3']) await address(node);
    w = await startWatch(file);
    procs.push(w);
    // From here on only the wires carry: containerlab's stitch is off every port.
    for (const n of NETS) await unstitch(n.wire);
  });

  afterAll(async () => {
    for (const p of procs) p.kill();
    await tearDownLab({ dir, file, topo });
    await removeSampleFile(name);
  });

  it('applies at start: every wire added and carrying traffic', async () => {
    // Run as installed: the launcher exec'd node in V8's lite mode (src/util/node-flags.ts).
    const argv = readFileSync(`/proc/${w.pid}/cmdline`, 'utf8').split('\0');
    expect(argv.slice(1, 4)).toEqual(['--max-semi-space-size=1', '--lite-mode', '--no-expose-wasm']);
    expect(argv[4]).toMatch(/dist\/bin\/clab-xconnect\.cjs$/);
    const start = w.lines.find((l) => l.event === 'apply')!;
    expect(start).toMatchObject({ level: 'info', changes: 3, scope: 'lab' });
    expect(w.lines.filter((l) => l.event === 'wire').map((l) => [l.wire, l.action])).toEqual([[L1, 'add'], [L2, 'add'], [L3, 'add']]);
    for (const n of NETS) expect(await crosses(n.wire), n.wire).toBe(true);
  });

  it('re-plumbs a restarted node as containerlab does, and wires it again', async () => {
    const m = w.mark();
    const old = lab.nodes.r2!.pid;
    await dockerClient().getContainer(await container('r2')).restart({ t: 1 });
    const applied = await w.waitFor((l) => l.event === 'apply' && l.reason === 'node r2 re-plumbed', 20_000, m);
    const since = w.lines.slice(m);
    expect(since.filter((l) => l.level !== 'info')).toEqual([]);
    expect(since.find((l) => l.event === 'node' && /re-plumbed 2 links/.test(l.msg))).toMatchObject({ node: 'r2', endpoints: ['r2:eth1', 'r2:eth2'] });
    expect(since.filter((l) => l.event === 'wire' && l.action !== 'pending').map((l) => [l.wire, l.action])).toEqual([[L1, 'reinstall'], [L2, 'reinstall']]);
    expect(applied.ms).toBeGreaterThan(0);

    lab = await inspectLab(topo);
    expect(lab.nodes.r2!.pid).not.toBe(old);
    // The node side: names, MTU, up, containerlab's ownership altname, tx checksum off.
    for (const iface of ['eth1', 'eth2']) {
      const l = (await findLink(netns('r2'), iface))!;
      expect(l, iface).toBeDefined();
      expect(l.mtu).toBe(9500);
      expect(l.flags).toContain('UP');
      expect(l.altnames).toContain(ownershipAltname('r2', iface));
      expect(await txChecksumOff(netns('r2'), iface)).toBe(true);
    }
    // The root side: clab-s- names, altnames naming the other end, peers, MTU, the tc stitch both ways.
    for (const [iface, otherNode, otherIface] of [['eth1', 'r1', 'eth1'], ['eth2', 'r3', 'eth1']] as const) {
      const mine = port('r2', iface);
      const other = port(otherNode, otherIface);
      const far = (await findLink(undefined, mine))!;
      expect(far.altnames).toEqual([stitchAltname(name, otherNode, otherIface)]);
      expect(far.mtu).toBe(9500);
      expect(await txChecksumOff(undefined, far.ifname)).toBe(true);
      expect(await peerIfindex(undefined, far.ifname)).toBe((await findLink(netns('r2'), iface))!.ifindex);
      expect(await ingressMirreds(mine)).toEqual([{ action: 'redirect', direction: 'egress', toDev: other }]);
      expect(await ingressMirreds(other)).toEqual([{ action: 'redirect', direction: 'egress', toDev: mine }]);
    }

    // Only the wires may carry: the stitch comes off again, and traffic crosses both ways.
    await unstitch(L1);
    await unstitch(L2);
    await address('r2');
    expect(await crosses(L1, true)).toBe(true);
    expect(await crosses(L1)).toBe(true);
    expect(await crosses(L2)).toBe(true);
    expect(await crosses(L3)).toBe(true); // untouched by the restart
    const s = await cliJson<StatusJson>(['status', '-t', file]);
    expect(s.wires.map((x) => x.state)).toEqual(['active', 'active', 'active']);
    expect(s.wires[0]!.b.counters.redirected).toBeGreaterThanOrEqual(3);
  });

  it('applies a topology edit, and refuses a broken one keeping the last good state', async () => {
    let m = w.mark();
    await writeFile(file, topologyYaml(name, 'down'));
    await w.waitFor((l) => l.event === 'apply', 10_000, m);
    expect(w.lines.slice(m).filter((l) => l.event === 'wire').map((l) => [l.wire, l.action])).toEqual([[L3, 'update']]);
    expect((await cliJson<StatusJson>(['status', '-t', file])).wires[2]).toMatchObject({ id: L3, state: 'active', admin: 'down' });
    expect(await crosses(L3)).toBe(false);

    m = w.mark();
    await writeFile(file, topologyYaml(name, 'up'));
    await w.waitFor((l) => l.event === 'apply', 10_000, m);
    expect(await crosses(L3)).toBe(true);

    m = w.mark();
    await writeFile(file, `name: ${name}\ntopology:\n  nodes: [r1\n`);
    const bad = await w.waitFor((l) => l.level === 'error', 10_000, m);
    expect(bad).toMatchObject({ event: 'topology', reason: 'topology changed' });
    expect(bad.msg).toMatch(/nothing changed, the last good state stays$/);
    await sleep(500);
    // One line says the file changed, one says what is wrong with it; nothing else happens.
    expect(w.lines.slice(m).map((l) => `${l.level} ${l.event}`)).toEqual(['info topology', 'error topology']);
    expect(metric(await scrape(), 'clab_xconnect_watch_topology_valid')).toBe(0);
    for (const n of NETS) expect(await crosses(n.wire), n.wire).toBe(true);

    m = w.mark();
    await writeFile(file, topologyYaml(name, 'up'));
    expect(await w.waitFor((l) => l.event === 'apply', 10_000, m)).toMatchObject({ changes: 0 });
    expect(metric(await scrape(), 'clab_xconnect_watch_topology_valid')).toBe(1);
  });

  it('serves metrics whose counters rise with traffic, with containerlab\'s names beside them', async () => {
    const labels = { lab: name, wire: L3, side: 'a' };
    const before = await scrape();
    await nsRun(netns('r1'), 'ping', ['-c', '20', '-i', '0.05', '-W', '1', '198.18.33.2']);
    const after = await scrape();
    const d = (family: string) => metric(after, family, labels)! - metric(before, family, labels)!;
    expect(d('clab_xconnect_port_rx_packets_total')).toBeGreaterThanOrEqual(20);
    expect(d('clab_xconnect_port_redirected_total')).toBeGreaterThanOrEqual(20);
    expect(d('clab_xconnect_port_rx_bytes_total')).toBeGreaterThanOrEqual(20 * 98);
    // The pings sent while the edit had the wire admin down, counted by reason.
    expect(metric(after, 'clab_xconnect_port_drops_total', { ...labels, reason: 'admin' })).toBeGreaterThanOrEqual(3);
    expect(metric(after, 'clab_xconnect_port_drops_total', { ...labels, reason: 'loss' })).toBe(0);
    expect(metric(after, 'clab_xconnect_port_info', { ...labels, node: 'r1', interface: 'eth2', engine: 'tc', attach: 'tcx' })).toBe(1);
    expect(metric(after, 'clab_xconnect_wire_state', { wire: L3, state: 'active' })).toBe(1);
    expect(metric(after, 'interface_oper_state', { source: 'r1', interface_name: 'eth2' })).toBe(1);

    // Rates come from successive scrapes (at least 1 s apart).
    await sleep(1100);
    await nsRun(netns('r1'), 'ping', ['-c', '10', '-i', '0.05', '-s', '1000', '-W', '1', '198.18.33.2']);
    const later = await scrape();
    expect(metric(later, 'interface_traffic_rate_out_bps', { source: 'r1', interface_name: 'eth2' })).toBeGreaterThan(0);
    expect(metric(later, 'interface_traffic_rate_in_bps', { source: 'r3', interface_name: 'eth2' })).toBeGreaterThan(0);
    expect(metric(later, 'interface_traffic_rate_out_bps', { source: 'r1', interface_name: 'eth1' })).toBeDefined();

    // status --format prometheus prints the same text once; a run a second after the
    // previous one has rates too (from the sample the previous run kept).
    const first = await cli(['status', '-t', file, '--format', 'prometheus']);
    expect(first.exitCode).toBe(0);
    expect(metric(first.stdout, 'clab_xconnect_port_rx_packets_total', labels)).toBeGreaterThanOrEqual(metric(after, 'clab_xconnect_port_rx_packets_total', labels)!);
    await sleep(1100);
    await nsRun(netns('r1'), 'ping', ['-c', '10', '-i', '0.05', '-s', '1000', '-W', '1', '198.18.33.2']);
    const second = await cli(['status', '-t', file, '--format', 'prometheus']);
    expect(families(second.stdout)).toEqual(families(later).filter((f) => !f.startsWith('clab_xconnect_watch_')));
    expect(metric(second.stdout, 'interface_traffic_rate_out_bps', { source: 'r1', interface_name: 'eth2' })).toBeGreaterThan(0);
  });

  it('shows a stopped node\'s wires as pending, without an error loop, and rewires it when it starts', async () => {
    const m = w.mark();
    const id = await container('r3');
    await dockerClient().getContainer(id).stop({ t: 1 });
    await w.waitFor((l) => l.event === 'node' && l.node === 'r3' && /stopped/.test(l.msg), 10_000, m);
    await sleep(1500);
    const since = w.lines.slice(m);
    expect(since.filter((l) => l.level !== 'info')).toEqual([]);
    expect(since.filter((l) => l.event === 'wire').map((l) => [l.wire, l.action])).toEqual([[L2, 'pending'], [L3, 'pending']]);
    expect(since.filter((l) => l.event === 'apply')).toEqual([]);
    const text = await scrape();
    expect(metric(text, 'clab_xconnect_wire_state', { wire: L2, state: 'pending' })).toBe(1);
    expect(metric(text, 'clab_xconnect_wire_state', { wire: L1, state: 'active' })).toBe(1);
    expect(metric(text, 'interface_oper_state', { source: 'r3', interface_name: 'eth2' })).toBe(0);
    expect(metric(text, 'clab_xconnect_watch_nodes_down')).toBe(1);
    expect(await crosses(L1)).toBe(true);

    // An edit while r3 is down: applied node by node to the wires whose nodes run.
    let e = w.mark();
    await writeFile(file, topologyYaml(name, 'up', 'down'));
    expect(await w.waitFor((l) => l.event === 'apply', 10_000, e)).toMatchObject({ scope: 'nodes', changes: 1 });
    expect(w.lines.slice(e).filter((l) => l.level !== 'info')).toEqual([]);
    expect(w.lines.slice(e).filter((l) => l.event === 'wire').map((l) => [l.wire, l.action])).toEqual([[L1, 'update']]);
    expect(await crosses(L1)).toBe(false);
    e = w.mark();
    await writeFile(file, topologyYaml(name, 'up'));
    await w.waitFor((l) => l.event === 'apply', 10_000, e);
    expect(await crosses(L1)).toBe(true);

    const m2 = w.mark();
    await dockerClient().getContainer(id).start();
    await w.waitFor((l) => l.event === 'apply' && l.reason === 'node r3 re-plumbed', 20_000, m2);
    lab = await inspectLab(topo);
    await unstitch(L2);
    await unstitch(L3);
    await address('r3');
    expect(await crosses(L2, true)).toBe(true);
    expect(await crosses(L3, true)).toBe(true);
    expect(metric(await scrape(), 'clab_xconnect_wire_state', { wire: L2, state: 'active' })).toBe(1);
  });

  it('on SIGTERM exits 0 leaving the wires working; a second watch adopts them with 0 changes', async () => {
    expect(await w.stop('SIGTERM')).toBe(0);
    expect(w.lines.at(-1)).toMatchObject({ event: 'watch', signal: 'SIGTERM' });
    for (const n of NETS) expect(await crosses(n.wire), n.wire).toBe(true);
    expect((await cliJson<StatusJson>(['status', '-t', file])).wires.map((x) => x.state)).toEqual(['active', 'active', 'active']);

    w = await startWatch(file);
    procs.push(w);
    expect(w.lines.find((l) => l.event === 'apply')).toMatchObject({ changes: 0, scope: 'lab' });
    expect(w.lines.filter((l) => l.event === 'wire')).toEqual([]);
  });

  it('after a kill -9 in the middle of applying an edit, the next watch finishes the job', async () => {
    for (const [round, admin] of (['down', 'up', 'down', 'up'] as const).entries()) {
      const m = w.mark();
      await writeFile(file, topologyYaml(name, admin));
      // Killed as soon as it has seen the edit, or a little later: before, during or after its apply.
      await w.waitFor((l) => l.event === 'topology', 10_000, m);
      await sleep(Math.round(Math.random() * 60 * round));
      w.kill();
      await w.exited.catch(() => undefined);
      w = await startWatch(file);
      procs.push(w);
      const s = await cliJson<StatusJson>(['status', '-t', file]);
      expect(s.wires.map((x) => `${x.id} ${x.state} ${x.admin}`), `round ${round}`).toEqual([
        `${NETS[0]!.wire} active up`,
        `${NETS[1]!.wire} active up`,
        `${L3} active ${admin}`,
      ]);
      expect(await crosses(L3), `round ${round}`).toBe(admin === 'up');
    }
  });

  it('removes the wires and exits 0 when the lab is destroyed', async () => {
    const m = w.mark();
    await destroyLab(topo);
    expect(await Promise.race([w.exited, sleep(20_000).then(() => 'timeout')])).toBe(0);
    expect(w.lines.slice(m).find((l) => l.event === 'lab')).toMatchObject({ level: 'info', lab: name });
    await expect(readdir(labPinDir(name))).rejects.toThrow(/ENOENT/);
  });
});

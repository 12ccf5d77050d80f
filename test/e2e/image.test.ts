/** The container image: built offline by scripts/image.sh, then apply, status,
 * destroy and watch run from it (with the options docs/ci.md documents) against a
 * containerlab-shaped lab. The host's CLI sees what the container did: they share
 * bpffs, the locks and the kernel. */
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectLab, type DeployedLab } from '../../src/lab/index.js';
import type { Topology } from '../../src/topology/model.js';
import { stitchIfname } from '../../src/links/index.js';
import { cliJson } from '../helpers/cli.js';
import { dockerClient, nsRun, requireDocker, uniqueId } from '../helpers/docker.js';
import { deployFromYaml, labYaml, removeSampleFile, tearDownLab, vethStitch } from '../helpers/docker-lab.js';
import { buildImage, imageRunOptions, removeImage, runImage, setupOrFailWithin } from '../helpers/image.js';
import { metric, removeRootStitch, type LogLine } from '../helpers/watch.js';

const L1 = 'r1:eth1--r2:eth1';
const L2 = 'r1:eth2--r2:eth2';

function topologyYaml(lab: string): string {
  return labYaml(lab, ['r1', 'r2'], [
    vethStitch('r1:eth1', 'r2:eth1'),
    vethStitch('r1:eth2', 'r2:eth2', 'xconnect.clab/mode: xdp'),
  ]);
}

interface WireJson {
  id: string;
  action?: string;
  state?: string;
  engine: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the container image', () => {
  const id = uniqueId('', 3);
  const tag = `clab-xconnect:test-${id}`;
  const name = `i${id}`;
  const watcher = `clab-xconnect-watch-${id}`;
  let dir: string;
  let file: string;
  let topo: Topology;
  let lab: DeployedLab;

  /** IPv6 off, addresses on, and containerlab's stitch off both wires' ports. */
  async function prepare(): Promise<void> {
    lab = await inspectLab(topo);
    for (const [node, host] of [['r1', 1], ['r2', 2]] as const) {
      await nsRun(lab.nodes[node]!.netns, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
      await nsRun(lab.nodes[node]!.netns, 'ip', ['addr', 'replace', `198.18.41.${host}/30`, 'dev', 'eth1']);
      await nsRun(lab.nodes[node]!.netns, 'ip', ['addr', 'replace', `198.18.42.${host}/30`, 'dev', 'eth2']);
      for (const iface of ['eth1', 'eth2']) await removeRootStitch(stitchIfname(name, node, iface));
      // A restarted node's interfaces have new MACs.
      await nsRun(lab.nodes[node]!.netns, 'ip', ['neigh', 'flush', 'all']);
    }
  }

  async function crosses(ip: string): Promise<boolean> {
    const r = await nsRun(lab.nodes.r1!.netns, 'ping', ['-c', '3', '-i', '0.2', '-W', '1', ip]).catch((e: { stdout?: string }) => e.stdout ?? '');
    return /[1-9]\d* received/.test(r);
  }

  /** The watch container's JSON log lines. */
  async function watchLog(): Promise<LogLine[]> {
    const r = await execa('docker', ['logs', watcher], { reject: false });
    return r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
  }

  async function waitLog(match: (l: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = (await watchLog()).find(match);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no such log line from the watch container:\n${(await execa('docker', ['logs', watcher], { reject: false, all: true })).all}`);
      await sleep(200);
    }
  }

  setupOrFailWithin(600_000, async () => {
    await requireDocker();
    await buildImage(tag);
    // prepare() turns IPv6 off, with the addresses, once the wires are on.
    ({ dir, file, topo, lab } = await deployFromYaml(name, topologyYaml(name), { keepIpv6: true }));
  });

  afterAll(async () => {
    await execa('docker', ['rm', '-f', watcher], { reject: false });
    await tearDownLab({ dir, file, topo });
    await removeImage(tag);
    await removeSampleFile(name);
  });

  it('is built offline, with the CLI as its entry point', async () => {
    const info = await dockerClient().getImage(tag).inspect();
    expect(info.Config.Entrypoint).toEqual(['/opt/clab-xconnect/dist/bin/clab-xconnect']);
    const help = await runImage(tag, dir, ['--help']);
    expect(help.exitCode).toBe(0);
    for (const c of ['apply', 'status', 'destroy', 'watch']) expect(help.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    // libpcap is not linked but opened for a capture filter: the image must have it.
    const probe = "const a = require('/opt/clab-xconnect/build/Release/xconnect.node'); console.log(JSON.stringify([a.compileFilter('udp port 53', 128), a.compileFilter('no such', 128)]))";
    const r = await execa('docker', ['run', '--rm', '--entrypoint', '/opt/clab-xconnect/bin/node', tag, '-e', probe], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const [good, bad] = JSON.parse(r.stdout) as [string | null, string | null];
    expect(good).toBeNull();
    expect(bad).toMatch(/syntax error|can't parse|unknown/);
  });

  it('applies, shows status as JSON and Prometheus text, and destroys, from the container', async () => {
    const apply = await runImage(tag, dir, ['apply', '-t', file, '--format', 'json']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    const a = JSON.parse(apply.stdout) as { ok: boolean; changes: number; wires: WireJson[] };
    expect(a).toMatchObject({ ok: true, changes: 2 });
    expect(a.wires.map((w) => [w.id, w.action, w.engine])).toEqual([[L1, 'add', 'tc'], [L2, 'add', 'xdp']]);
    await prepare();
    expect(await crosses('198.18.41.2')).toBe(true);
    expect(await crosses('198.18.42.2')).toBe(true);

    const status = await runImage(tag, dir, ['status', '-t', file, '--format', 'json']);
    expect(status.exitCode, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { wires: WireJson[] }).wires.map((w) => [w.id, w.state])).toEqual([[L1, 'active'], [L2, 'active']]);
    const prom = await runImage(tag, dir, ['status', '-t', file, '--format', 'prometheus']);
    expect(prom.exitCode, prom.stderr).toBe(0);
    expect(metric(prom.stdout, 'clab_xconnect_port_rx_packets_total', { wire: L1, side: 'a' })).toBeGreaterThanOrEqual(3);
    expect(metric(prom.stdout, 'interface_oper_state', { source: 'r2', interface_name: 'eth2' })).toBe(1);
    // The host sees the same wires.
    expect((await cliJson<{ wires: WireJson[] }>(['status', '-t', file])).wires.map((w) => w.state)).toEqual(['active', 'active']);

    const destroy = await runImage(tag, dir, ['destroy', '-t', file, '--format', 'json']);
    expect(destroy.exitCode, destroy.stderr).toBe(0);
    expect((JSON.parse(destroy.stdout) as { removedPorts: string[] }).removedPorts).toHaveLength(4);
    expect((await cliJson<{ wires: WireJson[] }>(['status', '-t', file])).wires.map((w) => w.state)).toEqual(['absent', 'absent']);
  });

  it('watches from the container: wires the lab, re-wires a restarted node, and leaves the wires on docker stop', async () => {
    await execa('docker', ['run', '-d', '--name', watcher, ...imageRunOptions(dir), tag, 'watch', '-t', file, '--log-format', 'json']);
    expect(await waitLog((l) => l.event === 'apply')).toMatchObject({ changes: 2, scope: 'lab' });

    const [r2] = await dockerClient().listContainers({ filters: { label: [`containerlab=${name}`, 'clab-node-name=r2'] } });
    await dockerClient().getContainer(r2!.Id).restart({ t: 1 });
    const again = await waitLog((l) => l.event === 'apply' && l.reason === 'node r2 re-plumbed');
    expect(again).toMatchObject({ changes: 2 });
    expect((await watchLog()).filter((l) => l.level === 'error')).toEqual([]);
    await prepare();
    expect(await crosses('198.18.41.2')).toBe(true);
    expect(await crosses('198.18.42.2')).toBe(true);

    await execa('docker', ['stop', '-t', '10', watcher]);
    const info = await dockerClient().getContainer(watcher).inspect();
    expect(info.State.ExitCode).toBe(0);
    expect((await watchLog()).at(-1)).toMatchObject({ event: 'watch', signal: 'SIGTERM' });
    expect(await crosses('198.18.41.2')).toBe(true);
    expect((await cliJson<{ wires: WireJson[] }>(['status', '-t', file])).wires.map((w) => w.state)).toEqual(['active', 'active']);
  });
});

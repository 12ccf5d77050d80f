/** Errors of the dataplane, each with the message a user would see. */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataplane } from '../../src/dataplane/dataplane.js';
import { native, type LinkInfo } from '../../src/native/addon.js';
import { packageRoot } from '../../src/util/package.js';
import { Netns } from '../../src/native/netns.js';
import { links, wirePorts } from '../helpers/ports.js';
import { nsExec, sh, uniq } from '../helpers/sys.js';
import { nodeAsNobody, publicCopy } from '../helpers/unprivileged.js';
import { createWireLab, type WireLab } from '../helpers/wire-lab.js';

describe('dataplane errors', () => {
  let lab: WireLab;
  let wns: Netns;
  let dp: Dataplane;
  const settings = { engine: 'xdp-generic' as const, adminUp: true, loss: 0 };
  const link = async (name: string) => (await links(wns, [name]))[0]!;

  beforeAll(async () => {
    lab = await createWireLab({ mtu: 1500 });
    wns = await Netns.open(lab.w);
    dp = await Dataplane.open(lab.pinDir, { netns: wns });
  });
  afterAll(async () => {
    dp?.close();
    wns?.close();
    await lab?.destroy();
  });

  it('names a port whose device went after the snapshot, and its namespace, and leaves nothing behind', async () => {
    await nsExec(lab.wire, ['ip', 'link', 'add', 'gone0', 'type', 'veth', 'peer', 'name', 'gone1']);
    const gone = await link('gone0');
    await nsExec(lab.wire, ['ip', 'link', 'del', 'gone0']);
    const err = await dp.installWire(await link('pa'), gone, settings).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(new RegExp(`map update failed \\(op \\d+, in netns ${lab.w}\\): (No such device|Invalid argument) \\(no such ifindex in this netns\\?\\)`));
    expect((await link('pa')).xdp.mode).toBe('none');
    expect((await dp.configuredPorts()).size).toBe(0);
  });

  it('names an unknown netns path', async () => {
    await expect(Netns.open('/run/netns/clab-xconnect-no-such-ns')).rejects.toThrow(
      'network namespace /run/netns/clab-xconnect-no-such-ns does not exist',
    );
  });

  it('holds the namespace it opened: a namespace made anew at the same path is another one', async () => {
    const name = uniq('xtr-');
    await sh('ip', ['netns', 'add', name]);
    const ns = await Netns.open(`/run/netns/${name}`);
    try {
      expect(await ns.isAt()).toBe(true);
      await sh('ip', ['netns', 'del', name]);
      await sh('ip', ['netns', 'add', name]);
      expect(await ns.isAt()).toBe(false);
      await expect(ns.assertAt('node x')).rejects.toThrow(`node x: its network namespace changed while clab-xconnect was working (/run/netns/${name} now names another, or none): the node restarted`);
      // The handle still reaches the namespace it opened, gone from every path.
      expect((await native.listLinks(ns.handle)).map((l) => l.name)).toEqual(['lo']);
    } finally {
      ns.close();
      await sh('ip', ['netns', 'del', name], { reject: false });
    }
  });

  it('refuses a closed handle instead of using some other descriptor', async () => {
    const ns = await Netns.open(lab.w);
    const raw = ns.handle;
    ns.close();
    expect(() => ns.handle).toThrow(`network namespace ${lab.w} was closed`);
    // The addon itself refuses it too (it never reaches the kernel as an fd).
    expect(() => native.listLinks(raw)).toThrow(/listLinks\(netns\): not an open netns handle/);
  });

  it('reads several namespaces in one job as one by one, and refuses a closed handle among them', async () => {
    const nss = await Promise.all([lab.n1, lab.n2, lab.w].map((p) => Netns.open(p)));
    try {
      const handles = nss.map((n) => n.handle);
      // More handles than the job has threads, so threads enter namespace after
      // namespace; MACs tell the two nodes apart (their ifindexes are alike).
      const many = [...handles, ...handles, ...handles, ...handles];
      const key = (ls: LinkInfo[]) => ls.map((l) => `${l.ifindex} ${l.name} ${l.mac}`).sort();
      const apart = (await Promise.all(handles.map((h) => native.listLinks(h)))).map(key);
      expect(new Set(apart.map((k) => k.join()))).toHaveProperty('size', 3);
      expect((await native.listLinksIn(many)).map(key)).toEqual([...apart, ...apart, ...apart, ...apart]);
      // The wire netns knows node k's netns by the id on port k's IFLA_LINK_NETNSID.
      const wireLinks = await native.listLinks(handles[2]!);
      const peerId = (name: string) => wireLinks.find((l) => l.name === name)!.peerNetnsId;
      expect(await native.netnsIds(handles[2]!, [handles[0]!, handles[1]!, handles[0]!])).toEqual([peerId('pa'), peerId('pb'), peerId('pa')]);
      expect(peerId('pa')).not.toBe(peerId('pb'));
      const raw = handles[1]!;
      nss[1]!.close();
      expect(() => native.listLinksIn([handles[0]!, raw])).toThrow(/listLinksIn\(netns handles\[\]\): not an open netns handle/);
      expect(() => native.netnsIds(null, [raw])).toThrow(/netnsIds\(netns, targets: handle\[\]\): not an open netns handle/);
    } finally {
      for (const n of nss) n.close();
    }
  });

  it("refuses an interface carrying someone else's XDP program and leaves it in place", async () => {
    const obj = path.join(packageRoot, 'build', 'gen', 'foreign_xdp.bpf.o');
    await nsExec(lab.wire, ['ip', 'link', 'set', 'dev', 'pb', 'xdpgeneric', 'obj', obj, 'sec', 'xdp']);
    const foreign = (await link('pb')).xdp.progId;
    expect(foreign).toBeGreaterThan(0);
    const err = await dp.installWire(...(await wirePorts(dp)), settings).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BUSY' });
    expect((err as Error).message).toMatch(
      `interface pb in netns ${lab.w} already carries XDP program id ${foreign} (generic mode) that clab-xconnect did not install; refusing to run beside it`,
    );
    // The tc engine refuses it too: XDP would take every frame before it.
    const tcErr = await dp.installWire(...(await wirePorts(dp)), { ...settings, engine: 'tc' }).catch((e: unknown) => e);
    expect(tcErr).toMatchObject({ code: 'BUSY' });
    expect((tcErr as Error).message).toMatch(`interface pb in netns ${lab.w} already carries XDP program id ${foreign} (generic mode) that clab-xconnect did not install; refusing to run beside it`);
    // And so does the kernel, when the program came after the snapshot the wire was decided on.
    await nsExec(lab.wire, ['ip', 'link', 'set', 'dev', 'pb', 'xdpgeneric', 'off']);
    const stale = await wirePorts(dp);
    await nsExec(lab.wire, ['ip', 'link', 'set', 'dev', 'pb', 'xdpgeneric', 'obj', obj, 'sec', 'xdp']);
    const raced = await dp.installWire(...stale, settings).catch((e: unknown) => e);
    expect(raced).toMatchObject({ code: 'BUSY' });
    expect((raced as Error).message).toMatch(/cannot attach XDP in generic mode \(pb in netns \S+\): Device or resource busy \(another XDP program is attached/);
    const now = (await link('pb')).xdp.progId;
    expect((await native.tcState(wns.handle, [(await link('pa')).ifindex]))[0]).toEqual({ tcx: [], filters: [] });
    expect((await link('pb')).xdp.progId).toBe(now);
    // Nothing of ours stays behind on the other port either.
    expect((await link('pa')).xdp.mode).toBe('none');
    expect(await readdir(path.join(lab.pinDir, 'xdp')).catch(() => [])).toEqual([]);
    expect(await readdir(path.join(lab.pinDir, 'tcx')).catch(() => [])).toEqual([]);
    expect((await dp.configuredPorts()).size).toBe(0);
    await nsExec(lab.wire, ['ip', 'link', 'set', 'dev', 'pb', 'xdpgeneric', 'off']);
  });

  it("refuses a port carrying a TCX program it did not install (here: another lab's wire) and leaves both as they are", async () => {
    const other = await Dataplane.open(`${lab.pinDir}-other`, { netns: wns, tcAttach: 'tcx' });
    try {
      await other.installWire(await link('pb'), await link('pa'), { ...settings, engine: 'tc' });
      const pa = (await link('pa')).ifindex;
      const held = (await native.tcState(wns.handle, [pa]))[0]!.tcx;
      expect(held).toHaveLength(1);
      const err = await dp.installWire(...(await wirePorts(dp)), { ...settings, engine: 'tc' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'BUSY' });
      expect((err as Error).message).toMatch(
        `interface pa in netns ${lab.w} already carries TCX program id ${held[0]} that clab-xconnect did not install; refusing to run beside it`,
      );
      expect((await native.tcState(wns.handle, [pa]))[0]!.tcx).toEqual(held);
      expect(await readdir(path.join(lab.pinDir, 'tcx')).catch(() => [])).toEqual([]);
      expect((await dp.configuredPorts()).size).toBe(0);
    } finally {
      await other.removePorts((await wirePorts(other)).map((l) => ({ name: l.name, ifindex: l.ifindex })));
      other.close();
      await rm(`${lab.pinDir}-other`, { recursive: true, force: true });
    }
  });

  it("refuses (legacy attach) a port whose ingress carries someone else's bpf filter", async () => {
    const legacy = await Dataplane.open(lab.pinDir, { netns: wns, tcAttach: 'legacy' });
    const obj = path.join(packageRoot, 'build', 'gen', 'vlan_push.bpf.o');
    await nsExec(lab.wire, ['tc', 'qdisc', 'add', 'dev', 'pb', 'clsact']);
    try {
      await nsExec(lab.wire, ['tc', 'filter', 'add', 'dev', 'pb', 'ingress', 'bpf', 'da', 'obj', obj, 'sec', 'tc']);
      const err = await legacy.installWire(...(await wirePorts(legacy)), { ...settings, engine: 'tc' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'BUSY' });
      expect((err as Error).message).toMatch(/interface pb in netns \S+ already carries a tc bpf filter \(pref 49152, "vlan_push.bpf.o:\[tc\]"\) that clab-xconnect did not install/);
      // Refused before anything was attached: pa got no filter (nor a clsact qdisc).
      expect((await nsExec(lab.wire, ['tc', 'qdisc', 'show', 'dev', 'pa'])).stdout).not.toMatch(/clsact/);
      expect((await nsExec(lab.wire, ['tc', 'filter', 'show', 'dev', 'pb', 'ingress'])).stdout).toMatch(/vlan_push/);
    } finally {
      legacy.close();
      await nsExec(lab.wire, ['tc', 'qdisc', 'del', 'dev', 'pb', 'clsact'], { reject: false });
    }
  });

  it('tells a non-root user to use root', async () => {
    // From a world-readable copy: the checkout may be a private (0700) clone.
    const pub = await publicCopy();
    try {
      const script = `
        const { Dataplane } = await import(${JSON.stringify(path.join(pub.root, 'dist', 'dataplane', 'dataplane.js'))});
        try { await Dataplane.open('/sys/fs/bpf/clab-xconnect-test/nonroot'); console.log('opened'); }
        catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
      const r = await nodeAsNobody(['--input-type=module', '-e', script], { cwd: pub.root });
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout);
      expect(out.code).toBe('PERMISSION');
      expect(out.message).toMatch(/needs root/);
    } finally {
      await pub.remove();
    }
  });

  it('reads every port\'s ingress filters in one call: those of ports with an ingress or clsact qdisc, none elsewhere', async () => {
    // tcState lists the qdiscs once and asks for filters only where an ingress qdisc is.
    const names = ['qi', 'qc', 'qn'].map((p) => uniq(p));
    for (const n of names) await nsExec(lab.wire, ['ip', 'link', 'add', n, 'type', 'veth', 'peer', 'name', `${n}p`]);
    try {
      const [qi, qc, qn] = names as [string, string, string];
      // u32 with a flowid: kernels built without matchall or the gact action still have it.
      const u32 = (dev: string, dir: string, prio: string) =>
        nsExec(lab.wire, ['tc', 'filter', 'add', 'dev', dev, dir, 'prio', prio, 'protocol', 'all', 'u32', 'match', 'u32', '0', '0', 'flowid', '1:1']);
      await nsExec(lab.wire, ['tc', 'qdisc', 'add', 'dev', qi, 'ingress']);
      await u32(qi, 'ingress', '7');
      await nsExec(lab.wire, ['tc', 'qdisc', 'add', 'dev', qc, 'clsact']);
      await u32(qc, 'ingress', '9');
      await u32(qc, 'egress', '3'); // an egress filter is not an ingress one
      const ifindexes = [...(await links(wns, [qi, qc, qn])).map((l) => l.ifindex), 999_999];
      const states = await native.tcState(wns.handle, ifindexes);
      // A u32 filter lists as its hash table and its key: the same kind and priority.
      const seen = (i: number) => [...new Set(states[i]!.filters.map((f) => `${f.kind} ${f.prio} ${f.ours}`))];
      expect(seen(0)).toEqual(['u32 7 false']);
      expect(seen(1)).toEqual(['u32 9 false']);
      expect(states[2]).toEqual({ tcx: [], filters: [] });
      expect(states[3]).toBeNull();
    } finally {
      for (const n of names) await nsExec(lab.wire, ['ip', 'link', 'del', n], { reject: false });
    }
  });
});

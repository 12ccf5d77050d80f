/** Errors of the dataplane, each with the message a user would see. */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataplane } from '../../src/dataplane/dataplane.js';
import { native, packageRoot } from '../../src/native/addon.js';
import { nsExec } from '../helpers/sys.js';
import { nodeAsNobody, publicCopy } from '../helpers/unprivileged.js';
import { createWireLab, type WireLab } from '../helpers/wire-lab.js';

describe('dataplane errors', () => {
  let lab: WireLab;
  let dp: Dataplane;
  const settings = { engine: 'xdp-generic' as const, adminUp: true, loss: 0 };

  beforeAll(async () => {
    lab = await createWireLab({ mtu: 1500 });
    dp = await Dataplane.open(lab.pinDir);
  });
  afterAll(async () => {
    dp?.close();
    await lab?.destroy();
  });

  it('names an unknown interface and its namespace', async () => {
    await expect(dp.installWire({ netns: lab.w, a: 'pa', b: 'nope0' }, settings)).rejects.toThrow(
      `interface nope0 not found in netns ${lab.w}`,
    );
    expect((await native.getLink(lab.w, 'pa'))?.xdp.mode).toBe('none');
  });

  it('names an unknown netns path', async () => {
    await expect(dp.installWire({ netns: '/run/netns/clab-xconnect-no-such-ns', a: 'pa', b: 'pb' }, settings)).rejects.toThrow(
      'network namespace /run/netns/clab-xconnect-no-such-ns does not exist',
    );
  });

  it("refuses an interface carrying someone else's XDP program and leaves it in place", async () => {
    const obj = path.join(packageRoot, 'build', 'gen', 'foreign_xdp.bpf.o');
    await nsExec(lab.wire, ['ip', 'link', 'set', 'dev', 'pb', 'xdpgeneric', 'obj', obj, 'sec', 'xdp']);
    const foreign = (await native.getLink(lab.w, 'pb'))!.xdp.progId;
    expect(foreign).toBeGreaterThan(0);
    const err = await dp.installWire({ netns: lab.w, a: 'pa', b: 'pb' }, settings).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BUSY' });
    expect((err as Error).message).toMatch(
      new RegExp(`interface pb in netns ${lab.w} already carries XDP program id ${foreign} \\(generic mode\\) that clab-xconnect did not install; refusing to replace it`),
    );
    // The tc engine refuses it too: XDP would take every frame before it.
    const tcErr = await dp.installWire({ netns: lab.w, a: 'pa', b: 'pb' }, { ...settings, engine: 'tc' }).catch((e: unknown) => e);
    expect(tcErr).toMatchObject({ code: 'BUSY' });
    expect((tcErr as Error).message).toMatch(`interface pb already carries XDP program id ${foreign} (generic mode) that clab-xconnect did not install; refusing to run beside it`);
    expect((await native.tcState(lab.w, [(await native.getLink(lab.w, 'pa'))!.ifindex]))[0]).toEqual({ tcx: [], filters: [] });
    expect((await native.getLink(lab.w, 'pb'))!.xdp.progId).toBe(foreign);
    // Nothing of ours stays behind on the other port either.
    expect((await native.getLink(lab.w, 'pa'))!.xdp.mode).toBe('none');
    expect(await readdir(path.join(lab.pinDir, 'xdp')).catch(() => [])).toEqual([]);
    expect(await readdir(path.join(lab.pinDir, 'tcx')).catch(() => [])).toEqual([]);
    expect((await dp.configuredPorts()).size).toBe(0);
    await nsExec(lab.wire, ['ip', 'link', 'set', 'dev', 'pb', 'xdpgeneric', 'off']);
  });

  it("refuses a port carrying a TCX program it did not install (here: another lab's wire) and leaves both as they are", async () => {
    const other = await Dataplane.open(`${lab.pinDir}-other`, { tcAttach: 'tcx' });
    try {
      await other.installWire({ netns: lab.w, a: 'pb', b: 'pa' }, { ...settings, engine: 'tc' });
      const pa = (await native.getLink(lab.w, 'pa'))!.ifindex;
      const held = (await native.tcState(lab.w, [pa]))[0]!.tcx;
      expect(held).toHaveLength(1);
      const err = await dp.installWire({ netns: lab.w, a: 'pa', b: 'pb' }, { ...settings, engine: 'tc' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'BUSY' });
      expect((err as Error).message).toMatch(
        `interface pa in netns ${lab.w} already carries TCX program id ${held[0]} that clab-xconnect did not install; refusing to run beside it`,
      );
      expect((await native.tcState(lab.w, [pa]))[0]!.tcx).toEqual(held);
      expect(await readdir(path.join(lab.pinDir, 'tcx')).catch(() => [])).toEqual([]);
      expect((await dp.configuredPorts()).size).toBe(0);
    } finally {
      await other.removeWire({ netns: lab.w, a: 'pb', b: 'pa' });
      other.close();
      await rm(`${lab.pinDir}-other`, { recursive: true, force: true });
    }
  });

  it("refuses (legacy attach) a port whose ingress carries someone else's bpf filter", async () => {
    const legacy = await Dataplane.open(lab.pinDir, { tcAttach: 'legacy' });
    const obj = path.join(packageRoot, 'build', 'gen', 'vlan_push.bpf.o');
    await nsExec(lab.wire, ['tc', 'qdisc', 'add', 'dev', 'pb', 'clsact']);
    try {
      await nsExec(lab.wire, ['tc', 'filter', 'add', 'dev', 'pb', 'ingress', 'bpf', 'da', 'obj', obj, 'sec', 'tc']);
      const err = await legacy.installWire({ netns: lab.w, a: 'pa', b: 'pb' }, { ...settings, engine: 'tc' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'BUSY' });
      expect((err as Error).message).toMatch(/interface pb in netns \S+ already carries tc bpf filter \(pref 49152, name "vlan_push.bpf.o:\[tc\]"\) that clab-xconnect did not install/);
      // pa's filter (and the clsact qdisc the attach added for it) went again.
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
});

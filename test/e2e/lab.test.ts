/** The built-in containerlab-shaped deployer against a real Docker engine: names,
 * labels, interfaces, far ends, tc stitches, forwarding, restart, teardown. */
import { readlink } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { isXconnectError } from '../../src/errors.js';
import { deployLab, destroyLab, ensureNodeImage, startNode, stopNode, type DeployedLab } from '../../src/lab/index.js';
import { ownershipAltname, stitchAltname, stitchIfname, vxlanStitchIfnames } from '../../src/links/index.js';
import type { Topology } from '../../src/topology/model.js';
import {
  dockerClient, findLink, ingressMirreds, ipLinks, labResidue, makeTopology, nsRun, peerIfindex, requireDocker, setupOrFail,
  txChecksumOff, uniqueId,
} from '../helpers/docker.js';
import { createRemoteVtep, type RemoteVtep } from '../helpers/vtep.js';

const id = uniqueId('', 2); // 4 hex: keeps ve-/vx- names under 15 chars
const A = `a${id}`;
const B = `b${id}`;
const C = `c${id}`;
const HOST_IF = `hx-${id}-host-end`; // longer than 15: stays a random name + altname
const VNI = 4000 + Math.floor(Math.random() * 1000);

async function ping(netns: string, ip: string): Promise<void> {
  await nsRun(netns, 'ping', ['-c', '2', '-i', '0.2', '-W', '2', ip]);
}

async function addr(netns: string, dev: string, cidr: string): Promise<void> {
  await nsRun(netns, 'ip', ['addr', 'add', cidr, 'dev', dev]);
}

describe('deployLab: a 3-node lab with veth, veth-stitch, host and vxlan-stitch links', () => {
  let topo: Topology;
  let vtep: RemoteVtep | undefined;
  let lab: DeployedLab;
  const upOrder: string[] = [];
  const seenAtUp: Record<string, { farA: boolean; farC: boolean; stitched: boolean }> = {};

  setupOrFail(async () => {
    await requireDocker();
    await ensureNodeImage();
    vtep = await createRemoteVtep({ name: `v${id}`, vni: VNI });
    topo = makeTopology(uniqueId('t'), [A, B, C], [
      { type: 'veth', endpoints: [`${A}:eth1`, `${B}:eth1`] },
      { type: 'veth-stitch', endpoints: [`${A}:eth2`, `${C}:eth2`] },
      { type: 'host', endpoint: `${B}:eth3`, hostInterface: HOST_IF },
      { type: 'vxlan-stitch', endpoint: `${C}:eth3`, remote: vtep.remoteIp, vni: VNI },
      { type: 'veth', endpoints: [`${B}:ethernet-1/1`, `${C}:e1-1`] },
    ]);
    const farA = stitchIfname(topo.name, A, 'eth2');
    const farC = stitchIfname(topo.name, C, 'eth2');
    lab = await deployLab(topo, {
      onNodeUp: async (node) => {
        upOrder.push(node);
        seenAtUp[node] = {
          farA: !!(await findLink(undefined, farA)),
          farC: !!(await findLink(undefined, farC)),
          stitched: (await ingressMirreds(farA)).length > 0,
        };
      },
    });
  });

  afterAll(async () => {
    if (topo) await destroyLab(topo);
    await vtep?.destroy();
  });

  it('starts one container per node with containerlab names, labels and netns symlinks', async () => {
    const list = await dockerClient().listContainers({ filters: { label: [`containerlab=${topo.name}`] } });
    expect(list).toHaveLength(3);
    for (const node of topo.nodes) {
      const c = list.find((x) => x.Names.includes(`/clab-${topo.name}-${node.name}`));
      expect(c, node.name).toBeDefined();
      expect(c!.Labels).toMatchObject({
        containerlab: topo.name,
        'clab-node-name': node.name,
        'clab-node-longname': `clab-${topo.name}-${node.name}`,
        'clab-node-kind': 'linux',
        'clab-node-type': '',
        'clab-node-group': '',
        'clab-node-lab-dir': `${topo.labDir}/${node.name}`,
        'clab-topo-file': topo.file,
      });
      expect(c!.Labels['clab-owner']).toBeTruthy();
      const d = lab.nodes[node.name]!;
      expect(d.id).toBe(c!.Id);
      expect(d.netns).toBe(`/proc/${d.pid}/ns/net`);
      expect(await readlink(`/run/netns/${node.longName}`)).toBe(d.netns);
    }
  });

  it('calls onNodeUp per node in file order; stitches when the second segment appears', () => {
    expect(upOrder).toEqual([A, B, C]);
    expect(seenAtUp[A]).toEqual({ farA: true, farC: false, stitched: false });
    expect(seenAtUp[B]).toEqual({ farA: true, farC: false, stitched: false });
    expect(seenAtUp[C]).toEqual({ farA: true, farC: true, stitched: true });
  });

  it('creates node interfaces at MTU 9500, up, with the ownership altname and tx checksum offload off', async () => {
    const want: Record<string, string[]> = { [A]: ['eth1', 'eth2'], [B]: ['eth1', 'eth3', 'ethernet-1/1'], [C]: ['eth2', 'eth3', 'e1-1'] };
    for (const [node, ifaces] of Object.entries(want)) {
      const netns = lab.nodes[node]!.netns;
      const links = await ipLinks(netns);
      expect(links.map((l) => l.ifname).sort(), node).toHaveLength(ifaces.length + 1); // + lo
      for (const iface of ifaces) {
        const l = links.find((x) => x.altnames?.includes(ownershipAltname(node, iface)));
        expect(l, `${node}:${iface}`).toBeDefined();
        expect(l!.mtu).toBe(9500);
        expect(l!.flags).toContain('UP');
        expect(l!.linkinfo?.info_kind).toBe('veth');
        expect(l!.address).toMatch(/^aa:c1:ab:/);
        expect(await txChecksumOff(netns, l!.ifname)).toBe(true);
      }
    }
  });

  it('keeps a random kernel name and adds the sanitized altname for a name Linux cannot take', async () => {
    const l = await findLink(lab.nodes[B]!.netns, 'ethernet-1-1');
    expect(l).toBeDefined();
    expect(l!.ifname).toMatch(/^clab-[0-9a-f]{8}$/);
    expect(l!.altnames).toEqual(expect.arrayContaining(['ethernet-1-1', ownershipAltname(B, 'ethernet-1/1')]));
  });

  it('veth: the two node ends are peers of each other', async () => {
    const a = (await findLink(lab.nodes[A]!.netns, 'eth1'))!;
    const b = (await findLink(lab.nodes[B]!.netns, 'eth1'))!;
    expect(await peerIfindex(lab.nodes[A]!.netns, 'eth1')).toBe(b.ifindex);
    expect(await peerIfindex(lab.nodes[B]!.netns, 'eth1')).toBe(a.ifindex);
  });

  it('veth-stitch: hashed far ends in the root netns, altnames naming the other end, peers, tc redirect both ways', async () => {
    const farA = stitchIfname(topo.name, A, 'eth2');
    const farC = stitchIfname(topo.name, C, 'eth2');
    const la = (await findLink(undefined, farA))!;
    const lc = (await findLink(undefined, farC))!;
    expect(la.ifname).toHaveLength(15);
    expect(la.altnames).toEqual([stitchAltname(topo.name, C, 'eth2')]);
    expect(lc.altnames).toEqual([stitchAltname(topo.name, A, 'eth2')]);
    for (const l of [la, lc]) {
      expect(l.mtu).toBe(9500);
      expect(l.flags).toContain('UP');
      expect(await txChecksumOff(undefined, l.ifname)).toBe(true);
    }
    expect(await peerIfindex(undefined, farA)).toBe((await findLink(lab.nodes[A]!.netns, 'eth2'))!.ifindex);
    expect(await peerIfindex(undefined, farC)).toBe((await findLink(lab.nodes[C]!.netns, 'eth2'))!.ifindex);
    expect(await ingressMirreds(farA)).toEqual([{ action: 'redirect', direction: 'egress', toDev: farC }]);
    expect(await ingressMirreds(farC)).toEqual([{ action: 'redirect', direction: 'egress', toDev: farA }]);
  });

  it('host: the root-netns end carries host-interface (as altname when too long) and is the node end\'s peer', async () => {
    const h = (await findLink(undefined, HOST_IF))!;
    expect(h).toBeDefined();
    expect(h.ifname).toMatch(/^clab-[0-9a-f]{8}$/);
    expect(h.altnames).toEqual([HOST_IF]);
    expect(h.mtu).toBe(9500);
    expect(h.address).toMatch(/^aa:c1:ab:/);
    expect(await peerIfindex(undefined, h.ifname)).toBe((await findLink(lab.nodes[B]!.netns, 'eth3'))!.ifindex);
  });

  it('vxlan-stitch: vx- device to the remote, ve- veth to the node, tc redirect both ways', async () => {
    const names = vxlanStitchIfnames(C, 'eth3');
    const vx = (await findLink(undefined, names.vxlan))!;
    const ve = (await findLink(undefined, names.veth))!;
    expect(vx.ifname).toBe(names.vxlan);
    expect(vx.linkinfo?.info_kind).toBe('vxlan');
    expect(vx.linkinfo?.info_data).toMatchObject({ id: VNI, remote: vtep!.remoteIp, port: 14789, learning: true, link: vtep!.hostIfname });
    expect(vx.mtu).toBe(9500);
    expect(ve.ifname).toBe(names.veth);
    expect(await peerIfindex(undefined, ve.ifname)).toBe((await findLink(lab.nodes[C]!.netns, 'eth3'))!.ifindex);
    expect(await ingressMirreds(vx.ifname)).toEqual([{ action: 'redirect', direction: 'egress', toDev: ve.ifname }]);
    expect(await ingressMirreds(ve.ifname)).toEqual([{ action: 'redirect', direction: 'egress', toDev: vx.ifname }]);
  });

  it('forwards across veth, veth-stitch and vxlan-stitch (to the remote VTEP netns)', async () => {
    const [na, nb, nc] = [lab.nodes[A]!.netns, lab.nodes[B]!.netns, lab.nodes[C]!.netns];
    await addr(na, 'eth1', '198.18.250.1/30');
    await addr(nb, 'eth1', '198.18.250.2/30');
    await addr(na, 'eth2', '198.18.251.1/30');
    await addr(nc, 'eth2', '198.18.251.2/30');
    await addr(nb, 'ethernet-1-1', '198.18.252.1/30');
    await addr(nc, 'e1-1', '198.18.252.2/30');
    await addr(nc, 'eth3', `${vtep!.nodeOverlayIp}/24`);
    await ping(na, '198.18.250.2');
    await ping(na, '198.18.251.2');
    await ping(nb, '198.18.252.2');
    await ping(nc, vtep!.overlayIp);
  });

  it('stopNode drops the node\'s interfaces; startNode brings it back bare, or relinked', async () => {
    const farC = stitchIfname(topo.name, C, 'eth2');
    await stopNode(topo, C);
    const info = await dockerClient().getContainer(lab.nodes[C]!.id).inspect();
    expect(info.State.Running).toBe(false);
    expect(await findLink(undefined, farC)).toBeUndefined();

    const bare = await startNode(topo, C);
    expect((await ipLinks(bare.netns)).map((l) => l.ifname)).toEqual(['lo']);
    await stopNode(topo, C);

    const relinked = await startNode(topo, C, { relink: true });
    expect(await findLink(relinked.netns, 'eth2')).toBeDefined();
    const farA = stitchIfname(topo.name, A, 'eth2');
    expect(await ingressMirreds(farA)).toEqual([{ action: 'redirect', direction: 'egress', toDev: farC }]);
    await addr(relinked.netns, 'eth2', '198.18.251.2/30');
    await ping(relinked.netns, '198.18.251.1'); // from C: A's neighbour entry still has C's old MAC
    await addr(relinked.netns, 'eth3', `${vtep!.nodeOverlayIp}/24`);
    await ping(relinked.netns, vtep!.overlayIp);
  });

  it('destroyLab removes containers, root-netns interfaces and netns symlinks, and can run twice', async () => {
    expect((await labResidue(topo)).containers).toHaveLength(3);
    await destroyLab(topo);
    expect(await labResidue(topo)).toEqual({ containers: [], ifaces: [], netns: [] });
    await destroyLab(topo);
    expect(await labResidue(topo)).toEqual({ containers: [], ifaces: [], netns: [] });
  });
});

describe('deployLab: failures', () => {
  const created: Topology[] = [];

  setupOrFail(requireDocker);

  afterAll(async () => {
    for (const t of created) await destroyLab(t);
  });

  it('rejects link types it cannot build before creating anything', async () => {
    const topo = makeTopology(uniqueId('t'), ['n1', 'n2'], [
      { type: 'veth', endpoints: ['n1:eth1', 'n2:eth1'] },
      { type: 'macvlan', endpoint: 'n1:eth2' },
    ]);
    created.push(topo);
    const err = await deployLab(topo).catch((e: unknown) => e);
    expect(isXconnectError(err) && err.code).toBe('PLAN');
    expect(String(err)).toMatch(/macvlan is not supported/);
    expect((await labResidue(topo)).containers).toEqual([]);
  });

  it('leaves a half-deployed lab that destroyLab cleans up', async () => {
    const n = uniqueId('', 2);
    const topo = makeTopology(uniqueId('t'), [`p${n}`, `q${n}`], [
      { type: 'veth-stitch', endpoints: [`p${n}:eth1`, `q${n}:eth1`] },
    ]);
    created.push(topo);
    await expect(deployLab(topo, {
      onNodeUp: async (node) => {
        if (node === `p${n}`) throw new Error('hook failed');
      },
    })).rejects.toThrow('hook failed');
    const residue = await labResidue(topo);
    expect(residue.containers).toHaveLength(1);
    expect(residue.ifaces).toEqual([stitchIfname(topo.name, `p${n}`, 'eth1')]);
    await destroyLab(topo);
    expect(await labResidue(topo)).toEqual({ containers: [], ifaces: [], netns: [] });
  });
});

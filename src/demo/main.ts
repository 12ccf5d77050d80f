/** The README's first command: deploy the bundled demo lab, wire it, show
 * LLDP, LACP and STP crossing a wire byte for byte, print the status table
 * (whose counters show the wire carried them),
 * clean up. Uses containerlab when it is installed, otherwise the built-in
 * containerlab-shaped deployer (linux nodes on Docker). */
import path from 'node:path';
import { execa } from 'execa';
import { formatApplyTable } from '../cli/commands/apply.js';
import { formatStatusTable } from '../cli/commands/status.js';
import { frameMatrix } from '../frames/samples.js';
import { deployLab, destroyLab, ensureNodeImage, inspectLab, type DeployedLab } from '../lab/index.js';
import { PacketTap, sendFrames } from '../native/packet.js';
import { apply } from '../runtime/apply.js';
import { destroy } from '../runtime/destroy.js';
import { status } from '../runtime/status.js';
import { packageRoot } from '../util/package.js';
import { loadTopology } from '../topology/load.js';
import type { Topology } from '../topology/model.js';

const file = process.argv[2] ?? path.join(packageRoot, 'topologies', 'demo.clab.yml');

function say(s: string): void {
  process.stdout.write(`\n== ${s}\n`);
}

async function hasContainerlab(): Promise<boolean> {
  return execa('containerlab', ['version'], { reject: false }).then((r) => r.exitCode === 0, () => false);
}

async function deploy(topo: Topology, clab: boolean): Promise<DeployedLab> {
  await ensureNodeImage();
  if (!clab) return deployLab(topo);
  await execa('containerlab', ['deploy', '-t', file, '--reconfigure'], { stdio: 'inherit' });
  return inspectLab(topo);
}

async function teardown(topo: Topology, clab: boolean): Promise<void> {
  await destroy({ file }).catch(() => undefined);
  if (clab) await execa('containerlab', ['destroy', '-t', file, '--cleanup'], { stdio: 'inherit', reject: false });
  else await destroyLab(topo);
}

/** Sends one frame out of `from` and reports whether `to` received it unchanged. */
async function cross(lab: DeployedLab, label: string, frame: Buffer, from: string, to: string): Promise<boolean> {
  const [fn, fi] = from.split(':') as [string, string];
  const [tn, ti] = to.split(':') as [string, string];
  const tap = await PacketTap.open(lab.nodes[tn]!.netns, ti);
  try {
    await sendFrames(lab.nodes[fn]!.netns, fi, [frame]);
    const got = await tap.read({ timeoutMs: 1000 });
    const ok = got.some((f) => f.equals(frame));
    const dst = [...frame.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
    process.stdout.write(`${label.padEnd(6)} to ${dst}  ${from} -> ${to}: ${ok ? `arrived byte-identical (${frame.length} bytes)` : 'NOT received'}\n`);
    return ok;
  } finally {
    tap.close();
  }
}

async function main(): Promise<number> {
  const topo = loadTopology(file);
  const clab = await hasContainerlab();
  say(`deploying lab ${topo.name} from ${path.relative(process.cwd(), file)} with ${clab ? 'containerlab' : 'the built-in containerlab-shaped deployer'}`);
  const lab = await deploy(topo, clab);
  try {
    say('clab-xconnect apply');
    process.stdout.write(formatApplyTable(await apply({ file })));
    say('clab-xconnect apply (again: nothing to change)');
    process.stdout.write(formatApplyTable(await apply({ file })));

    say('frames a Linux bridge would drop, across the wires');
    const frames = Object.fromEntries(frameMatrix('demo', 1514).map((f) => [f.name, f.bytes]));
    let ok = true;
    for (const [label, name] of [['LLDP', 'LLDP'], ['LACP', 'LACP'], ['STP', 'STP BPDU']] as const) {
      ok = (await cross(lab, label, frames[name]!, 'r1:eth1', 'r2:eth1')) && ok;
      ok = (await cross(lab, label, frames[name]!, 'r2:eth1', 'r1:eth1')) && ok;
    }
    say('the same LLDP frame on the wire that starts admin down (xconnect.clab/admin: down)');
    const dropped = !(await cross(lab, 'LLDP', frames['LLDP']!, 'r3:eth2', 'r1:eth3'));

    say('clab-xconnect status');
    process.stdout.write(formatStatusTable(await status({ file })));
    if (!ok || !dropped) {
      process.stderr.write('demo: a frame did not behave as expected\n');
      return 1;
    }
    return 0;
  } finally {
    say('cleaning up: clab-xconnect destroy, then the lab');
    await teardown(topo, clab);
  }
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`demo: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);

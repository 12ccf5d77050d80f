/** Bad inputs: topology files, command lines and lab states that clab-xconnect
 * must refuse. Each one, run against a wired lab (a containerlab-shaped lab of
 * network namespaces, and Docker for a stopped container), must give exit 1
 * (2 for usage), one line on stderr that names what is wrong (file and line,
 * endpoint or path) and what to do, and change nothing: the lab's programs,
 * links, maps, pins, port tc/XDP state, node settings and run-state files are
 * the same before and after (test/helpers/kernel-state.ts). */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { native } from '../../src/native/addon.js';
import { cliPath, packageRoot } from '../../src/util/package.js';
import { labPinDir, RUN_DIR } from '../../src/runtime/paths.js';
import { dropCached } from '../../src/runtime/plan-cache.js';
import { ensureNodeImage } from '../../src/lab/index.js';
import { cli, type CliResult } from '../helpers/cli.js';
import { pinsUnder, snapshot, type KernelSnapshot } from '../helpers/kernel-state.js';
import { buildNetnsLab, destroyWiredLab, type NetnsLab } from '../helpers/netns-lab.js';
import { linkAt } from '../helpers/ports.js';
import { nodeAsNobody, publicCopy, type PublicCopy } from '../helpers/unprivileged.js';

const CLI = cliPath;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

interface Case {
  name: string;
  run: () => Promise<CliResult>;
  exit: 1 | 2;
  /** What follows `clab-xconnect: ` on the one stderr line. */
  message: () => RegExp;
  /** Makes the lab state bad; returns how to put it back. */
  setup?: () => Promise<() => Promise<void>>;
  /** Interfaces to watch besides the lab's ports (e.g. a renamed port). */
  watch?: () => string[];
  /** With --format json: the error code expected in the JSON on stdout. */
  jsonCode?: string;
  /** The lines after the first, for a list of problems. */
  more?: () => RegExp[];
  /** bpffs directories of other labs the case involves, to watch too. */
  pinDirs?: () => string[];
}

let lab: NetnsLab;
let pub: PublicCopy;
const labels = (i: number): Record<string, string> => (i === 1 ? { 'xconnect.clab/mode': 'xdp' } : {});

/** The lab's run-state files (lock, node-settings record), with a hash of each
 * but the lock (which holds the pid of the last run). */
function runState(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(RUN_DIR).filter((n) => n.startsWith(`${lab.name}.`)).sort()) {
    const p = path.join(RUN_DIR, f);
    let v = 'dir';
    try {
      v = f.endsWith('.lock') ? 'lock' : createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 16);
    } catch {
      // a directory (the unreadable-record case)
    }
    out[f] = v;
  }
  return out;
}

async function state(extra: string[] = [], pinDirs: string[] = []): Promise<{ kernel: KernelSnapshot; run: Record<string, string>; pins: string[][] }> {
  const kernel = await snapshot({ pinDir: labPinDir(lab.name), ports: [...lab.ports(), ...extra], nodeIfaces: lab.nodeIfaces() });
  return { kernel, run: runState(), pins: await Promise.all(pinDirs.map((d) => pinsUnder(d))) };
}

const written = new Set<string>();

/** A topology file in the lab's directory; `LAB` stands for the lab's name. */
function topo(name: string, text: string): string {
  const dir = path.join(lab.dir, 'bad');
  mkdirSync(dir, { recursive: true });
  const f = path.join(dir, name);
  writeFileSync(f, text.replaceAll('LAB', lab.name));
  written.add(f);
  return f;
}

/** The lab's topology plus one more wire (node and interfaces as given). */
function withWire(name: string, a: string, b: string): string {
  const [an, ai] = a.split(':');
  const [bn, bi] = b.split(':');
  const nodes = new Set([an, bn].filter((n) => !lab.nodes.includes(n!)));
  let text = lab.text(labels);
  for (const n of nodes) text = text.replace('  links:\n', `    ${n}: {}\n  links:\n`);
  text += `    - type: veth-stitch\n      endpoints: [{ node: ${an}, interface: ${ai} }, { node: ${bn}, interface: ${bi} }]\n`;
  return topo(name, text);
}

const two = (a: string, b: string, extra = '') =>
  `name: LAB\ntopology:\n  defaults: { kind: linux }\n  nodes:\n    n0: {}\n    n1: {}\n  links:\n    - type: veth-stitch\n      endpoints: [{ node: n0, interface: ${a} }, { node: n1, interface: ${b} }]\n${extra}`;
const labelled = (label: string) => two('ea0', 'eb0', `      labels: { ${label} }\n`);

const inMountNs = (setup: string, args: string[]) => async (): Promise<CliResult> => {
  const r = await execa('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${setup} && exec "$0" "$@"`, process.execPath, CLI, ...args], { reject: false, timeout: 60_000 });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
};

function topologyCases(): Case[] {
  const f = (name: string, text: string) => topo(name, text);
  const c = (name: string, text: string, message: (file: string) => string): Case => {
    let file = '';
    return {
      name: `topology: ${name}`,
      run: () => {
        file = f(`${name.replace(/\W+/g, '-')}.clab.yml`, text);
        return cli(['apply', '-t', file]);
      },
      exit: 1,
      message: () => new RegExp(message(esc(file))),
    };
  };
  return [
    c('malformed YAML', 'name: LAB\ntopology:\n  nodes:\n    n0: {kind: linux\n  links: []\n', (p) => `^${p}:5: not valid YAML: .* - fix the YAML syntax`),
    c('a duplicate key', 'name: LAB\nname: LAB\ntopology:\n  nodes:\n    n0: {kind: linux}\n', (p) => `^${p}:2: a key is defined more than once - remove or rename the duplicate key`),
    c('an unknown node', two('ea0', 'eb0').replace('node: n1,', 'node: n9,'), (p) => `^${p}:9: link endpoint "n9:eb0" refers to node "n9", which is not defined in topology.nodes .* - define it under topology.nodes or fix the name`),
    c('an endpoint used twice', two('ea0', 'eb0', '    - type: veth-stitch\n      endpoints: [{ node: n0, interface: ea0 }, { node: n1, interface: eb9 }]\n'), (p) => `^${p}:11: endpoint "n0:ea0" is used by two links \\(line 9 and line 11\\).* - a node interface can belong to one link only`),
    c('an endpoint on both ends of one link', two('ea0', 'eb0').replace('node: n1, interface: eb0', 'node: n0, interface: ea0'), (p) => `^${p}:9: endpoint "n0:ea0" is used by two links .* - a node interface can belong to one link only`),
    c('an unknown top-level key', 'name: LAB\nxconnect: {}\ntopology:\n  nodes: {}\n', (p) => `^${p}:2: unknown key "xconnect" - containerlab reads topology files strictly`),
    c('a wrong admin label value', labelled('xconnect.clab/admin: sideways'), (p) => `^${p}:10: label xconnect.clab/admin must be "up" or "down", got "sideways".* - write xconnect.clab/admin: down`),
    c('a wrong mode label value', labelled('xconnect.clab/mode: turbo'), (p) => `^${p}:10: label xconnect.clab/mode must be .*got "turbo".* - write xconnect.clab/mode: tc`),
    c('a misspelt label', labelled('xconnect.clab/admni: down'), (p) => `^${p}:10: unknown label "xconnect.clab/admni".* - labels under xconnect.clab/ are: `),
    c('a loss label out of range', labelled('xconnect.clab/loss: "150"'), (p) => `^${p}:10: label xconnect.clab/loss.* must be a percentage from 0 to 100, got "150".* - \\S`),
    c('a wrong exclude label value', labelled('xconnect.clab/exclude: maybe'), (p) => `^${p}:10: label xconnect.clab/exclude must be "true" or "false", got "maybe".* - write xconnect.clab/exclude: "true"`),
    c('a node without a kind', 'name: LAB\ntopology:\n  nodes:\n    n0: {}\n', (p) => `^${p}:4: node "n0" has no kind .* - set "kind:" on the node`),
    c('an endpoint that is not node:interface', 'name: LAB\ntopology:\n  defaults: { kind: linux }\n  nodes:\n    n0: {}\n  links:\n    - endpoints: ["n0eth1", "n0:eth2"]\n', (p) => `^${p}:7: link endpoint "n0eth1" is not node:interface .* - write it as "n0:eth1"`),
    c('a non-numeric MTU', two('ea0', 'eb0').replace('    - type: veth-stitch\n', '    - type: veth-stitch\n      mtu: jumbo\n'), (p) => `^${p}:9: expected a number, got a string "jumbo" \\(at topology.links\\[0\\].mtu\\) - containerlab decodes this key into that type`),
    c('an empty file', '', (p) => `^${p}: the file is empty - a topology needs at least "name:" and "topology:"`),
    c('a binary file', 'name: LAB\u0001\ntopology: {}\n', (p) => `^${p}:1: not a YAML text file: control character U\\+0001 - pass a containerlab topology file`),
    c('an unclosed ${', 'name: LAB${X\ntopology: {}\n', (p) => `^${p}:1: environment variable expression has no closing brace - close it with "}" on the same line`),
    c('a template calling an unknown function', 'name: {{ .x | nosuchfunc }}\ntopology: {}\n', (p) => `^${p}:1:15: function "nosuchfunc" not defined - containerlab's topology templates know `),
    c('an unterminated template action', 'name: LAB\n{{ if .x }}\ntopology: {}\n', (p) => `^${p}:4:1: unexpected EOF - close every "\\{\\{" with "\\}\\}"`),
    c('several YAML documents', 'name: LAB\ntopology: {}\n---\nname: other\n', (p) => `^${p}:3: not valid YAML: .* - keep one YAML document per file`),
    c('a list at the top level', '- LAB\n- n0\n', (p) => `^${p}:1: not a containerlab topology: the top level is not a mapping - a topology starts with "name:" and "topology:" keys`),
    c('a lab name that needs git', 'name: LAB-__gitBranch__\ntopology: {}\n', (p) => `^${p}:1: the lab name uses __gitBranch__/__gitHash__.* - write the resulting name into the file`),
    c('a YAML alias bomb', 'name: LAB\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\ntopology: {}\n', (p) => `^${p}: YAML aliases expand too much .* - write the repeated parts out`),
    c('a lab name with /', two('ea0', 'eb0').replace('name: LAB', 'name: LAB/../x'), (p) => `^${p}:1: the lab name "LAB/../x" cannot name the lab's files and containers - use letters, digits`.replace('LAB', lab.name)),
    c('the lab name ..', two('ea0', 'eb0').replace('name: LAB', 'name: ".."'), (p) => `^${p}:1: the lab name "\\.\\." cannot name the lab's files and containers - use letters, digits`),
    c('an xdp-xconnect config joining an interface to itself', 'links:\n  eth1: eth1\n', (p) => `^${p}:2: interface "eth1" is connected to itself \\(at links.eth1\\) - connect two different interfaces`),
    c('an xdp-xconnect config using an interface twice', 'links:\n  xq1: xq2\n  xq3: xq1\n', (p) => `^${p}:3: interface "xq1" is used by two links \\(line 2 and line 3\\).* - an interface can be cross-connected to one peer only`),
    {
      name: 'topology: a directory given as the file',
      run: () => {
        const d = path.join(lab.dir, 'bad', 'dir.clab.yml');
        mkdirSync(d, { recursive: true });
        return cli(['apply', '-t', d]);
      },
      exit: 1,
      message: () => new RegExp(`^${esc(path.join(lab.dir, 'bad', 'dir.clab.yml'))}: cannot read the file: EISDIR.* - check the path given with -t`),
    },
    {
      name: 'topology: a file that does not exist',
      run: () => cli(['destroy', '-t', path.join(lab.dir, 'nope.clab.yml')]),
      exit: 1,
      message: () => new RegExp(`^${esc(path.join(lab.dir, 'nope.clab.yml'))}: cannot read the file: no such file - check the path given with -t`),
    },
    {
      name: 'topology: an interface the node does not have',
      run: () => cli(['apply', '-t', withWire('unknown-iface.clab.yml', 'n0:nope0', 'n1:nope1')]),
      exit: 1,
      // Two ports missing: a head line, then one line per port.
      message: () => /^2 problems:$/,
      more: () => [
        new RegExp(`^  - wire n0:nope0--n1:nope1 \\(.+:\\d+\\): port ${lab.port({ node: 'n0', iface: 'nope0' })} \\(n0:nope0\\) does not exist in the host netns$`),
        new RegExp(`^  - wire n0:nope0--n1:nope1 \\(.+:\\d+\\): port ${lab.port({ node: 'n1', iface: 'nope1' })} \\(n1:nope1\\) does not exist in the host netns - nothing was changed$`),
      ],
    },
  ];
}

function cliCases(): Case[] {
  const usage = (name: string, args: () => string[], message: RegExp, jsonCode?: string): Case => ({
    name: `command line: ${name}`,
    run: () => cli(args()),
    exit: 2,
    message: () => message,
    ...(jsonCode ? { jsonCode } : {}),
  });
  return [
    usage('an unknown command', () => ['wire', '-t', lab.file], /^unknown command 'wire' - the commands are plan, apply, status, .*; see 'clab-xconnect --help'$/),
    usage('an unknown command, JSON asked', () => ['wire', '-t', lab.file, '--format', 'json'], /^unknown command 'wire'/, 'USAGE'),
    usage('an unknown option', () => ['apply', '-t', lab.file, '--force'], /^Unknown option '--force'.* - see 'clab-xconnect apply --help'$/),
    usage('an unknown option, JSON asked with --format=json', () => ['apply', '--force', '-t', lab.file, '--format=json'], /^Unknown option '--force'/, 'USAGE'),
    usage('no topology file', () => ['apply'], /^missing the topology file - pass it with -t FILE, e.g. 'clab-xconnect apply -t lab.clab.yml'$/),
    usage('-t without a value', () => ['destroy', '-t'], /^Option '-t, --topology <value>' argument missing - see 'clab-xconnect destroy --help'$/),
    usage('an unknown format', () => ['apply', '-t', lab.file, '--format', 'yaml'], /^unknown format "yaml" - use --format table or --format json$/),
    usage('--format without a value', () => ['status', '-t', lab.file, '--format'], /^Option '--format <value>' argument missing/),
    usage('a stray argument', () => ['apply', 'now', '-t', lab.file], /^Unexpected argument 'now'.* - see 'clab-xconnect apply --help'$/),
    usage('a value for a flag', () => ['apply', '-t', lab.file, '--dry-run=yes'], /^Option '--dry-run' does not take an argument.* - see 'clab-xconnect apply --help'$/),
    usage('--node naming no node of the topology', () => ['apply', '-t', lab.file, '--node', 'n9', '--format', 'json'], /^--node n9: no such node in .* - nodes: n0, n1, n2$/, 'USAGE'),
    {
      // `-t json` names a file: it must not switch the error output to JSON.
      name: 'command line: a topology file named json that does not exist',
      run: () => execa(process.execPath, [CLI, 'apply', '-t', 'json'], { cwd: lab.dir, reject: false }).then((r) => ({ exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr })),
      exit: 1,
      message: () => /^json: cannot read the file: no such file - check the path given with -t$/,
    },
  ];
}

function stateCases(): Case[] {
  const port0 = () => lab.port(lab.wires[0]!.a);
  const port1 = () => lab.port(lab.wires[1]!.a);
  const xqPorts = (): [string, string] => [`xq${lab.name.slice(-6)}a`, `xq${lab.name.slice(-6)}b`];
  const xcFile = () => path.join(lab.dir, `${lab.name}xc.yml`);
  const n0 = () => lab.netns('n0');
  const ip = (...a: string[]) => execa('ip', a);
  const peersFile = () => path.join(RUN_DIR, `${lab.name}.peers.json`);
  const damage = (write: () => void) => async () => {
    const saved = readFileSync(peersFile());
    write();
    return async () => {
      rmSync(peersFile(), { recursive: true, force: true });
      writeFileSync(peersFile(), saved);
    };
  };
  const renamed = () => `xr${lab.name.slice(-6)}`;
  return [
    {
      name: 'lab state: a node that is not deployed',
      run: () => cli(['apply', '-t', withWire('missing-node.clab.yml', 'n0:ez0', 'n9:ez0')]),
      exit: 1,
      message: () => new RegExp(`^node n9 is not running: no container labelled containerlab=${lab.name}, clab-node-name=n9 or named clab-${lab.name}-n9, and no /run/netns/clab-${lab.name}-n9 - deploy the lab first`),
    },
    {
      name: 'lab state: a stopped container',
      setup: async () => {
        const image = await ensureNodeImage();
        const name = `clab-${lab.name}-n9`;
        await execa('docker', ['create', '--name', name, '--label', `containerlab=${lab.name}`, '--label', 'clab-node-name=n9', '--network', 'none', image]);
        return async () => {
          await execa('docker', ['rm', '-f', name], { reject: false });
        };
      },
      run: () => cli(['apply', '-t', withWire('stopped-node.clab.yml', 'n0:ez0', 'n9:ez0')]),
      exit: 1,
      message: () => new RegExp(`^node n9 \\(container clab-${lab.name}-n9\\) is not running \\(state: created\\) - deploy the lab first`),
    },
    {
      name: 'lab state: a port renamed after deploy',
      setup: async () => {
        await ip('link', 'set', 'dev', port0(), 'name', renamed());
        return async () => {
          await ip('link', 'set', 'dev', renamed(), 'name', port0());
        };
      },
      watch: () => [renamed()],
      run: () => cli(['apply', '-t', lab.file]),
      exit: 1,
      message: () => new RegExp(`^wire n0:ea0--n1:eb0 \\(.+:\\d+\\): port ${port0()} \\(n0:ea0\\) does not exist in the host netns - nothing was changed$`),
    },
    {
      name: 'lab state: a port deleted after deploy',
      setup: async () => {
        await ip('link', 'del', 'dev', port0());
        return async () => {
          await ip('link', 'add', port0(), 'mtu', '9500', 'type', 'veth', 'peer', 'name', 'ea0', 'mtu', '9500', 'netns', path.basename(n0()));
          await ip('link', 'set', port0(), 'up');
          await ip('-n', path.basename(n0()), 'link', 'set', 'ea0', 'up');
          await lab.removeStitch(0);
          await lab.addStitch(0);
          const r = await cli(['apply', '-t', lab.file]);
          if (r.exitCode !== 0) throw new Error(`re-apply after the deleted-port case failed: ${r.stderr}`);
        };
      },
      run: () => cli(['apply', '-t', lab.file]),
      exit: 1,
      message: () => new RegExp(`^wire n0:ea0--n1:eb0 \\(.+:\\d+\\): port ${port0()} \\(n0:ea0\\) does not exist in the host netns - nothing was changed$`),
    },
    {
      name: 'lab state: a node interface renamed',
      setup: async () => {
        await ip('-n', path.basename(n0()), 'link', 'set', 'dev', 'ea0', 'name', 'ex0');
        return async () => {
          await ip('-n', path.basename(n0()), 'link', 'set', 'dev', 'ex0', 'name', 'ea0');
        };
      },
      run: () => cli(['apply', '-t', lab.file]),
      exit: 1,
      message: () => new RegExp(`^wire n0:ea0--n1:eb0 \\(.+:\\d+\\): interface n0:ea0 does not exist in node n0's netns ${esc(n0())} - nothing was changed$`),
    },
    {
      name: "lab state: a port whose veth peer is not the topology's interface",
      setup: async () => {
        const ns = path.basename(n0());
        const undo = async () => {
          await execa('ip', ['-n', ns, 'link', 'del', 'ea0'], { reject: false });
          await ip('-n', ns, 'link', 'set', 'dev', 'ex0', 'name', 'ea0');
        };
        await ip('-n', ns, 'link', 'set', 'dev', 'ea0', 'name', 'ex0');
        // Another veth of the node takes the name.
        await ip('-n', ns, 'link', 'add', 'ea0', 'type', 'veth', 'peer', 'name', 'ez9').catch(async (e: unknown) => {
          await undo();
          throw e;
        });
        return undo;
      },
      run: () => cli(['apply', '-t', lab.file]),
      exit: 1,
      message: () => new RegExp(`^wire n0:ea0--n1:eb0 \\(.+:\\d+\\): port ${port0()} \\(n0:ea0\\) is not the veth peer of n0:ea0 \\(its peer is ifindex \\d+ in netns id \\d+; n0:ea0 is ifindex \\d+ in netns id \\d+\\) - nothing was changed$`),
    },
    {
      name: 'lab state: a foreign XDP program on a port',
      setup: async () => {
        const obj = path.join(packageRoot, 'build', 'gen', 'foreign_xdp.bpf.o');
        await ip('link', 'set', 'dev', port0(), 'xdpgeneric', 'obj', obj, 'sec', 'xdp');
        return async () => {
          await ip('link', 'set', 'dev', port0(), 'xdpgeneric', 'off');
        };
      },
      run: () => cli(['apply', '-t', lab.file, '--format', 'json']),
      jsonCode: 'BUSY',
      exit: 1,
      message: () => new RegExp(`^wire n0:ea0--n1:eb0: port ${port0()} already carries XDP program id \\d+ \\(generic mode\\) that clab-xconnect did not install; refusing to run beside it - remove that program or exclude the link; nothing was changed$`),
    },
    {
      name: 'lab state: a foreign tc bpf filter on a port',
      setup: async () => {
        const obj = path.join(packageRoot, 'build', 'gen', 'vlan_push.bpf.o');
        await execa('tc', ['filter', 'add', 'dev', port0(), 'ingress', 'pref', '100', 'bpf', 'da', 'obj', obj, 'sec', 'tc']);
        return async () => {
          await execa('tc', ['filter', 'del', 'dev', port0(), 'ingress', 'pref', '100']);
        };
      },
      run: () => cli(['apply', '-t', lab.file]),
      exit: 1,
      message: () => new RegExp(`^wire n0:ea0--n1:eb0: port ${port0()} already carries a tc bpf filter \\(pref 100, "vlan_push.bpf.o:\\[tc\\]"\\) that clab-xconnect did not install; refusing to run beside it - remove that program or exclude the link`),
    },
    {
      // On a port of the XDP wire (TCX takes one program of ours per port: the
      // tc-engine ports already carry theirs).
      name: 'lab state: a foreign TCX program on a port',
      setup: async () => {
        const dir = `/sys/fs/bpf/clab-xconnect-foreign-${lab.name}`;
        const obj = await native.open(dir);
        const pin = path.join(dir, 'tcx', port1());
        const undo = async () => {
          await native.detachLinks([pin]);
          native.closeHandle(obj.handle);
          rmSync(dir, { recursive: true, force: true });
        };
        const { ifindex } = await linkAt(null, port1());
        await native.attachTc({ object: obj.handle, prog: 'xc_wire_tc', netns: null, attach: 'tcx', ports: [{ ifindex, name: port1(), pin }] }).catch(async (e: unknown) => {
          await undo();
          throw e;
        });
        return undo;
      },
      run: () => cli(['apply', '-t', lab.file]),
      exit: 1,
      message: () => new RegExp(`^wire n1:ea1--n2:eb1: port ${port1()} already carries TCX program id \\d+ that clab-xconnect did not install; refusing to run beside it - remove that program or exclude the link`),
    },
    {
      name: 'lab state: no bpffs mounted (private mount namespace)',
      run: () => inMountNs('umount /sys/fs/bpf', ['apply', '-t', lab.file])(),
      exit: 1,
      message: () => /^\/sys\/fs\/bpf: not on a BPF filesystem \(bpffs\), and the labs' BPF pins go under \/sys\/fs\/bpf\/clab-xconnect - mount the BPF filesystem there/,
    },
    {
      name: 'lab state: no bpffs mounted, destroy',
      run: () => inMountNs('umount /sys/fs/bpf', ['destroy', '-t', lab.file])(),
      exit: 1,
      message: () => /^\/sys\/fs\/bpf: not on a BPF filesystem \(bpffs\)/,
    },
    {
      name: 'lab state: CLAB_XCONNECT_BPFFS on an ordinary filesystem',
      run: () => cli(['apply', '-t', lab.file], { CLAB_XCONNECT_BPFFS: path.join(lab.dir, 'pins') }),
      exit: 1,
      message: () => new RegExp(`^${esc(lab.dir)}: not on a BPF filesystem \\(bpffs\\), and the labs' BPF pins go under ${esc(path.join(lab.dir, 'pins'))} - mount the BPF filesystem there .* or set CLAB_XCONNECT_BPFFS`),
    },
    {
      name: 'lab state: CLAB_XCONNECT_BPFFS under a file',
      run: () => cli(['apply', '-t', lab.file], { CLAB_XCONNECT_BPFFS: path.join(lab.file, 'pins') }),
      exit: 1,
      message: () => new RegExp(`^${esc(lab.file)}: not a directory, and the labs' BPF pins go under`),
    },
    {
      name: 'lab state: not root',
      run: async () => {
        const r = await nodeAsNobody([pub.cli, 'apply', '-t', lab.file], { cwd: pub.root });
        return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
      },
      exit: 1,
      message: () => /^apply needs root \(CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN\) - run it /,
    },
    {
      name: 'lab state: not root, destroy',
      run: async () => {
        const r = await nodeAsNobody([pub.cli, 'destroy', '-t', lab.file, '--format', 'json'], { cwd: pub.root });
        return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
      },
      jsonCode: 'PERMISSION',
      exit: 1,
      message: () => /^destroy needs root/,
    },
    {
      name: 'lab state: a read-only /run',
      run: () => inMountNs('mount --bind -o ro /run /run', ['apply', '-t', lab.file])(),
      exit: 1,
      message: () => new RegExp(`^${esc(RUN_DIR)}/${lab.name}.lock: cannot lock lab ${lab.name}: Read-only file system - clab-xconnect keeps its locks and run state in ${esc(RUN_DIR)}`),
    },
    {
      name: 'lab state: CLAB_XCONNECT_RUN naming a file',
      run: () => cli(['destroy', '-t', lab.file], { CLAB_XCONNECT_RUN: lab.file }),
      exit: 1,
      message: () => new RegExp(`^${esc(lab.file)}: cannot create the run directory: a file is in the way - clab-xconnect keeps its locks and run state in ${esc(lab.file)}`),
    },
    {
      name: 'lab state: a truncated node-settings record (apply)',
      setup: damage(() => writeFileSync(peersFile(), readFileSync(peersFile()).subarray(0, 9))),
      run: () => cli(['apply', '-t', lab.file]),
      exit: 1,
      message: () => new RegExp(`${esc(peersFile())} is damaged: it should hold the node settings clab-xconnect changed, as JSON - fix or remove it by hand`),
    },
    {
      name: 'lab state: a truncated node-settings record (destroy)',
      setup: damage(() => writeFileSync(peersFile(), '{"n1:ea1": {"rx-gro": fal')),
      run: () => cli(['destroy', '-t', lab.file]),
      exit: 1,
      message: () => new RegExp(`${esc(peersFile())} is damaged`),
    },
    {
      name: 'lab state: a node-settings record of the wrong shape',
      setup: damage(() => writeFileSync(peersFile(), '{"n1:ea1": {"rx-gro": "off"}}')),
      run: () => cli(['apply', '-t', lab.file, '--node', 'n1']),
      exit: 1,
      message: () => new RegExp(`${esc(peersFile())} is damaged`),
    },
    {
      name: 'lab state: an unreadable node-settings record',
      setup: damage(() => {
        rmSync(peersFile());
        mkdirSync(peersFile());
      }),
      run: () => cli(['destroy', '-t', lab.file]),
      exit: 1,
      message: () => new RegExp(`^cannot read ${esc(peersFile())}: EISDIR`),
    },
    {
      // The plan cache must not hand back the plan of the lab the variable named last time.
      name: 'lab state: a stale plan cache ($VAR naming another lab)',
      setup: async () => {
        const f = topo('by-env.clab.yml', lab.text(labels).replace(`name: ${lab.name}`, 'name: $XCNAME'));
        const r = await cli(['apply', '-t', f], { XCNAME: lab.name });
        if (r.exitCode !== 0) throw new Error(`apply with XCNAME=${lab.name} failed: ${r.stderr}`);
        return async () => undefined;
      },
      run: () => cli(['apply', '-t', path.join(lab.dir, 'bad', 'by-env.clab.yml')], { XCNAME: `${lab.name}x` }),
      exit: 1,
      message: () => new RegExp(`^node n0 is not running: no container labelled containerlab=${lab.name}x, `),
    },
    {
      // A wired xdp-xconnect lab (two host veths) whose config then names an interface that is not there.
      name: 'lab state: an xdp-xconnect config naming an interface the host lacks',
      setup: async () => {
        const [a, b] = xqPorts();
        const undo = async () => {
          writeFileSync(xcFile(), `links:\n  ${a}: ${b}\n`);
          await cli(['destroy', '-t', xcFile()]);
          for (const p of [a, b]) await execa('ip', ['link', 'del', p], { reject: false });
        };
        try {
          for (const p of [a, b]) {
            await ip('link', 'add', p, 'type', 'veth', 'peer', 'name', `${p}p`);
            await ip('link', 'set', p, 'up');
            await ip('link', 'set', `${p}p`, 'up');
          }
          writeFileSync(xcFile(), `links:\n  ${a}: ${b}\n`);
          const r = await cli(['apply', '-t', xcFile()]);
          if (r.exitCode !== 0) throw new Error(`apply of the xdp-xconnect config failed: ${r.stderr}`);
          writeFileSync(xcFile(), `links:\n  ${a}: xqmissing0\n`);
        } catch (e) {
          await undo();
          throw e;
        }
        return undo;
      },
      watch: () => xqPorts(),
      pinDirs: () => [labPinDir(path.basename(xcFile(), '.yml'))],
      run: () => cli(['apply', '-t', xcFile()]),
      exit: 1,
      message: () => new RegExp(`^wire ${xqPorts()[0]}--xqmissing0(?: \\(.+:\\d+\\))?: port xqmissing0 does not exist in the host netns - nothing was changed$`),
    },
  ];
}

const cases = [...topologyCases(), ...cliCases(), ...stateCases()];

describe('bad inputs are refused before any change', () => {
  beforeAll(async () => {
    lab = await buildNetnsLab({ wires: 4, nodes: 3, prefix: 'bi' });
    lab.write(labels);
    const r = await cli(['apply', '-t', lab.file]);
    if (r.exitCode !== 0) throw new Error(`apply of the lab failed: ${r.stderr}`);
    if (!existsSync(path.join(RUN_DIR, `${lab.name}.peers.json`))) throw new Error('the XDP wire changed no node setting: the record cases need one');
    pub = await publicCopy();
  }, 180_000);

  afterAll(async () => {
    await pub?.remove();
    for (const f of written) await dropCached(f);
    await destroyWiredLab(lab);
  });

  it('has at least 40 of them', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  for (const c of cases) {
    it(c.name, async () => {
      const undo = c.setup ? await c.setup() : undefined;
      try {
        const extra = c.watch?.() ?? [];
        const before = await state(extra, c.pinDirs?.());
        const r = await c.run();
        const after = await state(extra, c.pinDirs?.());
        expect({ exit: r.exitCode, stderr: r.stderr }).toMatchObject({ exit: c.exit });
        const lines = r.stderr.trimEnd().split('\n');
        const head = lines[0]!.replace(/^clab-xconnect: /, '');
        expect(lines[0]).toMatch(/^clab-xconnect: /);
        expect(head).toMatch(c.message());
        // One line, except the list of problems (one per line) some runtime checks give.
        const more = c.more?.() ?? [];
        expect(lines).toHaveLength(1 + more.length);
        more.forEach((re, k) => expect(lines[k + 1]).toMatch(re));
        if (c.jsonCode) {
          const out = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string } };
          expect(out).toMatchObject({ ok: false, error: { code: c.jsonCode } });
          expect(`clab-xconnect: ${out.error.message}`).toBe(r.stderr.trimEnd());
        } else expect(r.stdout).toBe('');
        expect(after).toEqual(before);
      } finally {
        await undo?.();
      }
    });
  }

  it('left no run-state file of any other lab name', () => {
    expect(readdirSync(RUN_DIR).filter((f) => f.startsWith(lab.name)).sort()).toEqual([`${lab.name}.lock`, `${lab.name}.peers.json`]);
  });

  // A port whose MTU was changed after deploy: frames larger than the smaller
  // MTU would vanish inside the wire, so apply refuses the wire.
  it("lab state: an MTU mismatch between a wire's ports", async () => {
    const p = lab.port(lab.wires[2]!.b);
    await execa('ip', ['link', 'set', 'dev', p, 'mtu', '1500']);
    try {
      const before = await state();
      const r = await cli(['apply', '-t', lab.file]);
      const after = await state();
      expect(after).toEqual(before);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/its ports have different MTUs, .* 9500 and .* 1500; frames above 1500 bytes would be dropped - set one mtu on the link/);
    } finally {
      await execa('ip', ['link', 'set', 'dev', p, 'mtu', '9500']);
    }
  });
});

/** The first apply of a lab whose runtime state is bad: apply validates before
 * it creates the lab's pin directory, so nothing at all is left behind. */
describe('bad inputs on a lab never applied', () => {
  let fresh: NetnsLab;
  beforeAll(async () => {
    fresh = await buildNetnsLab({ wires: 2, nodes: 2, prefix: 'bf' });
    await execa('ip', ['link', 'del', 'dev', fresh.port(fresh.wires[0]!.a)]);
  }, 120_000);
  afterAll(async () => {
    await destroyWiredLab(fresh);
  });

  it('lab state: a port missing at the first apply creates no pin', async () => {
    const scope = { pinDir: labPinDir(fresh.name), ports: fresh.ports(), nodeIfaces: fresh.nodeIfaces() };
    const before = await snapshot(scope);
    const r = await cli(['apply', '-t', fresh.file]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/does not exist in the host netns/);
    expect(await snapshot(scope)).toEqual(before);
  });
});

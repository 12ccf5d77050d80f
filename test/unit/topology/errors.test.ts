/** One test per load error: each names the file, line, key path and value, and says what to do. */
import { describe, expect, it } from 'vitest';
import { XconnectError } from '../../../src/errors.js';
import { loadTopology } from '../../../src/topology/load.js';
import { tempFiles } from './tmpfile.js';

const write = tempFiles();

function loadError(name: string, text: string): XconnectError {
  const file = write(name, text);
  try {
    loadTopology(file, { env: {} });
  } catch (e) {
    if (e instanceof XconnectError) return e;
    throw e;
  }
  throw new Error('expected the load to fail');
}

const LAB = `name: lab
topology:
  nodes:
    r1: { kind: linux }
    r2: { kind: linux }
  links:
`;

describe('topology load errors', () => {
  it('unknown node in an endpoint', () => {
    const e = loadError('unknown-node.clab.yml', LAB + '    - endpoints: ["r1:eth1", "r9:eth1"]\n');
    expect(e.code).toBe('TOPOLOGY');
    expect(e.message).toMatch(
      /unknown-node\.clab\.yml:7: link endpoint "r9:eth1" refers to node "r9", which is not defined in topology\.nodes \(at topology\.links\[0\]\.endpoints\[1\]\) - define it under topology\.nodes or fix the name \(nodes: r1, r2\)$/,
    );
    expect(e.context).toMatchObject({ line: 7, path: 'topology.links[0].endpoints[1]', value: 'r9:eth1' });
  });

  it('an endpoint used by two links', () => {
    const e = loadError('dup.clab.yml', LAB + '    - endpoints: ["r1:eth1", "r2:eth1"]\n    - endpoints: ["r2:eth2", "r1:eth1"]\n');
    expect(e.message).toMatch(
      /dup\.clab\.yml:8: endpoint "r1:eth1" is used by two links \(line 7 and line 8\) \(at topology\.links\[1\]\.endpoints\[1\]\) - a node interface can belong to one link only/,
    );
    expect(e.context.endpoint).toBe('r1:eth1');
  });

  it('an endpoint used twice in one link', () => {
    const e = loadError('self.clab.yml', LAB + '    - endpoints: ["r1:eth4", "r1:eth4"]\n');
    expect(e.message).toMatch(/endpoint "r1:eth4" is used by two links \(line 7 and line 7\)/);
  });

  it('interface name too long', () => {
    const long = 'e'.repeat(130);
    const e = loadError('long.clab.yml', LAB + `    - endpoints: ["r1:${long}", "r2:eth1"]\n`);
    expect(e.message).toMatch(
      /long\.clab\.yml:7: interface name of endpoint "r1:e+" is too long \(130 bytes; Linux takes at most 127 even as an altname\) \(at topology\.links\[0\]\.endpoints\[0\]\) - use a Linux interface name/,
    );
  });

  it('interface name invalid', () => {
    const e = loadError(
      'invalid.clab.yml',
      LAB + '    - type: veth\n      endpoints:\n        - { node: r1, interface: "eth 1:2" }\n        - { node: r2, interface: eth1 }\n',
    );
    expect(e.message).toMatch(
      /invalid\.clab\.yml:9: interface name of endpoint "r1:eth 1:2" contains ":" or whitespace.* \(at topology\.links\[0\]\.endpoints\[0\]\.interface\)/,
    );
  });

  it('empty interface name', () => {
    const e = loadError('empty-if.clab.yml', LAB + '    - endpoints: ["r1:", "r2:eth1"]\n');
    expect(e.message).toMatch(/:7: interface name of endpoint "r1:" is empty/);
  });

  it('malformed endpoint string', () => {
    const e = loadError('malformed.clab.yml', LAB + '    - endpoints: ["r1:eth1", "r2:eth1"]\n    - endpoints: ["r1eth2", "r2:eth2"]\n');
    expect(e.message).toBe(
      `${e.context.file}:8: link endpoint "r1eth2" is not node:interface (at topology.links[1].endpoints[0]) - write it as "r1:eth2"`,
    );
  });

  it('missing name', () => {
    const e = loadError('noname.clab.yml', 'topology:\n  nodes:\n    r1: { kind: linux }\n');
    expect(e.message).toMatch(/noname\.clab\.yml:1: missing required key "name" - add "name:" here/);
  });

  it('missing topology', () => {
    const e = loadError('notopo.clab.yml', 'name: lab\n');
    expect(e.message).toMatch(/notopo\.clab\.yml:1: missing required key "topology" - add "topology:" here/);
  });

  it('unknown key (top level, node, link)', () => {
    let e = loadError('unknown-top.clab.yml', 'name: lab\nplugins: {}\ntopology: {}\n');
    expect(e.message).toMatch(/unknown-top\.clab\.yml:2: unknown key "plugins" - containerlab reads topology files strictly.*keys allowed here: name, prefix, mgmt, settings, topology, debug/);
    e = loadError('unknown-node.clab.yml', 'name: lab\ntopology:\n  nodes:\n    r1:\n      kind: linux\n      imgae: alpine\n');
    expect(e.message).toMatch(/:6: unknown key "imgae" \(at topology\.nodes\.r1\.imgae\)/);
    expect(e.context.value).toBe('imgae');
    e = loadError('unknown-link.clab.yml', LAB + '    - endpoints: ["r1:eth1", "r2:eth1"]\n      mtuu: 1500\n');
    expect(e.message).toMatch(/:8: unknown key "mtuu" \(at topology\.links\[0\]\.mtuu\)/);
  });

  it('wrong value type', () => {
    const e = loadError('type.clab.yml', LAB + '    - endpoints: ["r1:eth1", "r2:eth1"]\n      mtu: big\n');
    expect(e.message).toMatch(/:8: expected a number, got a string "big" \(at topology\.links\[0\]\.mtu\)/);
  });

  it('bad label value (a label must be a string)', () => {
    const e = loadError('label.clab.yml', LAB + '    - endpoints: ["r1:eth1", "r2:eth1"]\n      labels:\n        xconnect.clab/loss: { a: 1 }\n');
    expect(e.message).toMatch(/:9: expected a string, got a mapping \{"a":1\} \(at topology\.links\[0\]\.labels\["xconnect\.clab\/loss"\]\)/);
  });

  it('a file that is not YAML', () => {
    let e = loadError('broken.clab.yml', 'name: lab\ntopology:\n  nodes: [r1\n');
    expect(e.message).toMatch(/broken\.clab\.yml:\d+: not valid YAML: .* - fix the YAML syntax/);
    e = loadError('binary.clab.yml', 'name: lab\n\u0000\u0001\u0002');
    expect(e.message).toMatch(/binary\.clab\.yml:2: not a YAML text file: control character U\+0000/);
    e = loadError('list.clab.yml', '- a\n- b\n');
    expect(e.message).toMatch(/list\.clab\.yml:1: not a containerlab topology: the top level is not a mapping/);
  });

  it('duplicate keys', () => {
    const e = loadError('dupkey.clab.yml', 'name: lab\nname: other\ntopology: {}\n');
    expect(e.message).toMatch(/dupkey\.clab\.yml:2: a key is defined more than once/);
  });

  it('an empty file', () => {
    expect(loadError('empty.clab.yml', '').message).toMatch(/empty\.clab\.yml: the file is empty - a topology needs/);
    expect(loadError('comments.clab.yml', '# nothing\n\n').message).toMatch(/the file is empty/);
  });

  it('a YAML alias bomb fails fast, bounded', { timeout: 5000 }, () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill('*' + prev).join(',')}]`);
    }
    const started = Date.now();
    const e = loadError('bomb.clab.yml', levels.join('\n') + '\n');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(e.message).toMatch(/bomb\.clab\.yml: YAML aliases expand too much \(more than 100 alias expansions\): refusing a possible alias bomb/);
  });

  it('a Go template with an unterminated {{range}} (templates are rendered, see template/)', () => {
    const e = loadError('t.clab.gotmpl', 'name: t\ntopology:\n  nodes:\n{{- range $i := seq 1 2 }}\n');
    expect(e.message).toMatch(/t\.clab\.gotmpl:5:1: unexpected EOF - close every "\{\{" with "\}\}".*need a matching \{\{end\}\}$/);
  });

  it('a missing file', () => {
    expect(() => loadTopology('/nonexistent/x.clab.yml', { env: {} })).toThrow(/x\.clab\.yml: cannot read the file: no such file - check the path/);
  });

  it('unknown link type and wrong endpoint count', () => {
    let e = loadError('lt.clab.yml', LAB + '    - type: vethh\n      endpoints: []\n');
    expect(e.message).toMatch(/:7: unknown link type "vethh" \(at topology\.links\[0\]\.type\) - use one of: veth, veth-stitch/);
    e = loadError('cnt.clab.yml', LAB + '    - endpoints: ["r1:eth1"]\n');
    expect(e.message).toMatch(/a link needs exactly two endpoints, got 1/);
  });

  it('node without kind', () => {
    const e = loadError('nokind.clab.yml', 'name: lab\ntopology:\n  nodes:\n    r1: {}\n');
    expect(e.message).toMatch(/:4: node "r1" has no kind \(at topology\.nodes\.r1\) - set "kind:"/);
  });
});

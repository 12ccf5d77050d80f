/** Plans a file of either supported source: a containerlab topology or an xdp-xconnect
 * config (detected by its top-level keys). */
import { substituteEnv } from '../topology/env-subst.js';
import { type LoadOptions, loadTopology, renderTopologyText } from '../topology/load.js';
import { parseYamlText, readText } from '../topology/source.js';
import { planTopology } from './plan.js';
import type { Plan } from './types.js';
import { isXdpXconnectConfig, loadXdpXconnectConfig } from './xdp-xconnect.js';

/** Which planner a file needs: 'xdp-xconnect' for a `links:`-only mapping, else 'containerlab'. */
export function detectPlanSource(file: string): 'containerlab' | 'xdp-xconnect' {
  const text = readText(file);
  if (text.includes('{{')) return 'containerlab';
  // A top-level `name:` or `topology:` key settles it without a second full
  // parse of what may be a large topology (the loader parses it anyway).
  if (/^(name|topology)\s*:/m.test(text)) return 'containerlab';
  try {
    return isXdpXconnectConfig(parseYamlText(text, file).value) ? 'xdp-xconnect' : 'containerlab';
  } catch {
    return 'containerlab'; // the containerlab loader reports the problem with full context
  }
}

/** Loads and plans `file` offline. */
export function planFile(file: string, opts: LoadOptions = {}): Plan {
  if (detectPlanSource(file) === 'xdp-xconnect') return loadXdpXconnectConfig(file);
  return planTopology(loadTopology(file, opts), { displayFile: file });
}

/** What `plan --rendered` prints: the topology after Go template rendering and environment
 * substitution, which is the YAML containerlab decodes (its --export-rendered file). */
export interface RenderedTopologyInfo {
  file: string;
  text: string;
  varsFiles: string[];
  templateFiles: string[];
}

/** Renders `file` as containerlab would before decoding it. */
export function renderedTopology(file: string, opts: LoadOptions = {}): RenderedTopologyInfo {
  const r = renderTopologyText(file, opts.vars === undefined ? {} : { vars: opts.vars });
  return {
    file,
    text: substituteEnv(r.text, opts.env ?? process.env, file),
    varsFiles: r.varsFiles.map((v) => v.file),
    templateFiles: r.templateFiles,
  };
}

/** Go text/template rendering of containerlab topologies. */
export { renderTopologyText, renderTemplate, findVarsFiles, findSubTemplates, type RenderOptions, type RenderedTopology, type RenderInput } from './render.js';
export type { TemplateLocation } from './output.js';
export { decodeVars } from './yaml-vars.js';

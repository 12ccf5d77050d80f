/** Template errors keep the source and offset of the failing action, so the loader can
 * name file:line:col (Go prints `template: NAME:LINE:COL: ...`). */
import type { Source } from './ast.js';

/** 1-based line and column (in characters) of an offset in a text. */
export function position(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: offset - lineStart + 1 };
}

export type TemplatePhase = 'parse' | 'exec';

/** A parse or execution error of a template, at an offset of one source. */
export class TemplateError extends Error {
  constructor(
    readonly phase: TemplatePhase,
    readonly src: Source,
    readonly pos: number,
    readonly detail: string,
    /** What to do about it (set where the cause is known). */
    public hint?: string,
  ) {
    const { line, col } = position(src.text, pos);
    super(`template: ${src.name}:${line}:${col}: ${detail}`);
    this.name = 'TemplateError';
  }

  get line(): number {
    return position(this.src.text, this.pos).line;
  }

  get col(): number {
    return position(this.src.text, this.pos).col;
  }
}

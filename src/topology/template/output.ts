/** The rendered text and where each piece of it came from, so a line of the rendered
 * YAML can be traced back to the template line that produced it. */
import type { Source } from './ast.js';
import { position } from './errors.js';

export interface TemplateLocation {
  file: string;
  line: number;
  col: number;
}

/** The node that wrote a piece of output: its source, offset, and whether the text was
 * copied verbatim from the template (then offsets inside it map one to one). */
export interface Origin {
  src: Source;
  pos: number;
  kind: string;
}

export class Output {
  // String concatenation builds a rope that is flattened once: cheaper than join().
  private buf = '';
  // Two parallel arrays, one entry per write: cheap enough for large renderings.
  private readonly starts: number[] = [];
  private readonly origins: Origin[] = [];

  /** Appends text produced by a node; text nodes are the verbatim ones. */
  write(text: string, origin: Origin): void {
    if (text === '') return;
    this.starts.push(this.buf.length);
    this.origins.push(origin);
    this.buf += text;
  }

  text(): string {
    return this.buf;
  }

  /** The template location that produced the rendered offset. */
  locate(offset: number): TemplateLocation | undefined {
    let lo = 0;
    let hi = this.starts.length - 1;
    if (hi < 0) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    const o = this.origins[lo]!;
    const at = o.kind === 'text' ? o.pos + (offset - this.starts[lo]!) : o.pos;
    const { line, col } = position(o.src.text, at);
    return { file: o.src.file, line, col };
  }
}

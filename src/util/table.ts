/** Plain-text tables for the terminal (the CLI's and the bench's): columns
 * padded to their widest cell (or a minimum width), left-aligned unless a
 * column says right; the last column is not padded, lines carry no trailing
 * blanks. */
export interface Column {
  align?: 'left' | 'right';
  /** Minimum width. */
  width?: number;
}

export interface TableOptions {
  /** Per column, by index. */
  columns?: Column[];
  /** Between two columns. Default two spaces. */
  gap?: string;
}

export function table(header: string[], rows: string[][], opts: TableOptions = {}): string {
  const gap = opts.gap ?? '  ';
  const widths = header.map((h, i) => Math.max(opts.columns?.[i]?.width ?? 0, h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (opts.columns?.[i]?.align === 'right' ? c.padStart(widths[i]!) : i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join(gap)
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** The one error type of clab-xconnect. The native addon's errors are wrapped
 * into it (see src/native/addon.ts) so callers see one shape everywhere. */
export type ErrorCode =
  | 'TOPOLOGY' // the topology file cannot be read, parsed or validated
  | 'PLAN' // the topology is valid but cannot be wired as asked
  | 'RUNTIME' // the running lab does not match the plan (node down, port missing)
  | 'KERNEL' // a syscall failed
  | 'BUSY' // the interface carries someone else's XDP program, or a lock is held
  | 'PERMISSION' // not root / missing capability
  | 'USAGE'; // bad command-line arguments

export interface ErrorContext {
  /** File and 1-based line the error is about. */
  file?: string;
  line?: number;
  /** Key path inside the file, e.g. `topology.links[2].endpoints[0]`. */
  path?: string;
  /** The offending value as written. */
  value?: unknown;
  /** `node:iface` endpoint or interface name. */
  endpoint?: string;
  /** Network namespace path the operation ran in. */
  netns?: string;
  /** errno number and name from the kernel. */
  errno?: number;
  errnoName?: string;
  /** What to do about it. */
  hint?: string;
  cause?: unknown;
}

export class XconnectError extends Error {
  readonly code: ErrorCode;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}) {
    super(formatMessage(message, context), context.cause ? { cause: context.cause } : undefined);
    this.name = 'XconnectError';
    this.code = code;
    this.context = context;
  }

  /** Plain object for `--format json` error output. */
  toJSON(): Record<string, unknown> {
    const { cause: _cause, ...ctx } = this.context;
    return { code: this.code, message: this.message, ...ctx };
  }
}

/** Builds `file:line: message (at path: value) - hint` in one place. */
function formatMessage(message: string, c: ErrorContext): string {
  let where = '';
  if (c.file) where = c.line ? `${c.file}:${c.line}: ` : `${c.file}: `;
  let text = where + message;
  if (c.path && !message.includes(c.path)) text += ` (at ${c.path})`;
  if (c.hint) text += ` - ${c.hint}`;
  return text;
}

export function isXconnectError(e: unknown): e is XconnectError {
  return e instanceof XconnectError;
}

/** watch's log: one line per event and per change, as text or JSON lines. */

export type LogFormat = 'text' | 'json';
export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | string[] | null | undefined>;

export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

export class Logger {
  constructor(
    private readonly format: LogFormat,
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {}

  /** `event` names what the line is about (node, wire, topology, apply, ...); `msg` says what happened. */
  log(level: LogLevel, event: string, msg: string, fields: LogFields = {}): void {
    const time = new Date().toISOString();
    if (this.format === 'json') {
      const clean = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
      this.write(JSON.stringify({ time, level, event, msg, ...clean }) + '\n');
    } else {
      // One line whatever the message holds.
      this.write(`${time} ${level.padEnd(5)} ${event}: ${msg.replace(/\s*\n\s*/g, ' ')}\n`);
    }
  }

  info(event: string, msg: string, fields?: LogFields): void {
    this.log('info', event, msg, fields);
  }

  warn(event: string, msg: string, fields?: LogFields): void {
    this.log('warn', event, msg, fields);
  }

  error(event: string, msg: string, fields?: LogFields): void {
    this.log('error', event, msg, fields);
  }
}

/** Milliseconds since `t0` (from performance.now()), rounded to 0.1 ms. */
export function since(t0: number): number {
  return Math.round((performance.now() - t0) * 10) / 10;
}

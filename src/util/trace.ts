/** Where a run's time goes: with CLAB_XCONNECT_TRACE=1, each phase a command
 * marks is printed to stderr as `trace <ms since the process started> <phase>`
 * (the first mark shows Node's own start and the module loading before it).
 * Off, a mark costs one call to an empty function. */
const on = !!process.env.CLAB_XCONNECT_TRACE;

/** Marks the end of a phase. */
export function trace(phase: string): void {
  if (on) process.stderr.write(`trace ${performance.now().toFixed(1).padStart(8)} ms  ${phase}\n`);
}

/** Wire options as the planner writes them, for tests that spell plans out. */
import { NO_IMPAIRMENT } from '../../src/dataplane/layout.js';
import type { AdminState, ModeChoice, WireOptions } from '../../src/plan/types.js';

/** `loss` (a probability) on both directions, no other impairment. */
export function opts(admin: AdminState, mode: ModeChoice, loss = 0): WireOptions {
  return { admin, mode, impair: { a: { ...NO_IMPAIRMENT, loss }, b: { ...NO_IMPAIRMENT, loss } } };
}

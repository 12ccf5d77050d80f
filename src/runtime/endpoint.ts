/** What a user names on the command line: a wire by its id, or one end of it
 * (`node:iface`, or the remote end of a vxlan-stitch as its wire id spells it),
 * which also names a direction: the frames that end sends into the wire. */
import { XconnectError } from '../errors.js';
import { endpointName } from '../plan/format.js';
import type { Plan, WirePlan } from '../plan/types.js';

export interface NamedWire {
  wire: WirePlan;
  /** The side whose frames the name stands for (absent: the wire as a whole). */
  side?: 'a' | 'b';
}

/** Finds the wire (and side) `name` refers to, or fails naming what exists. */
export function findWire(plan: Plan, name: string, file: string): NamedWire {
  const byId = plan.wires.find((w) => w.id === name);
  if (byId) return { wire: byId };
  for (const wire of plan.wires)
    for (const side of ['a', 'b'] as const) if (endpointName(wire, side) === name) return { wire, side };
  const skipped = plan.skipped.find((s) => s.endpoints.includes(name));
  if (skipped)
    throw new XconnectError('PLAN', `${name} is on a link clab-xconnect does not carry (${skipped.status}): ${skipped.reason}`, {
      file,
      line: skipped.line,
      value: name,
      hint: 'name an end of a wire (see `clab-xconnect plan`)',
    });
  const ends = plan.wires.flatMap((w) => [endpointName(w, 'a'), endpointName(w, 'b')]);
  throw new XconnectError('PLAN', `${name} is neither a wire nor an end of one in lab ${plan.lab}`, {
    file,
    value: name,
    hint: ends.length ? `ends: ${ends.slice(0, 8).join(', ')}${ends.length > 8 ? ', ...' : ''}` : 'this lab has no wires',
  });
}

/** Like findWire, for commands that act on one direction: a wire id alone is not enough. */
export function findDirection(plan: Plan, name: string, file: string): Required<NamedWire> {
  const found = findWire(plan, name, file);
  if (!found.side)
    throw new XconnectError('USAGE', `${name} names a whole wire; name the end whose frames to impair`, {
      value: name,
      hint: `e.g. ${endpointName(found.wire, 'a')} or ${endpointName(found.wire, 'b')}`,
    });
  return found as Required<NamedWire>;
}

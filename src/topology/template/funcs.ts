/** The functions a containerlab topology template can call: Go's builtins plus
 * containerlab's FuncMap (a FuncMap entry would shadow a builtin of the same name). */
import { BUILTINS } from './builtins.js';
import { CLAB_FUNCS } from './clab-funcs.js';
import type { FuncTable } from './exec.js';

/** Looks functions up as Go's findFunction does: the FuncMap first, then the builtins. */
export const CLAB_FUNC_TABLE: FuncTable = {
  lookup(name) {
    if (Object.hasOwn(CLAB_FUNCS, name)) return { fn: CLAB_FUNCS[name]!, builtin: false };
    if (Object.hasOwn(BUILTINS, name)) return { fn: BUILTINS[name]!, builtin: true };
    return undefined;
  },
};

/** Whether a function of that name exists (checked at parse time, as Go does). */
export function hasClabFunction(name: string): boolean {
  return Object.hasOwn(CLAB_FUNCS, name) || Object.hasOwn(BUILTINS, name);
}

/** Names for hints, in a stable order. */
export const FUNCTION_NAMES = {
  builtins: Object.keys(BUILTINS),
  containerlab: [...Object.keys(CLAB_FUNCS).filter((n) => n !== 'strings' && n !== 'conv'), 'strings.Split', 'strings.ReplaceAll', 'conv.Join', 'conv.ToInt'],
};

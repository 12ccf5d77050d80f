/** The command table. Add a command: one file in this folder, one line here. */
import type { Command } from '../command.js';
import { applyCommand } from './apply.js';
import { destroyCommand } from './destroy.js';
import { planCommand } from './plan.js';
import { statusCommand } from './status.js';

export const commands: Command[] = [planCommand, applyCommand, statusCommand, destroyCommand];

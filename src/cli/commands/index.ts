/** The command table. Add a command: one file in this folder, one line here. */
import type { Command } from '../command.js';
import { applyCommand } from './apply.js';
import { captureCommand } from './capture.js';
import { destroyCommand } from './destroy.js';
import { impairCommand } from './impair.js';
import { linkCommand } from './link.js';
import { planCommand } from './plan.js';
import { statusCommand } from './status.js';
import { watchCommand } from './watch.js';
import { versionCommand } from './version.js';

export const commands: Command[] = [planCommand, applyCommand, statusCommand, linkCommand, impairCommand, captureCommand, destroyCommand, watchCommand, versionCommand];

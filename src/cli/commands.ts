import type { Command } from './command.ts';
import { importDisqusCommand, importWordpressCommand } from './import.ts';
import { migrateCommand } from './migrate.ts';
import { setupLinkCommand } from './setup-link.ts';
import { tokenCreateCommand } from './token-create.ts';
import { userCreateCommand } from './user-create.ts';
import { userListCommand } from './user-list.ts';

/** Every command, in the order `kumbaya --help` lists them. A new command is a file and a line here. */
export const commands: readonly Command[] = [migrateCommand, userCreateCommand, userListCommand, tokenCreateCommand, setupLinkCommand, importWordpressCommand, importDisqusCommand];

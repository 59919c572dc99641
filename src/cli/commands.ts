import type { Command } from './command.ts';
import { backupCommand } from './backup.ts';
import { exportJsonCommand } from './export-json.ts';
import { exportWxrCommand } from './export-wxr.ts';
import { importDisqusCommand, importWordpressCommand } from './import.ts';
import { importJsonCommand } from './import-json.ts';
import { migrateCommand } from './migrate.ts';
import { restoreCommand } from './restore.ts';
import { setupLinkCommand } from './setup-link.ts';
import { tokenCreateCommand } from './token-create.ts';
import { userCreateCommand } from './user-create.ts';
import { userListCommand } from './user-list.ts';
import { userInviteCommand } from './user-invite.ts';
import { userResetPasswordCommand } from './user-reset-password.ts';
import { peopleListCommand } from './people-list.ts';
import { peopleShowCommand } from './people-show.ts';
import { peopleExportCommand } from './people-export.ts';
import { peopleForgetCommand } from './people-forget.ts';
import { commentsListCommand } from './comments-list.ts';
import { commentsShowCommand } from './comments-show.ts';
import { commentsApproveCommand, commentsHoldCommand, commentsRestoreCommand, commentsSpamCommand, commentsTrashCommand } from './comments-moderate.ts';
import { commentsReplyCommand } from './comments-reply.ts';

/** Every command, in the order `kumbaya --help` lists them. A new command is a file and a line here. */
export const commands: readonly Command[] = [migrateCommand, userCreateCommand, userInviteCommand, userResetPasswordCommand, userListCommand, tokenCreateCommand, setupLinkCommand,
  importWordpressCommand, importDisqusCommand, exportJsonCommand, exportWxrCommand, importJsonCommand, backupCommand, restoreCommand,
  peopleListCommand, peopleShowCommand, peopleExportCommand, peopleForgetCommand,
  commentsListCommand, commentsShowCommand, commentsApproveCommand, commentsHoldCommand, commentsSpamCommand, commentsTrashCommand, commentsRestoreCommand, commentsReplyCommand,
];

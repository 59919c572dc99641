import type { ModerationAction } from '../core/comment-service.ts';
import { CommandFailure, stringOption, type Command } from './command.ts';
import { commentsArgument, commentIdsOf, existingComments, memberOf } from './comment-argument.ts';

const REASON_MAX = 300;

/** One moderation command: `comments approve|hold|spam|trash|restore IDS`. */
function moderationCommand(word: string, action: ModerationAction, summary: string, done: string): Command {
  const command: Command = {
    name: `comments ${word}`,
    summary,
    details:
      'All or nothing: every comment named must exist, and they change together in one transaction, through the same service as Admin → Comments ' +
      '(approving mails subscribers; spam and approve decisions teach the spam filter). --reason goes on the writer’s timeline in People' +
      (action === 'approve' || action === 'restore' ? '.' : ' and among the comment’s moderation reasons.'),
    options: {
      reason: { type: 'string', value: 'TEXT', description: `Why, in your words (at most ${REASON_MAX} characters)` },
      as: { type: 'string', value: 'EMAIL', description: 'The team member it is recorded under (their email); left out: the site itself' },
    },
    arguments: [commentsArgument],
    examples: [`npx kumbaya comments ${word} 42`, `npx kumbaya comments ${word} 42,43,44 --reason "cleaning up" --as you@example.com`],
    async run(ctx) {
      const ids = commentIdsOf(ctx, command);
      const reason = stringOption(ctx, 'reason')?.trim() || null;
      if (reason && reason.length > REASON_MAX) throw new CommandFailure(`Keep the reason under ${REASON_MAX} characters.`);
      const { deps } = await ctx.open();
      const asEmail = stringOption(ctx, 'as');
      const actor = asEmail ? await memberOf(deps.store, asEmail) : null;
      await existingComments(deps.store, ids);
      const changed = new Set((await deps.comments.moderate(ids, action, actor?.id ?? null, reason)).map((c) => c.id));
      const moved = ids.filter((id) => changed.has(id));
      const already = ids.filter((id) => !changed.has(id));
      const count = (n: number) => `${n} comment${n === 1 ? '' : 's'}`;
      ctx.io.stdout.write(`${done} ${count(moved.length)}${moved.length ? `: ${moved.join(', ')}` : ''}.${already.length ? ` Already so: ${already.join(', ')}.` : ''}\n`);
    },
  };
  return command;
}

export const commentsApproveCommand = moderationCommand('approve', 'approve', 'Publish comments', 'Published');
export const commentsHoldCommand = moderationCommand('hold', 'unapprove', 'Hold comments for review (back to pending)', 'Held');
export const commentsSpamCommand = moderationCommand('spam', 'spam', 'Send comments to Spam (the filter learns from them)', 'Sent to Spam');
export const commentsTrashCommand = moderationCommand('trash', 'trash', 'Move comments to the trash (purged after 30 days)', 'Moved to the trash');
export const commentsRestoreCommand = moderationCommand('restore', 'restore', 'Restore comments from Spam or the trash (they are published)', 'Restored');

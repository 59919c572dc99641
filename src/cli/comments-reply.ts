import { replyAsStaff } from '../core/staff-reply.ts';
import { stringOption, type Command } from './command.ts';
import { commentArgument, commentIdOf, memberOf } from './comment-argument.ts';

export const commentsReplyCommand: Command = {
  name: 'comments reply',
  summary: 'Answer a comment as a team member, published at once',
  details:
    'The reply is published under the team member given by --as, who must be able to moderate the comment (an author: on their own posts). ' +
    'A held comment is approved first, as in the admin; one in Spam or the trash must be restored first. The reader is mailed if they asked for replies.',
  options: {
    as: { type: 'string', value: 'EMAIL', description: 'The team member answering (their email)', required: true },
    body: { type: 'string', value: 'TEXT', description: 'The reply, in Markdown', required: true },
  },
  arguments: [commentArgument],
  examples: ['npx kumbaya comments reply 42 --as you@example.com --body "Thank you!"'],
  async run(ctx) {
    const id = commentIdOf(ctx, commentsReplyCommand);
    const { deps } = await ctx.open();
    const user = await memberOf(deps.store, stringOption(ctx, 'as')!);
    const { reply, post } = await replyAsStaff(deps, user, id, stringOption(ctx, 'body')!, { ip: '', userAgent: 'kumbaya-cli', referrer: '' }, (p) => `${deps.config.siteUrl}/${p.slug}`);
    ctx.io.stdout.write(`Replied as ${user.name}: comment ${reply.id}, ${deps.config.siteUrl}/${post.slug}#comment-${reply.id}\n`);
  },
};

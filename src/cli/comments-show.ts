import { utcMinute, type Command } from './command.ts';
import { commentArgument, commentIdOf, existingComments } from './comment-argument.ts';

const statusWords: Record<string, string> = { approved: 'published', pending: 'held for review', spam: 'in Spam', trash: 'in the trash' };

export const commentsShowCommand: Command = {
  name: 'comments show',
  summary: 'Show one comment: who wrote it where, its status and why, its text and history',
  options: {},
  arguments: [commentArgument],
  examples: ['npx kumbaya comments show 42'],
  async run(ctx) {
    const id = commentIdOf(ctx, commentsShowCommand);
    const { deps } = await ctx.open();
    const [comment] = await existingComments(deps.store, [id]);
    const [post, history] = await Promise.all([deps.store.posts.findById(comment.postId), deps.comments.history(id)]);
    const out = ctx.io.stdout;
    const who = [comment.authorName || 'Someone', comment.authorEmail ? `<${comment.authorEmail}>` : '', comment.authorUrl ?? ''].filter(Boolean).join(' ');
    out.write(`Comment ${comment.id} by ${who}${comment.personId !== null ? ` (person ${comment.personId})` : ''}\n`);
    out.write(`On “${post?.title ?? '(a deleted post)'}” (post ${comment.postId})${comment.parentId !== null ? `, answering comment ${comment.parentId}` : ''}\n`);
    out.write(`Written ${utcMinute(comment.createdAt)} via ${comment.source}${comment.editedAt ? `, edited ${utcMinute(comment.editedAt)}` : ''}${comment.ip ? `, from ${comment.ip}` : ''}\n`);
    out.write(`Status: ${statusWords[comment.status]}${comment.moderationReasons.length ? ` (${comment.moderationReasons.join('; ')})` : ''}\n`);
    out.write(`\n${comment.markdown}\n`);
    if (history.length > 0) {
      out.write('\nHistory\n');
      for (const r of history) out.write(`  ${utcMinute(r.createdAt)} ${r.editorName} changed it; it was${r.parentId !== comment.parentId ? ` (under ${r.parentId === null ? 'the post' : `comment ${r.parentId}`})` : ''}: ${r.markdown.replace(/\s+/g, ' ').slice(0, 200)}\n`);
    }
  },
};

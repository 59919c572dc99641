import { formatCommentCursor, parseCommentCursor } from '../core/comment-cursor.ts';
import { toId } from '../core/ids.ts';
import type { CommentStatus } from '../core/store.ts';
import { stringOption, UsageError, utcMinute, type Command } from './command.ts';
import { formatTable } from './user-list.ts';

const statuses = ['pending', 'approved', 'spam', 'trash'] as const;
const oneLine = (text: string) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 50 ? `${flat.slice(0, 49)}…` : flat;
};

export const commentsListCommand: Command = {
  name: 'comments list',
  summary: 'List comments, newest first, with filters and paging (the moderation inbox)',
  details: 'Every comment on the site, as Admin → Comments lists them. A longer list ends with the --after value that shows the next page; comments written meanwhile do not shift it.',
  options: {
    status: { type: 'string', value: 'STATUS', description: `Only comments with this status: ${statuses.join(', ')}`, choices: statuses },
    post: { type: 'string', value: 'ID', description: 'Only comments on this post (its number)' },
    person: { type: 'string', value: 'ID', description: 'Only comments by this person (their number in `people list`)' },
    search: { type: 'string', short: 'q', value: 'TEXT', description: 'Only comments whose text, name or email contains TEXT' },
    since: { type: 'string', value: 'TIME', description: 'Only comments written at or after TIME (2026-01-31 or 2026-01-31T09:00:00Z)' },
    limit: { type: 'string', value: 'N', description: 'How many to list (1–500, default 50)' },
    after: { type: 'string', value: 'CURSOR', description: 'Start after this point (printed at the end of the previous page)' },
  },
  examples: ['npx kumbaya comments list --status pending', 'npx kumbaya comments list --post 12 --search "great post" --limit 100'],
  async run(ctx) {
    const number = (name: string, max: number) => {
      const text = stringOption(ctx, name);
      if (text === undefined) return undefined;
      const value = toId(text);
      if (value === null || value > max) throw new UsageError(`--${name} must be a whole number from 1${max < 1e6 ? ` to ${max}` : ''} (got "${text}").`, commentsListCommand);
      return value;
    };
    const limit = number('limit', 500) ?? 50;
    const sinceText = stringOption(ctx, 'since');
    const since = sinceText === undefined ? undefined : Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(sinceText) ? `${sinceText}T00:00:00Z` : sinceText);
    if (since !== undefined && (Number.isNaN(since) || !/^\d{4}-\d{2}-\d{2}/.test(sinceText!))) {
      throw new UsageError(`--since takes a date or a time like 2026-01-31 or 2026-01-31T09:00:00Z (got "${sinceText}").`, commentsListCommand);
    }
    const afterText = stringOption(ctx, 'after');
    const after = afterText === undefined ? undefined : parseCommentCursor(afterText);
    if (after === null) throw new UsageError(`--after takes the value printed under the last page, not "${afterText}".`, commentsListCommand);
    const query = { status: stringOption(ctx, 'status') as CommentStatus | undefined, postId: number('post', Infinity), personId: number('person', Infinity), text: stringOption(ctx, 'search')?.trim() || undefined, since };
    const { deps } = await ctx.open();
    const page = await deps.store.comments.listForModeration({ ...query, before: after, noTotal: true, limit: limit + 1, offset: 0 });
    const items = page.items.slice(0, limit);
    if (items.length === 0) {
      const filtered = Object.values(query).some((v) => v !== undefined);
      ctx.io.stderr.write(after ? 'No more comments.\n' : filtered ? 'No comment matches.\n' : 'No comments yet.\n');
      return;
    }
    const rows = items.map((c) => [String(c.id), c.status, String(c.postId), c.authorName || 'Someone', utcMinute(c.createdAt), oneLine(c.markdown)]);
    ctx.io.stdout.write(formatTable([['ID', 'STATUS', 'POST', 'AUTHOR', 'WRITTEN', 'TEXT'], ...rows]));
    if (page.items.length > limit) ctx.io.stderr.write(`More: npx kumbaya comments list --after ${formatCommentCursor(items[items.length - 1])}\n`);
  },
};

import { z } from 'zod';
import { DomainError } from './errors.ts';
import type { Post, Store } from './store.ts';

/** How the site treats comments: when they are open, and what gets held for a moderator. */
export interface CommentSettings {
  /** Comments open on every post unless the post says otherwise. */
  open: boolean;
  /** Close a post's comments this many days after it was published; null: never. */
  closeAfterDays: number | null;
  /** Hold every comment for a moderator. */
  holdAll: boolean;
  /** Hold a person's first comment; people with an approved comment are approved. */
  holdFirstComment: boolean;
  /** Hold comments with more links than this. */
  maxLinks: number;
  /** Words that send a comment to spam or hold it (whole words, any case). */
  disallowedWords: string[];
  disallowedAction: 'spam' | 'hold';
  /** Minutes a commenter may edit or delete their own comment. */
  editWindowMinutes: number;
  /** Seconds a person needs at least to write a comment; quicker forms are treated as bots. */
  minSubmitSeconds: number;
  /** Conversations (top-level comments with their replies) per page of a thread. */
  conversationsPerPage: number;
  /** 'local': initials on a colour from a hash; 'gravatar': Gravatar/Libravatar images (third-party requests). */
  avatars: 'local' | 'gravatar';
}

export const defaultCommentSettings: CommentSettings = {
  open: true,
  closeAfterDays: null,
  holdAll: false,
  holdFirstComment: true,
  maxLinks: 2,
  disallowedWords: [],
  disallowedAction: 'hold',
  editWindowMinutes: 10,
  minSubmitSeconds: 3,
  conversationsPerPage: 50,
  avatars: 'local',
};

const PREFIX = 'comments.';

export function readCommentSettings(stored: Record<string, string>): CommentSettings {
  const raw = stored[`${PREFIX}settings`];
  if (!raw) return { ...defaultCommentSettings };
  try {
    return { ...defaultCommentSettings, ...(JSON.parse(raw) as Partial<CommentSettings>) };
  } catch {
    return { ...defaultCommentSettings };
  }
}

const formSchema = z.object({
  open: z.boolean(),
  closeAfterDays: z.number().int('Use a whole number of days.').min(1, 'At least 1 day, or leave it empty.').max(3650, 'At most 3650 days.').nullable(),
  holdAll: z.boolean(),
  holdFirstComment: z.boolean(),
  maxLinks: z.number().int('Use a whole number.').min(0, 'Zero or more links.').max(100, 'At most 100.'),
  disallowedWords: z.array(z.string().trim().min(1).max(100, 'Keep each word under 100 characters.')).max(1000, 'At most 1,000 words.'),
  disallowedAction: z.enum(['spam', 'hold']),
  editWindowMinutes: z.number().int('Use whole minutes.').min(0, 'Zero (no editing) or more.').max(1440, 'At most a day (1440 minutes).'),
  minSubmitSeconds: z.number().int('Use whole seconds.').min(0, 'Zero or more.').max(120, 'At most 120 seconds.'),
  conversationsPerPage: z.number().int('Use a whole number.').min(5, 'At least 5.').max(500, 'At most 500.'),
  avatars: z.enum(['local', 'gravatar']),
});

export async function saveCommentSettings(store: Store, input: unknown): Promise<CommentSettings> {
  const parsed = formSchema.safeParse(input);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[String(issue.path[0])] ??= issue.message;
    throw new DomainError('validation_failed', Object.values(fields)[0] ?? 'Check the comment settings.', fields);
  }
  const words = [...new Set(parsed.data.disallowedWords.map((w) => w.toLowerCase()))];
  const settings: CommentSettings = { ...parsed.data, disallowedWords: words };
  await store.settings.set({ [`${PREFIX}settings`]: JSON.stringify(settings) });
  return settings;
}

export type CommentsOpen = { open: true } | { open: false; reason: 'closed-on-post' | 'closed-on-site' | 'closed-after-days' | 'not-published' };

/** May readers comment on `post` now? Per-post setting first, then the site's. */
export function commentsOpen(post: Pick<Post, 'commentsMode' | 'commentsCloseDays' | 'publishedAt' | 'status' | 'deletedAt'>, settings: CommentSettings, now: number): CommentsOpen {
  if (post.status !== 'published' || post.deletedAt !== null || post.publishedAt === null || post.publishedAt > now) return { open: false, reason: 'not-published' };
  if (post.commentsMode === 'closed') return { open: false, reason: 'closed-on-post' };
  if (post.commentsMode === 'inherit' && !settings.open) return { open: false, reason: 'closed-on-site' };
  const days = post.commentsCloseDays ?? (post.commentsMode === 'inherit' ? settings.closeAfterDays : null);
  if (days !== null && now - post.publishedAt > days * 86_400_000) return { open: false, reason: 'closed-after-days' };
  return { open: true };
}

export const closedWords: Record<Exclude<CommentsOpen, { open: true }>['reason'], string> = {
  'closed-on-post': 'Comments are closed on this post.',
  'closed-on-site': 'Comments are closed on this site.',
  'closed-after-days': 'Comments on this post closed after a while; the conversation stays here to read.',
  'not-published': 'This post is not published, so it cannot take comments.',
};

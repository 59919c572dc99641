import { toId } from '../core/ids.ts';
import { MAX_MODERATED_AT_ONCE } from '../core/comment-service.ts';
import { notFound } from '../core/errors.ts';
import type { Store, User } from '../core/store.ts';
import { CommandFailure, UsageError, type Command, type CommandContext } from './command.ts';

/** The ID argument of `comments show` and `comments reply`. */
export const commentArgument = { name: 'ID', description: 'The comment’s number, as `comments list` shows it' };

/** The IDS argument of the moderation commands: one number, or several separated by commas. */
export const commentsArgument = { name: 'IDS', description: 'The comments’ numbers, as `comments list` shows them, separated by commas (12,34)' };

export function commentIdOf(ctx: CommandContext, command: Command): number {
  const id = toId(ctx.args[0] ?? '');
  if (id === null) throw new UsageError(`ID must be a comment’s number (got "${ctx.args[0]}").`, command);
  return id;
}

export function commentIdsOf(ctx: CommandContext, command: Command): number[] {
  const parts = (ctx.args[0] ?? '').split(',').map((part) => part.trim());
  const ids = parts.map((part) => toId(part));
  const bad = parts.find((_, i) => ids[i] === null);
  if (bad !== undefined) throw new UsageError(`IDS must be comment numbers separated by commas, like 12,34 (not "${bad}").`, command);
  const unique = [...new Set(ids as number[])];
  if (unique.length > MAX_MODERATED_AT_ONCE) throw new UsageError(`Choose at most ${MAX_MODERATED_AT_ONCE} comments at a time (got ${unique.length}).`, command);
  return unique;
}

/** The team member named by --as (their email), who the change is recorded under. */
export async function memberOf(store: Store, email: string): Promise<User> {
  const user = await store.users.findByEmail(email.trim().toLowerCase());
  if (!user) throw new CommandFailure(`No user has the email ${email}; see them with \`npx kumbaya user list\`.`);
  return user;
}

/** Every one of `ids`, or a failure naming those that do not exist (nothing is changed then). */
export async function existingComments(store: Store, ids: number[]) {
  const found = await store.comments.findMany(ids);
  const missing = ids.filter((id) => !found.some((c) => c.id === id));
  if (missing.length === ids.length && ids.length === 1) throw notFound(`Comment ${ids[0]}`);
  if (missing.length > 0) throw new CommandFailure(`No comment has the number${missing.length === 1 ? '' : 's'} ${missing.join(', ')}; nothing was changed.`);
  return found;
}

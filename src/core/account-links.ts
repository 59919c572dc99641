import { addressGroup } from './address-group.ts';
import { z } from 'zod';
import { accountSchema, roleSchema } from './auth-service.ts';
import type { Clock } from './clock.ts';
import { oneLine, renderEmail } from './email-content.ts';
import { DomainError, notFound } from './errors.ts';
import { argon2idHasher, type PasswordHasher } from './password.ts';
import type { AccountToken, OutboxWrite, Role, Store, User } from './store.ts';
import { slugify } from './text.ts';
import { randomToken, sha256Hex } from './tokens.ts';

export const RESET_LINK_TTL_MS = 3600_000;
export const INVITE_LINK_TTL_MS = 7 * 86_400_000;

const HOUR = 3600_000;
/** Per client address and per address written in the form: [window, most requests in it]. */
const LIMITS = {
  resetPerClient: [HOUR, 5],
  resetPerEmail: [HOUR, 3],
  invitePerClient: [HOUR, 30],
  invitePerEmail: [HOUR, 5],
} as const;

const roleWords: Record<Role, string> = { owner: 'an owner', author: 'an author', moderator: 'a moderator' };

export interface AccountLinkServiceDeps {
  store: Store;
  clock: Clock;
  /** Public base URL without a trailing slash (read when needed: it may be settled after start). */
  siteUrl: () => string;
  site: () => Promise<{ title: string }>;
  passwords?: PasswordHasher;
}

/** Why a link from an email cannot be used, or what it is for. */
export type LinkCheck<T> = { ok: true; token: AccountToken } & T | { ok: false; reason: 'unknown' | 'used' | 'expired' };

const emailSchema = accountSchema.shape.email;

function validationFrom(error: z.ZodError, field: string): DomainError {
  const message = error.issues[0]?.message ?? 'Check the form.';
  return new DomainError('validation_failed', message, { [field]: message });
}

function parseEmail(input: string): string {
  const parsed = emailSchema.safeParse(input);
  if (!parsed.success) throw validationFrom(parsed.error, 'email');
  return parsed.data;
}

/** The secret for a link and the hash that is stored in its place. */
function newSecret(): { secret: string; tokenHash: string } {
  const secret = randomToken(32);
  return { secret, tokenHash: sha256Hex(secret) };
}

/**
 * Links sent by email that let someone set a password without one: "forgot password"
 * resets and staff invitations. Each link is a random secret of which only the SHA-256 is
 * stored; it works once (one conditional UPDATE) and expires (resets after an hour,
 * invitations after a week). Requests are rate limited per client address and per
 * address asked about, and a reset answers the same way, doing the same work (a mail
 * through the outbox), whether or not the address has an account.
 */
export class AccountLinkService {
  private readonly deps: AccountLinkServiceDeps;
  private readonly passwords: PasswordHasher;

  constructor(deps: AccountLinkServiceDeps) {
    this.deps = deps;
    this.passwords = deps.passwords ?? argon2idHasher;
  }

  private async limit(key: string, [windowMs, max]: readonly [number, number], now: number, what: string): Promise<boolean> {
    const result = await this.deps.store.rateLimits.hit(key, windowMs, max, now);
    if (result.allowed) return true;
    if (!what) return false;
    const minutes = Math.ceil(result.retryAfterMs / 60_000);
    throw new DomainError('rate_limited', `Too many ${what} from your address. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, {}, { retryAfterSeconds: Math.ceil(result.retryAfterMs / 1000) });
  }

  private resetUrl = (secret: string) => `${this.deps.siteUrl()}/reset-password/${secret}`;
  private inviteUrl = (secret: string) => `${this.deps.siteUrl()}/invite/${secret}`;

  // ------------------------------------------------------------ resets

  /**
   * "Forgot password?": mails a reset link when the address belongs to an account that
   * signs in with a password, and otherwise a note that no account uses it. The caller
   * learns nothing either way. Past the limit for that address, nothing is sent (the
   * answer is still the same); past the limit for the client's address, 429.
   */
  async requestReset(input: string, clientAddress: string): Promise<void> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const email = parseEmail(input);
    await this.limit(`reset:client:${addressGroup(clientAddress)}`, LIMITS.resetPerClient, now, 'password reset requests');
    if (!(await this.limit(`reset:email:${email}`, LIMITS.resetPerEmail, now, ''))) return;
    const user = await store.users.findByEmail(email);
    const site = await this.deps.site();
    const { secret, tokenHash } = newSecret();
    await store.transaction(async (tx) => {
      // An imported author without a password has no sign-in to recover: the owner invites them instead.
      if (user?.passwordHash) {
        await tx.accountTokens.create({ kind: 'reset', tokenHash, email, userId: user.id, role: null, createdBy: null, createdAt: now, expiresAt: now + RESET_LINK_TTL_MS });
        await tx.outbox.enqueue(this.resetEmail(email, site.title, this.resetUrl(secret), tokenHash), now);
      } else {
        await tx.outbox.enqueue(this.noAccountEmail(email, site.title, tokenHash), now);
      }
    });
  }

  /** For `kumbaya user reset-password`: a reset link for the account, returned rather than mailed. */
  async resetLinkFor(input: string): Promise<{ user: User; url: string; expiresAt: number }> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const email = parseEmail(input);
    const user = await store.users.findByEmail(email);
    if (!user) throw new DomainError('not_found', `No account signs in with ${email}.`);
    const { secret, tokenHash } = newSecret();
    const expiresAt = now + RESET_LINK_TTL_MS;
    await store.accountTokens.create({ kind: 'reset', tokenHash, email, userId: user.id, role: null, createdBy: null, createdAt: now, expiresAt });
    return { user, url: this.resetUrl(secret), expiresAt };
  }

  /** What a reset link is for, or why it no longer works. */
  async checkReset(secret: string): Promise<LinkCheck<{ user: User }>> {
    const check = await this.check(secret, 'reset');
    if (!check.ok) return check;
    const user = check.token.userId === null ? null : await this.deps.store.users.findById(check.token.userId);
    return user ? { ok: true, token: check.token, user } : { ok: false, reason: 'unknown' };
  }

  /**
   * Sets the account's password from a reset link, once: the link is used up, every other
   * reset link of the account stops working, and every session of the account ends.
   */
  async completeReset(secret: string, password: string): Promise<User> {
    const passwordHash = await this.passwords.hash(this.parsePassword(password));
    const { store, clock } = this.deps;
    return store.transaction(async (tx) => {
      const token = await this.useLink(tx, secret, 'reset', clock.now());
      const user = token.userId === null ? null : await tx.users.findById(token.userId);
      if (!user) throw linkRefused('unknown', 'reset');
      const updated = await tx.users.update(user.id, { passwordHash });
      await tx.accountTokens.revokeResets(user.id);
      await tx.sessions.deleteForUser(user.id);
      return updated;
    });
  }

  // ------------------------------------------------------- invitations

  /**
   * Invites someone to the staff: a link by email to set their own name and password.
   * Inviting an address already invited sends it a fresh link. `actor` null is the
   * command line, which only whoever runs the server can use.
   */
  async invite(actor: User | null, input: { email: string; role: string }, clientAddress: string): Promise<{ invitation: AccountToken; url: string }> {
    if (actor && actor.role !== 'owner') throw new DomainError('forbidden', 'Only the owner can invite people.');
    const { store, clock } = this.deps;
    const now = clock.now();
    const email = parseEmail(input.email);
    const role = roleSchema.safeParse(input.role);
    if (!role.success) throw new DomainError('validation_failed', 'Choose owner, author or moderator.', { role: 'Choose a role.' });
    if (await store.users.findByEmail(email)) {
      throw new DomainError('conflict', 'Someone with this email already has an account.', { email: 'Already has an account.' });
    }
    await this.limit(`invite:client:${addressGroup(clientAddress)}`, LIMITS.invitePerClient, now, 'invitations');
    await this.limit(`invite:email:${email}`, LIMITS.invitePerEmail, now, 'invitations to this address');
    const { secret, tokenHash } = newSecret();
    const site = await this.deps.site();
    const invitation = await store.transaction(async (tx) => {
      const earlier = (await tx.accountTokens.pendingInvites()).find((t) => t.email === email);
      const expiresAt = now + INVITE_LINK_TTL_MS;
      const saved = earlier
        ? await tx.accountTokens.renew(earlier.id, tokenHash, expiresAt)
        : await tx.accountTokens.create({ kind: 'invite', tokenHash, email, userId: null, role: role.data, createdBy: actor?.id ?? null, createdAt: now, expiresAt });
      await tx.outbox.enqueue(this.inviteEmail(saved!, actor, site.title, this.inviteUrl(secret)), now);
      return saved!;
    });
    return { invitation, url: this.inviteUrl(secret) };
  }

  /** A new link for a pending invitation (the old one stops working), mailed again. */
  async resendInvite(actor: User, id: number, clientAddress: string): Promise<{ invitation: AccountToken; url: string }> {
    if (actor.role !== 'owner') throw new DomainError('forbidden', 'Only the owner can invite people.');
    const { store, clock } = this.deps;
    const now = clock.now();
    const pending = await store.accountTokens.findById(id);
    if (!pending || pending.kind !== 'invite' || pending.usedAt !== null) throw notFound('The invitation');
    await this.limit(`invite:client:${addressGroup(clientAddress)}`, LIMITS.invitePerClient, now, 'invitations');
    await this.limit(`invite:email:${pending.email}`, LIMITS.invitePerEmail, now, 'invitations to this address');
    const { secret, tokenHash } = newSecret();
    const site = await this.deps.site();
    const invitation = await store.transaction(async (tx) => {
      const renewed = await tx.accountTokens.renew(id, tokenHash, now + INVITE_LINK_TTL_MS);
      if (!renewed) throw notFound('The invitation');
      await tx.outbox.enqueue(this.inviteEmail(renewed, actor, site.title, this.inviteUrl(secret)), now);
      return renewed;
    });
    return { invitation, url: this.inviteUrl(secret) };
  }

  async revokeInvite(actor: User, id: number): Promise<void> {
    if (actor.role !== 'owner') throw new DomainError('forbidden', 'Only the owner can invite people.');
    const pending = await this.deps.store.accountTokens.findById(id);
    if (!pending || pending.kind !== 'invite' || !(await this.deps.store.accountTokens.revoke(id))) throw notFound('The invitation');
  }

  pendingInvites(): Promise<AccountToken[]> {
    return this.deps.store.accountTokens.pendingInvites();
  }

  /** What an invitation link is for, or why it no longer works. */
  async checkInvite(secret: string): Promise<LinkCheck<object>> {
    return this.check(secret, 'invite');
  }

  /** Creates the invited account with the name and password its owner chose; the link is used up. */
  async acceptInvite(secret: string, input: { name: string; password: string }): Promise<User> {
    const name = accountSchema.shape.name.safeParse(input.name);
    if (!name.success) throw validationFrom(name.error, 'name');
    const passwordHash = await this.passwords.hash(this.parsePassword(input.password));
    const { store, clock } = this.deps;
    const now = clock.now();
    return store.transaction(async (tx) => {
      const token = await this.useLink(tx, secret, 'invite', now);
      if (await tx.users.findByEmail(token.email)) {
        throw new DomainError('conflict', 'An account with this email already exists. Sign in instead, or use “Forgot password?”.');
      }
      const root = slugify(name.data) || 'author';
      let slug = root;
      for (let n = 2; await tx.users.findBySlug(slug); n++) slug = `${root}-${n}`;
      return tx.users.create({ email: token.email, name: name.data, slug, bio: '', role: token.role ?? 'author', passwordHash, createdAt: now });
    });
  }

  // ------------------------------------------------------------ shared

  private parsePassword(password: string): string {
    const parsed = accountSchema.shape.password.safeParse(password);
    if (!parsed.success) throw validationFrom(parsed.error, 'password');
    return parsed.data;
  }

  private async check(secret: string, kind: AccountToken['kind']): Promise<LinkCheck<object>> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(secret)) return { ok: false, reason: 'unknown' };
    const token = await this.deps.store.accountTokens.findByHash(sha256Hex(secret));
    if (!token || token.kind !== kind) return { ok: false, reason: 'unknown' };
    if (token.usedAt !== null) return { ok: false, reason: 'used' };
    if (token.expiresAt <= this.deps.clock.now()) return { ok: false, reason: 'expired' };
    return { ok: true, token };
  }

  /** Uses up the link inside the caller's transaction, or refuses it with the reason. */
  private async useLink(tx: Store, secret: string, kind: AccountToken['kind'], now: number): Promise<AccountToken> {
    const token = /^[A-Za-z0-9_-]{20,100}$/.test(secret) ? await tx.accountTokens.findByHash(sha256Hex(secret)) : null;
    if (!token || token.kind !== kind) throw linkRefused('unknown', kind);
    if (!(await tx.accountTokens.use(token.id, now))) throw linkRefused(token.usedAt !== null ? 'used' : 'expired', kind);
    return token;
  }

  private resetEmail(email: string, siteTitle: string, url: string, tokenHash: string): OutboxWrite {
    const subject = oneLine(`Reset your password for ${siteTitle}`);
    const content = renderEmail({
      title: subject,
      blocks: [
        { type: 'paragraph', text: `Someone, hopefully you, asked to reset the password of the account ${email} on ${siteTitle}.` },
        { type: 'link', label: 'Choose a new password', url },
        { type: 'paragraph', text: 'The link works once, for one hour. Setting a new password signs you out everywhere else.' },
        { type: 'paragraph', text: 'If it was not you, ignore this email: your password stays as it is.' },
      ],
      signature: siteTitle,
    });
    return { idempotencyKey: `reset:${tokenHash.slice(0, 32)}`, kind: 'password-reset', to: email, subject, ...content, headers: { 'Auto-Submitted': 'auto-generated' } };
  }

  private noAccountEmail(email: string, siteTitle: string, nonce: string): OutboxWrite {
    const subject = oneLine(`Reset your password for ${siteTitle}`);
    const content = renderEmail({
      title: subject,
      blocks: [
        { type: 'paragraph', text: `Someone, hopefully you, asked to reset the password for ${email} on ${siteTitle}, but no account there signs in with this address.` },
        { type: 'paragraph', text: 'If you have an account, it may be under another email address; ask the site’s owner. If it was not you, ignore this email.' },
      ],
      signature: siteTitle,
    });
    return { idempotencyKey: `reset:${nonce.slice(0, 32)}`, kind: 'password-reset', to: email, subject, ...content, headers: { 'Auto-Submitted': 'auto-generated' } };
  }

  private inviteEmail(invitation: AccountToken, actor: User | null, siteTitle: string, url: string): OutboxWrite {
    const by = actor?.name ?? `The owner of ${siteTitle}`;
    const subject = oneLine(`${by} invited you to ${siteTitle}`);
    const content = renderEmail({
      title: subject,
      blocks: [
        { type: 'paragraph', text: `${by} invited you to join ${siteTitle} as ${roleWords[invitation.role ?? 'author']}.` },
        { type: 'link', label: 'Accept the invitation', url },
        { type: 'paragraph', text: 'You choose your own name and password there. The link works once, for seven days.' },
        { type: 'paragraph', text: 'If you do not want to join, ignore this email.' },
      ],
      signature: siteTitle,
    });
    return { idempotencyKey: `invite:${invitation.id}:${invitation.tokenHash.slice(0, 32)}`, kind: 'invitation', to: invitation.email, subject, ...content, headers: { 'Auto-Submitted': 'auto-generated' } };
  }
}

const refusals = {
  reset: {
    unknown: 'This password reset link is not valid. Copy the whole address from the email, or ask for a new link.',
    used: 'This password reset link has already been used. If you still cannot sign in, ask for a new link.',
    expired: 'This password reset link has expired (they work for one hour). Ask for a new link.',
  },
  invite: {
    unknown: 'This invitation link is not valid. Copy the whole address from the email.',
    used: 'This invitation has already been accepted. Sign in with the email and password chosen then.',
    expired: 'This invitation has expired. Ask the site’s owner to send a new one.',
  },
} as const;

/** A link that cannot be used, with words that say what to do next (`context.linkReason` says why). */
export function linkRefused(reason: 'unknown' | 'used' | 'expired', kind: AccountToken['kind']): DomainError {
  return new DomainError(reason === 'unknown' ? 'not_found' : 'setup_done', refusals[kind][reason], {}, { linkReason: reason });
}

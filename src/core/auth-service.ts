import { z } from 'zod';
import { apiScopes, formatScopes, isApiScope, parseScopes, scopesForRole, type ApiScope } from './api-scopes.ts';
import type { Clock } from './clock.ts';
import { DomainError, notFound } from './errors.ts';
import { LOGIN_THROTTLE, failuresAt, forgetBefore, throttleKeys, waitBeforeNextAttempt } from './login-throttle.ts';
import { argon2idHasher, unmatchableHash, type PasswordHasher } from './password.ts';
import type { ApiToken, Role, Session, Store, User } from './store.ts';
import { slugify } from './text.ts';
import { randomToken, sha256Hex } from './tokens.ts';

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
const SETUP_KEY = 'setup_token';

export const accountSchema = z.object({
  name: z.string().trim().min(1, 'Enter your name.').max(100, 'Keep the name under 100 characters.'),
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(254, 'That email address is too long.')
    .pipe(z.email({ message: 'Enter an email address like you@example.com.' })),
  password: z.string().min(10, 'Use at least 10 characters for the password.').max(512, 'Keep the password under 512 characters.'),
});

/** What a user may change about themselves on their profile. */
export const profileSchema = z.object({
  name: accountSchema.shape.name,
  email: accountSchema.shape.email,
  slug: z
    .string()
    .trim()
    .min(1, 'Choose a profile address, e.g. jane-doe.')
    .max(60, 'Keep the profile address under 60 characters.')
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Use lower-case letters, digits and single hyphens (e.g. jane-doe).'),
  bio: z.string().trim().max(1000, 'Keep the bio under 1,000 characters.').default(''),
});

export const roleSchema = z.enum(['owner', 'author', 'moderator'], { message: 'Choose owner, author or moderator.' });

function validation(error: z.ZodError): DomainError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) fields[String(issue.path[0] ?? 'form')] ??= issue.message;
  return new DomainError('validation_failed', Object.values(fields)[0] ?? 'Check the form.', fields);
}

export interface AuthServiceDeps {
  store: Store;
  clock: Clock;
  /** argon2id unless a test watches the calls. */
  passwords?: PasswordHasher;
}

export interface NewApiTokenOptions {
  /** What it may do; left out: everything the user's role allows. */
  scopes?: readonly string[];
  /** When it stops working (epoch ms, in the future); left out or null: never. */
  expiresAt?: number | null;
}

export type ApiTokenResolution =
  | { status: 'ok'; user: User; token: ApiToken; scopes: ApiScope[] }
  | { status: 'expired'; expiredAt: number }
  | { status: 'unknown' };

const roleWords: Record<Role, string> = { owner: 'an owner', author: 'an author', moderator: 'a moderator' };

export interface NewSession {
  /** The cookie value; only its hash is stored. */
  token: string;
  session: Session;
}

/** Accounts, the one-time setup link, sign-in sessions and personal access tokens. */
export class AuthService {
  private readonly deps: AuthServiceDeps;
  private readonly passwords: PasswordHasher;
  /** What an unknown email's password is checked against, at the cost of a real check. */
  private readonly unmatchable = unmatchableHash();

  constructor(deps: AuthServiceDeps) {
    this.deps = deps;
    this.passwords = deps.passwords ?? argon2idHasher;
  }

  /** While nobody owns the site: the setup token (created once, kept until used). Null once claimed. */
  async pendingSetupToken(): Promise<string | null> {
    if (await this.hasOwner()) return null;
    return this.deps.store.settings.setIfAbsent(SETUP_KEY, randomToken(24));
  }

  async isSetupTokenValid(token: string): Promise<boolean> {
    const current = await this.pendingSetupToken();
    return current !== null && current === token;
  }

  private async uniqueUserSlug(name: string): Promise<string> {
    const root = slugify(name) || 'author';
    let slug = root;
    for (let n = 2; await this.deps.store.users.findBySlug(slug); n++) slug = `${root}-${n}`;
    return slug;
  }

  /** Creates a user; the password is hashed with argon2id. */
  async createUser(input: unknown, role: Role): Promise<User> {
    const parsed = accountSchema.safeParse(input);
    if (!parsed.success) throw validation(parsed.error);
    const { name, email, password } = parsed.data;
    if (await this.deps.store.users.findByEmail(email)) {
      throw new DomainError('conflict', 'A user with this email already exists.', { email: 'Already in use.' });
    }
    return this.deps.store.users.create({
      email,
      name,
      slug: await this.uniqueUserSlug(name),
      bio: '',
      role,
      passwordHash: await this.passwords.hash(password),
      createdAt: this.deps.clock.now(),
    });
  }

  /** Claims the site with the setup token: creates the owner. The token works once. */
  async claimSite(token: string, input: unknown): Promise<User> {
    const parsed = accountSchema.safeParse(input);
    if (!parsed.success) throw validation(parsed.error);
    const passwordHash = await this.passwords.hash(parsed.data.password);
    return this.deps.store.transaction(async (store) => {
      const claimed = (await store.users.list()).some((u) => u.role === 'owner');
      if (claimed || !(await store.settings.takeIfEquals(SETUP_KEY, token))) {
        throw new DomainError('setup_done', 'This setup link has already been used or is not valid. Sign in instead.');
      }
      const { name, email } = parsed.data;
      if (await store.users.findByEmail(email)) {
        throw new DomainError('conflict', 'A user with this email already exists.', { email: 'Already in use.' });
      }
      let slug = slugify(name) || 'owner';
      for (let n = 2; await store.users.findBySlug(slug); n++) slug = `${slugify(name) || 'owner'}-${n}`;
      return store.users.create({
        email,
        name,
        slug,
        bio: '',
        role: 'owner',
        passwordHash,
        createdAt: this.deps.clock.now(),
      });
    });
  }

  /**
   * Checks email and password and returns a new session. Wrong passwords slow down their
   * sender per (address, account) and per address (login-throttle.ts), never the account
   * for everyone. Known and unknown emails do the same work: the same counts, and an
   * argon2id check against a hash no password matches when there is no account.
   */
  async login(email: string, password: string, clientIp: string): Promise<{ user: User; created: NewSession }> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const normalised = email.trim().toLowerCase();
    const keys = throttleKeys(clientIp, normalised);
    const before = await Promise.all(keys.map(({ key }) => store.loginFailures.get(key)));
    const wait = Math.max(...keys.map(({ free }, i) => waitBeforeNextAttempt(before[i], free, now)));
    if (wait > 0) throw tooManyAttempts(wait);
    // Counted as a failure before the password is checked, so guesses sent in parallel cannot
    // all pass the check above; a right password takes it back. A count that grew meanwhile
    // past the free attempts means another attempt raced this one: that one goes first.
    const counts = await Promise.all(keys.map(({ key }) => store.loginFailures.add(key, now, forgetBefore(now))));
    if (keys.some(({ free }, i) => counts[i] - 1 > failuresAt(before[i], now) && counts[i] > free)) throw tooManyAttempts(LOGIN_THROTTLE.firstWaitMs);
    const user = await store.users.findByEmail(normalised);
    const ok = await this.passwords.verify(password, user?.passwordHash ?? this.unmatchable);
    if (!user || !user.passwordHash || !ok) {
      throw new DomainError('unauthenticated', 'That email and password do not match an account.');
    }
    const [address, account] = keys;
    await store.loginFailures.forgive(address.key);
    await store.loginFailures.clear(account.key);
    return { user, created: await this.startSession(user.id) };
  }

  async startSession(userId: number): Promise<NewSession> {
    const now = this.deps.clock.now();
    const token = randomToken(32);
    const session: Session = { idHash: sha256Hex(token), userId, csrfToken: randomToken(24), createdAt: now, expiresAt: now + SESSION_TTL_MS };
    await this.deps.store.sessions.create(session);
    return { token, session };
  }

  /** The signed-in user for a session cookie value, or null. */
  async resolveSession(token: string): Promise<{ user: User; session: Session } | null> {
    if (!token || token.length > 100) return null;
    const session = await this.deps.store.sessions.find(sha256Hex(token), this.deps.clock.now());
    if (!session) return null;
    const user = await this.deps.store.users.findById(session.userId);
    return user ? { user, session } : null;
  }

  async logout(token: string): Promise<void> {
    await this.deps.store.sessions.delete(sha256Hex(token));
  }

  async changePassword(user: User, current: string, next: string): Promise<void> {
    if (!user.passwordHash || !(await this.passwords.verify(current, user.passwordHash))) {
      throw new DomainError('validation_failed', 'The current password is not right.', { current: 'Not right.' });
    }
    const parsed = accountSchema.shape.password.safeParse(next);
    if (!parsed.success) throw validation(new z.ZodError(parsed.error.issues.map((i) => ({ ...i, path: ['password'] }))));
    await this.deps.store.users.update(user.id, { passwordHash: await this.passwords.hash(next) });
    await this.deps.store.sessions.deleteForUser(user.id);
  }

  /** Changes the user's own name, email, profile address (slug) and bio. */
  async updateProfile(user: User, input: unknown): Promise<User> {
    const parsed = profileSchema.safeParse(input);
    if (!parsed.success) throw validation(parsed.error);
    const { name, email, slug, bio } = parsed.data;
    const byEmail = await this.deps.store.users.findByEmail(email);
    if (byEmail && byEmail.id !== user.id) throw new DomainError('conflict', 'Another user already has this email address.', { email: 'Already in use.' });
    const bySlug = await this.deps.store.users.findBySlug(slug);
    if (bySlug && bySlug.id !== user.id) throw new DomainError('conflict', 'Another user already has this profile address.', { slug: 'Already in use.' });
    return this.deps.store.users.update(user.id, { name, email, slug, bio });
  }

  /**
   * A new personal access token; the secret is returned once and only its hash is kept.
   * Left out, the scopes are all its user's role allows and it never expires. A token may
   * carry no scope its user's role does not allow, and must expire in the future.
   */
  async createApiToken(user: User, name: string, options: NewApiTokenOptions = {}): Promise<{ secret: string; token: ApiToken }> {
    const label = name.trim();
    if (!label || label.length > 80) {
      throw new DomainError('validation_failed', 'Name the token (up to 80 characters), e.g. "publishing script".', { name: 'Required, up to 80 characters.' });
    }
    const allowed = scopesForRole(user.role);
    const scopes = options.scopes ?? allowed;
    const unknown = scopes.filter((s) => !isApiScope(s));
    if (unknown.length > 0) {
      const message = `Unknown scope ${unknown.map((s) => `“${s}”`).join(', ')}: choose from ${apiScopes.join(', ')}.`;
      throw new DomainError('validation_failed', message, { scopes: message });
    }
    if (scopes.length === 0) throw new DomainError('validation_failed', 'Choose at least one scope: what the token may do.', { scopes: 'Choose at least one.' });
    const beyond = scopes.filter((s) => !allowed.includes(s as ApiScope));
    if (beyond.length > 0) {
      const message = `A token cannot do more than its user: ${roleWords[user.role]} may give a token ${allowed.join(', ')}, not ${beyond.join(', ')}.`;
      throw new DomainError('validation_failed', message, { scopes: message });
    }
    const now = this.deps.clock.now();
    const expiresAt = options.expiresAt ?? null;
    if (expiresAt !== null && !(Number.isFinite(expiresAt) && expiresAt > now)) {
      throw new DomainError('validation_failed', 'The expiry must lie in the future.', { expires: 'Choose a time in the future, or never.' });
    }
    const secret = `kby_${randomToken(30)}`;
    const token = await this.deps.store.apiTokens.create({
      userId: user.id,
      name: label,
      prefix: secret.slice(0, 10),
      tokenHash: sha256Hex(secret),
      scopes: formatScopes(scopes as ApiScope[]),
      expiresAt,
      createdAt: now,
    });
    return { secret, token };
  }

  /**
   * What an `Authorization: Bearer` secret stands for: its user with the scopes it may use
   * (the token's, within what the user's role allows today), a token that has expired
   * (with when), or nothing (unknown, revoked or mistyped). Only a usable token is marked used.
   */
  async authenticateApiToken(secret: string): Promise<ApiTokenResolution> {
    if (!secret.startsWith('kby_') || secret.length > 100) return { status: 'unknown' };
    const token = await this.deps.store.apiTokens.findByHash(sha256Hex(secret));
    if (!token) return { status: 'unknown' };
    const now = this.deps.clock.now();
    if (token.expiresAt !== null && token.expiresAt <= now) return { status: 'expired', expiredAt: token.expiresAt };
    const user = await this.deps.store.users.findById(token.userId);
    if (!user) return { status: 'unknown' };
    await this.deps.store.apiTokens.touch(token.id, now);
    const allowed = scopesForRole(user.role);
    return { status: 'ok', user, token, scopes: parseScopes(token.scopes).filter((s) => allowed.includes(s)) };
  }

  /** The user behind a usable `Authorization: Bearer` token, or null. */
  async resolveApiToken(secret: string): Promise<User | null> {
    const resolved = await this.authenticateApiToken(secret);
    return resolved.status === 'ok' ? resolved.user : null;
  }

  async changeRole(actor: User, userId: number, role: Role): Promise<User> {
    if (actor.role !== 'owner') throw new DomainError('forbidden', 'Only the owner can change roles.');
    const target = await this.deps.store.users.findById(userId);
    if (!target) throw notFound('The user');
    if (target.role === 'owner' && role !== 'owner' && (await this.ownerCount()) === 1) {
      throw new DomainError('conflict', 'The site needs at least one owner. Make someone else owner first.');
    }
    return this.deps.store.users.update(userId, { role });
  }

  async removeUser(actor: User, userId: number): Promise<void> {
    if (actor.role !== 'owner') throw new DomainError('forbidden', 'Only the owner can remove users.');
    if (actor.id === userId) throw new DomainError('conflict', 'You cannot remove yourself. Make someone else owner and ask them.');
    await this.deps.store.users.delete(userId, actor.id);
  }

  async hasOwner(): Promise<boolean> {
    return (await this.ownerCount()) > 0;
  }

  private async ownerCount(): Promise<number> {
    return (await this.deps.store.users.list()).filter((u) => u.role === 'owner').length;
  }
}

function tooManyAttempts(waitMs: number): DomainError {
  const retryAfterSeconds = Math.ceil(waitMs / 1000);
  const when = retryAfterSeconds < 90 ? `${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}` : `${Math.ceil(retryAfterSeconds / 60)} minutes`;
  return new DomainError('rate_limited', `Too many wrong passwords from your address. Try again in ${when}.`, {}, { retryAfterSeconds });
}

import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/**
 * Which proxies' X-Forwarded-For entries to believe: none; the last `hops` entries (each
 * proxy in front appends the address it saw); or entries added by the listed addresses
 * and ranges (CIDR), walking from the right.
 */
export type TrustProxy = { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'addresses'; ranges: string[] };

/**
 * Every setting Kumbaya reads from the environment, validated once at start.
 * The table in README.md is generated from the same descriptions; keep them in step.
 */
export interface Config {
  port: number;
  host: string;
  /** Public base URL without a trailing slash, e.g. https://blog.example.com. (start.ts fills in the real port when PORT=0.) */
  siteUrl: string;
  dataDir: string;
  /** postgres://… switches to PostgreSQL; otherwise SQLite at `${dataDir}/kumbaya.db`. */
  databaseUrl: string | null;
  /** Where the PostgreSQL change feed's listening connection goes; DATABASE_URL when unset. */
  databaseListenUrl: string | null;
  /** PostgreSQL: connections each instance's pool opens at most. */
  databasePoolSize: number;
  /** PostgreSQL: send the busiest queries as named statements, prepared once per connection. */
  databasePreparedStatements: boolean;
  /** Live comment streams (server-sent events) one instance keeps open at most. */
  liveStreamsMax: number;
  demo: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Overrides the secret generated and stored in the database on first start. */
  secretKey: string | null;
  uploadMaxBytes: number;
  /** Largest export file the admin's import page accepts. */
  importMaxBytes: number;
  trustProxy: TrustProxy;
  pageCache: boolean;
  conversationCache: boolean;
  schedulerIntervalMs: number;
  /** smtp:// or smtps:// URL of the mail server; null keeps mail waiting in the outbox. */
  smtpUrl: string | null;
  /** The From header of every email. */
  mailFrom: string;
  outboxIntervalMs: number;
  /** Akismet (or compatible) API key; null turns the outside spam check off. */
  akismetKey: string | null;
  /** Base URL of the Akismet-compatible API, ending in a slash. */
  akismetEndpoint: string;
  /** URLs per sitemap file; past it /sitemap.xml becomes an index of numbered sitemaps. */
  sitemapUrlLimit: number;
  /** Let webmention fetches reach private, loopback and link-local addresses (tests, closed networks). */
  webmentionAllowPrivate: boolean;
  /** How often the background job queue looks for due jobs. */
  jobsIntervalMs: number;
  /** ActivityPub: the blog is a fediverse actor (WebFinger, NodeInfo, the actor, posts as Articles). */
  fediverse: boolean;
  /** The actor's user name: `@handle@host`. */
  fediverseHandle: string;
  /** Let the fediverse document loader reach private, loopback and link-local addresses (tests). */
  fediverseAllowPrivate: boolean;
  /** Activities one remote server may deliver to the inboxes per minute. */
  fediverseInboxLimit: number;
}

export const settingDocs: Array<{ name: string; default: string; meaning: string }> = [
  { name: 'PORT', default: '3000', meaning: 'TCP port the web server listens on.' },
  { name: 'HOST', default: '0.0.0.0', meaning: 'Interface the web server binds to (use 127.0.0.1 to keep it local).' },
  { name: 'SITE_URL', default: 'http://localhost:$PORT', meaning: 'Public address of the blog, used in links, feeds and emails.' },
  { name: 'DATA_DIR', default: './data', meaning: 'Folder for the SQLite database file.' },
  { name: 'DATABASE_URL', default: '(unset: SQLite)', meaning: 'postgres://user:pass@host:5432/db switches storage to PostgreSQL.' },
  { name: 'DATABASE_LISTEN_URL', default: '(DATABASE_URL)', meaning: 'PostgreSQL only: where each instance keeps the one connection that LISTENs for other instances’ changes. Set it when DATABASE_URL goes through a pooler in transaction mode (PgBouncer), which cannot keep a LISTEN: point it at PostgreSQL itself.' },
  { name: 'DATABASE_POOL_SIZE', default: '20', meaning: 'PostgreSQL only: connections each instance opens at most (besides the listening one). Each comment being stored holds one for its transaction; keep instances × this under the server’s max_connections.' },
  { name: 'DATABASE_PREPARED_STATEMENTS', default: 'true', meaning: 'PostgreSQL only: send the busiest queries (a comment’s, a post’s, a person’s) as named statements, which the server parses and plans once per connection instead of once per query: about a third less of its CPU per comment. Set it to false behind PgBouncer in transaction mode before 1.21 (or without max_prepared_statements), which cannot keep them.' },
  { name: 'LIVE_STREAMS_MAX', default: '1000', meaning: 'Live comment streams (server-sent events, one per open post page) each instance keeps open at most. Past it a page is answered 503 with Retry-After and says “reload to see new comments” instead of updating live.' },
  { name: 'KUMBAYA_DEMO', default: 'true', meaning: 'Create the demo post and its conversation on first start with an empty database.' },
  { name: 'LOG_LEVEL', default: 'info', meaning: 'fatal, error, warn, info, debug, trace or silent. Logs are JSON lines on stdout.' },
  { name: 'SECRET_KEY', default: '(generated, kept in the database)', meaning: 'Secret for signing tokens; at least 32 characters when set.' },
  { name: 'UPLOAD_MAX_BYTES', default: '5242880', meaning: 'Largest image upload accepted, in bytes.' },
  { name: 'IMPORT_MAX_BYTES', default: '104857600', meaning: 'Largest WordPress or Disqus export the admin import page accepts, in bytes (the CLI has no limit).' },
  { name: 'TRUST_PROXY', default: 'false', meaning: 'Behind your own reverse proxy: how many proxies append to X-Forwarded-For (1 = the rightmost entry is the client as your one proxy saw it; true means 1), or a comma-separated list of your proxies’ addresses or CIDR ranges (e.g. 10.0.0.0/8, ::1), skipped from the right. The entries a client writes itself are never used.' },
  { name: 'PAGE_CACHE', default: 'true', meaning: 'Keep rendered public pages in memory until content changes (with ETags and 304s). Off, every page is rendered per request and sent without an ETag.' },
  { name: 'CONVERSATION_CACHE', default: 'true', meaning: 'Keep each post’s rendered comment section, and the post’s own data (its row, author and mentions), in memory until anything published changes.' },
  { name: 'SCHEDULER_INTERVAL_MS', default: '5000', meaning: 'How often scheduled posts are checked and published.' },
  { name: 'SMTP_URL', default: '(unset: mail waits in the outbox)', meaning: 'Mail server, e.g. smtp://user:pass@smtp.example.com:587 (STARTTLS) or smtps://user:pass@smtp.example.com:465. While unset, nothing is sent: the start-up output, every admin page and the Mail page say how many emails wait in the outbox; set it and restart to send them.' },
  { name: 'MAIL_FROM', default: 'Kumbaya <noreply@SITE_URL host>', meaning: 'Sender of every email, e.g. "My Blog <blog@example.com>".' },
  { name: 'OUTBOX_INTERVAL_MS', default: '2000', meaning: 'How often the mail outbox is checked for messages to send (new mail also wakes it at once).' },
  { name: 'AKISMET_KEY', default: '(unset: no outside check)', meaning: 'Akismet (or compatible) API key: new comments are also checked there, and moderator decisions are reported back.' },
  { name: 'AKISMET_ENDPOINT', default: 'https://rest.akismet.com/1.1/', meaning: 'Base URL of the Akismet-compatible API (comment-check, submit-spam and submit-ham are appended).' },
  { name: 'SITEMAP_URL_LIMIT', default: '50000', meaning: 'URLs per sitemap file (the protocol’s maximum is 50,000); past it /sitemap.xml is an index of /sitemap-1.xml, /sitemap-2.xml…' },
  { name: 'WEBMENTION_ALLOW_PRIVATE', default: 'false', meaning: 'Let webmention and pingback fetches, and the "who is this?" look-ups of commenters\' websites, reach private, loopback and link-local addresses. Leave off on a public server: it stops senders from making Kumbaya fetch your internal network.' },
  { name: 'FEDIVERSE', default: 'true', meaning: 'The blog is a fediverse (ActivityPub) account: found by WebFinger as @FEDIVERSE_HANDLE@your host, with NodeInfo, and posts served as Articles to servers that ask for them. Off, those addresses answer as any other page would.' },
  { name: 'FEDIVERSE_HANDLE', default: 'blog', meaning: 'The user name of the blog’s fediverse account (letters, digits and underscores, up to 30): @blog@your.host. Changing it later makes a new account to followers’ servers.' },
  { name: 'FEDIVERSE_ALLOW_PRIVATE', default: 'false', meaning: 'Let ActivityPub fetches (actors, objects) reach private, loopback and link-local addresses. For tests and closed networks only: on a public server it stops remote servers from making Kumbaya fetch your internal network.' },
  { name: 'FEDIVERSE_INBOX_LIMIT', default: '600', meaning: 'Activities a remote server may deliver to the blog’s inboxes per minute (counted by the host that signed them); more are answered 429 with Retry-After, and the server sends them again later.' },
  { name: 'JOBS_INTERVAL_MS', default: '5000', meaning: 'How often the background job queue (webmentions sent and received) looks for due jobs; new jobs wake it at once.' },
];

const bool = (name: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return undefined;
      const v = value.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false (got "${value}").` });
      return z.NEVER;
    });

const int = (name: string, min: number, max: number, example: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return undefined;
      const n = Number(value);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max} (e.g. ${example}); got "${value}".` });
        return z.NEVER;
      }
      return n;
    });

const envSchema = z.object({
  PORT: int('PORT', 0, 65535, '3000'),
  HOST: z.string().optional(),
  SITE_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(v), {
      message: 'SITE_URL must be an absolute http(s) URL (e.g. https://blog.example.com).',
    }),
  DATA_DIR: z.string().optional(),
  DATABASE_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^postgres(ql)?:\/\//.test(v), {
      message: 'DATABASE_URL must start with postgres:// (e.g. postgres://user:pass@127.0.0.1:5432/kumbaya); leave it unset for SQLite.',
    }),
  DATABASE_LISTEN_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^postgres(ql)?:\/\//.test(v), {
      message: 'DATABASE_LISTEN_URL must start with postgres:// (e.g. postgres://user:pass@db.internal:5432/kumbaya); leave it unset to listen through DATABASE_URL.',
    }),
  DATABASE_POOL_SIZE: int('DATABASE_POOL_SIZE', 1, 1000, '20'),
  DATABASE_PREPARED_STATEMENTS: bool('DATABASE_PREPARED_STATEMENTS'),
  LIVE_STREAMS_MAX: int('LIVE_STREAMS_MAX', 0, 1_000_000, '1000'),
  KUMBAYA_DEMO: bool('KUMBAYA_DEMO'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent.',
    })
    .optional(),
  SECRET_KEY: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || v.length >= 32, {
      message: 'SECRET_KEY must be at least 32 characters (e.g. the output of `openssl rand -hex 32`).',
    }),
  UPLOAD_MAX_BYTES: int('UPLOAD_MAX_BYTES', 1024, 100 * 1024 * 1024, '5242880'),
  IMPORT_MAX_BYTES: int('IMPORT_MAX_BYTES', 1024, 2 * 1024 * 1024 * 1024, '104857600'),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const parsed = parseTrustProxy(value ?? '');
      if (parsed === null) {
        ctx.addIssue({ code: 'custom', message: `TRUST_PROXY must be false, a number of proxies (e.g. 1), or proxy addresses and CIDR ranges separated by commas (e.g. 10.0.0.0/8, 127.0.0.1); got "${value}".` });
        return z.NEVER;
      }
      return parsed;
    }),
  PAGE_CACHE: bool('PAGE_CACHE'),
  CONVERSATION_CACHE: bool('CONVERSATION_CACHE'),
  SCHEDULER_INTERVAL_MS: int('SCHEDULER_INTERVAL_MS', 100, 3_600_000, '5000'),
  SMTP_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || (/^smtps?:\/\/[^/\s?#]+\/?(\?[^\s#]*)?$/.test(v) && URL.canParse(v)), {
      message: 'SMTP_URL must look like smtp://user:pass@smtp.example.com:587 or smtps://user:pass@smtp.example.com:465 (percent-encode special characters in the password).',
    }),
  MAIL_FROM: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || (/^[^\r\n]*$/.test(v) && /^(?:[^<>@]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/.test(v.trim())), {
      message: 'MAIL_FROM must be an address, alone or with a name: blog@example.com or "My Blog <blog@example.com>".',
    }),
  OUTBOX_INTERVAL_MS: int('OUTBOX_INTERVAL_MS', 100, 3_600_000, '2000'),
  WEBMENTION_ALLOW_PRIVATE: bool('WEBMENTION_ALLOW_PRIVATE'),
  JOBS_INTERVAL_MS: int('JOBS_INTERVAL_MS', 100, 3_600_000, '5000'),
  FEDIVERSE: bool('FEDIVERSE'),
  FEDIVERSE_HANDLE: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^[A-Za-z0-9_]{1,30}$/.test(v), { message: 'FEDIVERSE_HANDLE must be 1 to 30 letters, digits or underscores (e.g. blog).' }),
  FEDIVERSE_ALLOW_PRIVATE: bool('FEDIVERSE_ALLOW_PRIVATE'),
  FEDIVERSE_INBOX_LIMIT: int('FEDIVERSE_INBOX_LIMIT', 1, 1_000_000, '600'),
  AKISMET_KEY: z.string().optional(),
  SITEMAP_URL_LIMIT: int('SITEMAP_URL_LIMIT', 1, 50_000, '50000'),
  AKISMET_ENDPOINT: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || (/^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(v) && URL.canParse(v)), {
      message: 'AKISMET_ENDPOINT must be an absolute http(s) URL (e.g. https://rest.akismet.com/1.1/).',
    }),
});

/** TRUST_PROXY's value, or null when it is none of the accepted forms. */
export function parseTrustProxy(value: string): TrustProxy | null {
  const v = value.trim().toLowerCase();
  if (['', '0', 'false', 'no', 'off'].includes(v)) return { kind: 'none' };
  // `true` used to mean "trust the header"; the safe reading of it is one proxy in front.
  if (['true', 'yes', 'on'].includes(v)) return { kind: 'hops', hops: 1 };
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return hops <= 20 ? { kind: 'hops', hops } : null;
  }
  const ranges = v.split(',').map((part) => part.trim()).filter(Boolean);
  const valid = ranges.every((range) => isPlainAddress(range.split('/')[0]) && (!range.includes('/') || isCidr(range)));
  return valid && ranges.length > 0 ? { kind: 'addresses', ranges } : null;
}

/** Dotted-quad IPv4 or IPv6 (ipaddr.js would also take forms like "10" or "0x7f.1"). */
function isPlainAddress(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text);
}

function isCidr(range: string): boolean {
  try {
    ipaddr.parseCIDR(range);
    return true;
  } catch {
    return false;
  }
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Kumbaya cannot start: ${problems.length === 1 ? 'a setting is' : 'some settings are'} wrong.\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Reads and validates settings; throws a ConfigError listing every problem with how to fix it. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => issue.message));
  }
  const e = parsed.data;
  const port = e.PORT ?? 3000;
  const siteUrl = (e.SITE_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  const mailFrom = e.MAIL_FROM?.trim() || `Kumbaya <noreply@${new URL(siteUrl).hostname}>`;
  return {
    port,
    host: e.HOST || '0.0.0.0',
    siteUrl,
    dataDir: path.resolve(e.DATA_DIR || 'data'),
    databaseUrl: e.DATABASE_URL || null,
    databaseListenUrl: e.DATABASE_LISTEN_URL || null,
    databasePoolSize: e.DATABASE_POOL_SIZE ?? 20,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS ?? true,
    liveStreamsMax: e.LIVE_STREAMS_MAX ?? 1000,
    demo: e.KUMBAYA_DEMO ?? true,
    logLevel: e.LOG_LEVEL ?? 'info',
    secretKey: e.SECRET_KEY || null,
    uploadMaxBytes: e.UPLOAD_MAX_BYTES ?? 5 * 1024 * 1024,
    importMaxBytes: e.IMPORT_MAX_BYTES ?? 100 * 1024 * 1024,
    trustProxy: e.TRUST_PROXY,
    pageCache: e.PAGE_CACHE ?? true,
    conversationCache: e.CONVERSATION_CACHE ?? true,
    schedulerIntervalMs: e.SCHEDULER_INTERVAL_MS ?? 5000,
    smtpUrl: e.SMTP_URL || null,
    mailFrom,
    outboxIntervalMs: e.OUTBOX_INTERVAL_MS ?? 2000,
    akismetKey: e.AKISMET_KEY?.trim() || null,
    akismetEndpoint: (e.AKISMET_ENDPOINT || 'https://rest.akismet.com/1.1/').replace(/\/*$/, '/'),
    sitemapUrlLimit: e.SITEMAP_URL_LIMIT ?? 50_000,
    webmentionAllowPrivate: e.WEBMENTION_ALLOW_PRIVATE ?? false,
    jobsIntervalMs: e.JOBS_INTERVAL_MS ?? 5000,
    fediverse: e.FEDIVERSE ?? true,
    fediverseHandle: e.FEDIVERSE_HANDLE || 'blog',
    fediverseAllowPrivate: e.FEDIVERSE_ALLOW_PRIVATE ?? false,
    fediverseInboxLimit: e.FEDIVERSE_INBOX_LIMIT ?? 600,
  };
}

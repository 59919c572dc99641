import type { Fediverse } from '../adapters/federation/fediverse.ts';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { AccountLinkService } from '../core/account-links.ts';
import type { AuthService } from '../core/auth-service.ts';
import type { ChangeFeed } from '../core/change-feed.ts';
import type { Clock } from '../core/clock.ts';
import type { PostService } from '../core/post-service.ts';
import type { PostIdeaService } from '../core/post-ideas.ts';
import type { PersonRights } from '../core/person-rights.ts';
import type { CommentService, SpamDefence } from '../core/comment-service.ts';
import type { CommentSettings } from '../core/comment-settings.ts';
import type { SiteSettings } from '../core/site-settings.ts';
import type { SubscriptionService } from '../core/subscription-service.ts';
import type { WebmentionService } from '../core/webmention-service.ts';
import type { WhoIs } from '../core/who-is.ts';
import type { MediaLibrary } from '../core/media.ts';
import type { Session, Store, User } from '../core/store.ts';
import type { Assets } from './assets.ts';
import type { ConversationCache } from './conversation-cache.ts';
import type { LiveStreams } from './live-streams.ts';
import type { PageCache, PageHole } from './page-cache.ts';

/** Everything the web layer needs, built once in compose.ts (or a test) and passed in. */
export interface WebDeps {
  config: Config;
  store: Store;
  clock: Clock;
  posts: PostService;
  auth: AuthService;
  /** Password-reset and invitation links sent by email. */
  accounts: AccountLinkService;
  comments: CommentService;
  /** Comment and moderation settings, cached until a change is published. */
  commentSettings: () => Promise<CommentSettings>;
  spam: SpamDefence;
  logger: Logger;
  pageCache: PageCache;
  conversationCache: ConversationCache;
  changes: ChangeFeed;
  /** The live comment streams this instance holds open (capped by LIVE_STREAMS_MAX). */
  liveStreams: LiveStreams;
  assets: Assets;
  /** Secret for signing (CSRF for signed-out forms, later signed links). */
  secret: string;
  /** Current site settings, cached until a change is published. */
  site: () => Promise<SiteSettings>;
  /** Email: readers' subscriptions, and the outbox worker to wake after mail was written. */
  mail: {
    /** Where mail goes ("smtp.example.com:587"), or null when SMTP_URL is unset and mail waits in the outbox. */
    transport: string | null;
    subscriptions: SubscriptionService;
    /** Sends due mail now instead of at the next poll. */
    wake(): void;
  };
  /** Webmention and pingback, received and sent. */
  webmentions: WebmentionService;
  /** The background job queue, to run a retried job now. */
  jobs: { wake(): void };
  /** "Who is this?": when to look a person's website up (in the job queue). */
  whoIs: WhoIs;
  /** Uploads: cleaned on the way in, described, deleted when unused; their variants come from the job queue. */
  media: MediaLibrary;
  /** ActivityPub (FEDIVERSE): Fedify, loaded on the first federation request; null when off. */
  fediverse?: Fediverse | null;
  /** Comments turned into post ideas, and telling their writers (core/post-ideas.ts). */
  postIdeas: PostIdeaService;
  /** One person's data exported, and forgetting a person (core/person-rights.ts). */
  personRights: PersonRights;
}

export interface AppEnv {
  Variables: {
    deps: WebDeps;
    user: User | null;
    session: Session | null;
    /** The token forms must send back (session-bound, or bound to the kb_csrf cookie). */
    csrfToken: string;
    site: SiteSettings;
    requestId: string;
    /** The HTML a public route rendered, kept so the page cache need not read the Response back. */
    pageBody: Buffer<ArrayBuffer> | undefined;
    /** A part of the rendered page that must be fresh on every response (see PageHole). */
    pageHole: PageHole | undefined;
  };
}

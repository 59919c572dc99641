import fs from 'node:fs';
import pino, { type Logger } from 'pino';
import type { Config } from './config/config.ts';
import { openChangeFeed, openStore } from './adapters/storage/open-store.ts';
import { AccountLinkService } from './core/account-links.ts';
import { AuthService } from './core/auth-service.ts';
import { forgetBefore } from './core/login-throttle.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { PostService } from './core/post-service.ts';
import { PostIdeaService } from './core/post-ideas.ts';
import { PersonRights } from './core/person-rights.ts';
import { CommentService } from './core/comment-service.ts';
import { readCommentSettings, type CommentSettings } from './core/comment-settings.ts';
import { createSpamDefence } from './adapters/spam-defence.ts';
import { createCommentNotifications } from './adapters/comment-notifications.ts';
import type { Mailer } from './core/mailer.ts';
import { SubscriptionService } from './core/subscription-service.ts';
import { OutboxWorker } from './jobs/outbox-worker.ts';
import { JobQueue } from './jobs/job-queue.ts';
import { WebmentionService } from './core/webmention-service.ts';
import { safeFetch } from './adapters/safe-fetch.ts';
import { registerWebmentionJobs } from './adapters/webmention/webmention-jobs.ts';
import { registerWhoIsJob } from './adapters/who-is/who-is-job.ts';
import { FORGET_PROFILES_MS, WhoIs } from './core/who-is.ts';
import { MediaLibrary, variantsJob, type ImageProcessor } from './core/media.ts';
import type { JobWrite } from './core/jobs.ts';
import { SharpImages } from './adapters/images/sharp-images.ts';
import { registerUploadVariantsJob } from './jobs/upload-variants-job.ts';
import { readSiteSettings, type SiteSettings } from './core/site-settings.ts';
import type { Store } from './core/store.ts';
import { randomToken } from './core/tokens.ts';
import { Scheduler } from './jobs/scheduler.ts';
import { Fediverse } from './adapters/federation/fediverse.ts';
import { createApp } from './web/app.ts';
import { Assets } from './web/assets.ts';
import type { WebDeps } from './web/context.ts';
import { ConversationCache } from './web/conversation-cache.ts';
import { PageCache } from './web/page-cache.ts';
import { LiveStreams } from './web/live-streams.ts';

const KUMBAYA_VERSION = (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface Kumbaya {
  deps: WebDeps;
  app: ReturnType<typeof createApp>;
  scheduler: Scheduler;
  /** Sends the mail outbox; start it with the scheduler. */
  outbox: OutboxWorker;
  /** The background job queue (webmentions); start it with the scheduler. */
  jobs: JobQueue;
  /** ActivityPub, loaded on first use; null with FEDIVERSE=false. */
  fediverse: Fediverse | null;
  close(): Promise<void>;
}

export interface ComposeOptions {
  clock?: Clock;
  logger?: Logger;
  /** Use this store instead of opening one from the config (tests, the memory store). */
  store?: Store;
  /** PostgreSQL schema (tests isolate themselves this way). */
  pgSchema?: string;
  /** Send mail through this instead of SMTP_URL's server (tests). */
  mailer?: Mailer;
  /** Decode and encode images with this instead of sharp (tests). */
  images?: ImageProcessor;
}

/** Uploads whose variants were never made (from before migration 022, or restored) go to the job queue, 200 an hour. */
async function queueUnprocessedUploads(store: Store, enqueue: (job: JobWrite) => Promise<boolean>): Promise<number> {
  let queued = 0;
  for (const hash of await store.uploads.unprocessed(200)) if (await enqueue(variantsJob(hash))) queued++;
  return queued;
}

export { databaseTarget, openStore } from './adapters/storage/open-store.ts';

/**
 * The composition root's body: builds every adapter and service from the config and
 * hands them to the web app. start.ts, the CLI and the tests all start Kumbaya here.
 */
export async function composeKumbaya(config: Config, options: ComposeOptions = {}): Promise<Kumbaya> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { app: 'kumbaya' } });
  const clock = options.clock ?? systemClock;
  const store = options.store ?? (await openStore(config, options.pgSchema));
  const changes = await openChangeFeed(config, store, { logger, clock, pgSchema: options.pgSchema });
  const liveStreams = new LiveStreams(config.liveStreamsMax);
  const pageCache = new PageCache({ enabled: config.pageCache });
  const conversationCache = new ConversationCache({ enabled: config.conversationCache });

  // The settings table, read once and parsed into both views, until a change is published;
  // `read` holds them once the reading is done, for callers that must not wait.
  type SettingsEntry = { reading: Promise<{ site: SiteSettings; comments: CommentSettings }>; read?: { site: SiteSettings; comments: CommentSettings } };
  let settingsCache: SettingsEntry | null = null;
  const settings = () => {
    if (!settingsCache) {
      const entry: SettingsEntry = { reading: store.settings.getAll().then((all) => ({ site: readSiteSettings(all), comments: readCommentSettings(all) })) };
      settingsCache = entry;
      entry.reading.then(
        (read) => {
          entry.read = read;
        },
        () => {
          if (settingsCache === entry) settingsCache = null;
        },
      );
    }
    return settingsCache.reading;
  };
  const site = async () => (await settings()).site;
  const commentSettings = async () => (await settings()).comments;

  let scheduler: Scheduler | null = null;
  let outbox: OutboxWorker | null = null;
  changes.subscribe((topic) => {
    pageCache.clear();
    conversationCache.clear();
    settingsCache = null;
    if (topic === 'post-scheduled') scheduler?.wake();
    // A comment went live or was moderated: the mail it caused is in the outbox now.
    if (topic.startsWith('comments-changed')) outbox?.wake();
  });

  let webmentions: WebmentionService | null = null;
  let postIdeas: PostIdeaService | null = null;
  const posts = new PostService({
    store,
    clock,
    onContentChanged: (reason) => changes.publish(reason),
    onPostChanged: async (before, after) => {
      try {
        await webmentions?.postChanged(before, after);
      } catch (error) {
        logger.error({ err: error, postId: after.id }, 'webmentions could not be queued');
      }
      try {
        // A post made from a comment whose author asked to tell its writer: the mail, once it is live.
        if (await postIdeas?.postChanged(before, after)) outbox?.wake();
      } catch (error) {
        logger.error({ err: error, postId: after.id }, 'the mail telling a commenter about their post idea could not be written');
      }
      try {
        // Followers' servers: Create, Update or Delete, queued (`fediverse` is made below, once the comments exist).
        await fediverse?.postChanged(before, after);
      } catch (error) {
        logger.error({ err: error, postId: after.id }, 'fediverse deliveries could not be queued');
      }
    },
  });
  const auth = new AuthService({ store, clock });
  const secret = config.secretKey ?? (await store.settings.setIfAbsent('secret_key', randomToken(32)));

  const spam = createSpamDefence({ config, secret, logger, store, changes });
  const notifications = createCommentNotifications({ config, secret, site, siteNow: () => settingsCache?.read?.site ?? null, clock });
  let fediverse: Fediverse | null = null;
  let whoIs: WhoIs | null = null;
  const newcomer = async (personId: number) => {
    try {
      await whoIs?.newcomer(personId);
    } catch (error) {
      // The comment is committed already: a look-up that cannot be queued is logged, never the reader's problem.
      logger.error({ err: error, personId }, 'who is this: the look-up could not be queued');
    }
  };
  const comments = new CommentService({
    store,
    clock,
    settings: commentSettings,
    spam,
    notifications,
    publish: (topic) => changes.publish(topic),
    newcomer,
    // A staff answer to a comment from the fediverse goes to its author (after the commit, never holding up the request).
    onStaffReply: (reply, parent) => {
      fediverse?.staffReplied(reply, parent).catch((error: unknown) => logger.error({ err: error, commentId: reply.id }, 'fediverse: the answer could not be queued'));
    },
  });

  // nodemailer loads only when there is a mail server to talk to (it is a tenth of start-up).
  const mailer =
    options.mailer ??
    (config.smtpUrl
      ? new (await import('./adapters/mail/smtp-mailer.ts')).SmtpMailer({ url: config.smtpUrl, from: config.mailFrom, siteUrl: () => config.siteUrl })
      : null);
  outbox = new OutboxWorker({ store, mailer, clock, logger, intervalMs: config.outboxIntervalMs, digests: { site, siteUrl: () => config.siteUrl, secret } });
  const jobs = new JobQueue({ store, clock, logger, intervalMs: config.jobsIntervalMs });
  webmentions = new WebmentionService({ store, clock, siteUrl: () => config.siteUrl, comments, enqueue: (job) => jobs.enqueue(job), linksOf: async (html, base) => (await import('./adapters/webmention/html-links.ts')).outgoingLinks(html, base), publish: (topic) => changes.publish(topic) });
  registerWebmentionJobs(jobs, { store, clock, webmentions, fetch: safeFetch, logger, allowPrivate: config.webmentionAllowPrivate, siteUrl: () => config.siteUrl });
  whoIs = new WhoIs({ store, clock, enqueue: (job) => jobs.enqueue(job) });
  registerWhoIsJob(jobs, { store, clock, fetch: safeFetch, logger, allowPrivate: config.webmentionAllowPrivate, siteUrl: () => config.siteUrl });
  // sharp loads with the first upload or variants job, never at start-up.
  const media = new MediaLibrary({ store, clock, images: options.images ?? new SharpImages(), enqueue: (job) => jobs.enqueue(job), publish: (topic) => changes.publish(topic) });
  registerUploadVariantsJob(jobs, media);
  const subscriptions = new SubscriptionService({ store, clock, site, siteUrl: () => config.siteUrl });
  const accounts = new AccountLinkService({ store, clock, site, siteUrl: () => config.siteUrl });
  postIdeas = new PostIdeaService({ store, clock, posts, site, siteUrl: () => config.siteUrl });
  const personRights = new PersonRights({ store, clock, siteUrl: () => config.siteUrl, publish: (topic) => changes.publish(topic) });
  const mail = { transport: mailer?.description ?? null, subscriptions, wake: () => outbox!.wake() };

  const assets = new Assets();
  fediverse = config.fediverse
    ? new Fediverse({ store, clock, site, comments, siteUrl: config.siteUrl, handle: config.fediverseHandle, allowPrivate: config.fediverseAllowPrivate, fetch: safeFetch, iconUrl: `${config.siteUrl}${assets.url('favicon.svg')}`, version: KUMBAYA_VERSION, logger, publish: (topic) => changes.publish(topic), database: { config, pgSchema: options.pgSchema } })
    : null;
  const deps: WebDeps = {
    config, store, clock, posts, auth, accounts, comments, commentSettings, spam, logger, pageCache, conversationCache, changes, liveStreams, assets, secret, site, mail, webmentions, jobs, whoIs, fediverse, media,
    postIdeas, personRights,
  };
  scheduler = new Scheduler({
    posts,
    store,
    clock,
    logger,
    intervalMs: config.schedulerIntervalMs,
    hourly: [
      { name: 'trashed comments purged after 30 days', run: () => comments.purgeTrash(30) },
      { name: 'finished background jobs removed after 30 days', run: () => store.jobs.deleteDone(clock.now() - 30 * 86_400_000) },
      { name: 'forgotten sign-in failures removed', run: () => store.loginFailures.deleteStale(forgetBefore(clock.now())) },
      { name: 'used and expired account links removed after 7 days', run: () => store.accountTokens.deleteSpent(clock.now() - 7 * 86_400_000) },
      { name: 'websites\' h-cards not read for 30 days removed', run: () => store.whoIs.deleteProfilesBefore(clock.now() - FORGET_PROFILES_MS) },
      { name: 'uploads without smaller copies queued', run: () => queueUnprocessedUploads(store, (job) => jobs.enqueue(job)) },
      // Live streams resume from the log: a browser away for a day reloads instead.
      { name: 'change log entries older than a day removed', run: () => store.changeLog.prune(clock.now() - 86_400_000) },
      ...(fediverse ? [{ name: 'expired fediverse cache entries removed', run: () => fediverse.housekeeping() }] : []),
    ],
  });
  const app = createApp(deps);

  return {
    deps,
    app,
    scheduler,
    outbox,
    jobs,
    fediverse,
    async close() {
      await fediverse?.close();
      await scheduler!.stop();
      await outbox!.stop();
      await jobs.stop();
      await mailer?.close();
      await changes.close();
      await store.close();
    },
  };
}

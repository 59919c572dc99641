import { ConfigError, loadConfig } from './config/config.ts';
import { composeKumbaya } from './compose.ts';
import { seedDemo } from './demo/seed-demo.ts';
import { closeGracefully, createServer, listen } from './web/server.ts';
import { SPAM_MODEL_CHANGED, seedSpamFilter } from './adapters/spam-defence.ts';

/** What a person starting Kumbaya without SMTP_URL needs to know: nothing is sent, how much waits, how to fix it. */
function mailNotice(waiting: number): string {
  const count = waiting === 1 ? '1 email waits' : `${waiting} emails wait`;
  return `Email is not being sent: SMTP_URL is not set, so ${count} in the outbox. Set SMTP_URL (e.g. smtp://user:pass@smtp.example.com:587; see "Configuration" in the README) and restart.`;
}

/** Starts Kumbaya: settings, storage and migrations, demo content, setup link, HTTP server, scheduler. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  const kumbaya = await composeKumbaya(config);
  const { deps, app, scheduler } = kumbaya;
  const { logger } = deps;

  // Listen first, so that a health check answers as soon as possible; the first-start
  // work (demo content, the spam filter's seed) follows, and the banner comes after it.
  const server = createServer(app, deps.pageCache, config.siteUrl);
  const address = await listen(server, config.port, config.host);
  // PORT=0 picks a free port; without an explicit SITE_URL, links must name the real one.
  if (config.port === 0 && !process.env.SITE_URL) config.siteUrl = `http://localhost:${address.port}`;

  if (config.demo && (await seedDemo(deps.store, deps.posts, deps.clock.now()))) {
    logger.info('demo content created: the post "You CAN\'T Fail in Social Media" and its conversation');
  }
  const learned = await seedSpamFilter(deps.store, deps.clock.now());
  if (learned > 0) {
    logger.info({ comments: learned }, 'spam filter seeded from the labelled corpus');
    deps.changes.publish(SPAM_MODEL_CHANGED);
  }

  scheduler.start();
  kumbaya.outbox.start();
  kumbaya.jobs.start();
  // Fedify loads at start-up only when deliveries are waiting; otherwise on first use.
  await kumbaya.fediverse?.resumeIfPending();
  const mailWaiting = deps.mail.transport ? 0 : (await deps.store.outbox.countByStatus()).pending;
  if (!deps.mail.transport) logger.warn({ waiting: mailWaiting }, 'SMTP_URL is not set: email waits in the outbox until it is');
  logger.info({ port: address.port, host: config.host, store: deps.store.kind }, `Kumbaya is running at ${config.siteUrl}`);

  // Before the banner: whoever waits for it may signal at once, and until a handler is
  // installed the operating system's default for SIGTERM ends the process on the spot.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    deps.liveStreams.closeAll();
    await closeGracefully(server);
    await kumbaya.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  // In plain words on stderr too, for a person watching the terminal (whatever LOG_LEVEL says).
  let banner = `\n  Kumbaya is running at ${config.siteUrl} (${deps.store.kind})\n`;
  if (!deps.mail.transport) banner += `  ${mailNotice(mailWaiting)}\n`;
  const setupToken = await deps.auth.pendingSetupToken();
  if (setupToken) {
    const link = `${config.siteUrl}/setup/${setupToken}`;
    logger.info({ setupLink: link }, 'claim this site: open the setup link to create the owner account');
    banner += `  Claim your site (this link works once): ${link}\n`;
  }
  process.stderr.write(`${banner}\n`);
}

/**
 * Starts Kumbaya (src/main.js calls it; importing this module starts nothing, so the install
 * step can compile it into the cache). On failure: one line (the whole error with
 * LOG_LEVEL=debug) and exit code 1.
 */
export function start(): void {
  main().catch((error) => {
    console.error('Kumbaya could not start:', error instanceof Error ? error.message : error);
    if (process.env.LOG_LEVEL === 'debug') console.error(error);
    process.exit(1);
  });
}

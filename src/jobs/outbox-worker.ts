import { Poller } from './poller.ts';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import { PermanentMailError, redactedAfterSending, type Mailer } from '../core/mailer.ts';
import { commentsForDigest, digestEmail, notificationModeOf } from '../core/notification-service.ts';
import type { OutboxMessage, Store } from '../core/store.ts';

/** Waits before attempts 2, 3, … 8; after the 8th failed attempt the message is marked failed (about 43 hours in all). */
export const RETRY_DELAYS_MS = [30_000, 2 * 60_000, 10 * 60_000, 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 24 * 3_600_000];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
const DAY = 86_400_000;

/** When to try again after the `attempts`-th attempt failed at `now`, or null to give up. */
export function nextAttemptAt(attempts: number, now: number): number | null {
  return attempts >= MAX_ATTEMPTS ? null : now + RETRY_DELAYS_MS[Math.max(0, attempts - 1)];
}

export interface OutboxWorkerDeps {
  store: Store;
  /** Null when SMTP_URL is unset: mail waits in the outbox and nothing is sent. */
  mailer: Mailer | null;
  clock: Clock;
  logger: Logger;
  /** How often to look for due messages (OUTBOX_INTERVAL_MS). */
  intervalMs: number;
  /** For the authors' daily digests; without it no digest is written. */
  digests?: { site: () => Promise<{ title: string }>; siteUrl: () => string; secret: string };
  /** Messages claimed at a time. */
  batchSize?: number;
  /** How long a claimed message stays reserved for this worker; longer than one send can take (SMTP timeouts are 30 s). */
  lockMs?: number;
}

export interface TickResult {
  sent: number;
  /** Failed attempts that will be retried. */
  retrying: number;
  /** Messages given up on (status failed). */
  gaveUp: number;
}

/**
 * Sends what the outbox holds. Every instance may run one: a message is claimed with a
 * conditional UPDATE that locks it for `lockMs`, so two workers never send it at the same
 * time, and a worker that dies holding it only delays it until the lock runs out.
 *
 * Delivery is at least once, with a stable Message-ID: the message is marked sent after
 * the SMTP server accepted it, so a crash (or a lost database connection) between the two
 * sends it again, with the same Message-ID derived from its idempotency key. An SMTP
 * outage only delays mail: failed attempts are retried after 30 s, 2 min, 10 min, 1 h,
 * 6 h, 12 h and 24 h; after the 8th the message is marked failed, shown in the admin with
 * a Retry button. A permanent refusal (5xx, e.g. no such mailbox) is marked failed at once.
 *
 * Once a day (UTC) it also writes the digest of the previous day's comments for each
 * author who chose one, keyed by user and day, so several instances write it once.
 */
export class OutboxWorker {
  private readonly deps: OutboxWorkerDeps;
  private readonly poller: Poller<TickResult>;
  private digestsWrittenFor = -1;

  constructor(deps: OutboxWorkerDeps) {
    this.deps = deps;
    this.poller = new Poller(() => this.run(), deps.intervalMs, { idleUntilStarted: false });
  }

  /** True when mail can leave (SMTP_URL is set). */
  get sending(): boolean {
    return this.deps.mailer !== null;
  }

  start(): void {
    this.poller.start();
  }

  /** Something was enqueued or retried: send now rather than at the next poll. */
  wake(): void {
    this.poller.wake();
  }

  /** One round: digests due, then every due message. Concurrent calls share the round in progress. */
  tick(): Promise<TickResult> {
    return this.poller.tick();
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  private async run(): Promise<TickResult> {
    const result: TickResult = { sent: 0, retrying: 0, gaveUp: 0 };
    try {
      await this.writeDigests();
    } catch (error) {
      this.deps.logger.error({ err: error }, 'daily digests could not be written; will try again');
    }
    const { mailer, store, clock, logger } = this.deps;
    if (!mailer) return result;
    const batchSize = this.deps.batchSize ?? 20;
    const lockMs = this.deps.lockMs ?? 120_000;
    try {
      // Bounded, so one round never runs forever while mail keeps arriving; the next poll goes on.
      for (let round = 0; round < 50 && !this.poller.stopped; round++) {
        const claimed = await store.outbox.claimDue(clock.now(), batchSize, lockMs);
        // As many at a time as the mailer sends at once (its pool's connections), each lane taking the next.
        let next = 0;
        const lane = async () => {
          while (next < claimed.length) {
            const message = claimed[next++];
            try {
              await this.deliver(mailer, message, result);
            } catch (error) {
              // The outbox could not be written (database gone?): the message stays locked, then is sent again with the same Message-ID.
              logger.error({ err: error, outboxId: message.id }, 'outbox could not record a sending; it will be retried');
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(mailer.parallel ?? 1, claimed.length) }, lane));
        if (claimed.length < batchSize) break;
      }
    } catch (error) {
      logger.error({ err: error }, 'outbox round failed; will retry');
    }
    return result;
  }

  private async deliver(mailer: Mailer, message: OutboxMessage, result: TickResult): Promise<void> {
    const { store, clock, logger } = this.deps;
    try {
      await mailer.send(message);
    } catch (error) {
      const attempts = message.attempts + 1;
      const text = error instanceof Error ? error.message : String(error);
      const retryAt = error instanceof PermanentMailError ? null : nextAttemptAt(attempts, clock.now());
      await store.outbox.markFailed(message.id, text, retryAt, clock.now());
      const fields = { outboxId: message.id, kind: message.kind, attempts, error: text };
      if (retryAt === null) {
        result.gaveUp++;
        logger.error(fields, 'mail could not be delivered; gave up (see Admin → Mail)');
      } else {
        result.retrying++;
        logger.warn({ ...fields, retryAt: new Date(retryAt).toISOString() }, 'mail not delivered yet; will retry');
      }
      return;
    }
    // Accepted by the server. Should this write fail, the lock runs out and the message is sent again, with the same Message-ID.
    await store.outbox.markSent(message.id, clock.now(), redactedAfterSending(message.kind));
    result.sent++;
    logger.info({ outboxId: message.id, kind: message.kind }, 'mail sent');
  }

  /** Yesterday's digest (UTC) for every author who chose one, once per day and process. */
  private async writeDigests(): Promise<void> {
    const digests = this.deps.digests;
    if (!digests) return;
    const { store, clock } = this.deps;
    const now = clock.now();
    const today = Math.floor(now / DAY) * DAY;
    if (this.digestsWrittenFor === today) return;
    const from = today - DAY;
    const day = new Date(from).toISOString().slice(0, 10);
    const settings = await store.settings.getAll();
    const readers = (await store.users.list()).filter((u) => notificationModeOf(settings, u.id) === 'digest');
    if (readers.length > 0) {
      const [site, siteUrl] = [await digests.site(), digests.siteUrl()];
      for (const user of readers) {
        const entries = await commentsForDigest(store, user, from, today);
        if (entries.length === 0) continue;
        await store.outbox.enqueue(digestEmail({ user, day, entries, site, siteUrl, secret: digests.secret, now }), now);
      }
    }
    this.digestsWrittenFor = today;
  }
}

import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { CATCH_UP_BATCH, CHANGES_MISSED, type ChangeEvent } from '../core/change-feed.ts';
import { DomainError } from '../core/errors.ts';
import type { AppEnv } from './context.ts';

/** Seconds a reader turned away (every live place taken) is told to wait. */
const LIVE_RETRY_SECONDS = 30;

/** A Last-Event-ID the stream wrote (a change log id), or null. */
function lastEventId(header: string | undefined): number | null {
  if (!header || !/^[0-9]{1,15}$/.test(header.trim())) return null;
  return Number(header.trim());
}

/**
 * Approved comments of one post, live, as server-sent events: the blog's own pages
 * (routes/comments.ts) and the embed on other sites (routes/api-embed.ts) both answer with
 * it, once they have checked the reader may read the post. Each event carries its id in the
 * change log, so a browser that reconnects (EventSource does, sending the last id as
 * Last-Event-ID, to whichever instance answers) is sent what it missed. The instance's cap
 * on open streams (live-streams.ts) applies: past it, 503 with Retry-After.
 */
export function streamApprovedComments(c: Context<AppEnv>, postId: number): Response {
  const { changes, liveStreams } = c.get('deps');
  const place = liveStreams.take();
  if (!place) {
    throw new DomainError('live_streams_full', 'This server has as many live readers as it can take: reload the page in a while to see new comments.', {}, { retryAfterSeconds: LIVE_RETRY_SECONDS });
  }
  c.header('Cache-Control', 'no-store');
  c.header('X-Accel-Buffering', 'no');
  const resumeAfter = lastEventId(c.req.header('last-event-id'));
  return streamSSE(c, async (stream) => {
    place.hold(stream);
    const prefix = `comment-approved:${postId}:`;
    let written = 0;
    let replaying = true;
    const arrived: ChangeEvent[] = [];
    // Ids only grow on the stream: whatever came twice (the log, then the feed) goes once.
    const send = (event: ChangeEvent) => {
      if (event.id <= written) return;
      written = event.id;
      const message =
        event.topic === CHANGES_MISSED ? { event: 'missed', id: String(event.id), data: '{}' } : { event: 'comment', id: String(event.id), data: JSON.stringify({ id: Number(event.topic.slice(prefix.length)) }) };
      void stream.writeSSE(message);
    };
    const unfollow = changes.follow((event) => {
      if (event.topic !== CHANGES_MISSED && !event.topic.startsWith(prefix)) return;
      if (replaying) arrived.push(event);
      else send(event);
    });
    const leave = () => {
      unfollow();
      place.release();
    };
    stream.onAbort(leave);
    try {
      if (resumeAfter !== null) {
        const missed = await changes.after(resumeAfter, prefix).catch(() => null);
        // Too old (pruned), from another site, or unreadable now: the page says to reload.
        if (missed === null || missed.length >= CATCH_UP_BATCH) send({ id: changes.head, topic: CHANGES_MISSED, at: 0 });
        else for (const event of missed) send(event);
      }
      replaying = false;
      for (const event of arrived) send(event);
      written = Math.max(written, changes.head);
      await stream.writeSSE({ event: 'ready', id: String(written), data: '{}', retry: 5000 });
      while (!stream.aborted && !stream.closed) {
        await stream.sleep(25_000);
        if (!stream.aborted) await stream.writeSSE({ event: 'ping', data: '{}' });
      }
    } finally {
      leave();
    }
  });
}

import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.ts';
import type { Job } from '../../core/jobs.ts';
import type { Store } from '../../core/store.ts';
import { WHO_IS_JOB, type NothingFound, type ProfileReading, type PublicProfile } from '../../core/who-is.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import { FetchRefused, type RefusalCode, type SafeFetch } from '../safe-fetch.ts';
// The microformats reader loads with the first look-up, not with the server.

export interface WhoIsJobDeps {
  store: Store;
  clock: Clock;
  fetch: SafeFetch;
  logger: Logger;
  /** WEBMENTION_ALLOW_PRIVATE: tests (and closed networks) read pages on private addresses. */
  allowPrivate: boolean;
  siteUrl: () => string;
  /** The fetcher's deadline (default 10 s; tests shorten it). */
  timeoutMs?: number;
}

/** Timeouts and network errors are tried this many times in all (the outcome is stored after each). */
const ATTEMPTS = 3;

const refusals: Record<RefusalCode, NothingFound> = {
  'bad-url': 'not-a-web-address',
  scheme: 'not-a-web-address',
  'private-address': 'private-address',
  'too-many-redirects': 'redirect-loop',
  'too-large': 'too-large',
  timeout: 'timeout',
  network: 'unreachable',
};

/** A content type as a plain `type/subtype` (what a stranger's header says is never shown whole). */
const mediaType = (header: string | undefined) => /^\s*([\w.+-]{1,40}\/[\w.+-]{1,60})/.exec(header ?? '')?.[1]?.toLowerCase() ?? null;

/**
 * Reads one website through the SSRF-safe fetcher (its address checks, 10 s deadline,
 * 1 MB, 5 redirects) and says what its representative h-card holds, or why nothing was
 * found. Error messages from the network are never kept: they can name the addresses a
 * host resolved to. Returns `retry` for what may pass (a timeout, a network error).
 */
export async function lookUpWebsite(website: string, deps: Pick<WhoIsJobDeps, 'fetch' | 'allowPrivate' | 'siteUrl' | 'timeoutMs'>): Promise<ProfileReading & { retry?: boolean }> {
  let page;
  try {
    page = await deps.fetch(website, { allowPrivate: deps.allowPrivate, userAgent: `Kumbaya (who is this?; +${deps.siteUrl()})`, accept: 'text/html, application/xhtml+xml;q=0.9', timeoutMs: deps.timeoutMs });
  } catch (error) {
    if (error instanceof FetchRefused) return { found: false, reason: refusals[error.code], retry: !error.permanent };
    return { found: false, reason: 'unreachable', retry: true };
  }
  if (page.status >= 300) return { found: false, reason: 'http-error', reasonDetail: String(page.status), retry: page.status >= 500 };
  const type = mediaType(page.header('content-type'));
  if (!type || !/^(text\/html|application\/xhtml\+xml)$/.test(type)) return { found: false, reason: 'not-html', reasonDetail: type };
  const { readProfile } = await import('./h-card.ts');
  return readProfile(page.body, page.url);
}

/** Registers the look-up on the job queue: the job reads the website and stores what it found, or why nothing was. */
export function registerWhoIsJob(queue: JobQueue, deps: WhoIsJobDeps): void {
  queue.register(WHO_IS_JOB, async (job: Job) => {
    const website = String(job.payload.website ?? '');
    // Nobody holds this website any more (merged away, forgotten): nothing to learn about.
    const holder = (await deps.store.people.findByIdentity('website', website)) ?? (await deps.store.people.findByIdentity('webmention', website));
    if (!holder) return;
    const reading = await lookUpWebsite(website, deps);
    const profile: PublicProfile = reading.found
      ? { website, found: true, reason: null, reasonDetail: null, name: reading.name, note: reading.note, url: reading.url, photo: reading.photo, relMe: reading.relMe, fetchedAt: deps.clock.now() }
      : { website, found: false, reason: reading.reason, reasonDetail: reading.reasonDetail ?? null, name: null, note: null, url: null, photo: null, relMe: [], fetchedAt: deps.clock.now() };
    // A failure that may pass (a timeout) keeps an earlier finding rather than hiding it behind "nothing found".
    const keepEarlier = reading.retry === true && (await deps.store.whoIs.profile(website))?.found === true;
    if (!keepEarlier) await deps.store.whoIs.saveProfile(profile);
    deps.logger.info({ website, found: profile.found, reason: profile.reason }, 'who is this: website read');
    if (reading.retry && job.attempts + 1 < ATTEMPTS) throw new Error(`the look-up of ${website} will be tried again: ${profile.reason}`);
  });
}

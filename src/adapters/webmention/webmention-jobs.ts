import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.ts';
import type { Job } from '../../core/jobs.ts';
import type { Store } from '../../core/store.ts';
import { SEND_JOB, VERIFY_JOB, type WebmentionService } from '../../core/webmention-service.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import { FetchRefused, type SafeFetch, type SafeFetchOptions } from '../safe-fetch.ts';
// The HTML, microformats and XML-RPC readers load with the first job that needs them, not with the server.

export interface WebmentionJobDeps {
  store: Store;
  clock: Clock;
  webmentions: WebmentionService;
  fetch: SafeFetch;
  logger: Logger;
  allowPrivate: boolean;
  siteUrl: () => string;
}

/** After this many failed attempts to reach a source, verification gives up and records why. */
const VERIFY_ATTEMPTS = 4;

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Registers the verify and send handlers on the job queue. */
export function registerWebmentionJobs(queue: JobQueue, deps: WebmentionJobDeps): void {
  const options = (): SafeFetchOptions => ({ allowPrivate: deps.allowPrivate, userAgent: `Kumbaya (webmention; +${deps.siteUrl()})`, accept: 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5' });

  queue.register(VERIFY_JOB, async (job: Job) => {
    const id = Number(job.payload.id);
    const mention = await deps.store.webmentions.findReceived(id);
    if (!mention) return; // its post was deleted
    let page;
    try {
      page = await deps.fetch(mention.source, options());
    } catch (error) {
      const permanent = error instanceof FetchRefused && error.permanent;
      if (!permanent && job.attempts + 1 < VERIFY_ATTEMPTS) throw error;
      await deps.webmentions.applyVerification(id, { kind: 'unreachable', reason: describe(error) });
      return;
    }
    if (page.status === 410) {
      await deps.webmentions.applyVerification(id, { kind: 'gone', status: 410 });
      return;
    }
    if (page.status >= 500 && job.attempts + 1 < VERIFY_ATTEMPTS) throw new Error(`the source answered ${page.status}`);
    if (page.status >= 300) {
      await deps.webmentions.applyVerification(id, { kind: 'no-link', status: page.status });
      return;
    }
    const { readSource } = await import('./source.ts');
    const reading = readSource(page.body, page.header('content-type') ?? '', page.url, mention.target);
    if (reading.unreadable) {
      await deps.webmentions.applyVerification(id, { kind: 'unreadable', reason: reading.unreadable });
      return;
    }
    if (!reading.linksToTarget) {
      await deps.webmentions.applyVerification(id, { kind: 'no-link', status: page.status });
      return;
    }
    const { linksToTarget: _links, unreadable: _unreadable, ...found } = reading;
    await deps.webmentions.applyVerification(id, { kind: 'links', ...found });
  });

  queue.register(SEND_JOB, async (job: Job) => {
    const postId = Number(job.payload.postId);
    const source = String(job.payload.source);
    const target = String(job.payload.target);
    if (!(await deps.store.posts.findById(postId))) return; // deleted for good since
    const record = (patch: Parameters<Store['webmentions']['recordSent']>[2]) => deps.store.webmentions.recordSent(postId, target, { ...patch, attempted: true }, deps.clock.now());
    let page;
    try {
      page = await deps.fetch(target, options());
    } catch (error) {
      await record({ status: 'failed', endpoint: null, httpStatus: null, error: `discovery: ${describe(error)}` });
      // A refusal (private address, too large…) is recorded and final; only timeouts and network errors are retried.
      if (error instanceof FetchRefused && error.permanent) return;
      throw error;
    }
    const [{ endpointOf, pingbackEndpointOf }, { parseAnswer, pingbackCall }] = await Promise.all([import('./discovery.ts'), import('./xmlrpc.ts')]);
    const webmention = endpointOf(page);
    const pingback = webmention ? null : pingbackEndpointOf(page);
    const endpoint = webmention ?? pingback;
    if (!endpoint) {
      await record({ status: 'no-endpoint', endpoint: null, httpStatus: null, error: null });
      return;
    }
    const protocol = webmention ? 'webmention' : 'pingback';
    let answer;
    try {
      answer = webmention
        ? await deps.fetch(endpoint, { ...options(), method: 'POST', accept: '*/*', form: { source, target } })
        : await deps.fetch(endpoint, { ...options(), method: 'POST', accept: 'text/xml', body: { type: 'text/xml', text: pingbackCall(source, target) } });
    } catch (error) {
      await record({ status: 'failed', endpoint, protocol, httpStatus: null, error: describe(error) });
      if (error instanceof FetchRefused && error.permanent) return;
      throw error;
    }
    let ok = answer.status >= 200 && answer.status < 300;
    let error = ok ? null : answer.body.replace(/\s+/g, ' ').trim().slice(0, 300) || null;
    if (pingback && ok) {
      const reply = parseAnswer(answer.body);
      // 0x0030: the server has it already, which is what we wanted.
      ok = reply.ok || reply.code === 0x0030;
      error = reply.ok ? null : `fault ${reply.code}: ${reply.message}`.slice(0, 300);
    }
    await record({ status: ok ? 'sent' : 'failed', endpoint, protocol, httpStatus: answer.status, error });
    if (answer.status >= 500 || answer.status === 429) throw new Error(`the endpoint answered ${answer.status}`);
    deps.logger.info({ postId, target, endpoint, protocol, status: answer.status }, `${protocol} sent`);
  });
}

import type { SpamCheckInput, SpamCheckResult, SpamCheckService } from '../core/spam-check.ts';

/**
 * A client for the Akismet REST API (1.1) or any service speaking it: each call is a
 * form-encoded POST to `<endpoint>comment-check`, `submit-spam` or `submit-ham`, with the
 * key as the `api_key` parameter. comment-check answers the body `true` (spam) or `false`
 * (ham); `X-akismet-pro-tip: discard` marks blatant spam; anything else (`invalid` with an
 * `X-akismet-debug-help` header, an error status, a timeout) is 'unknown'. Never throws.
 */

export const DEFAULT_AKISMET_ENDPOINT = 'https://rest.akismet.com/1.1/';
const submitAccepted = 'Thanks for making the web a better place.';

export interface AkismetOptions {
  /** The API key (AKISMET_KEY). */
  key: string;
  /** The blog's front page, e.g. https://blog.example.com (SITE_URL). */
  blog: string;
  /** Base URL the method names are appended to (AKISMET_ENDPOINT). */
  endpoint?: string;
  /** Give up after this long and answer 'unknown'; default 3000 ms. */
  timeoutMs?: number;
  /** The blog's language(s), e.g. "en" or "en, fr". */
  blogLang?: string;
  /** Sends is_test=1 so the service does not learn from the calls (for staging sites). */
  isTest?: boolean;
  userAgent?: string;
}

type Method = 'comment-check' | 'submit-spam' | 'submit-ham';

export class AkismetClient implements SpamCheckService {
  private readonly options: AkismetOptions;
  private readonly base: URL;

  constructor(options: AkismetOptions) {
    this.options = options;
    const endpoint = options.endpoint || DEFAULT_AKISMET_ENDPOINT;
    this.base = new URL(endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
  }

  async check(input: SpamCheckInput): Promise<SpamCheckResult> {
    const answer = await this.call('comment-check', input);
    if ('error' in answer) return { verdict: 'unknown', discard: false, detail: answer.error };
    const { body, headers } = answer;
    const notice = headers.get('x-akismet-alert-msg') ?? undefined;
    if (body === 'true') {
      const discard = headers.get('x-akismet-pro-tip')?.trim().toLowerCase() === 'discard';
      return { verdict: 'spam', discard, ...(notice ? { detail: notice } : {}) };
    }
    if (body === 'false') return { verdict: 'ham', discard: false, ...(notice ? { detail: notice } : {}) };
    const help = headers.get('x-akismet-debug-help') ?? headers.get('x-akismet-error') ?? notice;
    return { verdict: 'unknown', discard: false, detail: `unexpected answer "${body.slice(0, 100)}"${help ? `: ${help}` : ''}` };
  }

  async submitSpam(input: SpamCheckInput): Promise<boolean> {
    const answer = await this.call('submit-spam', input);
    return !('error' in answer) && answer.body === submitAccepted;
  }

  async submitHam(input: SpamCheckInput): Promise<boolean> {
    const answer = await this.call('submit-ham', input);
    return !('error' in answer) && answer.body === submitAccepted;
  }

  /** The form parameters the protocol defines, from what we know of the comment. */
  params(input: SpamCheckInput): URLSearchParams {
    const params = new URLSearchParams({
      api_key: this.options.key,
      blog: this.options.blog,
      user_ip: input.ip ?? '',
      user_agent: input.userAgent ?? '',
      referrer: input.referrer ?? '',
      permalink: input.permalink,
      comment_type: 'comment',
      comment_author: input.authorName,
      comment_author_email: input.authorEmail,
      comment_author_url: input.authorUrl ?? '',
      comment_content: input.content,
      comment_date_gmt: new Date(input.createdAt ?? Date.now()).toISOString(),
      blog_charset: 'UTF-8',
    });
    if (this.options.blogLang) params.set('blog_lang', this.options.blogLang);
    if (this.options.isTest) params.set('is_test', '1');
    return params;
  }

  private async call(method: Method, input: SpamCheckInput): Promise<{ body: string; headers: Headers } | { error: string }> {
    try {
      const response = await fetch(new URL(method, this.base), {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          'user-agent': this.options.userAgent ?? 'Kumbaya/0.1 | Akismet/1.1',
        },
        body: this.params(input),
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 3000),
      });
      const body = (await response.text()).trim();
      if (!response.ok) return { error: `${method} answered HTTP ${response.status}` };
      return { body, headers: response.headers };
    } catch (error) {
      const e = error as Error;
      const reason = e?.name === 'TimeoutError' ? 'timed out' : (e?.cause as Error | undefined)?.message ?? e?.message ?? String(error);
      return { error: `${method} failed: ${reason}` };
    }
  }
}

/** The client the settings ask for, or null when AKISMET_KEY is not set. */
export function akismetFromConfig(config: { akismetKey: string | null; akismetEndpoint: string; siteUrl: string }): AkismetClient | null {
  if (!config.akismetKey) return null;
  return new AkismetClient({ key: config.akismetKey, endpoint: config.akismetEndpoint, blog: config.siteUrl });
}

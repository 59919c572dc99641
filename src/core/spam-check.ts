/**
 * An outside opinion on a comment (the optional Akismet-compatible check). The core asks
 * through this interface; adapters/akismet.ts speaks the protocol. Implementations never
 * throw: an outage or a bad answer is 'unknown', and the other layers decide alone.
 */

/** What is known about a submitted comment and the request that carried it. */
export interface SpamCheckInput {
  ip: string | null;
  userAgent: string | null;
  referrer: string | null;
  /** The post's public URL. */
  permalink: string;
  authorName: string;
  authorEmail: string;
  authorUrl: string | null;
  /** The body as the commenter wrote it (Markdown). */
  content: string;
  /** Epoch milliseconds the comment was written; defaults to now. */
  createdAt?: number;
}

export interface SpamCheckResult {
  verdict: 'spam' | 'ham' | 'unknown';
  /** The service is sure this is blatant spam that no moderator needs to see (still kept, in spam). */
  discard: boolean;
  /** Why the answer is 'unknown', or a notice the service sent along, for the logs. */
  detail?: string;
}

export interface SpamCheckService {
  check(input: SpamCheckInput): Promise<SpamCheckResult>;
  /** Reports a comment the check let through but the moderator marked spam. True when accepted. */
  submitSpam(input: SpamCheckInput): Promise<boolean>;
  /** Reports a comment the check called spam but the moderator approved. True when accepted. */
  submitHam(input: SpamCheckInput): Promise<boolean>;
}

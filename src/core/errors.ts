/**
 * Expected failures carry a stable `code`; the web layer maps each code to an HTTP status
 * once (src/web/errors.ts). Never branch on `message`.
 */
export type ErrorCode =
  | 'not_found'
  | 'validation_failed'
  /** A body sent as JSON that does not parse. */
  | 'invalid_json'
  | 'slug_taken'
  | 'unauthenticated'
  | 'forbidden'
  | 'csrf_failed'
  | 'rate_limited'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'setup_done'
  | 'comments_closed'
  /** The database cannot write now (disk full, read-only, I/O error): try again later. */
  | 'storage_unavailable'
  /** This instance holds as many live streams as it may (LIVE_STREAMS_MAX): try again later. */
  | 'live_streams_full';

export class DomainError extends Error {
  readonly code: ErrorCode;
  /** Field-level problems for forms and API clients: field name → message. */
  readonly fields: Record<string, string>;
  /** Extra data a caller may show (e.g. retryAfterSeconds). */
  readonly context: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, fields: Record<string, string> = {}, context: Record<string, unknown> = {}) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.fields = fields;
    this.context = context;
  }
}

export const notFound = (what: string) => new DomainError('not_found', `${what} was not found.`);

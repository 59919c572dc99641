import type { OutboxMessage } from './store.ts';

/**
 * The port through which the outbox worker hands a message to the world (SMTP in
 * production: src/adapters/mail/smtp-mailer.ts; memory in tests).
 *
 * Delivery is at-least-once: a worker that crashes after the server accepted a message
 * but before the outbox recorded it as sent will send it again. Every sending of one
 * outbox message carries the same Message-ID (`messageIdFor`), so the copy is
 * recognisable as the same message and mail software that de-duplicates by Message-ID
 * shows it once.
 */
export interface Mailer {
  /** Delivers the message or rejects; a `PermanentMailError` says retrying cannot help. */
  send(message: OutboxMessage): Promise<void>;
  /** Where mail goes, in words for the admin, without credentials ("smtp.example.com:587"). */
  readonly description: string;
  /** How many messages `send` may be given at once (an SMTP pool's connections); 1 when absent. */
  readonly parallel?: number;
  close(): Promise<void>;
}

/** The server refused the message for good (e.g. 550 no such mailbox): retrying would be refused again. */
/**
 * Kinds of mail whose link is a credential (it sets a password or joins the team). Once the
 * mail server has accepted one, the outbox keeps only a note in its place: the link is the
 * recipient's, and a database copy, a backup or the Mail page must not hold it.
 */
const CREDENTIAL_KINDS = new Set(['password-reset', 'invitation']);

/** What an outbox row says instead of a delivered credential mail's body, or undefined to keep the body. */
export function redactedAfterSending(kind: string): string | undefined {
  return CREDENTIAL_KINDS.has(kind) ? 'Delivered. The body held a one-time sign-in link and is not kept once sent.' : undefined;
}

export class PermanentMailError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentMailError';
  }
}

/** Characters RFC 5322 allows in the left part of a Message-ID (dot-atom text), besides the dot. */
const atext = /[A-Za-z0-9!#$%&'*+/?^_`{|}~-]/;

/**
 * The Message-ID of an outbox message: `<key@host>`, derived from its idempotency key and
 * the site's host, so every attempt to send it carries the same one. Characters a
 * Message-ID may not hold (`:`, `@`, spaces…) and `=` itself are written `=XX` (hex
 * UTF-8), which keeps the id readable and distinct keys distinct.
 */
export function messageIdFor(idempotencyKey: string, siteUrl: string): string {
  let left = '';
  const chars = [...idempotencyKey];
  chars.forEach((ch, i) => {
    // A dot may not start or end the part, nor follow another dot.
    const dotAllowed = ch === '.' && i > 0 && i < chars.length - 1 && chars[i - 1] !== '.';
    if ((ch !== '=' && atext.test(ch)) || dotAllowed) left += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) left += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  });
  return `<${left || 'message'}@${new URL(siteUrl).hostname}>`;
}

import nodemailer from 'nodemailer';
import { PermanentMailError, messageIdFor, type Mailer } from '../../core/mailer.ts';
import type { OutboxMessage } from '../../core/store.ts';

export interface SmtpMailerOptions {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465 (TLS from the start). */
  url: string;
  /** The From header, e.g. `Kumbaya <noreply@blog.example.com>`. */
  from: string;
  /** The site's public URL: its host is the right-hand side of every Message-ID. */
  siteUrl: () => string;
}

type Transport = ReturnType<typeof nodemailer.createTransport>;

/** "smtp.example.com:587", never the user name or password. */
export function describeSmtpUrl(url: string): string {
  const parsed = new URL(url);
  const port = parsed.port || (parsed.protocol === 'smtps:' ? '465' : '587');
  return `${parsed.hostname}:${port}${parsed.protocol === 'smtps:' ? ' (TLS)' : ''}`;
}

/** Auth problems are the operator's to fix; the message itself is fine, so those are retried. */
const authCodes = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2']);

/** Connections kept open to the mail server, each sending one message at a time. */
const POOL_CONNECTIONS = 3;

/**
 * Sends outbox messages over SMTP with nodemailer: plain text and HTML alternatives, the
 * message's own headers (List-Unsubscribe…), and a Message-ID derived from its
 * idempotency key, so a message sent twice after a crash carries the same id.
 *
 * Connections are pooled: a server greets each new connection after a pause (smtp-server
 * waits 100 ms for early talkers; Postfix's postscreen, seconds), so a connection per
 * message capped the outbox at a few messages a second. A connection sends up to 100
 * messages and is closed after 10 s idle, before the server's own timeout.
 */
export class SmtpMailer implements Mailer {
  readonly description: string;
  readonly parallel = POOL_CONNECTIONS;
  private readonly options: SmtpMailerOptions;
  private readonly transport: Transport;

  constructor(options: SmtpMailerOptions) {
    this.options = options;
    this.description = describeSmtpUrl(options.url);
    this.transport = nodemailer.createTransport({
      url: options.url,
      pool: true,
      maxConnections: POOL_CONNECTIONS,
      maxMessages: 100,
      idleTimeout: 10_000,
      // A hung server must fail the attempt well within the worker's lock on the message.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async send(message: OutboxMessage): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: message.headers,
        messageId: messageIdFor(message.idempotencyKey, this.options.siteUrl()),
      });
    } catch (error) {
      const e = error as { code?: string; responseCode?: number; message?: string };
      const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600 && e.responseCode !== 503 && !authCodes.has(e.code ?? '');
      if (permanent) throw new PermanentMailError(e.message ?? 'The mail server refused the message.', { cause: error });
      throw error;
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

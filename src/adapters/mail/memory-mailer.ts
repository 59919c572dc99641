import { messageIdFor, type Mailer } from '../../core/mailer.ts';
import type { OutboxMessage } from '../../core/store.ts';

/** What the memory mailer "sent": the message and the Message-ID it went out with. */
export interface SentMail {
  messageId: string;
  message: OutboxMessage;
}

/** A Mailer that keeps messages in a list (tests, demos); `failWith` makes every send reject. */
export class MemoryMailer implements Mailer {
  readonly description = 'memory (nothing leaves this process)';
  readonly sent: SentMail[] = [];
  failWith: Error | null = null;
  private readonly siteUrl: string;

  constructor(siteUrl = 'http://localhost:3000') {
    this.siteUrl = siteUrl;
  }

  async send(message: OutboxMessage): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push({ messageId: messageIdFor(message.idempotencyKey, this.siteUrl), message: structuredClone(message) });
  }

  async close(): Promise<void> {}
}

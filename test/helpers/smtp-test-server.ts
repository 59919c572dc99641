import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message as the SMTP server received it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  /** The whole message as sent (headers and MIME body). */
  raw: string;
  /** Header name (lower case) → value, unfolded, encoded words decoded. */
  headers: Map<string, string>;
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`) as the text they stand for; adjacent words join without the space between them. */
export function decodeEncodedWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, charset: string, encoding: string, text: string) => {
      const bytes = encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m: string, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
      return new TextDecoder(charset).decode(bytes);
    });
}

function parseHeaders(raw: string): Map<string, string> {
  const end = raw.indexOf('\r\n\r\n');
  const block = (end === -1 ? raw : raw.slice(0, end)).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), decodeEncodedWords(line.slice(colon + 1).trim()));
  }
  return headers;
}

/** Quoted-printable soft breaks and escapes undone, so a test can read a body part. */
export function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/**
 * A real SMTP server (the `smtp-server` package) in the test process, on 127.0.0.1: plain
 * text (no STARTTLS), any or no authentication accepted. It keeps what it receives and
 * can be stopped and started again on the same port, to play an outage.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  /** Recipients refused with 550, as a server refuses an unknown mailbox. */
  readonly unknownMailboxes = new Set<string>();
  /** Credentials seen in AUTH, as user:pass. */
  readonly logins: string[] = [];
  /** Connections accepted since the server started. */
  connections = 0;
  port = 0;
  private server: SMTPServer | null = null;

  static async start(port = 0): Promise<TestSmtpServer> {
    const server = new TestSmtpServer();
    server.port = port;
    await server.listen();
    return server;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.server !== null;
  }

  /** Waits (up to 20 s) for a message to this address whose subject matches, and returns it. */
  async waitFor(address: string, subject: RegExp): Promise<ReceivedMail> {
    for (let i = 0; i < 200; i++) {
      const found = this.received.find((m) => m.to.includes(address) && subject.test(m.headers.get('subject') ?? ''));
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no mail to ${address} matching ${subject}; got: ${this.received.map((m) => `${m.to} ${m.headers.get('subject')}`).join(' | ')}`);
  }

  /** Received messages with this Message-ID. */
  withMessageId(id: string): ReceivedMail[] {
    return this.received.filter((m) => m.headers.get('message-id') === id);
  }

  async listen(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      // Stopping plays an outage: connections a pooled client keeps open are dropped, not waited for 30 s.
      closeTimeout: 50,
      logger: false,
      onConnect: (_session, callback) => {
        this.connections++;
        callback();
      },
      onAuth: (auth, _session, callback) => {
        this.logins.push(`${auth.username}:${auth.password}`);
        callback(null, { user: auth.username });
      },
      onRcptTo: (address, _session, callback) => {
        if (!this.unknownMailboxes.has(address.address)) return callback();
        callback(Object.assign(new Error(`5.1.1 <${address.address}>: no such user`), { responseCode: 550 }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          this.received.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw, headers: parseHeaders(raw) });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Closes the port: connections are refused until `listen()` opens it again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

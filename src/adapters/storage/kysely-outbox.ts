import { sql, type Kysely, type RawBuilder, type Selectable, type Transaction } from 'kysely';
import { runCompiledOnce } from './compiled-once.ts';
import { claimDue } from './claim-due.ts';
import type { OutboxMessage, OutboxRepository, OutboxStatus, OutboxWrite, Page } from '../../core/store.ts';
import type { Database, Engine } from './schema.ts';

function toMessage(row: Selectable<Database['outbox']>): OutboxMessage {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    kind: row.kind,
    to: row.to_address,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    headers: JSON.parse(row.headers) as Record<string, string>,
    status: row.status as OutboxStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    sentAt: row.sent_at === null ? null : Number(row.sent_at),
  };
}

/** OutboxRepository on SQL (SQLite and PostgreSQL). */
/** How many arrays `outboxColumnsOf` makes. */
export const OUTBOX_COLUMNS = 7;

/** Messages as one array per column, the parameters of `enqueueColumnsSql` (PostgreSQL). */
export function outboxColumnsOf(messages: OutboxWrite[]): string[][] {
  return [
    messages.map((m) => m.idempotencyKey),
    messages.map((m) => m.kind),
    messages.map((m) => m.to),
    messages.map((m) => m.subject),
    messages.map((m) => m.text),
    messages.map((m) => m.html),
    messages.map((m) => JSON.stringify(m.headers)),
  ];
}

/**
 * `enqueue` of many messages as one PostgreSQL statement, for a CTE of a statement that writes
 * what caused them (`comments.createByEmail`): the same rows `enqueue` writes, from the
 * arrays of `outboxColumnsOf` (as bound parameters).
 */
export function enqueueColumnsSql(columns: unknown[], at: unknown): RawBuilder<unknown> {
  const [keys, kinds, to, subjects, texts, htmls, headers] = columns;
  return sql`insert into outbox (idempotency_key, kind, to_address, subject, text_body, html_body, headers, status, attempts, next_attempt_at, locked_until, last_error, created_at, sent_at)
    select m.key, m.kind, m.to_address, m.subject, m.text_body, m.html_body, m.headers, 'pending', 0, cast(${at} as bigint), 0, null, cast(${at} as bigint), null
    from unnest(cast(${keys} as text[]), cast(${kinds} as text[]), cast(${to} as text[]), cast(${subjects} as text[]), cast(${texts} as text[]), cast(${htmls} as text[]), cast(${headers} as text[]))
      as m(key, kind, to_address, subject, text_body, html_body, headers)
    on conflict (idempotency_key) do nothing`;
}

export class KyselyOutboxRepository implements OutboxRepository {
  private readonly db: Kysely<Database> | Transaction<Database>;
  private readonly engine: Engine;

  constructor(db: Kysely<Database> | Transaction<Database>, engine: Engine = 'sqlite') {
    this.db = db;
    this.engine = engine;
  }

  async enqueue(message: OutboxWrite, now: number): Promise<void> {
    const values = [message.idempotencyKey, message.kind, message.to, message.subject, message.text, message.html, JSON.stringify(message.headers), now];
    await runCompiledOnce(this.db, this.engine, 'outbox-enqueue', values, ([key, kind, to, subject, text, html, headers, at]) =>
      this.db
        .insertInto('outbox')
        .values({
          idempotency_key: key as string,
          kind: kind as string,
          to_address: to as string,
          subject: subject as string,
          text_body: text as string,
          html_body: html as string,
          headers: headers as string,
          status: 'pending',
          attempts: 0,
          next_attempt_at: at as number,
          locked_until: 0,
          last_error: null,
          created_at: at as number,
          sent_at: null,
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing()),
    );
  }

  /** Takes due messages for one worker (claim-due.ts: never the same message twice). */
  async claimDue(now: number, limit: number, lockMs: number): Promise<OutboxMessage[]> {
    return (await claimDue(this.db, this.engine, 'outbox', 'next_attempt_at', { now, limit, lockMs })).map(toMessage);
  }

  async markSent(id: number, now: number, redactedBody?: string): Promise<void> {
    const body = redactedBody === undefined ? {} : { text_body: redactedBody, html_body: '' };
    await this.db
      .updateTable('outbox')
      .set((eb) => ({ status: 'sent', sent_at: now, attempts: eb('attempts', '+', 1), locked_until: 0, ...body }))
      .where('id', '=', id)
      .where('status', '!=', 'sent')
      .execute();
  }

  async markFailed(id: number, error: string, retryAt: number | null, now: number): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        last_error: error.slice(0, 2000),
        locked_until: 0,
        ...(retryAt === null ? { status: 'failed', next_attempt_at: now } : { next_attempt_at: retryAt }),
      }))
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  async retry(id: number, now: number): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set({ status: 'pending', attempts: 0, next_attempt_at: now, locked_until: 0 })
      .where('id', '=', id)
      .where('status', '=', 'failed')
      .execute();
  }

  async list(query: { status?: OutboxStatus; limit: number; offset: number }): Promise<Page<OutboxMessage>> {
    let base = this.db.selectFrom('outbox');
    if (query.status) base = base.where('status', '=', query.status);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('id', 'desc').limit(query.limit).offset(query.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toMessage), total: Number(count.n) };
  }

  async countByStatus(): Promise<Record<OutboxStatus, number>> {
    const counts: Record<OutboxStatus, number> = { pending: 0, sent: 0, failed: 0 };
    const rows = await this.db.selectFrom('outbox').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
    for (const r of rows) counts[r.status as OutboxStatus] = Number(r.n);
    return counts;
  }

  async countWithStatus(status: OutboxStatus): Promise<number> {
    // Every admin page asks while SMTP_URL is unset (the mail banner): compiled once.
    const [row] = await runCompiledOnce(this.db, this.engine, 'outbox-count-status', [status], ([v]) =>
      this.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', v as OutboxStatus),
    );
    return Number(row?.n ?? 0);
  }
}

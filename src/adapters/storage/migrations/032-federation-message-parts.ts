import type { Kysely } from 'kysely';

/**
 * Speed of publishing (issue 12, "Speed" (i)): the parts every delivery of one activity
 * shares — the activity itself and the signing keys — are stored once, named by the
 * SHA-256 of their JSON, instead of in each of its thousand queued messages
 * (`KyselyMessageQueue`). `used_at` is when a message naming the part was last enqueued:
 * a part used before every waiting message was created (and more than an hour ago) is
 * named by none, and the hourly housekeeping deletes it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('federation_message_parts')
    .addColumn('id', 'text', (c: any) => c.primaryKey())
    .addColumn('body', 'text', (c: any) => c.notNull())
    .addColumn('used_at', 'bigint', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('federation_message_parts_used').on('federation_message_parts').column('used_at').execute();
}

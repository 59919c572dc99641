import type { Kysely } from 'kysely';
import { describeMessage } from '../kysely-federation.ts';

/**
 * Publishing (issue 12, point 3): what each queued Fedify message is, read once when it
 * is enqueued, so Admin → Fediverse lists and counts deliveries without parsing every
 * message: its kind (`outbox`: one delivery to one inbox; `fanout`: an activity still to be
 * split per inbox; `inbox`: a received activity), the target inbox, the activity's type and id.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const column of ['kind', 'inbox', 'activity_type', 'activity_id']) {
    await db.schema.alterTable('federation_messages').addColumn(column, 'text').execute();
  }
  await db.schema.createIndex('federation_messages_kind').on('federation_messages').columns(['kind', 'run_at']).execute();
  // Messages already waiting (few: they are deleted once handled) are described the same way.
  const rows: Array<{ id: number; message: string }> = await db.selectFrom('federation_messages').select(['id', 'message']).execute();
  for (const row of rows) {
    let message: unknown = null;
    try {
      message = JSON.parse(row.message);
    } catch {
      // Left undescribed; the admin shows it as unknown.
    }
    await db.updateTable('federation_messages').set(describeMessage(message)).where('id', '=', row.id).execute();
  }
}

import type { Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * Password-protected posts (WordPress's `post_password`): the password as the author set
 * it, so the editor can show it and a WXR export can write it back; null when the post is
 * not protected. Readers never receive it: it is only compared with what they type.
 */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  await db.schema.alterTable('posts').addColumn('password', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('posts').dropColumn('password').execute();
}

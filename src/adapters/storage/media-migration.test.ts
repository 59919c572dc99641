import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Kysely } from 'kysely';
import { openDatabase } from './database.ts';
import { KyselyUploadRepository } from './kysely-uploads.ts';
import type { Engine } from './schema.ts';
import { itOnBothDatabases } from './test-engines.ts';
import * as foundation from './migrations/001-foundation.ts';
import * as media from './migrations/022-media-library.ts';

const HASH = 'e'.repeat(64);

/** An upload stored before migration 022 keeps its bytes, gains empty alt text and caption, waits for its variants, and the posts that show it are found. */
async function migrateOldUpload(db: Kysely<any>, engine: Engine): Promise<void> {
  await foundation.up(db, engine);
  await db.insertInto('uploads').values({ hash: HASH, mime: 'image/png', size: 3, original_name: 'old.png', data: new Uint8Array([7, 8, 9]), uploader_id: 1, created_at: 5 }).execute();
  await db.insertInto('users').values({ id: 1, email: 'o@example.com', name: 'O', slug: 'o', bio: '', role: 'owner', password_hash: null, created_at: 1 }).execute();
  const post = (id: number, markdown: string, cover: string | null) => ({
    id, type: 'post', slug: `p${id}`, title: `P${id}`, markdown, html: '', excerpt: '', search_text: '', status: 'published', visibility: 'public', published_at: 1, author_id: 1, cover_image: cover,
    created_at: 1, updated_at: 1, deleted_at: null,
  });
  await db.insertInto('posts').values([post(1, `![x](/uploads/${HASH}.png)`, null), post(2, 'No image.', null), post(3, '', `/uploads/${HASH}.png`)]).execute();
  await media.up(db, engine);
  const uploads = new KyselyUploadRepository(db);
  const found = await uploads.find(HASH);
  assert.deepEqual(found && { ...found, data: [...found.data] }, {
    hash: HASH, mime: 'image/png', size: 3, originalName: 'old.png', data: [7, 8, 9], uploaderId: 1, createdAt: 5, width: null, height: null, alt: '', caption: '',
  });
  assert.deepEqual(await uploads.unprocessed(10), [HASH]);
  assert.deepEqual((await uploads.usage([HASH])).get(HASH)?.map((u) => u.slug), ['p1', 'p3'], 'the posts that showed it before are found');
  await uploads.saveVariants(HASH, { width: 800, height: 600 }, [{ width: 480, height: 360, mime: 'image/webp', data: new Uint8Array([1]) }], 10);
  assert.deepEqual((await uploads.images([HASH])).get(HASH)?.variantWidths, [480]);
}

describe('migration 022 gives older uploads room for size, alt text, caption and variants', () => {
  itOnBothDatabases(migrateOldUpload);
});

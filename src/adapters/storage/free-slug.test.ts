import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { KyselyPlugin } from 'kysely';
import pg from 'pg';
import { PostService } from '../../core/post-service.ts';
import type { User } from '../../core/store.ts';
import { migrateToLatest, openDatabase } from './database.ts';
import { KyselyStore } from './kysely-store.ts';
import { testEngines } from '../../../test/helpers/test-kumbaya.ts';

const NOW = Date.UTC(2026, 0, 1);

/** Counts the queries Kysely sends to the database. */
class QueryCounter implements KyselyPlugin {
  count = 0;
  transformQuery: KyselyPlugin['transformQuery'] = (args) => {
    this.count++;
    return args.node;
  };
  transformResult: KyselyPlugin['transformResult'] = async (args) => args.result;
}

async function administer(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(statement);
  await client.end();
}

for (const { engine, skip } of testEngines()) {
  describe(`a new post's slug when its title is taken (${engine})`, { skip }, () => {
    const counter = new QueryCounter();
    let store: KyselyStore;
    let posts: PostService;
    let owner: User;
    let cleanup: () => Promise<void>;
    before(async () => {
      const url = process.env.KUMBAYA_TEST_PG_URL!;
      const pgSchema = engine === 'postgres' ? `t_${randomBytes(8).toString('hex')}` : undefined;
      if (pgSchema) await administer(url, `create schema ${pgSchema}`);
      const { db } = openDatabase(engine === 'postgres' ? { databaseUrl: url, pgSchema, pgPoolSize: 2 } : { databaseUrl: null, sqliteFile: ':memory:' });
      await migrateToLatest(db, engine);
      store = new KyselyStore(db.withPlugin(counter), engine);
      posts = new PostService({ store, clock: { now: () => NOW }, onContentChanged: () => {} });
      owner = await store.users.create({ email: 'ada@example.com', name: 'Ada', slug: 'ada', bio: '', role: 'owner', passwordHash: null, createdAt: NOW });
      cleanup = async () => {
        await store.close();
        if (pgSchema) await administer(url, `drop schema ${pgSchema} cascade`);
      };
    });
    after(() => cleanup());

    /** The queries one `create` sends. */
    async function queriesToCreate(title: string): Promise<{ slug: string; queries: number }> {
      counter.count = 0;
      const post = await posts.create(owner, { title });
      return { slug: post.slug, queries: counter.count };
    }

    it('costs the same few queries with 300 copies (and a gap) as with none, and picks the first free number', async () => {
      await queriesToCreate('A first title'); // some queries are compiled on first use (compiled-once.ts)
      const alone = await queriesToCreate('A lonely title');
      assert.equal(alone.slug, 'a-lonely-title');
      await store.transaction(async (tx) => {
        for (let n = 1; n <= 300; n++) {
          if (n === 120) continue;
          const slug = n === 1 ? 'weekly-notes' : `weekly-notes-${n}`;
          await tx.posts.create({ type: 'post', slug, title: 'Weekly notes', markdown: '', html: '', excerpt: '', status: 'draft', visibility: 'public', authorId: owner.id, publishedAt: null, coverImage: null, tags: [], commentsMode: 'inherit', commentsCloseDays: null }, NOW);
        }
      });
      const gap = await queriesToCreate('Weekly notes');
      assert.equal(gap.slug, 'weekly-notes-120');
      assert.equal(gap.queries, alone.queries, `with 300 copies: ${gap.queries} queries; with none: ${alone.queries}`);
      const next = await queriesToCreate('Weekly notes');
      assert.equal(next.slug, 'weekly-notes-301');
      assert.equal(next.queries, alone.queries);
    });
  });
}

import type { Kysely, Transaction } from 'kysely';
import type { Tag, TagRepository, TagWithCount } from '../../core/store.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { isUniqueViolation } from './storage-errors.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A plain object: node:sqlite hands back rows without a prototype. */
function toTag(row: Tag): Tag {
  return { id: row.id, slug: row.slug, name: row.name };
}

/** TagRepository on SQL (SQLite and PostgreSQL); posts set their tags in kysely-posts.ts. */
export class KyselyTagRepository implements TagRepository {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  async listWithCounts(now: number): Promise<TagWithCount[]> {
    const rows = await this.db
      .selectFrom('tags')
      .leftJoin('post_tags', 'post_tags.tag_id', 'tags.id')
      .leftJoin('posts', (join) =>
        join
          .onRef('posts.id', '=', 'post_tags.post_id')
          .on('posts.status', '=', 'published')
          .on('posts.visibility', '=', 'public')
          .on('posts.deleted_at', 'is', null)
          .on('posts.published_at', '<=', now),
      )
      .select(['tags.id', 'tags.slug', 'tags.name', (eb) => eb.fn.count<number>('posts.id').as('post_count')])
      .groupBy(['tags.id', 'tags.slug', 'tags.name'])
      .orderBy('tags.name')
      .execute();
    return rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name, postCount: Number(r.post_count) }));
  }

  async findBySlug(slug: string): Promise<Tag | null> {
    const row = await this.db.selectFrom('tags').select(['id', 'slug', 'name']).where('slug', '=', slug).executeTakeFirst();
    return row ? toTag(row) : null;
  }

  async rename(id: number, name: string, slug: string): Promise<Tag> {
    try {
      const row = await this.db.updateTable('tags').set({ name, slug }).where('id', '=', id).returning(['id', 'slug', 'name']).executeTakeFirst();
      if (!row) throw notFound('The tag');
      return toTag(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('slug_taken', `Another tag already uses the address "${slug}".`, { slug: 'This address is taken.' });
      throw error;
    }
  }

  async create(name: string, slug: string): Promise<Tag> {
    try {
      return toTag(await this.db.insertInto('tags').values({ slug, name }).returning(['id', 'slug', 'name']).executeTakeFirstOrThrow());
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('slug_taken', `Another tag already uses the address "${slug}".`, { slug: 'This address is taken.' });
      throw error;
    }
  }

  async delete(id: number): Promise<void> {
    const result = await this.db.deleteFrom('tags').where('id', '=', id).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound('The tag');
  }
}

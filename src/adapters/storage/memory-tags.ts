import type { Tag, TagRepository, TagWithCount } from '../../core/store.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { findTag, isLive } from './memory-posts.ts';
import type { Tables } from './memory-store.ts';

/** Callers get copies, so mutating a result never changes the store. */
const copy = <T>(value: T): T => structuredClone(value);

/** TagRepository in memory; posts set their tags in memory-posts.ts. */
export class MemoryTagRepository implements TagRepository {
  private readonly tablesOf: () => Tables;

  private readonly nextId: (table: keyof Tables['lastId']) => number;

  constructor(tables: () => Tables, nextId: (table: keyof Tables['lastId']) => number = () => 0) {
    this.tablesOf = tables;
    this.nextId = nextId;
  }

  /** The store's tables as they are now: a transaction works on a view of them. */
  private get tables(): Tables {
    return this.tablesOf();
  }

  async listWithCounts(now: number): Promise<TagWithCount[]> {
    const live = [...this.tables.posts.values()].filter((p) => isLive(p, now));
    return [...this.tables.tags.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id))
      .map((tag) => ({ ...tag, postCount: live.filter((p) => p.tagIds.includes(tag.id)).length }));
  }

  async findBySlug(slug: string): Promise<Tag | null> {
    const tag = findTag(this.tables, slug);
    return tag ? copy(tag) : null;
  }

  async rename(id: number, name: string, slug: string): Promise<Tag> {
    const tag = this.tables.tags.get(id);
    if (!tag) throw notFound('The tag');
    const other = findTag(this.tables, slug);
    if (other && other.id !== id) {
      throw new DomainError('slug_taken', `Another tag already uses the address "${slug}".`, { slug: 'This address is taken.' });
    }
    Object.assign(tag, { name, slug });
    return copy(tag);
  }

  async create(name: string, slug: string): Promise<Tag> {
    if (findTag(this.tables, slug)) throw new DomainError('slug_taken', `Another tag already uses the address "${slug}".`, { slug: 'This address is taken.' });
    const tag = { id: this.nextId('tags'), slug, name };
    this.tables.tags.set(tag.id, tag);
    return copy(tag);
  }

  async delete(id: number): Promise<void> {
    if (!this.tables.tags.delete(id)) throw notFound('The tag');
    for (const record of this.tables.posts.values()) record.tagIds = record.tagIds.filter((t) => t !== id);
  }
}

import type { EmbedRepository, EmbedSite, EmbedSiteWithCount, EmbedThread } from '../../core/embeds.ts';
import type { Tables } from './memory-store.ts';

/** Migration 024's tables in memory. */
export interface MemoryEmbedTables {
  sites: Map<number, EmbedSite>;
  lastSiteId: number;
  /** By post id. */
  threads: Map<number, EmbedThread>;
}

export const emptyEmbedTables = (): MemoryEmbedTables => ({ sites: new Map(), lastSiteId: 0, threads: new Map() });

const copy = <T>(value: T): T => structuredClone(value);

/** Sites and their threads in memory: the store's `embeds`. A thread goes with its post, as the SQL cascade does. */
export class MemoryEmbedRepository implements EmbedRepository {
  private readonly tables: () => Tables;

  constructor(tables: () => Tables) {
    this.tables = tables;
  }

  private t(): MemoryEmbedTables {
    const t = this.tables();
    for (const postId of t.embeds.threads.keys()) if (!t.posts.has(postId)) t.embeds.threads.delete(postId);
    return t.embeds;
  }

  async listSites(): Promise<EmbedSiteWithCount[]> {
    const t = this.t();
    const threads = [...t.threads.values()];
    return [...t.sites.values()]
      .sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0))
      .map((s) => ({ ...copy(s), threads: threads.filter((x) => x.origin === s.origin).length }));
  }

  async findSite(origin: string): Promise<EmbedSite | null> {
    const site = [...this.t().sites.values()].find((s) => s.origin === origin);
    return site ? copy(site) : null;
  }

  async addSite(origin: string, createdBy: number | null, at: number): Promise<EmbedSite | null> {
    const t = this.t();
    if ([...t.sites.values()].some((s) => s.origin === origin)) return null;
    if (createdBy !== null && !this.tables().users.has(createdBy)) throw new Error('FOREIGN KEY constraint failed: embed_sites.created_by');
    const site: EmbedSite = { id: ++t.lastSiteId, origin, createdBy, createdAt: at };
    t.sites.set(site.id, site);
    return copy(site);
  }

  async removeSite(id: number): Promise<boolean> {
    return this.t().sites.delete(id);
  }

  async findThread(pageUrl: string): Promise<EmbedThread | null> {
    const thread = [...this.t().threads.values()].find((x) => x.pageUrl === pageUrl);
    return thread ? copy(thread) : null;
  }

  async threadOfPost(postId: number): Promise<EmbedThread | null> {
    const thread = this.t().threads.get(postId);
    return thread ? copy(thread) : null;
  }

  async createThread(thread: EmbedThread): Promise<EmbedThread> {
    const t = this.t();
    if (!this.tables().posts.has(thread.postId)) throw new Error('FOREIGN KEY constraint failed: embed_threads.post_id');
    if (t.threads.has(thread.postId) || [...t.threads.values()].some((x) => x.pageUrl === thread.pageUrl)) throw new Error('UNIQUE constraint failed: embed_threads');
    t.threads.set(thread.postId, copy(thread));
    return copy(thread);
  }

  async threadsOf(origin: string, limit: number): Promise<EmbedThread[]> {
    return [...this.t().threads.values()]
      .filter((x) => x.origin === origin)
      .sort((a, b) => b.createdAt - a.createdAt || b.postId - a.postId)
      .slice(0, limit)
      .map(copy);
  }
}

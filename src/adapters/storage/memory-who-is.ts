import type { CommentStatus } from '../../core/store.ts';
import type { InteractionCounts, PublicProfile, WhoIsRepository } from '../../core/who-is.ts';
import type { Tables } from './memory-store.ts';

/** Websites' cached profiles by website; part of the MemoryStore's tables, so transactions cover them. */
export type MemoryProfileTable = Map<string, PublicProfile>;

/** "Who is this?" in memory: the store's `whoIs`. */
export class MemoryWhoIsRepository implements WhoIsRepository {
  private readonly tables: () => Tables;

  constructor(tables: () => Tables) {
    this.tables = tables;
  }

  private get profiles(): MemoryProfileTable {
    return this.tables().publicProfiles;
  }

  async profile(website: string): Promise<PublicProfile | null> {
    const found = this.profiles.get(website);
    return found ? structuredClone(found) : null;
  }

  async saveProfile(profile: PublicProfile): Promise<void> {
    this.profiles.set(profile.website, structuredClone({ ...profile, relMe: [...new Set(profile.relMe)] }));
  }

  async deleteProfilesBefore(before: number): Promise<number> {
    let n = 0;
    for (const [website, p] of this.profiles) if (p.fetchedAt < before) {
      this.profiles.delete(website);
      n++;
    }
    return n;
  }

  async deleteProfile(website: string): Promise<void> {
    this.profiles.delete(website);
  }

  async interactions(personId: number): Promise<InteractionCounts> {
    const comments: Record<CommentStatus, number> = { pending: 0, approved: 0, spam: 0, trash: 0 };
    for (const c of this.tables().comments.values()) if (c.personId === personId) comments[c.status]++;
    let mentions = 0;
    for (const m of this.tables().webmentions.received.values()) if (m.personId === personId) mentions++;
    return { comments, mentions };
  }
}

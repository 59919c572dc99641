/**
 * Seeds the benchmark's own database (SQLite, or a PostgreSQL schema), deterministically: ~30 published posts for
 * the home page, one post carrying a 200-comment threaded conversation, one post with a
 * long thread of 2,000 top-level conversations (workload f: paging) and one fresh post
 * without comments (workload e: posting). The last two are published months before the
 * others, so the home page (workload c) lists exactly what it did before they existed.
 */
import { loadConfig } from '../src/config/config.ts';
import { openStore } from '../src/compose.ts';
import { renderCommentMarkdown } from '../src/core/comment-markdown.ts';
import { defaultCommentSettings } from '../src/core/comment-settings.ts';
import { PostService } from '../src/core/post-service.ts';
import type { Clock } from '../src/core/clock.ts';
import type { Store, User } from '../src/core/store.ts';
import { chance, commentMarkdown, countWords, int, mulberry32, pick, postMarkdown, title, type Rng } from './text.ts';

export const BIG_POST_SLUG = 'two-hundred-voices';
export const LONG_THREAD_SLUG = 'two-thousand-conversations';
export const FRESH_POST_SLUG = 'say-hello';

export interface SeedSummary {
  bigPostSlug: string;
  posts: number;
  comments: number;
  /** Comments per nesting depth (1 = top level). */
  depths: Record<number, number>;
  byPostAuthor: number;
  /** Conversations (top-level comments) on the big post. */
  conversations: number;
  /** Comments on the big post's first thread page (its first `conversationsPerPage` conversations). */
  firstPageComments: number;
  minWords: number;
  maxWords: number;
  /** Workload f: a post whose thread is `comments` top-level conversations (no replies). */
  longThread: { slug: string; postId: number; comments: number; conversations: number };
  /** Workload e: a published post with comments open and none yet. */
  freshPost: { slug: string; postId: number };
  ms: number;
}

export interface SeedOptions {
  dataDir: string;
  /** Seed this PostgreSQL database (its URL names the schema) instead of SQLite under `dataDir`. */
  databaseUrl?: string;
  seed?: number;
  comments?: number;
  otherPosts?: number;
  maxDepth?: number;
  /** Top-level comments on the long-thread post (default 2,000: 40 pages of 50). */
  longThread?: number;
}

const READERS = [
  ['Ada Okafor', 'ada@example.net', 'https://ada.example.net'],
  ['Bruno Silva', 'bruno@example.com', null],
  ['Chen Wei', 'chen.wei@example.org', 'https://chenwei.example.org'],
  ['Dagny Berg', 'dagny@example.no', null],
  ['Emeka Nwosu', 'emeka@example.com', null],
  ['Farah Haddad', 'farah@example.net', 'https://farah.example.net/blog'],
  ['Gustav Lind', 'gustav@example.se', null],
  ['Hana Suzuki', 'hana@example.jp', null],
  ['Ines Moreau', 'ines@example.fr', 'https://moreau.example.fr'],
  ['Jonas Keller', 'jonas@example.de', null],
  ['Kwame Mensah', 'kwame@example.com', null],
  ['Lucía Romero', 'lucia@example.es', 'https://lucia.example.es'],
  ['Mikhail Petrov', 'mikhail@example.org', null],
  ['Nia Thompson', 'nia@example.com', null],
  ['Oskar Nowak', 'oskar@example.pl', null],
  ['Priya Raman', 'priya@example.in', 'https://priya.example.in'],
  ['Quinn O’Neill', 'quinn@example.ie', null],
  ['Rosa Alves', 'rosa@example.pt', null],
  ['Sam Taylor', 'sam@example.co.uk', null],
  ['Tomás Ruiz', 'tomas@example.mx', null],
] as const;

const TAGS = ['conversation', 'craft', 'notes', 'web', 'gardening', 'software', 'reading', 'travel'];

/** Everything happens at fixed times, so two seeds of the same options give the same bytes. */
const BASE = Date.UTC(2025, 0, 6, 9, 0, 0);
const DAY = 86_400_000;

export async function seedBenchData(options: SeedOptions): Promise<SeedSummary> {
  const started = performance.now();
  const rng = mulberry32(options.seed ?? 20250106);
  const commentTotal = options.comments ?? 200;
  const otherPosts = options.otherPosts ?? 30;
  const maxDepth = options.maxDepth ?? 4;
  const longThread = options.longThread ?? 2000;

  const config = loadConfig({ DATA_DIR: options.dataDir, DATABASE_URL: options.databaseUrl ?? '', LOG_LEVEL: 'silent', KUMBAYA_DEMO: 'false' });
  const store = await openStore(config);
  const nowAt = { t: BASE };
  const clock: Clock = { now: () => nowAt.t };
  const service = new PostService({ store, clock, onContentChanged: () => {} });

  try {
    return await store.transaction(async (tx) => {
      const posts = service.withStore(tx);
      const mkUser = (name: string, email: string, slug: string, role: User['role']) =>
        tx.users.create({ name, email, slug, bio: `${name} writes here.`, role, passwordHash: null, createdAt: BASE - 400 * DAY });
      const owner = await mkUser('Marta Kowalska', 'marta@example.com', 'marta-kowalska', 'owner');
      const guest = await mkUser('Idris Bello', 'idris@example.com', 'idris-bello', 'author');

      // Other posts, one every few days before the big one; a few by the second author.
      for (let i = 0; i < otherPosts; i++) {
        const at = BASE - (otherPosts - i) * 3 * DAY - int(rng, 0, 12) * 3_600_000;
        nowAt.t = at;
        const author = chance(rng, 0.25) ? guest : owner;
        const tags = [pick(rng, TAGS), pick(rng, TAGS)].filter((t, k, all) => all.indexOf(t) === k);
        const post = await posts.create(author, { title: title(rng), markdown: postMarkdown(rng, int(rng, 3, 7)), tags, publishedAt: at });
        await tx.posts.setStatus(post.id, 'published', at, at);
      }

      // The big post, newest on the home page.
      nowAt.t = BASE;
      const big = await posts.create(owner, {
        title: 'Two hundred voices: what a long comment thread taught me',
        slug: BIG_POST_SLUG,
        markdown: postMarkdown(rng, 6),
        tags: ['conversation', 'community'],
        publishedAt: BASE,
      });
      await tx.posts.setStatus(big.id, 'published', BASE, BASE);

      // The conversation: replies nest up to maxDepth; a parent is picked mostly among recent comments.
      const people = new Map<string, number>();
      const made: Array<{ id: number; depth: number; name: string; root: number }> = [];
      let conversations = 0;
      const depths: Record<number, number> = {};
      let at = BASE + 20 * 60_000;
      let byPostAuthor = 0;
      let minWords = Infinity;
      let maxWords = 0;
      for (let i = 0; i < commentTotal; i++) {
        at += int(rng, 2, 180) * 60_000;
        let parent: (typeof made)[number] | undefined;
        if (made.length > 0 && !chance(rng, 0.3)) {
          const open = made.filter((m) => m.depth < maxDepth);
          if (open.length > 0) {
            // Favour the last dozen comments, as real threads do, and keep some deep chains.
            const recent = open.slice(-12);
            parent = chance(rng, 0.75) ? pick(rng, recent) : pick(rng, open);
          }
        }
        const depth = parent ? parent.depth + 1 : 1;
        const byAuthor = i > 0 && chance(rng, 0.12);
        let markdown = '';
        let words = 0;
        do {
          markdown = commentMarkdown(rng, int(rng, 30, 118), parent?.name);
          words = countWords(markdown);
        } while (words < 30 || words > 120);
        minWords = Math.min(minWords, words);
        maxWords = Math.max(maxWords, words);
        const common = { postId: big.id, parentId: parent?.id ?? null, markdown, html: renderCommentMarkdown(markdown), status: 'approved' as const, createdAt: at };
        let created;
        if (byAuthor) {
          byPostAuthor++;
          created = await tx.comments.create({ ...common, personId: null, userId: owner.id, authorName: owner.name, authorEmail: owner.email, authorUrl: null });
        } else {
          const [name, email, website] = pick(rng, READERS);
          let personId = people.get(email);
          if (personId === undefined) {
            personId = (await tx.people.upsertByEmail({ name, email, website }, at)).id;
            people.set(email, personId);
          }
          created = await tx.comments.create({ ...common, personId, userId: null, authorName: name, authorEmail: email, authorUrl: website });
        }
        made.push({ id: created.id, depth, name: created.authorName, root: parent ? parent.root : conversations++ });
        depths[depth] = (depths[depth] ?? 0) + 1;
      }

      // Workload f: 2,000 conversations of one comment each, a few minutes apart, by the same readers.
      const longAt = BASE - 120 * DAY;
      nowAt.t = longAt;
      const long = await posts.create(owner, {
        title: 'Two thousand conversations: paging a thread that never ends',
        slug: LONG_THREAD_SLUG,
        markdown: postMarkdown(rng, 4),
        tags: ['conversation'],
        publishedAt: longAt,
      });
      await tx.posts.setStatus(long.id, 'published', longAt, longAt);
      let longCommentAt = longAt + 10 * 60_000;
      for (let i = 0; i < longThread; i++) {
        longCommentAt += int(rng, 1, 30) * 60_000;
        let markdown = '';
        let words = 0;
        do {
          markdown = commentMarkdown(rng, int(rng, 30, 118));
          words = countWords(markdown);
        } while (words < 30 || words > 120);
        const [name, email, website] = pick(rng, READERS);
        let personId = people.get(email);
        if (personId === undefined) {
          personId = (await tx.people.upsertByEmail({ name, email, website }, longCommentAt)).id;
          people.set(email, personId);
        }
        await tx.comments.create({
          postId: long.id,
          parentId: null,
          personId,
          userId: null,
          authorName: name,
          authorEmail: email,
          authorUrl: website,
          markdown,
          html: renderCommentMarkdown(markdown),
          status: 'approved',
          createdAt: longCommentAt,
        });
      }

      // Workload e: a post nobody has commented on yet.
      const freshAt = BASE - 121 * DAY;
      nowAt.t = freshAt;
      const fresh = await posts.create(owner, {
        title: 'Say hello: the comment box is open',
        slug: FRESH_POST_SLUG,
        markdown: postMarkdown(rng, 3),
        tags: ['community'],
        publishedAt: freshAt,
      });
      await tx.posts.setStatus(fresh.id, 'published', freshAt, freshAt);

      await tx.settings.set({
        'site.title': 'Kumbaya bench',
        'site.description': 'A blog seeded for benchmarks.',
        'site.navigation': JSON.stringify([
          { label: 'Home', url: '/' },
          { label: 'Archive', url: '/archive' },
        ]),
      });

      return {
        bigPostSlug: BIG_POST_SLUG,
        posts: otherPosts + 1,
        comments: commentTotal,
        depths,
        byPostAuthor,
        conversations,
        firstPageComments: made.filter((m) => m.root < defaultCommentSettings.conversationsPerPage).length,
        minWords,
        maxWords,
        longThread: { slug: LONG_THREAD_SLUG, postId: long.id, comments: longThread, conversations: longThread },
        freshPost: { slug: FRESH_POST_SLUG, postId: fresh.id },
        ms: Math.round(performance.now() - started),
      };
    });
  } finally {
    await store.close();
  }
}

/**
 * Seeds the People workloads' own SQLite database (g and h), deterministically: 500
 * published posts, one regular reader with 5,000 interactions over those posts (their
 * comments, the author's replies to them, webmentions, subscriptions, mails, notes and
 * changes), and 100,000 other people with their identities, 10,000 of whom commented once.
 * A dozen of them share a surname no one else has (the search of workload h). The owner
 * gets a session whose cookie the bench sends.
 *
 * Rows go in with multi-row inserts, 500 at a time, in one transaction: the repositories'
 * one-row-at-a-time paths would take minutes for this much.
 */
import type { Insertable, Kysely, Transaction } from 'kysely';
import { loadConfig } from '../src/config/config.ts';
import { databaseTarget } from '../src/compose.ts';
import { openDatabase, migrateToLatest } from '../src/adapters/storage/database.ts';
import { KyselyStore } from '../src/adapters/storage/kysely-store.ts';
import { transact } from '../src/adapters/storage/transact.ts';
import type { Database } from '../src/adapters/storage/schema.ts';
import { renderCommentMarkdown } from '../src/core/comment-markdown.ts';
import { PostService } from '../src/core/post-service.ts';
import { sha256Hex, randomToken } from '../src/core/tokens.ts';
import type { Clock } from '../src/core/clock.ts';
import { commentMarkdown, int, mulberry32, pick, postMarkdown, title } from './text.ts';

export interface PeopleSeedOptions {
  dataDir: string;
  seed?: number;
  /** Everyone else (default 100,000). */
  people?: number;
  /** The regular's interactions (default 5,000) and the posts they are spread over (default 500). */
  interactions?: number;
  posts?: number;
}

export interface PeopleSeedSummary {
  /** The regular: their person id and how many timeline entries they have. */
  regular: { personId: number; name: string; interactions: number; byKind: Record<string, number>; posts: number };
  people: number;
  identities: number;
  /** Workload h's search term, and how many people it finds. */
  search: { q: string; matches: number };
  /** `Cookie` header value of a signed-in owner. */
  cookie: string;
  ms: number;
}

const FIRST = ['Ada', 'Bruno', 'Chen', 'Dagny', 'Emeka', 'Farah', 'Gustav', 'Hana', 'Ines', 'Jonas', 'Kwame', 'Lucía', 'Mikhail', 'Nia', 'Oskar', 'Priya', 'Quinn', 'Rosa', 'Sam', 'Tomás', 'Uma', 'Viktor', 'Wen', 'Xavier', 'Yara', 'Zoltan'];
const LAST = ['Okafor', 'Silva', 'Wei', 'Berg', 'Nwosu', 'Haddad', 'Lind', 'Suzuki', 'Keller', 'Mensah', 'Romero', 'Petrov', 'Thompson', 'Nowak', 'Raman', 'O’Neill', 'Alves', 'Taylor', 'Ruiz', 'Kowalski', 'Fischer', 'Rossi', 'Novak', 'Jansen', 'Larsen', 'Dubois', 'Costa', 'Ivanova', 'Kim', 'Park'];
const DOMAINS = ['example.com', 'example.net', 'example.org', 'mail.example', 'post.example'];
/** Workload h looks for this surname: only the regular and `NAMESAKES` others carry it. */
const SURNAME = 'Moreau';
const NAMESAKES = 11;

const BASE = Date.UTC(2025, 0, 6, 9, 0, 0);
const DAY = 86_400_000;
const CHUNK = 500;

async function insertAll<T extends keyof Database & string>(db: Kysely<Database> | Transaction<Database>, table: T, rows: Array<Insertable<Database[T]>>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as any)
      .execute();
  }
}

export async function seedPeopleBench(options: PeopleSeedOptions): Promise<PeopleSeedSummary> {
  const started = performance.now();
  const rng = mulberry32(options.seed ?? 20251111);
  const peopleTotal = options.people ?? 100_000;
  const interactions = options.interactions ?? 5000;
  const postTotal = options.posts ?? 500;

  const config = loadConfig({ DATA_DIR: options.dataDir, LOG_LEVEL: 'silent', KUMBAYA_DEMO: 'false' });
  const { db, engine } = openDatabase(databaseTarget(config));
  await migrateToLatest(db, engine);
  const store = new KyselyStore(db, engine);
  const nowAt = { t: BASE };
  const clock: Clock = { now: () => nowAt.t };
  const service = new PostService({ store, clock, onContentChanged: () => {} });
  // The interactions run over the three years before BASE.
  const from = BASE - 3 * 365 * DAY;
  const span = BASE - from;

  try {
    const result = await transact(db, async (trx) => {
      const tx = new KyselyStore(trx, engine, true);
      const posts = service.withStore(tx);
      const owner = await tx.users.create({ name: 'Marta Kowalska', email: 'marta@example.com', slug: 'marta-kowalska', bio: 'Marta writes here.', role: 'owner', passwordHash: null, createdAt: from - 30 * DAY });
      const postIds: number[] = [];
      for (let i = 0; i < postTotal; i++) {
        const at = from + Math.floor((i * span) / postTotal);
        nowAt.t = at;
        const post = await posts.create(owner, { title: title(rng), markdown: postMarkdown(rng, 2), tags: [], publishedAt: at });
        await tx.posts.setStatus(post.id, 'published', at, at);
        postIds.push(post.id);
      }

      // Comment bodies: a pool rendered once (rendering each of 15,000 would dominate the seed).
      const bodies = Array.from({ length: 120 }, () => {
        const markdown = commentMarkdown(rng, int(rng, 20, 90));
        return { markdown, html: renderCommentMarkdown(markdown) };
      });
      const short = Array.from({ length: 40 }, () => {
        const markdown = commentMarkdown(rng, int(rng, 8, 20));
        return { markdown, html: renderCommentMarkdown(markdown) };
      });
      const comment = (c: { postId: number; parentId: number | null; rootId: number | null; depth: number; personId: number | null; userId: number | null; name: string; email: string; url: string | null; body: { markdown: string; html: string }; status: string; at: number }): Insertable<Database['comments']> => ({
        post_id: c.postId,
        parent_id: c.parentId,
        root_id: c.rootId,
        depth: c.depth,
        person_id: c.personId,
        user_id: c.userId,
        author_name: c.name,
        author_email: c.email,
        author_url: c.url,
        markdown: c.body.markdown,
        html: c.body.html,
        status: c.status,
        moderation_reasons: c.status === 'approved' ? '[]' : JSON.stringify(['a link to a site seen for the first time']),
        spam_score: null,
        source: c.userId !== null ? 'admin' : 'form',
        edit_token_hash: null,
        ip: null,
        user_agent: null,
        learned_as: null,
        created_at: c.at,
        updated_at: c.at,
        edited_at: null,
        status_changed_at: c.at,
      });

      // Everyone else, seen over the three years; 10,000 of them commented once.
      const peopleRows: Array<Insertable<Database['people']>> = [];
      const people: Array<{ name: string; email: string; website: string | null; seen: number }> = [];
      const namesakeAt = new Set(Array.from({ length: NAMESAKES }, (_, k) => Math.floor(((k + 1) * peopleTotal) / (NAMESAKES + 2))));
      for (let i = 0; i < peopleTotal; i++) {
        const first = pick(rng, FIRST);
        const last = namesakeAt.has(i) ? SURNAME : pick(rng, LAST);
        const email = `${first}.${last}.${i}@${pick(rng, DOMAINS)}`.toLowerCase().normalize('NFKD').replace(/[^\x20-\x7e]/g, '').replace(/[’']/g, '');
        const website = rng() < 0.4 ? `https://${last.toLowerCase().replace(/[^a-z]/g, '')}${i}.example` : null;
        const seen = from + Math.floor(rng() * span);
        people.push({ name: `${first} ${last}`, email, website, seen });
        peopleRows.push({ name: `${first} ${last}`, email, website, created_at: seen - int(rng, 0, 400) * DAY, trust: 'normal', trust_reason: null, muted_until: null, last_seen_at: seen });
      }
      await insertAll(trx, 'people', peopleRows);
      const firstId = (await trx.selectFrom('people').select('id').orderBy('id').limit(1).executeTakeFirstOrThrow()).id;
      const identityRows: Array<Insertable<Database['person_identities']>> = [];
      const once: Array<Insertable<Database['comments']>> = [];
      people.forEach((p, i) => {
        const personId = firstId + i;
        identityRows.push({ person_id: personId, kind: 'email', value: p.email, verified: rng() < 0.2 ? 1 : 0, first_seen: p.seen, last_seen: p.seen });
        if (p.website) identityRows.push({ person_id: personId, kind: 'website', value: p.website, verified: 0, first_seen: p.seen, last_seen: p.seen });
        if (i % 10 === 0) {
          once.push(comment({ postId: pick(rng, postIds), parentId: null, rootId: null, depth: 0, personId, userId: null, name: p.name, email: p.email, url: p.website, body: pick(rng, short), status: 'approved', at: p.seen }));
        }
      });

      // The regular and their 5,000 interactions, oldest first.
      const regularEmail = 'ines@moreau.example.fr';
      const regularSite = 'https://moreau.example.fr';
      const [regular] = await trx
        .insertInto('people')
        .values({ name: `Ines ${SURNAME}`, email: regularEmail, website: regularSite, created_at: from, trust: 'normal', trust_reason: null, muted_until: null, last_seen_at: BASE })
        .returning('id')
        .execute();
      const personId = regular.id;
      identityRows.push(
        { person_id: personId, kind: 'email', value: regularEmail, verified: 1, first_seen: from, last_seen: BASE },
        { person_id: personId, kind: 'website', value: regularSite, verified: 1, first_seen: from, last_seen: BASE },
        { person_id: personId, kind: 'webmention', value: `${regularSite}/about`, verified: 1, first_seen: from, last_seen: BASE },
      );
      await insertAll(trx, 'person_identities', identityRows);

      const shares: Array<[string, number]> = [
        ['comment', 0.76],
        ['reply', 0.12],
        ['webmention', 0.05],
        ['subscription', 0.02],
        ['mail', 0.03],
        ['note', 0.012],
      ];
      const byKind: Record<string, number> = {};
      let assigned = 0;
      for (const [kind, share] of shares) assigned += byKind[kind] = Math.round(interactions * share);
      byKind.event = interactions - assigned;
      // Each post gets its share of their comments; an answer comes a few hours after the comment it answers.
      const step = span / byKind.comment;
      const theirs: Array<Insertable<Database['comments']>> = [];
      for (let i = 0; i < byKind.comment; i++) {
        const status = i % 40 === 7 ? 'pending' : i % 97 === 3 ? 'spam' : 'approved';
        theirs.push(comment({ postId: postIds[i % postTotal], parentId: null, rootId: null, depth: 0, personId, userId: null, name: i % 300 === 0 ? 'Ines M.' : `Ines ${SURNAME}`, email: regularEmail, url: regularSite, body: pick(rng, bodies), status, at: from + Math.floor(i * step) }));
      }
      await insertAll(trx, 'comments', [...once, ...theirs]);
      const mine = await trx.selectFrom('comments').select(['id', 'post_id', 'created_at', 'status']).where('person_id', '=', personId).orderBy('id').execute();
      const approved = mine.filter((c) => c.status === 'approved');
      const replies: Array<Insertable<Database['comments']>> = [];
      for (let i = 0; i < byKind.reply; i++) {
        const to = approved[Math.floor((i * approved.length) / byKind.reply)];
        replies.push(comment({ postId: to.post_id, parentId: to.id, rootId: to.id, depth: 1, personId: null, userId: owner.id, name: owner.name, email: owner.email, url: null, body: pick(rng, bodies), status: 'approved', at: Number(to.created_at) + int(rng, 1, 20) * 3_600_000 }));
      }
      await insertAll(trx, 'comments', replies);
      await trx.updateTable('comments').set((eb) => ({ root_id: eb.ref('id') })).where('root_id', 'is', null).execute();

      const spread = (n: number, i: number) => from + Math.floor(((i + 0.5) * span) / n) + int(rng, 0, 3_600_000);
      const mentions: Array<Insertable<Database['webmentions']>> = [];
      for (let i = 0; i < byKind.webmention; i++) {
        const at = spread(byKind.webmention, i);
        const postId = pick(rng, postIds);
        mentions.push({ source: `${regularSite}/notes/${i}`, target: `http://127.0.0.1/p/${postId}`, post_id: postId, via: 'endpoint', status: 'verified', reason: null, type: i % 3 === 0 ? 'like' : 'mention', author_name: `Ines ${SURNAME}`, author_url: `${regularSite}/about`, author_photo: null, content: null, url: null, published_at: at, comment_id: null, person_id: personId, received_at: at, updated_at: at, verified_at: at });
      }
      await insertAll(trx, 'webmentions', mentions);
      const subscriptions: Array<Insertable<Database['subscriptions']>> = once
        .filter((_, i) => i % 4 === 0)
        .map((c) => ({ kind: 'replies', email: String(c.author_email), post_id: c.post_id, comment_id: null, token: randomToken(16), created_at: Number(c.created_at), unsubscribed_at: null, person_id: null }));
      for (let i = 0; i < byKind.subscription; i++) {
        const at = spread(byKind.subscription, i);
        subscriptions.push({ kind: i % 2 ? 'post' : 'replies', email: regularEmail, post_id: pick(rng, postIds), comment_id: null, token: randomToken(16), created_at: at, unsubscribed_at: i % 5 === 0 ? at + 30 * DAY : null, person_id: null });
      }
      await insertAll(trx, 'subscriptions', subscriptions);
      // As the app queues them: to an address, not linked to a person. Everyone else's mail is there too
      // (a note to the owner for each held comment, answers to other readers), as on a site this size.
      const mail = (key: string, to: string, subject: string, at: number): Insertable<Database['outbox']> => ({ idempotency_key: key, kind: 'reply', to_address: to, subject, text_body: 'A reply is waiting for you.', html_body: '<p>A reply is waiting for you.</p>', headers: '{}', status: 'sent', attempts: 1, next_attempt_at: at, locked_until: 0, last_error: null, created_at: at, sent_at: at + 2000, person_id: null });
      const mails: Array<Insertable<Database['outbox']>> = [];
      once.forEach((c, i) => {
        mails.push(mail(`bench-held-${i}`, owner.email, 'A comment waits for you', Number(c.created_at)));
        if (i % 2 === 0) mails.push(mail(`bench-other-${i}`, String(c.author_email), 'Marta answered your comment', Number(c.created_at) + 3_600_000));
      });
      for (let i = 0; i < byKind.mail; i++) {
        const at = spread(byKind.mail, i);
        mails.push(mail(`bench-mail-${i}`, regularEmail, `Marta answered your comment (${i + 1})`, at));
      }
      await insertAll(trx, 'outbox', mails);
      const notes: Array<Insertable<Database['person_notes']>> = [];
      for (let i = 0; i < byKind.note; i++) {
        const at = spread(byKind.note, i);
        const body = pick(rng, short);
        notes.push({ person_id: personId, markdown: body.markdown, html: body.html, author_id: owner.id, created_at: at, updated_at: at });
      }
      await insertAll(trx, 'person_notes', notes);
      const events: Array<Insertable<Database['person_events']>> = [];
      for (let i = 0; i < byKind.event; i++) {
        const at = spread(byKind.event, i);
        const c = mine[Math.floor((i * mine.length) / byKind.event)];
        events.push(
          i % 2
            ? { person_id: personId, kind: 'moderated', detail: JSON.stringify({ commentId: c.id, postId: c.post_id, from: 'pending', status: 'approved' }), actor_id: owner.id, created_at: at }
            : { person_id: personId, kind: 'label-added', detail: JSON.stringify({ label: `met in ${2022 + (i % 3)}` }), actor_id: owner.id, created_at: at },
        );
      }
      await insertAll(trx, 'person_events', events);

      const token = randomToken(32);
      await tx.sessions.create({ idHash: sha256Hex(token), userId: owner.id, csrfToken: randomToken(24), createdAt: Date.now(), expiresAt: Date.now() + 30 * DAY });
      await tx.settings.set({ 'site.title': 'Kumbaya bench (People)' });
      return {
        regular: { personId, name: `Ines ${SURNAME}`, interactions, byKind, posts: new Set(mine.map((c) => c.post_id)).size },
        people: peopleTotal + 1,
        identities: identityRows.length,
        search: { q: SURNAME.toLowerCase(), matches: NAMESAKES + 1 },
        cookie: `kb_session=${token}`,
      };
    });
    return { ...result, ms: Math.round(performance.now() - started) };
  } finally {
    await store.close();
  }
}

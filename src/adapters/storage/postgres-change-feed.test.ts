import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { CHANGES_MISSED, type ChangeEvent } from '../../core/change-feed.ts';
import { migrateToLatest, openDatabase } from './database.ts';
import { KyselyStore } from './kysely-store.ts';
import { channelFor, PostgresChangeFeed } from './postgres-change-feed.ts';

const url = process.env.KUMBAYA_TEST_PG_URL;
const skip = url ? false : process.env.CI === 'true' ? false : 'KUMBAYA_TEST_PG_URL is not set';

/** Polls until `check` holds (up to 20 s). */
async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting until ${what}`);
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(statement).finally(() => client.end());
}

/** The URL as another role (the test cluster trusts local connections). */
function asRole(role: string): string {
  const u = new URL(url!);
  u.username = role;
  u.password = '';
  return u.toString();
}

/** One instance's view of a site: its own store (pool) and feed, and what its subscribers and followers heard. */
interface Instance {
  store: KyselyStore;
  feed: PostgresChangeFeed;
  topics: string[];
  events: ChangeEvent[];
  close(): Promise<void>;
}

async function instance(schema: string, options: { role?: string; storeRole?: string } = {}): Promise<Instance> {
  const { db, engine } = openDatabase({ databaseUrl: options.storeRole ? asRole(options.storeRole) : url!, pgSchema: schema, pgPoolSize: 2 });
  const store = new KyselyStore(db, engine);
  const feed = await PostgresChangeFeed.connect({
    listenUrl: options.role ? asRole(options.role) : url!,
    schema,
    log: store.changeLog,
    notify: (channel, payload) => store.notify(channel, payload),
    retry: { firstMs: 200, maxMs: 1000 },
    pollMs: 200,
  });
  const topics: string[] = [];
  const events: ChangeEvent[] = [];
  feed.subscribe((topic) => topics.push(topic));
  feed.follow((event) => events.push(event));
  return {
    store,
    feed,
    topics,
    events,
    async close() {
      await feed.close();
      await store.close();
    },
  };
}

describe('the PostgreSQL change feed', { skip }, () => {
  const schemas: string[] = [];
  const roles: string[] = [];
  const open: Instance[] = [];

  /** A migrated schema of its own for one site. */
  async function site(): Promise<string> {
    const schema = `t_${randomBytes(8).toString('hex')}`;
    await admin(`create schema ${schema}`);
    schemas.push(schema);
    const { db, engine } = openDatabase({ databaseUrl: url!, pgSchema: schema, pgPoolSize: 1 });
    await migrateToLatest(db, engine);
    await db.destroy();
    return schema;
  }

  /** A role of this test's own that may log in and use `schema`. */
  async function role(schema: string): Promise<string> {
    const name = `kumbaya_listener_${randomBytes(6).toString('hex')}`;
    await admin(`create role ${name} login`);
    roles.push(name);
    await admin(`grant usage on schema ${schema} to ${name}; grant all on all tables in schema ${schema} to ${name}; grant all on all sequences in schema ${schema} to ${name}`);
    return name;
  }

  async function start(schema: string, options: { role?: string; storeRole?: string } = {}): Promise<Instance> {
    const i = await instance(schema, options);
    open.push(i);
    return i;
  }

  /** PostgreSQL refuses the role's new connections, and its open ones are ended. */
  async function refuse(name: string): Promise<void> {
    await admin(`alter role ${name} nologin`);
    await admin(`select pg_terminate_backend(pid) from pg_stat_activity where usename = '${name}'`);
  }

  before(() => {
    if (!url) throw new Error('KUMBAYA_TEST_PG_URL is not set; CI must test PostgreSQL');
  });
  after(async () => {
    for (const i of open) await i.close().catch(() => {});
    for (const schema of schemas) await admin(`drop schema ${schema} cascade`);
    for (const name of roles) {
      await admin(`select pg_terminate_backend(pid) from pg_stat_activity where usename = '${name}'`);
      await admin(`drop role if exists ${name}`);
    }
  });

  it('reaches every instance of one site, numbered, and no site in another schema of the same database', async () => {
    const [siteA, siteB] = await Promise.all([site(), site()]);
    const [a1, a2, b] = await Promise.all([start(siteA), start(siteA), start(siteB)]);
    a1.feed.publish('post-changed:7');
    assert.deepEqual(a1.topics, ['post-changed:7'], 'the publishing instance hears it at once');
    await until('a2 hears it', () => a2.events.length === 1);
    assert.deepEqual(a2.topics, ['post-changed:7']);
    assert.equal(a2.events[0].topic, 'post-changed:7');
    assert.equal(a2.events[0].id, await a1.store.changeLog.head(), 'with the id the log gave it');
    await until('a1 follows its own change too', () => a1.events.length === 1);
    assert.deepEqual(a1.events, a2.events);
    // b listens on its own channel: give a stray notification the same time to arrive.
    await sleep(300);
    assert.deepEqual([b.topics, b.events], [[], []], 'a site in another schema hears nothing');
  });

  it('tells its own subscribers of its own change once, at publish, and again when read back only if it was published inside a transaction', async () => {
    const schema = await site();
    const [a1, a2] = await Promise.all([start(schema), start(schema)]);
    a1.feed.publish('comments-changed:1');
    await until('a1 reads its change back', () => a1.events.length === 1);
    await until('a2 hears it', () => a2.events.length === 1);
    // A second clear of a1's caches would throw away the pages rendered since the first.
    assert.deepEqual(a1.topics, ['comments-changed:1']);
    assert.deepEqual(a2.topics, ['comments-changed:1']);

    // Announced before its commit: a page rendered in between may be stale, so the read-back clears again.
    await a1.store.transaction(async () => a1.feed.publish('comments-changed:2'));
    await until('a1 reads it back', () => a1.events.length === 2);
    assert.deepEqual(a1.topics, ['comments-changed:1', 'comments-changed:2', 'comments-changed:2']);
    await until('a2 hears it', () => a2.events.length === 2);
    assert.deepEqual(a2.topics, ['comments-changed:1', 'comments-changed:2']);
    assert.deepEqual(a1.events.map((e) => e.topic), ['comments-changed:1', 'comments-changed:2'], 'followers hear each once');
  });

  it('notifies ids only, so a change longer than NOTIFY’s 8,000 bytes still arrives whole', async () => {
    const schema = await site();
    const [a1, a2] = await Promise.all([start(schema), start(schema)]);
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    const payloads: string[] = [];
    raw.on('notification', (message) => payloads.push(message.payload ?? ''));
    await raw.query(`listen ${channelFor(schema)}`);
    try {
      const long = `settings-changed:${'x'.repeat(9000)}`;
      a1.feed.publish(long);
      await until('a2 hears the long change', () => a2.topics.includes(long));
      await until('the notification is seen', () => payloads.length > 0);
      assert.match(payloads[0], /^[0-9]+$/, 'the payload is an id');
    } finally {
      await raw.end();
    }
  });

  it('gives every instance the same order, whoever published', async () => {
    const schema = await site();
    const [a1, a2, a3] = await Promise.all([start(schema), start(schema), start(schema)]);
    for (let i = 0; i < 30; i++) [a1, a2, a3][i % 3].feed.publish(`comment-approved:1:${i}`);
    await until('everyone followed all 30', () => [a1, a2, a3].every((x) => x.events.length === 30));
    const ids = a1.events.map((e) => e.id);
    assert.deepEqual([...ids].sort((x, y) => x - y), ids, 'ids only grow');
    assert.deepEqual(a2.events, a1.events);
    assert.deepEqual(a3.events, a1.events);
  });

  it('listens again after PostgreSQL refused it for a while, catching up from the log meanwhile', async () => {
    const schema = await site();
    const listener = await role(schema);
    const x = await start(schema, { role: listener });
    const other = await start(schema);
    assert.deepEqual(x.feed.status(), { state: 'up' });

    await refuse(listener);
    await until('x knows it is not listening', () => x.feed.status().state === 'down');
    // Changes made elsewhere still reach it: it reads the log through its store meanwhile.
    other.feed.publish('post-changed:1');
    await until('x hears the change while down', () => x.topics.includes('post-changed:1'));
    // It keeps trying: more than once (the old feed tried once and gave up).
    await until('x tried to listen again twice', () => {
      const s = x.feed.status();
      return s.state === 'down' && s.attempts >= 2;
    });
    const down = x.feed.status();
    assert.ok(down.state === 'down' && down.catchingUp && /not permitted to log in/.test(down.reason), JSON.stringify(down));

    await admin(`alter role ${listener} login`);
    await until('x listens again', () => x.feed.status().state === 'up');
    other.feed.publish('post-changed:2');
    await until('x hears the next change', () => x.topics.includes('post-changed:2'));
    await until('other follows it too', () => other.events.some((e) => e.topic === 'post-changed:2'));
    assert.deepEqual(x.events, other.events, 'x followed every change, once, in order');
  });

  it('empties caches while the log cannot be read, and catches up once it can', async () => {
    const schema = await site();
    const name = await role(schema);
    const x = await start(schema, { role: name, storeRole: name });
    const other = await start(schema);

    await refuse(name);
    await until('x cannot read the log', () => {
      const s = x.feed.status();
      return s.state === 'down' && !s.catchingUp;
    });
    assert.ok(x.topics.includes(CHANGES_MISSED), 'its subscribers (the caches) were told to forget');
    other.feed.publish('post-changed:3');
    await until('other follows its change', () => other.events.some((e) => e.topic === 'post-changed:3'));

    await admin(`alter role ${name} login`);
    await until('x hears the change made while it could not read', () => x.topics.includes('post-changed:3'));
    await until('x listens again', () => x.feed.status().state === 'up');
    assert.deepEqual(x.events, other.events, 'nothing a live stream needs was lost');
  });

  it('tells followers it missed changes when the log was pruned past the last it saw', async () => {
    const schema = await site();
    const name = await role(schema);
    const x = await start(schema, { role: name, storeRole: name });
    const other = await start(schema);
    other.feed.publish('post-changed:4');
    await until('x follows it', () => x.events.length === 1);

    await refuse(name);
    await until('x cannot read the log', () => {
      const s = x.feed.status();
      return s.state === 'down' && !s.catchingUp;
    });
    other.feed.publish('post-changed:5');
    await until('other follows its change', () => other.events.length === 2);
    // Housekeeping on another instance removes everything but the newest entry.
    assert.ok((await other.store.changeLog.prune(Date.now() + 3_600_000)) >= 1);

    await admin(`alter role ${name} login`);
    await until('x is told it missed changes', () => x.events.length === 2);
    assert.deepEqual(x.events[1].topic, CHANGES_MISSED);
    assert.equal(x.events[1].id, other.events[1].id, 'and where to resume: the newest entry');
    assert.ok(!x.topics.includes('post-changed:5'));
  });

  it('keeps the default channel for a site in the default schema', () => {
    assert.equal(channelFor(undefined), 'kumbaya_changes');
    assert.equal(channelFor('public'), 'kumbaya_changes');
    assert.match(channelFor('t_0123456789abcdef'), /^kumbaya_changes_[0-9a-f]{16}$/);
    assert.notEqual(channelFor('a'), channelFor('b'));
  });
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { eventually } from './helpers/eventually.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from './helpers/test-kumbaya.ts';

const postgres = testEngines().find((e) => e.engine === 'postgres')!;
const url = process.env.KUMBAYA_TEST_PG_URL ?? '';

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(statement).finally(() => client.end());
}

/** KUMBAYA_TEST_PG_URL as another role (the test cluster trusts local connections). */
function asRole(role: string): string {
  const u = new URL(url);
  u.username = role;
  u.password = '';
  return u.toString();
}

interface Health {
  status: string;
  live_updates: { state: string; catching_up?: boolean; attempts?: number; message?: string };
}

/**
 * Issue 13, point 3: an instance whose listening connection PostgreSQL ends, and then
 * refuses for a while, listens again by itself, keeps its pages current meanwhile, and says
 * so on /healthz. PostgreSQL refuses one role of this test's own (ALTER ROLE … NOLOGIN and
 * pg_terminate_backend), never the shared server.
 */
describe('an instance whose listening connection PostgreSQL refuses for a while', { skip: postgres.skip }, () => {
  let y: TestKumbaya;
  const roles: string[] = [];
  const instances: TestKumbaya[] = [];

  async function role(): Promise<string> {
    const name = `kumbaya_live_${randomBytes(6).toString('hex')}`;
    await admin(`create role ${name} login`);
    roles.push(name);
    const schema = y.pgSchema!;
    await admin(`grant all on schema ${schema} to ${name}; grant all on all tables in schema ${schema} to ${name}; grant all on all sequences in schema ${schema} to ${name}`);
    return name;
  }

  async function refuse(name: string): Promise<void> {
    await admin(`alter role ${name} nologin`);
    await admin(`select pg_terminate_backend(pid) from pg_stat_activity where usename = '${name}'`);
  }

  async function health(k: TestKumbaya): Promise<{ code: number; body: Health }> {
    const res = await k.request('/healthz');
    return { code: res.status, body: (await res.json()) as Health };
  }

  /** Publishes a post on `k` and returns its title. */
  async function publish(k: TestKumbaya, title: string): Promise<string> {
    const owner = await k.signIn('owner');
    const post = await k.deps.posts.create(owner.user!, { title, markdown: `${title}, in a few words.` });
    await k.deps.posts.publish(owner.user!, post.id);
    return title;
  }

  /** The home page as a signed-out reader gets it, and whether it came from the page cache. */
  async function home(k: TestKumbaya): Promise<{ text: string; cached: boolean }> {
    const res = await k.request('/');
    return { text: await res.text(), cached: res.headers.get('x-cache') === 'hit' };
  }

  before(async () => {
    y = await startTestKumbaya({ engine: 'postgres', demo: true });
  });
  after(async () => {
    for (const k of instances) await k.close().catch(() => {});
    await y?.cleanup();
    for (const name of roles) {
      await admin(`select pg_terminate_backend(pid) from pg_stat_activity where usename = '${name}'`);
      await admin(`drop role if exists ${name}`);
    }
  });

  it('keeps its pages current by reading the change log, reports it on /healthz, and listens again', async () => {
    const listener = await role();
    const x = await startTestKumbaya({ engine: 'postgres', pgSchema: y.pgSchema, env: { DATABASE_LISTEN_URL: asRole(listener) } });
    instances.push(x);
    assert.deepEqual((await health(x)).body.live_updates.state, 'up');
    await home(x);
    assert.ok((await home(x)).cached, 'x serves its home page from its cache');

    await refuse(listener);
    assert.ok(await eventually(async () => (await health(x)).body.live_updates.state === 'down', 10_000), 'x reports that it is not listening');
    const down = await health(x);
    assert.equal(down.code, 200, 'still serving: a load balancer keeps it');
    assert.equal(down.body.status, 'degraded');
    assert.equal(down.body.live_updates.catching_up, true);
    assert.match(down.body.live_updates.message!, /reading the change log every second/);

    const title = await publish(y, 'Published while x could not listen');
    assert.ok(await eventually(async () => (await home(x)).text.includes(title), 10_000), 'x shows it: its cache did not go stale');
    assert.ok(await eventually(async () => ((await health(x)).body.live_updates.attempts ?? 0) >= 2, 20_000), 'x keeps trying to listen');

    await admin(`alter role ${listener} login`);
    assert.ok(await eventually(async () => (await health(x)).body.status === 'ok', 30_000), 'x listens again by itself');
    const next = await publish(y, 'Published once x listened again');
    assert.ok(await eventually(async () => (await home(x)).text.includes(next), 10_000));
  });

  it('empties its caches while it cannot read the log, and shows what changed meanwhile once it can', async () => {
    const name = await role();
    const x = await startTestKumbaya({ engine: 'postgres', pgSchema: y.pgSchema, env: { DATABASE_URL: asRole(name) } });
    instances.push(x);
    await home(x);
    assert.ok((await home(x)).cached);

    await refuse(name);
    assert.ok(await eventually(async () => (await health(x)).code === 503, 10_000), '/healthz fails: the database refuses this instance');
    // Its next try at the log fails too (the one before may have been made just before the refusal).
    assert.ok(await eventually(async () => (await health(x)).body.live_updates.catching_up === false, 10_000), 'x says it cannot read the log');
    const { body } = await health(x);
    assert.equal(body.live_updates.state, 'down');
    assert.equal(body.live_updates.catching_up, false);
    const title = await publish(y, 'Published while x could not read');
    assert.ok(!(await home(x)).cached, 'no stale page is served from the cache');

    await admin(`alter role ${name} login`);
    assert.ok(await eventually(async () => (await home(x)).text.includes(title), 30_000), 'x shows the post published while it could not read');
    assert.ok(await eventually(async () => (await health(x)).body.status === 'ok', 30_000));
  });
});

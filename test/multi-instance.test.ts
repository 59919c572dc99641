import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from './helpers/eventually.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from './helpers/test-kumbaya.ts';

const postgres = testEngines().find((e) => e.engine === 'postgres')!;

describe('two instances sharing one PostgreSQL database', { skip: postgres.skip }, () => {
  let a: TestKumbaya;
  let b: TestKumbaya;
  before(async () => {
    a = await startTestKumbaya({ engine: 'postgres', demo: true });
    b = await startTestKumbaya({ engine: 'postgres', pgSchema: a.pgSchema });
  });
  after(async () => {
    await b?.close();
    await a?.cleanup();
  });

  it('clears the other instance’s page cache when content changes', async () => {
    const first = await b.request('/');
    assert.doesNotMatch(await first.text(), /Written on A/);
    assert.equal((await b.request('/')).headers.get('x-cache'), 'hit', 'B serves its home page from cache');

    const owner = await a.signIn('owner');
    const post = await a.deps.posts.create(owner.user!, { title: 'Written on A', markdown: 'Hello from instance A.' });
    await a.deps.posts.publish(owner.user!, post.id);

    const seen = await eventually(async () => /Written on A/.test(await (await b.request('/')).text()));
    assert.ok(seen, 'B shows the post published on A');
  });

  it('accepts a session started on the other instance', async () => {
    const owner = await a.signIn('owner');
    const cookie = `kb_session=${owner.cookies.get('kb_session')}`;
    const res = await b.request('/admin', { headers: { cookie } });
    assert.equal(res.status, 200);
  });

  it('shares the generated secret, so CSRF tokens signed on one verify on the other', () => {
    assert.equal(a.deps.secret, b.deps.secret);
  });
});

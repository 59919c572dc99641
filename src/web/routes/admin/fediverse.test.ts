import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, startTestKumbaya, type TestKumbaya } from '../../../../test/helpers/test-kumbaya.ts';

describe('Admin → Fediverse', () => {
  let k: TestKumbaya;
  let owner: Agent;
  before(async () => {
    k = await startTestKumbaya({ env: { SITE_URL: 'https://blog.example' } });
    owner = await k.signIn('owner');
  });
  after(() => k.cleanup());

  const follower = (actorUri: string, status: 'accepted' | 'pending' = 'accepted') =>
    k.deps.store.followers.upsert({ actorUri, handle: `@${actorUri.split('/').pop()}@${new URL(actorUri).host}`, inbox: `${actorUri}/inbox`, sharedInbox: null, status, followId: `${actorUri}#follow` }, k.deps.clock.now());

  /** Uploads a block list as the form does (multipart, with the CSRF token). */
  function upload(text: string | Uint8Array<ArrayBuffer>, name = 'blocks.csv') {
    const body = new FormData();
    body.set('_csrf', owner.csrf);
    body.set('file', new File([text], name, { type: 'text/csv' }));
    return owner.request('/admin/fediverse/import-blocks', { method: 'POST', body });
  }

  it('shows the handle, followers and requests, in the owner’s navigation; without loading Fedify', async () => {
    await follower('https://social.example/users/ana');
    await follower('https://other.example/users/bo', 'pending');
    const res = await owner.request('/admin/fediverse');
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /href="\/admin\/fediverse"/);
    assert.match(page, /@blog@blog\.example/);
    assert.match(page, /href="https:\/\/blog\.example\/@blog"/);
    assert.match(page, /Follow requests \(1\)[\s\S]*@bo@other\.example[\s\S]*Followers \(1\)[\s\S]*@ana@social\.example/);
    assert.equal(k.fediverse?.loaded, false, 'showing the page does not load Fedify');
  });

  it('blocks a domain (removing its follows) and unblocks it', async () => {
    await follower('https://spam.example/users/x');
    await follower('https://eu.spam.example/users/y');
    const res = await owner.form('/admin/fediverse/block-domain', { domain: ' Spam.Example. ' });
    assert.equal(res.status, 303);
    assert.equal(await k.deps.store.followers.findByActor('https://spam.example/users/x'), null);
    assert.equal(await k.deps.store.followers.findByActor('https://eu.spam.example/users/y'), null);
    const [block] = await k.deps.store.fediverseBlocks.list();
    assert.deepEqual([block.kind, block.value], ['domain', 'spam.example']);
    assert.equal((await owner.form(`/admin/fediverse/blocks/${block.id}/delete`, {})).status, 303);
    assert.equal(await k.deps.store.fediverseBlocks.isBlocked('https://spam.example/users/x'), false);
  });

  it('refuses a domain that is not one with a specific 422', async () => {
    const res = await owner.form('/admin/fediverse/block-domain', { domain: 'https://not a domain/' });
    assert.equal(res.status, 422);
    assert.match(await res.text(), /is not a domain name/);
  });

  it('imports Mastodon’s domain-block CSV: suspended domains are blocked, counts reported', async () => {
    const csv = [
      '#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate',
      'bad.example,suspend,true,true,Spam,false',
      'noisy.example,silence,false,false,,false',
      'worse.example,suspend,false,false,"Harassment",false',
      'bad.example,suspend,true,true,Spam,false',
      'not a domain,suspend,false,false,,false',
      '',
    ].join('\r\n');
    const res = await upload(csv);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /2 added, 2 skipped \(already blocked, repeated, or only silenced\), 1 lines not a domain \(line 6\)/);
    assert.equal(await k.deps.store.fediverseBlocks.isBlocked('https://bad.example/u/a'), true);
    assert.equal(await k.deps.store.fediverseBlocks.isBlocked('https://worse.example/u/a'), true);
    assert.equal(await k.deps.store.fediverseBlocks.isBlocked('https://noisy.example/u/a'), false, 'silence limits, it does not block');
  });

  it('imports a plain list of domains, skipping comments and those already blocked', async () => {
    const res = await upload('# my list\nplain-one.example\n\nplain-two.example\nworse.example\n', 'list.txt');
    assert.equal(res.status, 200);
    assert.match(await res.text(), /2 added, 1 skipped \(already blocked, repeated, or only silenced\)\./);
    assert.equal(await k.deps.store.fediverseBlocks.isBlocked('https://plain-two.example/u/a'), true);
  });

  it('refuses a file that is not a block list with a specific 422, adding nothing', async () => {
    const before = (await k.deps.store.fediverseBlocks.list()).length;
    const csv = await upload('name,reason\nfoo.example,spam\n');
    assert.equal(csv.status, 422);
    assert.match(await csv.text(), /CSV without a “#domain” column/);
    const binary = await upload(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), 'export.zip');
    assert.equal(binary.status, 422);
    assert.match(await binary.text(), /not text/);
    const empty = await upload('\n\n');
    assert.equal(empty.status, 422);
    assert.match(await empty.text(), /empty/);
    assert.equal((await k.deps.store.fediverseBlocks.list()).length, before);
  });

  it('is the owner’s alone', async () => {
    const moderator = await k.signIn('moderator');
    assert.equal((await moderator.request('/admin/fediverse')).status, 403);
    assert.equal((await moderator.form('/admin/fediverse/block-domain', { domain: 'x.example' })).status, 403);
  });
});

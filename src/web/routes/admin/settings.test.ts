import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, startTestKumbaya, type TestKumbaya } from '../../../../test/helpers/test-kumbaya.ts';

let k: TestKumbaya;
let owner: Agent;

before(async () => {
  k = await startTestKumbaya({ demo: true });
  owner = await k.signIn('owner');
});
after(() => k.cleanup());

const settings = { title: 'Kumbaya', description: 'A blog built for conversation.', navigation: 'Home | /\nArchive | /archive', customCss: '', postsPerPage: '10' };

describe('settings', () => {
  it('shows the current settings in the form', async () => {
    const page = await (await owner.request('/admin/settings')).text();
    assert.match(page, /name="title"[^>]*value="Kumbaya"/);
    assert.match(page, /Home \| \/\nArchive \| \/archive\nAbout \| \/about<\/textarea>/);
  });

  it('changes the title on the public home page at once (the page cache is cleared)', async () => {
    assert.match(await (await k.request('/')).text(), /<title>Kumbaya<\/title>/);
    assert.equal((await k.request('/')).headers.get('x-cache'), 'hit');
    const res = await owner.form('/admin/settings', { ...settings, title: 'Porch Talk', navigation: 'Home | /\nAbout | /about' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/admin/settings?notice=settings-saved');
    const home = await (await k.request('/')).text();
    assert.match(home, /<title>Porch Talk<\/title>/);
    assert.match(home, /<a href="\/about"[^>]*>About<\/a>/);
    assert.doesNotMatch(home, />Archive<\/a>/);
    assert.match(await (await owner.request('/admin/settings?notice=settings-saved')).text(), /Settings saved/);
  });

  it('answers 422 naming each bad field, keeping what was typed', async () => {
    const res = await owner.form('/admin/settings', { ...settings, title: '', navigation: 'About /about', postsPerPage: '500' });
    assert.equal(res.status, 422);
    const page = await res.text();
    assert.match(page, /id="f-title-error">Give the site a title\./);
    assert.match(page, /id="f-navigation-error">Line 1 \(&quot;About \/about&quot;\) should look like/);
    assert.match(page, /id="f-postsPerPage-error">Show at most 50/);
    assert.match(page, /About \/about<\/textarea>/);
    assert.equal((await k.deps.site()).title, 'Porch Talk');
  });
});

describe('users', () => {
  it('invites a user, who joins with the given role and their own password', async () => {
    const res = await owner.form('/admin/users', { email: 'dana@example.com', role: 'author' });
    assert.equal(res.status, 200);
    const path = /<code class="invite-link">http:\/\/localhost:3000(\/invite\/[\w-]+)<\/code>/.exec(await res.text())![1];
    const dana = new Agent(k.app);
    const page = await (await dana.request(path)).text();
    dana.csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1];
    assert.equal((await dana.form(path, { name: 'Dana Writer', password: 'a long password' })).status, 303);
    assert.equal((await k.deps.store.users.findByEmail('dana@example.com'))?.role, 'author');
    assert.match(await (await owner.request('/admin/users')).text(), /Dana Writer/);
    assert.ok(await k.deps.auth.login('dana@example.com', 'a long password', '127.0.0.1'));
  });

  it('keeps the form and explains a duplicate or bad input', async () => {
    const bad = await owner.form('/admin/users', { email: 'dana at example', role: 'author' });
    assert.equal(bad.status, 422);
    const page = await bad.text();
    assert.match(page, /value="dana at example"/);
    assert.match(page, /class="field-error"/);
    const duplicate = await owner.form('/admin/users', { email: 'dana@example.com', role: 'author' });
    assert.equal(duplicate.status, 409);
    assert.match(await duplicate.text(), /already has an account/);
  });

  it('changes a role, but never leaves the site without an owner', async () => {
    const dana = (await k.deps.store.users.findByEmail('dana@example.com'))!;
    const res = await owner.form(`/admin/users/${dana.id}/role`, { role: 'moderator' });
    assert.equal(res.status, 303);
    assert.equal((await k.deps.store.users.findById(dana.id))!.role, 'moderator');
    const last = await owner.form(`/admin/users/${owner.user!.id}/role`, { role: 'author' });
    assert.equal(last.status, 409);
    assert.match(await last.text(), /needs at least one owner/);
    assert.equal((await k.deps.store.users.findById(owner.user!.id))!.role, 'owner');
  });

  it('asks before removing a user, then gives their posts to the owner', async () => {
    const james = (await k.deps.store.users.findByEmail('james@kumbaya.example'))!;
    const ask = await owner.form(`/admin/users/${james.id}/remove`, {});
    assert.equal(ask.status, 200);
    assert.match(await ask.text(), /Remove James\?[\s\S]*name="confirm" value="yes"/);
    assert.ok(await k.deps.store.users.findById(james.id));
    const demoBefore = await k.request('/you-cant-fail-in-social-media');
    assert.match(await demoBefore.text(), /by <a[^>]*>James<\/a>/);
    const done = await owner.form(`/admin/users/${james.id}/remove`, { confirm: 'yes' });
    assert.equal(done.status, 303);
    assert.equal(await k.deps.store.users.findById(james.id), null);
    const post = (await k.deps.store.posts.findBySlug('you-cant-fail-in-social-media'))!;
    assert.equal(post.authorId, owner.user!.id);
    assert.match(await (await k.request('/you-cant-fail-in-social-media')).text(), new RegExp(`by <a[^>]*>${owner.user!.name}</a>`));
  });

  it('does not let the owner remove themselves', async () => {
    const res = await owner.form(`/admin/users/${owner.user!.id}/remove`, { confirm: 'yes' });
    assert.equal(res.status, 409);
    assert.ok(await k.deps.store.users.findById(owner.user!.id));
  });
});

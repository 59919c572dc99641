import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, startTestKumbaya, testEngines, type TestKumbaya } from '../../../../test/helpers/test-kumbaya.ts';

for (const { engine, skip } of testEngines()) {
  describe(`accounts and tokens (${engine})`, { skip }, () => {
    let k: TestKumbaya;

    before(async () => {
      k = await startTestKumbaya({ demo: true, engine });
    });
    after(() => k.cleanup());

    describe('personal access tokens', () => {
      let author: Agent;
      before(async () => {
        author = await k.signIn('author');
      });

      it('shows a new token’s secret once, after a redirect, and only a prefix afterwards', async () => {
        const before = await k.deps.store.apiTokens.listForUser(author.user!.id);
        const res = await author.form('/admin/tokens', { name: 'publishing script', scopes: ['read', 'write'], expires: '90' });
        // POST → 303 → GET: reloading the page that shows the secret does not send the form again.
        assert.equal(res.status, 303);
        assert.equal(res.headers.get('location'), '/admin/tokens');
        const flash = author.cookies.get('kb_new_token');
        assert.ok(flash, 'the secret waits for the next page, sealed');
        const shown = await author.request('/admin/tokens');
        assert.equal(shown.status, 200);
        assert.equal(shown.headers.get('cache-control'), 'private, no-store');
        const page = await shown.text();
        const secret = /value="(kby_[A-Za-z0-9_-]+)"/.exec(page)?.[1];
        assert.ok(secret, 'the secret is on the result page');
        assert.match(page, /only time it is shown/);
        assert.equal((await k.deps.auth.resolveApiToken(secret))?.id, author.user!.id);
        assert.ok(!flash.includes(secret.slice(4, 20)), 'the cookie does not hold the secret readably');
        assert.equal((await k.deps.store.apiTokens.listForUser(author.user!.id)).length, before.length + 1, 'one token was made');

        // Reloading shows the list only; another session cannot open the sealed value.
        const list = await (await author.request('/admin/tokens')).text();
        const other = await k.signIn('author');
        other.cookies.set('kb_new_token', flash);
        assert.doesNotMatch(await (await other.request('/admin/tokens')).text(), new RegExp(secret));
        assert.equal((await k.deps.store.apiTokens.listForUser(author.user!.id)).length, before.length + 1, 'reloading made no second token');
        assert.match(list, /publishing script/);
        assert.match(list, new RegExp(`<code>${secret.slice(0, 10)}…</code>`));
        assert.doesNotMatch(list, new RegExp(secret));
      });

      it('revokes a token so it no longer works', async () => {
        const { secret, token } = await k.deps.auth.createApiToken(author.user!, 'to revoke');
        const res = await author.form(`/admin/tokens/${token.id}/revoke`, {});
        assert.equal(res.status, 303);
        assert.equal(await k.deps.auth.resolveApiToken(secret), null);
        assert.doesNotMatch(await (await author.request('/admin/tokens')).text(), /to revoke/);
      });

      it('cannot revoke someone else’s token', async () => {
        const other = await k.signIn('author');
        const { secret, token } = await k.deps.auth.createApiToken(other.user!, 'theirs');
        assert.equal((await author.form(`/admin/tokens/${token.id}/revoke`, {})).status, 404);
        assert.ok(await k.deps.auth.resolveApiToken(secret));
      });

      it('offers the scopes the role allows, read and write ticked, and 90 days by default', async () => {
        const page = await (await author.request('/admin/tokens')).text();
        for (const scope of ['read', 'write', 'moderate']) assert.match(page, new RegExp(`<input type="checkbox" id="f-scope-${scope}" name="scopes" value="${scope}"`));
        assert.doesNotMatch(page, /value="admin"/, 'an author’s token cannot administer the site');
        assert.match(page, /value="read" checked/);
        assert.match(page, /value="write" checked/);
        assert.doesNotMatch(page, /value="moderate" checked/);
        assert.match(page, /<option value="90" selected>In 90 days<\/option>/);
        assert.match(page, /<option value="never">Never<\/option>/);
        const owner = await k.signIn('owner');
        assert.match(await (await owner.request('/admin/tokens')).text(), /name="scopes" value="admin"/);
      });

      it('creates a token with the scopes and expiry chosen, and lists them with when it was last used', async () => {
        const agent = await k.signIn('moderator');
        const now = k.deps.clock.now();
        assert.equal((await agent.form('/admin/tokens', { name: 'inbox bot', scopes: ['read', 'moderate'], expires: '30' })).status, 303);
        assert.equal((await agent.form('/admin/tokens', { name: 'forever', scopes: 'read', expires: 'never' })).status, 303);
        const [forever, bot] = await k.deps.store.apiTokens.listForUser(agent.user!.id);
        assert.equal(bot.scopes, 'read moderate');
        assert.ok(bot.expiresAt! >= now + 30 * 24 * 3600 * 1000 && bot.expiresAt! <= k.deps.clock.now() + 30 * 24 * 3600 * 1000);
        assert.equal(forever.scopes, 'read');
        assert.equal(forever.expiresAt, null);
        await k.deps.store.apiTokens.touch(bot.id, now);
        const list = await (await agent.request('/admin/tokens')).text();
        const row = (name: string) => new RegExp(`<th scope="row" class="cell-title">${name}</th>[\\s\\S]*?</tr>`).exec(list)?.[0] ?? '';
        assert.match(row('inbox bot'), /<td data-label="May"><span class="scope">read<\/span>, <span class="scope">moderate<\/span><\/td>/);
        assert.match(row('inbox bot'), new RegExp(`<td data-label="Expires"><time datetime="${new Date(bot.expiresAt!).toISOString().slice(0, 10)}`));
        assert.match(row('inbox bot'), /<td data-label="Last used"><time/);
        assert.match(row('forever'), /<td data-label="Expires"><span class="muted">Never<\/span><\/td>/);
        assert.match(row('forever'), /<td data-label="Last used"><span class="muted">Never<\/span><\/td>/);
      });

      it('refuses no scope, a scope beyond the role and an unknown expiry, creating nothing', async () => {
        const count = (await k.deps.store.apiTokens.listForUser(author.user!.id)).length;
        const none = await author.form('/admin/tokens', { name: 'nothing', expires: '90' });
        assert.equal(none.status, 422);
        assert.match(await none.text(), /<p class="field-error" id="f-scopes-error">Choose at least one\.<\/p>/);
        const beyond = await author.form('/admin/tokens', { name: 'too much', scopes: ['read', 'admin'], expires: '90' });
        assert.equal(beyond.status, 422);
        const page = await beyond.text();
        assert.match(page, /an author may give a token read, write, moderate, not admin/);
        assert.match(page, /value="too much"/, 'the name is kept');
        assert.match(page, /value="read" checked/);
        const odd = await author.form('/admin/tokens', { name: 'odd', scopes: 'read', expires: '12' });
        assert.equal(odd.status, 422);
        assert.match(await odd.text(), /id="f-expires-error">Choose one of the choices\./);
        assert.equal((await k.deps.store.apiTokens.listForUser(author.user!.id)).length, count);
      });

      it('asks for a name', async () => {
        const res = await author.form('/admin/tokens', { name: '  ', scopes: 'read', expires: '90' });
        assert.equal(res.status, 422);
        assert.match(await res.text(), /id="f-name-error"/);
      });
    });

    describe('profile', () => {
      it('saves name, bio and address, and the public author page shows them at once', async () => {
        const author = await k.signIn('author');
        await author.form('/admin/posts', { title: 'Byline check', slug: 'byline-check', markdown: 'x', action: 'publish', type: 'post', tags: '', excerpt: '', coverImage: '', publishedAt: '', visibility: 'public' });
        assert.match(await (await k.request('/byline-check')).text(), new RegExp(author.user!.name));
        const res = await author.form('/admin/profile', { name: 'Rosa Parkes', bio: 'Writes about porches.', slug: 'rosa', email: author.user!.email });
        assert.equal(res.status, 303);
        assert.match(await (await k.request('/byline-check')).text(), /by <a[^>]*href="\/author\/rosa"[^>]*>Rosa Parkes<\/a>/);
        const page = await (await k.request('/author/rosa')).text();
        assert.match(page, /Writes about porches\./);
      });

      it('refuses an address another user has, keeping the input', async () => {
        const author = await k.signIn('author');
        const res = await author.form('/admin/profile', { name: 'Someone', bio: '', slug: 'james', email: author.user!.email });
        assert.equal(res.status, 409);
        const page = await res.text();
        assert.match(page, /id="f-slug-error">Already in use\./);
        assert.match(page, /value="Someone"/);
      });

      it('changes the password, keeps this browser signed in and signs out the others', async () => {
        const here = await k.signIn('author');
        const elsewhere = new Agent(k.app);
        const other = await k.deps.auth.startSession(here.user!.id);
        elsewhere.cookies.set('kb_session', other.token);
        assert.equal((await elsewhere.request('/admin')).status, 200);

        const wrong = await here.form('/admin/profile/password', { current: 'not it', password: 'a brand new password', repeat: 'a brand new password' });
        assert.equal(wrong.status, 422);
        assert.match(await wrong.text(), /current password is not right/);

        const res = await here.form('/admin/profile/password', { current: 'correct horse battery', password: 'a brand new password', repeat: 'a brand new password' });
        assert.equal(res.status, 303);
        assert.equal(res.headers.get('location'), '/admin/profile?notice=password-changed');
        assert.equal((await here.request('/admin/profile')).status, 200, 'still signed in here');
        assert.equal((await elsewhere.request('/admin')).status, 303, 'signed out elsewhere');
        assert.ok(await k.deps.auth.login(here.user!.email, 'a brand new password', '127.0.0.2'));
      });

      it('catches a mistyped repeat before changing anything', async () => {
        const here = await k.signIn('moderator');
        const res = await here.form('/admin/profile/password', { current: 'correct horse battery', password: 'a brand new password', repeat: 'a brand new passw0rd' });
        assert.equal(res.status, 422);
        assert.ok(await k.deps.auth.login(here.user!.email, 'correct horse battery', '127.0.0.3'));
      });
    });

    describe('tags', () => {
      it('renames a tag and its address; the public tag page follows', async () => {
        const owner = await k.signIn('owner');
        const tag = (await k.deps.store.tags.findBySlug('community'))!;
        assert.equal((await k.request('/tag/community')).status, 200);
        const page = await (await owner.request('/admin/tags')).text();
        assert.match(page, /Community[\s\S]*1 published post/);
        const res = await owner.form(`/admin/tags/${tag.id}`, { name: 'Neighbours', slug: 'neighbours' });
        assert.equal(res.status, 303);
        assert.equal((await k.request('/tag/community')).status, 404);
        const renamed = await k.request('/tag/neighbours');
        assert.equal(renamed.status, 200);
        assert.match(await renamed.text(), /Tagged “Neighbours”/);
        assert.match(await (await k.request('/you-cant-fail-in-social-media')).text(), />Neighbours<\/a>/);
      });

      it('refuses a bad or taken address with the problem shown', async () => {
        const owner = await k.signIn('owner');
        const tag = (await k.deps.store.tags.findBySlug('neighbours'))!;
        const bad = await owner.form(`/admin/tags/${tag.id}`, { name: 'Neighbours', slug: 'Not OK' });
        assert.equal(bad.status, 422);
        assert.match(await bad.text(), /value="Not OK"[\s\S]*Use lower-case letters/);
        const taken = await owner.form(`/admin/tags/${tag.id}`, { name: 'Neighbours', slug: 'social-media' });
        assert.equal(taken.status, 409);
      });

      it('deletes a tag after confirming; the post keeps its other tags', async () => {
        const owner = await k.signIn('owner');
        const tag = (await k.deps.store.tags.findBySlug('neighbours'))!;
        const ask = await owner.form(`/admin/tags/${tag.id}/delete`, {});
        assert.equal(ask.status, 200);
        assert.ok(await k.deps.store.tags.findBySlug('neighbours'));
        assert.equal((await owner.form(`/admin/tags/${tag.id}/delete`, { confirm: 'yes' })).status, 303);
        assert.equal(await k.deps.store.tags.findBySlug('neighbours'), null);
        const post = (await k.deps.store.posts.findBySlug('you-cant-fail-in-social-media'))!;
        assert.deepEqual(post.tags.map((t) => t.slug), ['social-media']);
        assert.doesNotMatch(await (await k.request('/you-cant-fail-in-social-media')).text(), />Neighbours<\/a>/);
      });
    });
  });
}

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Agent, startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { sha256Hex } from '../../core/tokens.ts';

const START = Date.UTC(2026, 0, 5, 9);
const HOUR = 3600_000;
const form = { 'content-type': 'application/x-www-form-urlencoded' };

/** Opens a form page as a signed-out visitor and keeps its CSRF token. */
async function opened(agent: Agent, path: string): Promise<string> {
  const page = await (await agent.request(path)).text();
  agent.csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  assert.ok(agent.csrf, `${path} carries a CSRF token`);
  return page;
}

for (const { engine, skip } of testEngines()) {
  describe(`password resets and invitations (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let now: number;

    beforeEach(async () => {
      now = START;
      k = await startTestKumbaya({ engine, clock: { now: () => now }, env: { TRUST_PROXY: '1' } });
      await k.deps.auth.createUser({ name: 'Olive', email: 'olive@example.com', password: 'the old password' }, 'owner');
    });
    afterEach(() => k.cleanup());

    const outbox = async () => (await k.deps.store.outbox.list({ limit: 100, offset: 0 })).items;
    const linkIn = (text: string, path: string) => new RegExp(`http://localhost:3000(/${path}/[A-Za-z0-9_-]+)`).exec(text)?.[1];

    /** "Forgot password?" sent from a client address (as the one proxy reports it). */
    async function askForReset(email: string, address = '192.0.2.10'): Promise<Response> {
      const visitor = new Agent(k.app);
      await opened(visitor, '/forgot-password');
      return visitor.request('/forgot-password', { method: 'POST', headers: { ...form, 'x-forwarded-for': address }, body: new URLSearchParams({ _csrf: visitor.csrf, email }) });
    }

    it('sign-in offers “Forgot password?”; a known and an unknown address get the same answer, and each an email', async () => {
      assert.match(await (await k.request('/login')).text(), /<a href="\/forgot-password">Forgot password\?<\/a>/);
      const known = await askForReset('Olive@Example.com');
      const unknown = await askForReset('stranger@example.com');
      for (const res of [known, unknown]) {
        assert.equal(res.status, 303);
        assert.equal(res.headers.get('location'), '/forgot-password?sent=1');
      }
      const sent = await (await k.request('/forgot-password?sent=1')).text();
      assert.match(sent, /If an account signs in with that address, a link to choose a new password is on its way/);

      const mails = await outbox();
      assert.deepEqual(mails.map((m) => m.to).sort(), ['olive@example.com', 'stranger@example.com']);
      const toOlive = mails.find((m) => m.to === 'olive@example.com')!;
      const path = linkIn(toOlive.text, 'reset-password')!;
      assert.ok(path, 'the owner’s email carries a reset link');
      assert.ok(toOlive.html.includes(`http://localhost:3000${path}`));
      const toStranger = mails.find((m) => m.to === 'stranger@example.com')!;
      assert.equal(linkIn(toStranger.text, 'reset-password'), undefined);
      assert.match(toStranger.text, /no account there signs in with this address/);

      const secret = path.split('/').pop()!;
      assert.equal(await k.deps.store.accountTokens.findByHash(secret), null, 'the secret itself is not stored');
      assert.equal((await k.deps.store.accountTokens.findByHash(sha256Hex(secret)))?.expiresAt, START + HOUR, 'its hash is, for an hour');
    });

    it('the link sets a new password once, signs out every session, and then sign-in works with it', async () => {
      const elsewhere = await k.deps.auth.login('olive@example.com', 'the old password', '198.51.100.1');
      await askForReset('olive@example.com');
      const path = linkIn((await outbox())[0].text, 'reset-password')!;

      const visitor = new Agent(k.app);
      const page = await opened(visitor, path);
      assert.match(page, /Choose a new password/);
      assert.match(page, /olive@example\.com/);
      const short = await visitor.form(path, { password: 'short' });
      assert.equal(short.status, 422);
      assert.match(await short.text(), /Use at least 10 characters/);

      const done = await visitor.form(path, { password: 'a brand new password' });
      assert.equal(done.status, 303);
      assert.equal(done.headers.get('location'), '/login?reset=1');
      assert.match(await (await k.request('/login?reset=1')).text(), /Your new password is set/);
      assert.equal(await k.deps.auth.resolveSession(elsewhere.created.token), null, 'the other session is signed out');
      assert.ok(await k.deps.auth.login('olive@example.com', 'a brand new password', '198.51.100.2'));
      await assert.rejects(k.deps.auth.login('olive@example.com', 'the old password', '198.51.100.3'), { code: 'unauthenticated' });

      const again = await new Agent(k.app).request(path);
      assert.equal(again.status, 410);
      assert.equal(again.headers.get('cache-control'), 'no-store');
      assert.match(await again.text(), /This link has already been used[\s\S]*<a href="\/forgot-password">Ask for a new link<\/a>/);
      const reuse = await visitor.form(path, { password: 'yet another password' });
      assert.equal(reuse.status, 410);
      assert.ok(await k.deps.auth.login('olive@example.com', 'a brand new password', '198.51.100.4'), 'the used link changed nothing');
    });

    it('refuses an expired or made-up link with a clear page', async () => {
      await askForReset('olive@example.com');
      const path = linkIn((await outbox())[0].text, 'reset-password')!;
      now += HOUR;
      const expired = await k.request(path);
      assert.equal(expired.status, 410);
      assert.match(await expired.text(), /This link has expired[\s\S]*they work for one hour/);
      const visitor = new Agent(k.app);
      await opened(visitor, '/forgot-password');
      assert.equal((await visitor.form(path, { password: 'a brand new password' })).status, 410);
      const madeUp = await k.request('/reset-password/abcdefghijklmnopqrstuvwxyz012345');
      assert.equal(madeUp.status, 404);
      assert.match(await madeUp.text(), /This link is not valid/);
    });

    it('says what is wrong with an address that is not one', async () => {
      const res = await askForReset('not an address');
      assert.equal(res.status, 422);
      assert.match(await res.text(), /Enter an email address like you@example\.com/);
      assert.equal((await outbox()).length, 0);
    });

    it('limits resets per client address (429) and per address asked about (silently, the same answer)', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await askForReset('olive@example.com', `203.0.113.${i}`)).status, 303);
      const fourth = await askForReset('olive@example.com', '203.0.113.99');
      assert.equal(fourth.status, 303, 'the same answer past the per-address limit');
      assert.equal((await outbox()).length, 3, 'but no fourth email to the same address within the hour');

      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await askForReset(`someone${i}@example.com`, '192.0.2.77')).status);
      assert.deepEqual(statuses, [303, 303, 303, 303, 303, 429]);
      const limited = await askForReset('else@example.com', '192.0.2.77');
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
      assert.match(await limited.text(), /Too many password reset requests from your address/);
      now += HOUR;
      assert.equal((await askForReset('else@example.com', '192.0.2.77')).status, 303, 'an hour later it works again');
    });

    it('the owner invites by email; the invitee chooses name and password and is signed in with the role', async () => {
      const owner = await k.signIn('owner');
      const invited = await owner.form('/admin/users', { email: 'Lin@Example.com', role: 'moderator' });
      // Tests run without SMTP: the page shows the link to pass on, and the email waits in the outbox.
      assert.equal(invited.status, 200);
      const usersPage = await invited.text();
      const shown = /<code class="invite-link">http:\/\/localhost:3000(\/invite\/[A-Za-z0-9_-]+)<\/code>/.exec(usersPage)![1];
      const mail = (await outbox()).find((m) => m.to === 'lin@example.com')!;
      assert.match(mail.subject, /invited you to/);
      const path = linkIn(mail.text, 'invite')!;
      assert.equal(path, shown);
      assert.match(usersPage, /Invitations waiting for an answer[\s\S]*lin@example\.com[\s\S]*Moderator[\s\S]*Resend[\s\S]*Revoke/);

      const invitee = new Agent(k.app);
      const page = await opened(invitee, path);
      assert.match(page, /You are invited as a moderator/);
      const noName = await invitee.form(path, { name: ' ', password: 'my own password' });
      assert.equal(noName.status, 422);
      assert.match(await noName.text(), /Enter your name/);
      const joined = await invitee.form(path, { name: 'Lin', password: 'my own password' });
      assert.equal(joined.status, 303);
      assert.equal(joined.headers.get('location'), '/admin?notice=joined');
      const lin = (await k.deps.store.users.findByEmail('lin@example.com'))!;
      assert.equal(lin.role, 'moderator');
      assert.equal(lin.name, 'Lin');
      assert.equal((await invitee.request('/admin/comments')).status, 200, 'signed in');
      assert.ok(await k.deps.auth.login('lin@example.com', 'my own password', '198.51.100.9'));

      assert.equal((await new Agent(k.app).request(path)).status, 410, 'the link works once');
      assert.doesNotMatch(await (await owner.request('/admin/users')).text(), /Invitations waiting/);
      const twice = await owner.form('/admin/users', { email: 'lin@example.com', role: 'author' });
      assert.equal(twice.status, 409);
      assert.match(await twice.text(), /already has an account/);
    });

    it('resending gives a new link (the old one stops working); revoking ends it; only the owner invites', async () => {
      const owner = await k.signIn('owner');
      await owner.form('/admin/users', { email: 'sam@example.com', role: 'author' });
      const [first] = await k.deps.accounts.pendingInvites();
      const oldPath = linkIn((await outbox())[0].text, 'invite')!;
      const resent = await owner.form(`/admin/users/invites/${first.id}/resend`, {});
      assert.equal(resent.status, 200);
      const newPath = linkIn((await outbox()).find((m) => !m.text.includes(oldPath))!.text, 'invite')!;
      assert.notEqual(newPath, oldPath);
      assert.equal((await k.request(oldPath)).status, 404);
      assert.equal((await k.request(newPath)).status, 200);

      now += 8 * 24 * HOUR;
      assert.match(await (await k.request(newPath)).text(), /This invitation has expired/);
      assert.match(await (await owner.request('/admin/users')).text(), /sam@example\.com[\s\S]*expired/);

      const revoked = await owner.form(`/admin/users/invites/${first.id}/revoke`, {});
      assert.equal(revoked.status, 303);
      assert.equal((await k.request(newPath)).status, 404);
      assert.deepEqual(await k.deps.accounts.pendingInvites(), []);

      const author = await k.signIn('author');
      assert.equal((await author.form('/admin/users', { email: 'sneaky@example.com', role: 'owner' })).status, 403);
      assert.equal((await outbox()).some((m) => m.to === 'sneaky@example.com'), false);
    });

    it('limits invitations to one address', async () => {
      const owner = await k.signIn('owner');
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await owner.form('/admin/users', { email: 'pat@example.com', role: 'author' })).status);
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
      assert.equal((await k.deps.accounts.pendingInvites()).length, 1, 'inviting again renews the one invitation');
    });
  });
}

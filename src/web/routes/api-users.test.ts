import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { User } from '../../core/store.ts';
import { ApiClient } from '../../../test/helpers/api-client.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { apiInvitationListSchema, apiInvitationSchema, apiTokenListSchema, apiUserListSchema, apiUserSchema } from '../openapi-users.ts';

for (const { engine, skip } of testEngines()) {
  describe(`JSON API: users, invitations and own tokens (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let api: ApiClient;
    let owner: { user: User; secret: string };
    let author: { user: User; secret: string };
    let moderator: { user: User; secret: string };
    let ownerReadWrite: string;

    before(async () => {
      k = await startTestKumbaya({ engine });
      api = new ApiClient(k);
      owner = await api.token('owner');
      author = await api.token('author');
      moderator = await api.token('moderator');
      ownerReadWrite = (await k.deps.auth.createApiToken(owner.user, 'no admin', { scopes: ['read', 'write'] })).secret;
    });
    after(() => k.cleanup());

    test('the owner lists users and changes a role; the last owner stays owner', async () => {
      const list = await api.expect('GET', '/api/users', 200, { token: owner.secret, schema: apiUserListSchema });
      const emails = list.users.map((u: any) => u.email);
      assert.ok(emails.includes(author.user.email) && emails.includes(moderator.user.email));
      const changed = await api.expect('PATCH', `/api/users/${author.user.id}`, 200, { token: owner.secret, body: { role: 'moderator' }, schema: apiUserSchema });
      assert.equal(changed.role, 'moderator');
      assert.equal((await k.deps.store.users.findById(author.user.id))!.role, 'moderator');
      await api.expect('PATCH', `/api/users/${author.user.id}`, 200, { token: owner.secret, body: { role: 'author' } });
      const bad = await api.refused('PATCH', `/api/users/${author.user.id}`, 422, { token: owner.secret, body: { role: 'king' } });
      assert.equal(bad.message, 'Choose owner, author or moderator.');
      assert.equal((await api.refused('PATCH', `/api/users/${author.user.id}`, 422, { token: owner.secret, body: { role: 'author', name: 'x' } })).fields?.name, 'Unknown field.');
      const last = await api.refused('PATCH', `/api/users/${owner.user.id}`, 409, { token: owner.secret, body: { role: 'author' } });
      assert.equal(last.message, 'The site needs at least one owner. Make someone else owner first.');
      assert.equal((await api.refused('PATCH', '/api/users/999999', 404, { token: owner.secret, body: { role: 'author' } })).code, 'not_found');
    });

    test('invites someone, lists, resends and revokes the invitation; refuses a bad address or an existing account', async () => {
      const sent = await api.expect('POST', '/api/invitations', 201, { token: owner.secret, body: { email: 'Sam@Example.com', role: 'author' }, schema: apiInvitationSchema });
      assert.deepEqual([sent.email, sent.role], ['sam@example.com', 'author']);
      if (k.deps.mail.transport) assert.equal(sent.link, undefined);
      else assert.match(sent.link, /^http:\/\/localhost:3000\/.+/, 'without a mail server the link is given to pass on');
      const outbox = await k.deps.store.outbox.list({ limit: 50, offset: 0 });
      assert.ok(outbox.items.some((m) => m.to === 'sam@example.com'), 'the invitation is in the outbox');

      const pending = await api.expect('GET', '/api/invitations', 200, { token: owner.secret, schema: apiInvitationListSchema });
      assert.deepEqual(pending.invitations.map((i: any) => i.email), ['sam@example.com']);
      assert.equal(pending.invitations[0].link, undefined, 'the link is never listed');
      const again = await api.expect('POST', `/api/invitations/${sent.id}/resend`, 200, { token: owner.secret, schema: apiInvitationSchema });
      assert.equal(again.email, 'sam@example.com');
      await api.expect('DELETE', `/api/invitations/${sent.id}`, 204, { token: owner.secret });
      assert.deepEqual((await api.expect('GET', '/api/invitations', 200, { token: owner.secret })).invitations, []);
      assert.equal((await api.refused('DELETE', `/api/invitations/${sent.id}`, 404, { token: owner.secret })).message, 'The invitation was not found.');

      assert.equal((await api.refused('POST', '/api/invitations', 422, { token: owner.secret, body: { email: 'not an address', role: 'author' } })).code, 'validation_failed');
      assert.equal((await api.refused('POST', '/api/invitations', 422, { token: owner.secret, body: { email: 'kim@example.com', role: 'king' } })).fields?.role, 'Choose a role.');
      const taken = await api.refused('POST', '/api/invitations', 409, { token: owner.secret, body: { email: author.user.email, role: 'author' } });
      assert.equal(taken.message, 'Someone with this email already has an account.');
      assert.equal((await api.refused('POST', '/api/invitations', 400, { token: owner.secret, body: '{"email":' })).code, 'invalid_json');
      assert.deepEqual((await api.expect('GET', '/api/invitations', 200, { token: owner.secret })).invitations, [], 'nothing refused was sent');
    });

    test('removes a user (their posts become the owner’s), never oneself', async () => {
      const leaving = await api.token('author');
      const post = await k.deps.posts.create(leaving.user, { title: 'Stays', markdown: 'x' });
      assert.equal((await api.refused('DELETE', `/api/users/${owner.user.id}`, 409, { token: owner.secret })).message, 'You cannot remove yourself. Make someone else owner and ask them.');
      await api.expect('DELETE', `/api/users/${leaving.user.id}`, 204, { token: owner.secret });
      assert.equal(await k.deps.store.users.findById(leaving.user.id), null);
      assert.equal((await k.deps.store.posts.findById(post.id))!.authorId, owner.user.id);
      assert.equal((await api.refused('GET', '/api/tokens', 401, { token: leaving.secret })).code, 'unauthenticated', 'their tokens stop working');
      assert.equal((await api.refused('DELETE', `/api/users/${leaving.user.id}`, 404, { token: owner.secret })).code, 'not_found');
    });

    test('anyone lists their own tokens and revokes one; another user’s token is not found', async () => {
      const second = await k.deps.auth.createApiToken(author.user, 'second', { scopes: ['read', 'write'] });
      const list = await api.expect('GET', '/api/tokens', 200, { token: author.secret, schema: apiTokenListSchema });
      assert.deepEqual(list.tokens.map((t: any) => [t.name, t.current]), [
        ['second', false],
        ['script', true],
      ]);
      assert.deepEqual(list.tokens[0].scopes, ['read', 'write']);
      assert.ok(!JSON.stringify(list).includes(second.secret), 'no secret is shown');
      assert.equal((await api.refused('DELETE', `/api/tokens/${second.token.id}`, 404, { token: moderator.secret })).code, 'not_found');
      await api.expect('DELETE', `/api/tokens/${second.token.id}`, 204, { token: author.secret });
      assert.equal((await api.refused('GET', '/api/tokens', 401, { token: second.secret })).code, 'unauthenticated', 'the revoked token stops working');
      const reader = await k.deps.auth.createApiToken(author.user, 'reader', { scopes: ['read'] });
      assert.equal((await api.refused('DELETE', `/api/tokens/${reader.token.id}`, 403, { token: reader.secret })).code, 'insufficient_scope');
      assert.equal((await api.refused('GET', '/api/tokens', 401)).code, 'unauthenticated');
    });

    test('users and invitations are the owner’s, with the admin scope', async () => {
      for (const who of [author, moderator]) {
        assert.equal((await api.refused('GET', '/api/users', 403, { token: who.secret })).message, 'Only the owner can manage users.');
        assert.equal((await api.refused('POST', '/api/invitations', 403, { token: who.secret, body: { email: 'x@example.com', role: 'owner' } })).code, 'forbidden');
        assert.equal((await api.refused('PATCH', `/api/users/${who.user.id}`, 403, { token: who.secret, body: { role: 'owner' } })).code, 'forbidden');
      }
      assert.equal((await api.refused('GET', '/api/users', 403, { token: ownerReadWrite })).code, 'insufficient_scope');
      assert.equal((await api.refused('DELETE', `/api/users/${author.user.id}`, 403, { token: ownerReadWrite })).code, 'insufficient_scope');
      assert.equal((await api.refused('GET', '/api/invitations', 401)).code, 'unauthenticated');
      assert.equal((await k.deps.store.users.findById(author.user.id))!.role, 'author', 'nothing was changed');
    });
  });
}

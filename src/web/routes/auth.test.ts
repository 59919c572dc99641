import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, startTestKumbaya, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';

/** Opens a form page and remembers the CSRF token it carries. */
async function openForm(agent: Agent, path: string): Promise<string> {
  const res = await agent.request(path);
  const page = await res.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  assert.ok(token, `${path} should carry a CSRF token`);
  agent.csrf = token;
  return page;
}

describe('claiming the site', () => {
  let k: TestKumbaya;
  before(async () => {
    k = await startTestKumbaya({ demo: true });
  });
  after(() => k.cleanup());

  it('lets the first visitor create the owner through the one-time link, once', async () => {
    const token = await k.deps.auth.pendingSetupToken();
    assert.ok(token, 'a fresh site has a setup token even with demo content');
    assert.equal((await k.request('/setup/not-the-token')).status, 410);

    const visitor = new Agent(k.app);
    await openForm(visitor, `/setup/${token}`);
    const invalid = await visitor.form(`/setup/${token}`, { name: 'James', email: 'not-an-email', password: 'short' });
    assert.equal(invalid.status, 422);
    const page = await invalid.text();
    assert.match(page, /Enter an email address like you@example.com/);
    assert.match(page, /value="James"/, 'what the visitor typed is kept');

    const ok = await visitor.form(`/setup/${token}`, { name: 'James', email: 'James@Example.com', password: 'a long enough password' });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/admin?welcome=1');
    const cookie = ok.headers.getSetCookie().find((c) => c.startsWith('kb_session='));
    assert.ok(cookie);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.equal((await visitor.request('/admin')).status, 200);

    const owner = await k.deps.store.users.findByEmail('james@example.com');
    assert.equal(owner?.role, 'owner');
    assert.match(owner?.passwordHash ?? '', /^\$argon2id\$v=19\$/);

    // The link is spent.
    assert.equal(await k.deps.auth.pendingSetupToken(), null);
    const other = new Agent(k.app);
    assert.equal((await other.request(`/setup/${token}`)).status, 410);
  });
});

describe('signing in and out', () => {
  let k: TestKumbaya;
  before(async () => {
    k = await startTestKumbaya();
    await k.deps.auth.createUser({ name: 'Ann', email: 'ann@example.com', password: 'correct horse battery' }, 'owner');
  });
  after(() => k.cleanup());

  it('signs in with the right password, keeps the session, and signs out', async () => {
    const agent = new Agent(k.app);
    await openForm(agent, '/login');
    const res = await agent.form('/login?next=%2Fadmin%2Fsettings', { email: 'ANN@example.com', password: 'correct horse battery' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/admin/settings');
    const signedIn = await agent.request('/admin');
    assert.equal(signedIn.status, 200);
    assert.equal(signedIn.headers.get('cache-control'), 'private, no-store');

    const sessionCookie = agent.cookies.get('kb_session')!;
    const found = await k.deps.auth.resolveSession(sessionCookie);
    assert.equal(found?.user.email, 'ann@example.com');
    agent.csrf = found!.session.csrfToken;
    const out = await agent.form('/logout', {});
    assert.equal(out.status, 303);
    assert.equal(await k.deps.auth.resolveSession(sessionCookie), null, 'the session is deleted on the server');
    const after = await agent.request('/admin');
    assert.equal(after.status, 303);
    assert.match(after.headers.get('location') ?? '', /^\/login/);
  });

  it('refuses a wrong password with the same message as an unknown email', async () => {
    const agent = new Agent(k.app);
    await openForm(agent, '/login');
    const wrong = await agent.form('/login', { email: 'ann@example.com', password: 'nope nope nope' });
    const unknown = await agent.form('/login', { email: 'nobody@example.com', password: 'nope nope nope' });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.match(await wrong.text(), /That email and password do not match an account/);
    assert.match(await unknown.text(), /That email and password do not match an account/);
  });

  it('slows down wrong guesses from one address and says when to try again', async () => {
    const agent = new Agent(k.app);
    await openForm(agent, '/login');
    let last: Response | null = null;
    for (let i = 0; i < 6; i++) last = await agent.form('/login', { email: 'victim@example.com', password: `guess ${i}` });
    assert.equal(last!.status, 429);
    assert.ok(Number(last!.headers.get('retry-after')) > 0);
    assert.match(await last!.text(), /Too many wrong passwords from your address\. Try again in \d+ seconds?\./);
  });

  it('refuses forms without the CSRF token, or from another site', async () => {
    const agent = new Agent(k.app);
    await openForm(agent, '/login');
    agent.csrf = 'forged';
    const forged = await agent.form('/login', { email: 'ann@example.com', password: 'correct horse battery' });
    assert.equal(forged.status, 403);
    assert.match(await forged.text(), /This form has expired/);

    const fresh = new Agent(k.app);
    await openForm(fresh, '/login');
    const crossSite = await fresh.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: new URLSearchParams({ _csrf: fresh.csrf, email: 'ann@example.com', password: 'correct horse battery' }),
    });
    assert.equal(crossSite.status, 403);
  });
});

describe('wrong passwords cannot lock the owner out (behind one proxy)', () => {
  let k: TestKumbaya;
  let now = Date.UTC(2026, 0, 5, 9);
  before(async () => {
    k = await startTestKumbaya({ clock: { now: () => now }, env: { TRUST_PROXY: '1' } });
    await k.deps.auth.createUser({ name: 'Olive', email: 'olive@example.com', password: 'correct horse battery' }, 'owner');
  });
  after(() => k.cleanup());

  /** A sign-in form posted from `address` (as the proxy reports it). */
  async function signIn(address: string, password: string): Promise<Response> {
    const agent = new Agent(k.app);
    await openForm(agent, '/login');
    return agent.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': address },
      body: new URLSearchParams({ _csrf: agent.csrf, email: 'olive@example.com', password }),
    });
  }

  it('20 wrong guesses from A; the right password from B signs in; A waits', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await signIn('192.0.2.66', `guess ${i}`)).status);
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.ok(statuses.slice(5).every((s) => s === 429), 'A is slowed down after five wrong passwords');

    const fromB = await signIn('198.51.100.20', 'correct horse battery');
    assert.equal(fromB.status, 303);
    assert.ok(fromB.headers.getSetCookie().some((c) => c.startsWith('kb_session=')));

    const fromA = await signIn('192.0.2.66', 'correct horse battery');
    assert.equal(fromA.status, 429);
    const wait = Number(fromA.headers.get('retry-after'));
    assert.ok(wait > 0);
    now += wait * 1000;
    assert.equal((await signIn('192.0.2.66', 'correct horse battery')).status, 303, 'after the wait, A gets in with the right password');
  });
});

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { findAll, textContent } from 'domutils';
import { parseDocument } from 'htmlparser2';
import { mf2 } from 'microformats-parser';
import { KyselyWebmentionRepository } from '../src/adapters/storage/kysely-webmentions.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from './helpers/test-kumbaya.ts';

/** A stand-in for another site: serves whatever page a test puts at a path. */
const pages = new Map<string, { status: number; body: string; type?: string }>();
let remote: http.Server;
let REMOTE = '';
before(async () => {
  remote = http.createServer((req, res) => {
    const page = pages.get(req.url ?? '/') ?? { status: 404, body: 'not here' };
    res.writeHead(page.status, { 'content-type': page.type ?? 'text/html; charset=utf-8' }).end(page.body);
  });
  await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
  REMOTE = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
});
after(() => {
  remote.closeAllConnections();
  remote.close();
});

const hEntry = (inner: string, author = '<a class="p-author h-card" href="https://bea.example/">Bea Writer</a>') =>
  `<!doctype html><html><body><article class="h-entry">${author}${inner}<time class="dt-published" datetime="2024-03-01T10:00:00Z">1 March</time></article></body></html>`;

const form = (fields: Record<string, string>) => ({ method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

for (const { engine, skip } of testEngines()) {
  describe(`receiving webmentions (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let target: string;
    let postId: number;
    beforeEach(async () => {
      k = await startTestKumbaya({ engine, env: { WEBMENTION_ALLOW_PRIVATE: 'true' } });
      const owner = await k.signIn('owner');
      const post = await k.deps.posts.create(owner.user!, { title: 'On listening', markdown: 'Listening is most of a conversation.' });
      await k.deps.posts.publish(owner.user!, post.id);
      target = `${k.config.siteUrl}/${post.slug}`;
      postId = post.id;
    });
    afterEach(() => k.cleanup());

    async function send(source: string, to = target) {
      return k.request('/webmention', form({ source, target: to }));
    }
    async function statusOf(location: string) {
      return (await (await k.request(new URL(location).pathname, { headers: { accept: 'application/json' } })).json()) as { status: string; reason: string | null; type: string | null };
    }

    it('advertises the endpoints on every post page: Link and X-Pingback headers, <link> elements, also from the page cache', async () => {
      for (const round of ['miss', 'hit']) {
        const res = await k.request(new URL(target).pathname);
        assert.equal(res.headers.get('x-cache'), round);
        assert.equal(res.headers.get('link'), `<${k.config.siteUrl}/webmention>; rel="webmention"`);
        assert.equal(res.headers.get('x-pingback'), `${k.config.siteUrl}/xmlrpc.php`);
        const page = await res.text();
        assert.match(page, new RegExp(`<link rel="webmention" href="${k.config.siteUrl}/webmention">`));
        assert.match(page, new RegExp(`<link rel="pingback" href="${k.config.siteUrl}/xmlrpc.php">`));
      }
    });

    it('refuses bad requests at once with 400 and the reason', async () => {
      const cases: Array<[Record<string, string>, RegExp]> = [
        [{ target }, /source URL is missing/],
        [{ source: `${REMOTE}/a` }, /target URL is missing/],
        [{ source: 'not a url', target }, /source is not a valid absolute URL/],
        [{ source: 'ftp://example.com/x', target }, /source must be an http or https URL/],
        [{ source: target, target }, /source and the target are the same/],
        [{ source: `${REMOTE}/a`, target: `${k.config.siteUrl}/no-such-post` }, /not a published post of this site/],
        [{ source: `${REMOTE}/a`, target: 'https://elsewhere.example/post' }, /not a published post of this site/],
      ];
      for (const [fields, reason] of cases) {
        const res = await k.request('/webmention', form(fields));
        assert.equal(res.status, 400, JSON.stringify(fields));
        assert.match(await res.text(), reason);
      }
      const json = await k.request('/webmention', { ...form({ target }), headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' } });
      assert.deepEqual(await json.json(), { error: 'source-missing', error_description: 'The source URL is missing: send source=<absolute URL>.' });
      assert.equal((await k.deps.store.jobs.list({ limit: 10, offset: 0 })).total, 0, 'nothing queued');
    });

    it('answers 202 with a Location whose status goes from queued to verified; a reply becomes a held comment linked to a person', async () => {
      pages.set('/reply', { status: 200, body: hEntry(`<a class="u-in-reply-to" href="${target}">In reply</a><div class="e-content"><p>Listening <b>well</b> is rare.</p></div>`) });
      const res = await send(`${REMOTE}/reply`);
      assert.equal(res.status, 202);
      const location = res.headers.get('location')!;
      assert.match(location, /\/webmention\/\d+$/);
      assert.equal((await statusOf(location)).status, 'queued');
      assert.equal(await k.jobs.tick(), 1);
      const status = await statusOf(location);
      assert.deepEqual([status.status, status.type], ['verified', 'reply']);

      const held = (await k.deps.store.comments.listForModeration({ status: 'pending', limit: 10, offset: 0 })).items;
      assert.equal(held.length, 1);
      assert.deepEqual([held[0].source, held[0].authorName, held[0].authorUrl, held[0].markdown], ['webmention', 'Bea Writer', 'https://bea.example/', 'Listening well is rare.']);
      assert.ok(held[0].moderationReasons.includes('first comment from this person'));
      const person = await k.deps.store.people.findById(held[0].personId!);
      assert.equal(person?.website, 'https://bea.example/');
      assert.doesNotMatch(await (await k.request(new URL(target).pathname)).text(), /Listening well is rare/, 'not shown before approval');

      await k.deps.comments.moderate([held[0].id], 'approve');
      assert.match(await (await k.request(new URL(target).pathname)).text(), /Listening well is rare/);

      // The status page for people.
      const page = await k.request(new URL(location).pathname);
      assert.match(await page.text(), /Verified: the source links here/);
    });

    it('makes one comment of a reply whose verification failed half-way and ran again: the comment and the verified mention commit together', async () => {
      const res = await send(`${REMOTE}/twice`);
      const id = Number(new URL(res.headers.get('location')!).pathname.split('/').pop());
      const outcome = { kind: 'links', type: 'reply', authorName: 'Bea Writer', authorUrl: 'https://bea.example/', authorPhoto: null, content: 'Once is enough.', url: null, publishedAt: null } as const;
      const held = async () => (await k.deps.store.comments.listForModeration({ status: 'pending', limit: 10, offset: 0 })).items;
      // The database goes away between the comment and the mention's update (a crash, a lost connection).
      const update = KyselyWebmentionRepository.prototype.updateReceived;
      KyselyWebmentionRepository.prototype.updateReceived = async () => {
        throw new Error('the connection was lost');
      };
      try {
        await assert.rejects(k.deps.webmentions.applyVerification(id, outcome), /connection was lost/);
      } finally {
        KyselyWebmentionRepository.prototype.updateReceived = update;
      }
      assert.deepEqual(await held(), [], 'no comment without its verified mention');
      assert.equal((await k.deps.store.webmentions.findReceived(id))?.status, 'queued');

      // The job runs again: one comment, and the mention names it.
      const mention = await k.deps.webmentions.applyVerification(id, outcome);
      const [comment, ...more] = await held();
      assert.deepEqual([more.length, comment.markdown, mention?.status, mention?.commentId], [0, 'Once is enough.', 'verified', comment.id]);
    });

    it('shows a reply in the thread as from its source: "via" the site, whose address is its u-url; the permalink here stays', async () => {
      const reply = (url: string) => hEntry(`<a class="u-url" href="${url}">#</a><a class="u-in-reply-to" href="${target}">re</a><p class="e-content">Well said.</p>`);
      pages.set('/replies/1', { status: 200, body: reply(`${REMOTE}/notes/1`) });
      pages.set('/plain', { status: 200, body: hEntry(`<a class="u-in-reply-to" href="${target}">re</a><p class="e-content">Me too.</p>`) });
      await send(`${REMOTE}/replies/1`);
      await send(`${REMOTE}/plain`);
      await k.jobs.tick();
      const held = (await k.deps.store.comments.listForModeration({ status: 'pending', limit: 10, offset: 0 })).items;
      await k.deps.comments.moderate(held.map((c) => c.id), 'approve');
      const well = held.find((c) => c.markdown === 'Well said.')!;
      const plain = held.find((c) => c.markdown === 'Me too.')!;
      const local = await k.deps.store.comments.create({ postId, parentId: well.id, personId: null, userId: null, authorName: 'Ann', authorEmail: 'ann@example.com', authorUrl: null, markdown: 'Agreed.', html: '<p>Agreed.</p>', status: 'approved', createdAt: Date.now(), moderationReasons: [] });
      const path = new URL(target).pathname;
      const entries = async () => {
        const page = await (await k.request(path)).text();
        const found = new Map<string, { url: unknown; via: string | undefined }>();
        const walk = (items: Array<{ type?: string[]; properties: Record<string, unknown[]>; children?: unknown[] }>) => {
          for (const item of items) {
            const text = JSON.stringify(item.properties.content ?? []);
            for (const words of ['Well said.', 'Me too.', 'Agreed.']) if (item.type?.includes('h-entry') && text.includes(words)) found.set(words, { url: item.properties.url, via: undefined });
            walk((item.children ?? []) as typeof items);
            for (const values of Object.values(item.properties)) walk(values.filter((v): v is (typeof items)[number] => typeof v === 'object' && v !== null && 'properties' in v));
          }
        };
        walk(mf2(page, { baseUrl: `${k.config.siteUrl}${path}` }).items as never);
        const doc = parseDocument(page);
        for (const [words, entry] of found) {
          const article = findAll((el) => el.name === 'article' && textContent(el).includes(words), doc.children).at(-1)!;
          const via = findAll((el) => el.name === 'span' && el.attribs.class === 'comment-via', article.children)[0];
          const link = via ? findAll((el) => el.name === 'a', via.children)[0] : undefined;
          entry.via = link ? `${textContent(via).replace(/\s+/g, ' ').trim()} ${link.attribs.href} ${link.attribs.rel}` : undefined;
          assert.ok(findAll((el) => el.name === 'a' && el.attribs.href?.endsWith(`#${article.attribs.id}`), article.children).length === 1, `${words}: the permalink is kept`);
        }
        return found;
      };
      const host = new URL(REMOTE).host;
      let found = await entries();
      assert.deepEqual(found.get('Well said.'), { url: [`${REMOTE}/notes/1`], via: `via ${host} ${REMOTE}/notes/1 nofollow ugc noopener` });
      assert.deepEqual(found.get('Me too.'), { url: [`${REMOTE}/plain`], via: `via ${host} ${REMOTE}/plain nofollow ugc noopener` }, 'no u-url: the source');
      assert.deepEqual(found.get('Agreed.'), { url: [`${k.config.siteUrl}${path}#comment-${local.id}`], via: undefined }, 'a comment written here: its permalink is its u-url, no "via"');

      // Resent with a new u-url (the conversation was cached meanwhile): the thread follows; a u-url on another site is not believed.
      pages.set('/replies/1', { status: 200, body: reply(`${REMOTE}/notes/one`) });
      pages.set('/plain', { status: 200, body: hEntry(`<a class="u-url" href="https://famous.example/article">#</a><a class="u-in-reply-to" href="${target}">re</a><p class="e-content">Me too.</p>`) });
      await send(`${REMOTE}/replies/1`);
      await send(`${REMOTE}/plain`);
      await k.jobs.tick();
      found = await entries();
      assert.deepEqual(found.get('Well said.')?.url, [`${REMOTE}/notes/one`]);
      assert.deepEqual(found.get('Me too.')?.url, [`${REMOTE}/plain`]);
      // The fragment live readers fetch when it is approved says the same.
      assert.match(await (await k.request(`/comments/${well.id}/fragment`)).text(), new RegExp(`via <a class="u-url" href="${REMOTE}/notes/one" rel="nofollow ugc noopener"`));
      assert.doesNotMatch(await (await k.request(`/comments/${plain.id}/fragment`)).text(), /famous\.example/);
    });

    it('offers people a form, and answers its POST with 202 and the status page', async () => {
      const formPage = await k.request('/webmention');
      assert.equal(formPage.status, 200);
      assert.match(await formPage.text(), /<form method="post" action="\/webmention">/);
      pages.set('/by-hand', { status: 200, body: hEntry(`<a href="${target}">x</a>`) });
      const res = await k.request('/webmention', { ...form({ source: `${REMOTE}/by-hand`, target }), headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html,application/xhtml+xml', origin: 'https://somewhere-else.example' } });
      assert.equal(res.status, 202);
      assert.match(res.headers.get('location')!, /\/webmention\/\d+$/);
      assert.match(await res.text(), /Queued: the source will be fetched/);
    });

    it('shows likes and reposts as faces and other mentions in a list; a resend updates; 410 Gone removes', async () => {
      pages.set('/like', { status: 200, body: hEntry(`<a class="u-like-of" href="${target}">Liked</a>`, '<a class="p-author h-card" href="https://cy.example/">Cy Reader</a>') });
      pages.set('/post', { status: 200, body: hEntry(`<h1 class="p-name">Good reads</h1><div class="e-content">I read <a href="${target}">this post</a> today.</div>`, '<a class="p-author h-card" href="https://di.example/">Di Blogger</a>') });
      assert.equal((await send(`${REMOTE}/like`)).status, 202);
      assert.equal((await send(`${REMOTE}/post`)).status, 202);
      await k.jobs.tick();
      let page = await (await k.request(new URL(target).pathname)).text();
      assert.match(page, /<h3 class="mention-row-title">1 like<\/h3>/);
      assert.match(page, /href="https:\/\/cy\.example\/"[^>]*>.*Cy Reader/s);
      assert.match(page, /Mentioned by[\s\S]*Di Blogger[\s\S]*mentioned this/);

      // Resent: it is a repost now.
      pages.set('/like', { status: 200, body: hEntry(`<a class="u-repost-of" href="${target}">Reposted</a>`, '<a class="p-author h-card" href="https://cy.example/">Cy Reader</a>') });
      assert.equal((await send(`${REMOTE}/like`)).status, 202);
      await k.jobs.tick();
      page = await (await k.request(new URL(target).pathname)).text();
      assert.doesNotMatch(page, /1 like</);
      assert.match(page, /1 repost</);

      // Gone, and no longer linking: both disappear, with the reason on the status page.
      pages.set('/like', { status: 410, body: 'gone' });
      pages.set('/post', { status: 200, body: hEntry('<div class="e-content">Nothing about that any more.</div>') });
      const gone = await send(`${REMOTE}/like`);
      const unlinked = await send(`${REMOTE}/post`);
      await k.jobs.tick();
      page = await (await k.request(new URL(target).pathname)).text();
      assert.doesNotMatch(page, /Cy Reader|Di Blogger/);
      assert.deepEqual(await statusOf(gone.headers.get('location')!).then((s) => [s.status, s.reason]), ['deleted', 'the source answered 410 Gone']);
      assert.deepEqual(await statusOf(unlinked.headers.get('location')!).then((s) => [s.status, s.reason]), ['deleted', 'the source does not link to the target']);
    });

    it('a reply whose source goes away moves its comment to the trash, restorable', async () => {
      pages.set('/r2', { status: 200, body: hEntry(`<a class="u-in-reply-to" href="${target}">re</a><p class="e-content">Agreed.</p>`) });
      await send(`${REMOTE}/r2`);
      await k.jobs.tick();
      const [comment] = (await k.deps.store.comments.listForModeration({ status: 'pending', limit: 10, offset: 0 })).items;
      await k.deps.comments.moderate([comment.id], 'approve');
      pages.set('/r2', { status: 410, body: '' });
      await send(`${REMOTE}/r2`);
      await k.jobs.tick();
      const trashed = await k.deps.store.comments.findById(comment.id);
      assert.equal(trashed?.status, 'trash');
      assert.match(trashed!.moderationReasons.join(' '), /410 Gone/);
      assert.doesNotMatch(await (await k.request(new URL(target).pathname)).text(), /Agreed\./);
    });

    it('rejects a source whose HTML it cannot read, saying why, and keeps working', async () => {
      const odd = {
        '/odd-base': hEntry(`<base href=//0><a class="u-in-reply-to" href="${target}">re</a><p class="e-content">Hi.</p>`),
        '/only-script': `<script src="${target}"></script>`,
      };
      for (const [path, body] of Object.entries(odd)) {
        pages.set(path, { status: 200, body });
        const res = await send(`${REMOTE}${path}`);
        assert.equal(res.status, 202);
        await k.jobs.tick();
        const status = await statusOf(res.headers.get('location')!);
        assert.equal(status.status, 'rejected', path);
        assert.match(status.reason ?? '', /^the source could not be read: its HTML could not be read \(.+\)$/, path);
      }
      // The queue holds no failed or dead job for them: each was answered.
      assert.equal((await k.deps.store.jobs.list({ status: 'dead', limit: 10, offset: 0 })).items.length, 0);
    });

    it('rejects a source that does not link to the target, and one at a private address when not allowed', async () => {
      pages.set('/nolink', { status: 200, body: hEntry('<p class="e-content">Unrelated.</p>') });
      const res = await send(`${REMOTE}/nolink`);
      await k.jobs.tick();
      assert.deepEqual(await statusOf(res.headers.get('location')!).then((s) => [s.status, s.reason]), ['rejected', 'the source does not link to the target']);

      const strict = await startTestKumbaya({ engine });
      try {
        const owner = await strict.signIn('owner');
        const post = await strict.deps.posts.create(owner.user!, { title: 'Strict', markdown: 'x' });
        await strict.deps.posts.publish(owner.user!, post.id);
        pages.set('/private', { status: 200, body: hEntry(`<a href="${strict.config.siteUrl}/${post.slug}">x</a>`) });
        const sent = await strict.request('/webmention', form({ source: `${REMOTE}/private`, target: `${strict.config.siteUrl}/${post.slug}` }));
        assert.equal(sent.status, 202);
        await strict.jobs.tick();
        const status = (await (await strict.request(new URL(sent.headers.get('location')!).pathname, { headers: { accept: 'application/json' } })).json()) as { status: string; reason: string };
        assert.equal(status.status, 'rejected');
        assert.match(status.reason, /could not be fetched: .*private or reserved address/);

        // A host name that resolves to a private address: the public status page (HTML and
        // JSON) says so without naming the address it resolved to.
        const viaDns = await strict.request('/webmention', form({ source: `${REMOTE.replace('127.0.0.1', 'localhost')}/private`, target: `${strict.config.siteUrl}/${post.slug}` }));
        assert.equal(viaDns.status, 202);
        await strict.jobs.tick();
        const statusPath = new URL(viaDns.headers.get('location')!).pathname;
        const json = await (await strict.request(statusPath, { headers: { accept: 'application/json' } })).text();
        const page = await (await strict.request(statusPath, { headers: { accept: 'text/html' } })).text();
        for (const shown of [json, page]) {
          assert.match(shown, /localhost resolves to a private or reserved address/);
          assert.doesNotMatch(shown, /127\.0\.0\.1|::1\b/);
        }
      } finally {
        await strict.cleanup();
      }
    });

    it('receives pingbacks over XML-RPC, answering faults with the Pingback 1.0 codes', async () => {
      const call = (params: string[], method = 'pingback.ping') =>
        k.request('/xmlrpc.php', {
          method: 'POST',
          headers: { 'content-type': 'text/xml' },
          body: `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params.map((p, i) => `<param><value>${i === 0 ? `<string>${p}</string>` : p}</value></param>`).join('')}</params></methodCall>`,
        });
      const faultCode = async (res: Response) => Number(/<name>faultCode<\/name><value><int>(-?\d+)<\/int>/.exec(await res.text())?.[1]);
      assert.equal(await faultCode(await call(['', target])), 0x10);
      assert.equal(await faultCode(await call([`${REMOTE}/wp`, `${k.config.siteUrl}/missing`])), 0x20);
      assert.equal(await faultCode(await call([`${REMOTE}/wp`, 'https://elsewhere.example/post'])), 0x21);
      assert.equal(await faultCode(await call([`${REMOTE}/wp`, target], 'system.listMethods')), -32601);
      assert.equal(await faultCode(await k.request('/xmlrpc.php', { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<methodCall><oops>' })), -32700);
      const bomb = '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><methodCall><methodName>pingback.ping</methodName><params><param><value>&b;</value></param></params></methodCall>';
      assert.equal(await faultCode(await k.request('/xmlrpc.php', { method: 'POST', headers: { 'content-type': 'text/xml' }, body: bomb })), -32700, 'no entity definitions');
      assert.equal((await k.request('/xmlrpc.php')).status, 405);

      pages.set('/wp', { status: 200, body: `<html><head><title>A WordPress post</title></head><body><p>See <a href="${target}">this</a>.</p></body></html>` });
      const ok = await call([`${REMOTE}/wp`, target]);
      const text = await ok.text();
      assert.match(text, /<methodResponse><params><param><value><string>Pingback received/);
      await k.jobs.tick();
      const [mention] = await k.deps.store.webmentions.listVerified(postId);
      assert.deepEqual([mention.via, mention.type, mention.source], ['pingback', 'mention', `${REMOTE}/wp`]);
      assert.equal(await faultCode(await call([`${REMOTE}/wp`, target])), 0x30, 'already registered');
    });

    it('limits webmentions per address', async () => {
      let last = 0;
      for (let i = 0; i < 21; i++) last = (await send(`${REMOTE}/n${i}`)).status;
      assert.equal(last, 429);
    });
  });
}

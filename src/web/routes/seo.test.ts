import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomUtils, parseDocument } from 'htmlparser2';
import { useReachSite } from '../../../test/helpers/reach-fixture.ts';
import { testEngines } from '../../../test/helpers/test-kumbaya.ts';

const SITE = 'http://localhost:3000';

/** The <head> as a reader of metadata sees it: meta by name or property, link by rel. */
function headOf(page: string) {
  const doc = parseDocument(page);
  const meta = new Map<string, string>();
  for (const el of DomUtils.getElementsByTagName('meta', doc)) {
    const key = el.attribs.property ?? el.attribs.name;
    if (key && !meta.has(key)) meta.set(key, el.attribs.content);
  }
  const links = DomUtils.getElementsByTagName('link', doc).map((l) => l.attribs);
  const jsonLd = DomUtils.getElementsByTagName('script', doc).filter((s) => s.attribs.type === 'application/ld+json');
  return { meta, links, jsonLd: jsonLd.map((s) => ({ raw: DomUtils.textContent(s), data: JSON.parse(DomUtils.textContent(s)) })) };
}

const locs = (xml: string) => DomUtils.getElementsByTagName('loc', parseDocument(xml, { xmlMode: true })).map((l) => DomUtils.textContent(l));
const everyUrl = [`${SITE}/`, `${SITE}/about-this-blog`, `${SITE}/feeds-and-friends`, `${SITE}/older-note`, `${SITE}/tag/notes`, `${SITE}/tag/open-web`];

for (const { engine, skip } of testEngines()) {
  describe(`search engines and social cards (${engine})`, { skip }, () => {
    const site = useReachSite(engine);
    const page = async (path: string) => (await site.k.request(path)).text();

    it('robots.txt keeps crawlers out of the admin and points at the sitemap', async () => {
      const res = await site.k.request('/robots.txt');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/plain/);
      const text = await res.text();
      assert.match(text, /^User-agent: \*$/m);
      assert.match(text, /^Disallow: \/admin$/m);
      assert.match(text, new RegExp(`^Sitemap: ${SITE}/sitemap\\.xml$`, 'm'));
    });

    it('sitemap.xml lists the home page, pages, live public posts and used tags, with lastmod', async () => {
      const res = await site.k.request('/sitemap.xml');
      assert.match(res.headers.get('content-type')!, /^application\/xml/);
      const xml = await res.text();
      const doc = parseDocument(xml, { xmlMode: true });
      assert.equal(DomUtils.getElementsByTagName('urlset', doc)[0].attribs.xmlns, 'http://www.sitemaps.org/schemas/sitemap/0.9');
      assert.deepEqual(locs(xml), everyUrl);
      const post = DomUtils.getElementsByTagName('url', doc).find((u) => DomUtils.textContent(u).includes('/feeds-and-friends'))!;
      const lastmod = DomUtils.textContent(DomUtils.getElementsByTagName('lastmod', post)[0]);
      assert.equal(Date.parse(lastmod), Math.max(site.s.post.updatedAt, site.s.post.publishedAt!));
    });

    it('names its icon on every page, and answers /favicon.ico with the icon itself (no redirect)', async () => {
      for (const path of ['/', '/feeds-and-friends', '/no-such-post']) {
        const { links } = headOf(await (await site.k.request(path)).text());
        const icon = links.find((l) => l.rel === 'icon');
        assert.match(icon?.href ?? '', /^\/assets\/favicon\.[0-9a-f]{12}\.svg$/, path);
      }
      const res = await site.k.request('/favicon.ico');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/svg+xml');
      assert.match(await res.text(), /<svg/);
    });

    it('names no canonical URL on a page that is not there', async () => {
      const res = await site.k.request('/no-such-post');
      assert.equal(res.status, 404);
      const { meta, links } = headOf(await res.text());
      assert.equal(links.find((l) => l.rel === 'canonical'), undefined);
      assert.equal(meta.get('robots'), 'noindex');
    });

    it('links the feeds visibly in the footer: the site’s, and a post’s comment feeds on its page', async () => {
      const footerLinks = (page: string) => {
        const footer = DomUtils.findOne((el) => el.name === 'footer' && el.attribs.class === 'site-footer', parseDocument(page).children)!;
        return DomUtils.getElementsByTagName('a', footer).map((a) => ({ href: a.attribs.href, text: DomUtils.textContent(a) }));
      };
      const home = footerLinks(await page('/'));
      assert.deepEqual(home, [
        { href: '/feed.xml', text: 'RSS' },
        { href: '/atom.xml', text: 'Atom' },
        { href: '/feed.json', text: 'JSON Feed' },
      ]);
      const post = footerLinks(await page('/feeds-and-friends'));
      assert.deepEqual(post.slice(0, 3), home);
      assert.ok(post.some((a) => a.href === '/feeds-and-friends/comments/feed.xml'), JSON.stringify(post));
    });

    it('canonical URL, description, Open Graph, Twitter card and feeds on a post', async () => {
      const { meta, links } = headOf(await page('/feeds-and-friends'));
      const canonical = links.find((l) => l.rel === 'canonical')!;
      assert.equal(canonical.href, `${SITE}/feeds-and-friends`);
      assert.equal(meta.get('description'), site.s.post.excerpt);
      assert.equal(meta.get('og:type'), 'article');
      assert.equal(meta.get('og:title'), 'Feeds <and> friends');
      assert.equal(meta.get('og:url'), `${SITE}/feeds-and-friends`);
      assert.equal(meta.get('og:description'), site.s.post.excerpt);
      assert.equal(meta.get('og:site_name'), 'Kumbaya');
      assert.equal(meta.get('og:image'), `${SITE}/uploads/${'a'.repeat(64)}.png`);
      assert.equal(meta.get('article:published_time'), new Date(site.s.post.publishedAt!).toISOString());
      assert.equal(meta.get('twitter:card'), 'summary_large_image');
      assert.equal(meta.get('twitter:title'), 'Feeds <and> friends');
      const alternates = links.filter((l) => l.rel === 'alternate').map((l) => `${l.type} ${l.href}`);
      assert.deepEqual(alternates, [
        'application/rss+xml /feed.xml',
        'application/atom+xml /atom.xml',
        'application/feed+json /feed.json',
        'application/rss+xml /feeds-and-friends/comments/feed.xml',
        'application/atom+xml /feeds-and-friends/comments/atom.xml',
        'application/feed+json /feeds-and-friends/comments/feed.json',
      ]);
    });

    it('schema.org BlogPosting JSON-LD that no text can break out of', async () => {
      const { jsonLd } = headOf(await page('/feeds-and-friends'));
      assert.equal(jsonLd.length, 1);
      const [{ raw, data }] = jsonLd;
      assert.ok(!raw.includes('<'), 'every < is escaped');
      assert.equal(data['@context'], 'https://schema.org');
      assert.equal(data['@type'], 'BlogPosting');
      assert.equal(data.headline, 'Feeds <and> friends');
      assert.equal(data.url, `${SITE}/feeds-and-friends`);
      assert.equal(data.datePublished, new Date(site.s.post.publishedAt!).toISOString());
      assert.equal(data.image, `${SITE}/uploads/${'a'.repeat(64)}.png`);
      assert.deepEqual(data.author, { '@type': 'Person', name: 'Ada Lovelace', url: `${SITE}/author/ada` });
    });

    it('lists are websites with their own canonical page and feeds', async () => {
      const home = headOf(await page('/'));
      assert.equal(home.meta.get('og:type'), 'website');
      assert.equal(home.meta.get('twitter:card'), 'summary');
      assert.equal(home.links.find((l) => l.rel === 'canonical')!.href, `${SITE}/`);
      assert.deepEqual(home.links.filter((l) => l.rel === 'alternate').map((l) => l.href), ['/feed.xml', '/atom.xml', '/feed.json']);
      const tag = headOf(await page('/tag/open-web'));
      assert.deepEqual(tag.links.filter((l) => l.rel === 'alternate').map((l) => l.href).slice(3), ['/tag/open-web/feed.xml', '/tag/open-web/atom.xml', '/tag/open-web/feed.json']);
      assert.equal(tag.links.find((l) => l.rel === 'canonical')!.href, `${SITE}/tag/open-web`);
      assert.equal(headOf(await page('/about-this-blog')).meta.get('og:type'), 'website');
    });

    it('an unlisted post is kept out of search engines and advertises no comment feed', async () => {
      const { meta, links } = headOf(await page('/unlisted-aside'));
      assert.equal(meta.get('robots'), 'noindex');
      assert.equal(links.filter((l) => l.rel === 'alternate').length, 3);
    });

    it('items per feed is a validated site setting', async () => {
      const owner = await site.k.signIn('owner');
      const settings = { title: 'Kumbaya', description: 'A blog built for conversation.', navigation: 'Home | /', customCss: '', postsPerPage: '10' };
      const form = await (await owner.request('/admin/settings')).text();
      assert.match(form, /name="feedItems"[^>]*value="20"|value="20"[^>]*name="feedItems"/);
      for (const [value, message] of [['0', /at least 1 item/], ['101', /at most 100 items/], ['2.5', /whole number/], ['', /at least 1 item/]] as const) {
        const res = await owner.form('/admin/settings', { ...settings, feedItems: value });
        assert.equal(res.status, 422, `feedItems=${value}`);
        assert.match(await res.text(), message);
      }
      assert.equal((await owner.form('/admin/settings', { ...settings, feedItems: '7' })).status, 303);
      assert.equal((await site.k.deps.site()).feedItems, 7);
      // A form without the field (an older client) keeps the default.
      assert.equal((await owner.form('/admin/settings', settings)).status, 303);
      assert.equal((await site.k.deps.site()).feedItems, 20);
    });
  });

  describe(`a sitemap past its URL limit (${engine})`, { skip }, () => {
    const site = useReachSite(engine, { env: { SITEMAP_URL_LIMIT: '3' } });

    it('becomes an index of numbered sitemaps that together hold every URL once', async () => {
      const index = await (await site.k.request('/sitemap.xml')).text();
      assert.ok(DomUtils.getElementsByTagName('sitemapindex', parseDocument(index, { xmlMode: true })).length === 1, 'a sitemap index');
      assert.deepEqual(locs(index), [`${SITE}/sitemap-1.xml`, `${SITE}/sitemap-2.xml`]);
      const first = locs(await (await site.k.request('/sitemap-1.xml')).text());
      const second = locs(await (await site.k.request('/sitemap-2.xml')).text());
      assert.equal(first.length, 3, 'the split falls between two posts');
      assert.deepEqual([...first, ...second], everyUrl);
      assert.equal((await site.k.request('/sitemap-3.xml')).status, 404);
    });
  });
}

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKumbaya, testEngines, type Agent, type TestKumbaya } from '../../../../test/helpers/test-kumbaya.ts';

const settingsForm = { title: 'Zoned', description: 'A site somewhere.', navigation: 'Home | /', customCss: '', postsPerPage: '10', feedItems: '20' };
const editorForm = { title: '', markdown: '', slug: '', excerpt: '', tags: '', visibility: 'public', coverImage: '', publishedAt: '', type: 'post' };

for (const { engine, skip } of testEngines()) {
  describe(`the site's time zone (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let owner: Agent;
    // 1 December 2026, 09:00 UTC (10:00 in Paris): the clock the test moves.
    let now = Date.UTC(2026, 11, 1, 9, 0);

    before(async () => {
      k = await startTestKumbaya({ engine, clock: { now: () => now } });
      owner = await k.signIn('owner');
    });
    after(() => k?.cleanup());
    // Scheduling wakes the scheduler, whose tick may still be running on the old clock: wait it out, then tick.
    const tick = async () => {
      await k.scheduler.tick();
      await k.scheduler.tick();
    };

    it('is the server’s zone until set, and refuses a name that is not a zone with a message saying what to write', async () => {
      const page = await (await owner.request('/admin/settings')).text();
      // The tests' server runs in UTC (test-kumbaya.ts sets TZ).
      assert.match(page, /<input type="text" id="f-timeZone" name="timeZone" required[^>]* value="UTC">/);
      assert.match(page, /<option value="Europe\/Paris">/);
      assert.match(page, /now: December 1, 2026 at 9:00 AM UTC/);

      for (const [bad, message] of [
        ['Mars/Olympus_Mons', '“Mars/Olympus_Mons” is not a time zone this server knows: use an IANA name such as Europe/Paris, America/New_York or UTC (names are case-sensitive).'],
        ['../../etc/passwd', '“../../etc/passwd” is not a time zone name: use an IANA name such as Europe/Paris, America/New_York or UTC.'],
        ['', 'Choose a time zone, e.g. Europe/Paris or America/New_York (or UTC).'],
      ]) {
        const res = await owner.form('/admin/settings', { ...settingsForm, timeZone: bad });
        assert.equal(res.status, 422, bad);
        const body = await res.text();
        assert.ok(body.includes(`<p class="field-error" id="f-timeZone-error">${message.replaceAll('&', '&amp;')}</p>`), `${bad}: ${body.match(/field-error[^<]*/)?.[0]}`);
      }
      assert.equal((await k.deps.store.settings.getAll())['site.timeZone'], undefined);

      const saved = await owner.form('/admin/settings', { ...settingsForm, timeZone: ' Europe/Paris ' });
      assert.equal(saved.status, 303);
      assert.equal((await k.deps.store.settings.getAll())['site.timeZone'], 'Europe/Paris');
      const after = await (await owner.request('/admin/settings')).text();
      assert.match(after, /value="Europe\/Paris"/);
      assert.match(after, /now: December 1, 2026 at 10:00 AM CET/);
    });

    it('reads the editor’s publish time in the zone and shows it back with the zone named', async () => {
      const editor = await (await owner.request('/admin/posts/new')).text();
      assert.match(editor, /Publish date and time <span class="optional">\(Europe\/Paris\)<\/span>/);
      assert.match(editor, /data-now-local="2026-12-01T10:00"/);
      assert.match(editor, /In the site’s time zone, Europe\/Paris \(now: 2026-12-01 10:00 CET\)/);

      const res = await owner.form('/admin/posts', { ...editorForm, title: 'Lunch in Lyon', slug: 'lunch-in-lyon', markdown: 'Soon.', publishedAt: '2026-12-03T14:05', action: 'publish' });
      assert.equal(res.status, 303);
      const id = Number(/\/admin\/posts\/(\d+)/.exec(res.headers.get('location')!)![1]);
      const post = (await k.deps.store.posts.findById(id))!;
      assert.equal(post.status, 'scheduled');
      assert.equal(post.publishedAt, Date.UTC(2026, 11, 3, 13, 5));

      const again = await (await owner.request(`/admin/posts/${id}`)).text();
      assert.match(again, /Goes live December 3, 2026 at 2:05 PM CET/);
      assert.match(again, /name="publishedAt" value="2026-12-03T14:05"/);
      const list = await (await owner.request('/admin/posts')).text();
      assert.match(list, /Goes live<\/span> <time datetime="2026-12-03T13:05:00.000Z">December 3, 2026 at 2:05 PM CET<\/time>/);

      // Saved again unchanged, it keeps its instant.
      await owner.form(`/admin/posts/${id}`, { ...editorForm, title: 'Lunch in Lyon', slug: 'lunch-in-lyon', markdown: 'Soon!', publishedAt: '2026-12-03T14:05', action: 'save' });
      assert.equal((await k.deps.store.posts.findById(id))!.publishedAt, Date.UTC(2026, 11, 3, 13, 5));

      // Not yet at 14:04 Paris time; live at 14:05.
      now = Date.UTC(2026, 11, 3, 13, 4);
      await tick();
      assert.equal((await k.request('/lunch-in-lyon')).status, 404);
      now = Date.UTC(2026, 11, 3, 13, 5);
      await tick();
      assert.equal((await k.deps.store.posts.findById(id))!.status, 'published');
      const page = await k.request('/lunch-in-lyon');
      assert.equal(page.status, 200);
      const html = await page.text();
      // The reader's page: the day in the site's zone, microformats with its offset.
      assert.match(html, /<time class="dt-published" datetime="2026-12-03T14:05:00\+01:00">December 3, 2026<\/time>/);
    });

    it('refuses a time the clocks skip, and takes the first of a time that happens twice', async () => {
      const gap = await owner.form('/admin/posts', { ...editorForm, title: 'Spring', markdown: 'x', publishedAt: '2027-03-28T02:30', action: 'save' });
      assert.equal(gap.status, 422);
      const body = await gap.text();
      assert.match(body, /<p class="field-error" id="f-publishedAt-error">2:30 AM on March 28, 2027 does not exist in Europe\/Paris: the clocks go forward then \(CET to CEST\)\. Choose a time before or after the change\.<\/p>/);
      assert.match(body, /value="2027-03-28T02:30"/);

      const res = await owner.form('/admin/posts', { ...editorForm, title: 'Autumn', markdown: 'x', publishedAt: '2027-10-31T02:30', action: 'save' });
      assert.equal(res.status, 303);
      const id = Number(/\/admin\/posts\/(\d+)/.exec(res.headers.get('location')!)![1]);
      assert.equal((await k.deps.store.posts.findById(id))!.publishedAt, Date.UTC(2027, 9, 31, 0, 30));
      assert.match(await (await owner.request(`/admin/posts/${id}`)).text(), /name="publishedAt" value="2027-10-31T02:30"/);
    });

    it('files a post in the archive under the month it was published in the site’s zone', async () => {
      // 00:30 on 1 January 2027 in Paris is still 31 December in UTC.
      const res = await owner.form('/admin/posts', { ...editorForm, title: 'New year', slug: 'new-year', markdown: 'x', publishedAt: '2027-01-01T00:30', action: 'publish' });
      assert.equal(res.status, 303);
      now = Date.UTC(2027, 0, 2);
      await tick();
      const archive = await (await k.request('/archive')).text();
      assert.match(archive, /<a href="\/archive\/2027\/01">January 2027<\/a> <span class="count">\(1\)<\/span>/);
      assert.match(archive, /<a href="\/archive\/2026\/12">December 2026<\/a> <span class="count">\(1\)<\/span>/);
      assert.match(await (await k.request('/archive/2027/01')).text(), /New year/);
      const december = await (await k.request('/archive/2026/12')).text();
      assert.doesNotMatch(december, /New year/);
      assert.match(december, /Lunch in Lyon/);
    });

    it('keeps feeds in exact ISO 8601 (and RFC 822) times whatever the zone', async () => {
      const at = Date.UTC(2026, 11, 3, 13, 5);
      const atom = await (await k.request('/atom.xml')).text();
      assert.match(atom, /<published>2026-12-03T13:05:00(\.000)?Z<\/published>/);
      const rss = await (await k.request('/feed.xml')).text();
      assert.match(rss, /<pubDate>Thu, 03 Dec 2026 13:05:00 GMT<\/pubDate>/);
      const json = (await (await k.request('/feed.json')).json()) as { items: Array<{ url: string; date_published: string }> };
      const lunch = json.items.find((i) => i.url.endsWith('/lunch-in-lyon'))!;
      assert.equal(Date.parse(lunch.date_published), at);
      assert.match(lunch.date_published, /^2026-12-03T13:05:00(\.000)?(Z|\+00:00)$/);
    });
  });
}

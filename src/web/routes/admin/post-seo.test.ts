import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKumbaya, testEngines, type Agent, type TestKumbaya } from '../../../../test/helpers/test-kumbaya.ts';

/** Everything the editor form sends, empty. */
const base = {
  title: '', markdown: '', slug: '', excerpt: '', tags: '', visibility: 'public', coverImage: '', publishedAt: '', commentsMode: 'inherit', commentsCloseDays: '',
  metaDescription: '', socialImage: '', canonicalUrl: '',
};

/** The page head's tags a link preview or search engine reads. */
function head(page: string) {
  const meta = (attr: string, name: string) => new RegExp(`<meta ${attr}="${name}" content="([^"]*)">`).exec(page)?.[1] ?? null;
  return {
    description: meta('name', 'description'),
    ogDescription: meta('property', 'og:description'),
    ogImage: meta('property', 'og:image'),
    twitterImage: meta('name', 'twitter:image'),
    canonical: /<link rel="canonical" href="([^"]*)">/.exec(page)?.[1] ?? null,
    ogUrl: meta('property', 'og:url'),
  };
}

for (const { engine, skip } of testEngines()) {
  describe(`post SEO fields and the editor (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let owner: Agent;

    before(async () => {
      k = await startTestKumbaya({ engine });
      owner = await k.signIn('owner');
    });
    after(() => k?.cleanup());

    const submit = async (path: string, fields: Partial<typeof base> & Record<string, string>) => {
      const res = await owner.form(path, { ...base, type: 'post', ...fields });
      const id = Number(/\/admin\/posts\/(\d+)/.exec(res.headers.get('location') ?? '')?.[1]);
      return { res, id };
    };

    it('puts the author’s meta description, social image and canonical address in the page head instead of the automatic ones', async () => {
      const { id } = await submit('/admin/posts', {
        title: 'River walk', slug: 'river-walk', markdown: 'We walked by the river at dawn, and the herons were there.', coverImage: '/uploads/cover.png', action: 'publish',
        metaDescription: 'Herons, mist and a thermos: a dawn walk.', socialImage: 'https://images.example.org/heron.jpg', canonicalUrl: 'https://first.example.com/2026/river-walk',
      });
      assert.ok(id > 0);
      const page = head(await (await k.request('/river-walk')).text());
      assert.equal(page.description, 'Herons, mist and a thermos: a dawn walk.');
      assert.equal(page.ogDescription, 'Herons, mist and a thermos: a dawn walk.');
      assert.equal(page.ogImage, 'https://images.example.org/heron.jpg', 'the social image wins over the cover');
      assert.equal(page.twitterImage, 'https://images.example.org/heron.jpg');
      assert.equal(page.canonical, 'https://first.example.com/2026/river-walk');
      assert.equal(page.ogUrl, 'https://first.example.com/2026/river-walk');

      // The editor shows them again.
      const editor = await (await owner.request(`/admin/posts/${id}`)).text();
      assert.match(editor, /name="metaDescription"[^>]*>Herons, mist and a thermos: a dawn walk\.<\/textarea>/);
      assert.match(editor, /name="socialImage" value="https:\/\/images\.example\.org\/heron\.jpg"/);
      assert.match(editor, /name="canonicalUrl" value="https:\/\/first\.example\.com\/2026\/river-walk"/);
      assert.match(editor, /class="link-card-description" data-card-description>Herons, mist and a thermos/, 'the link card preview shows the description');

      // Emptied, the automatic ones come back: the excerpt, the cover, the post's own address.
      await submit(`/admin/posts/${id}`, { title: 'River walk', slug: 'river-walk', markdown: 'We walked by the river at dawn, and the herons were there.', coverImage: '/uploads/cover.png', action: 'save' });
      const plain = head(await (await k.request('/river-walk')).text());
      assert.equal(plain.description, 'We walked by the river at dawn, and the herons were there.');
      assert.equal(plain.ogImage, 'http://localhost:3000/uploads/cover.png');
      assert.equal(plain.canonical, 'http://localhost:3000/river-walk');
    });

    it('keeps a protected post’s SEO fields out of its locked page', async () => {
      await submit('/admin/posts', {
        title: 'Family only', slug: 'family-only', markdown: 'The secret recipe.', password: 'soup', action: 'publish',
        metaDescription: 'The secret recipe, told.', socialImage: 'https://images.example.org/soup.jpg',
      });
      const page = await (await k.request('/family-only')).text();
      assert.doesNotMatch(page, /The secret recipe, told\.|soup\.jpg/);
      assert.equal(head(page).ogImage, null);
    });

    it('refuses bad SEO input with a specific message, status 422, and saves nothing', async () => {
      const { id } = await submit('/admin/posts', { title: 'Kept as it was', slug: 'kept', markdown: 'Text.', action: 'save', metaDescription: 'Fine.' });
      const cases: Array<[Partial<typeof base>, string, RegExp]> = [
        [{ canonicalUrl: 'first.example.com/post' }, 'canonicalUrl', /Use a full address starting with https:\/\//],
        [{ canonicalUrl: 'https://user:secret@first.example.com/post' }, 'canonicalUrl', /not a valid web address/],
        [{ canonicalUrl: 'javascript:alert(1)' }, 'canonicalUrl', /Use a full address starting with https:\/\//],
        [{ socialImage: 'javascript:alert(1)' }, 'socialImage', /Use an uploaded image \(\/uploads\/…\) or an address starting with https:\/\//],
        [{ socialImage: 'https://exa mple.com/x.png' }, 'socialImage', /not a valid web address/],
        [{ metaDescription: 'x'.repeat(301) }, 'metaDescription', /Keep the meta description under 300 characters/],
        [{ metaDescription: 'Two\nlines' }, 'metaDescription', /Write the meta description as one line/],
      ];
      for (const [fields, name, message] of cases) {
        const { res } = await submit(`/admin/posts/${id}`, { title: 'Changed title', slug: 'kept', markdown: 'Text.', action: 'save', ...fields });
        assert.equal(res.status, 422, `${name}: ${JSON.stringify(fields)}`);
        const page = await res.text();
        assert.match(page, message);
        assert.match(page, new RegExp(`id="f-${name}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="f-${name}"|id="f-${name}-error"`), 'the field is marked');
        assert.match(page, /Nothing was saved/);
      }
      const post = await k.deps.store.posts.findById(id);
      assert.deepEqual([post?.title, post?.metaDescription, post?.canonicalUrl, post?.socialImage], ['Kept as it was', 'Fine.', null, null]);
    });

    it('makes one post from a new editor page however its saves and autosaves race', async () => {
      const before = (await k.deps.store.posts.listAdmin({ limit: 1, offset: 0 })).total;
      const creationKey = 'race-key-0123456789abcdef';
      const fields = { ...base, type: 'post', title: 'Typed fast', markdown: 'Then clicked Save draft.', action: 'save', creationKey };
      const autosave = () =>
        owner.request('/admin/posts/autosave', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': owner.csrf },
          body: JSON.stringify({ type: 'post', title: 'Typed fast', markdown: 'Then clicked', excerpt: '', creationKey }),
        });
      // Autosave and two clicks on "Save draft", all at once, then one more autosave after.
      const answers = await Promise.all([autosave(), owner.form('/admin/posts', fields), owner.form('/admin/posts', fields)]);
      const late = await autosave();
      const ids = new Set<number>();
      for (const res of [...answers, late]) {
        assert.ok(res.status < 400, `answered ${res.status}: ${res.status >= 400 ? await res.clone().text() : ''}`);
        const location = res.headers.get('location') ?? ((await res.clone().json().catch(() => ({}))) as { editUrl?: string }).editUrl ?? '';
        ids.add(Number(/\/admin\/posts\/(\d+)/.exec(location)?.[1]));
      }
      assert.equal(ids.size, 1, `every answer names the same post: ${[...ids].join(', ')}`);
      assert.equal((await k.deps.store.posts.listAdmin({ limit: 1, offset: 0 })).total, before + 1, 'one post was made');
      const post = await k.deps.store.posts.findById([...ids][0]);
      assert.equal(post?.title, 'Typed fast');
      assert.equal(post?.markdown, 'Then clicked Save draft.', 'the explicit save’s text, not an autosave’s');
      // Another author's page with the same key is another post.
      const author = await k.signIn('author');
      const theirs = await author.form('/admin/posts', { ...fields, _csrf: author.csrf });
      assert.notEqual(Number(/\/admin\/posts\/(\d+)/.exec(theirs.headers.get('location') ?? '')?.[1]), [...ids][0]);
    });

    it('gives the live preview the automatic excerpt for the excerpt field’s placeholder', async () => {
      const res = await owner.request('/admin/preview', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': owner.csrf },
        body: JSON.stringify({ markdown: 'First **words** here.\n\n```\ncode is skipped\n```' }),
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { html: string; excerpt: string };
      assert.match(body.html, /<strong>words<\/strong>/);
      assert.equal(body.excerpt, 'First words here.');
    });

    it('reads and writes the SEO fields in the JSON API, validated, and keeps them when a PATCH leaves them out', async () => {
      const { secret } = await k.deps.auth.createApiToken(owner.user!, 'seo test');
      const call = (method: string, path: string, body?: unknown) =>
        k.request(path, { method, headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const created = await call('POST', '/api/posts', { title: 'From a script', markdown: 'Hi.', meta_description: 'Said by a script.', canonical_url: 'https://origin.example.net/hi' });
      assert.equal(created.status, 201, await created.clone().text());
      const post = (await created.json()) as { id: number; meta_description: string | null; social_image: string | null; canonical_url: string | null };
      assert.deepEqual([post.meta_description, post.social_image, post.canonical_url], ['Said by a script.', null, 'https://origin.example.net/hi']);
      const patched = (await (await call('PATCH', `/api/posts/${post.id}`, { title: 'Renamed by a script' })).json()) as typeof post;
      assert.deepEqual([patched.meta_description, patched.canonical_url], ['Said by a script.', 'https://origin.example.net/hi']);
      const bad = await call('PATCH', `/api/posts/${post.id}`, { canonical_url: 'origin.example.net/hi' });
      assert.equal(bad.status, 422);
      assert.match(await bad.text(), /Use a full address starting with https:\/\//);
      const cleared = (await (await call('PATCH', `/api/posts/${post.id}`, { meta_description: '', canonical_url: null })).json()) as typeof post;
      assert.deepEqual([cleared.meta_description, cleared.canonical_url], [null, null]);
      const doc = (await (await k.request('/api/openapi.json')).json()) as Record<string, unknown>;
      assert.match(JSON.stringify(doc), /canonical_url/);
    });
  });
}

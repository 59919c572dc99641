import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { startTestKumbaya, testEngines, type Agent, type TestKumbaya } from '../../../../test/helpers/test-kumbaya.ts';

/** A photo as a phone leaves it: JPEG with the camera and where it was taken in its EXIF. */
async function photoWithLocation(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a7bd5' } })
    .jpeg()
    .withExif({ IFD0: { Make: 'PhoneCo', Model: 'Pocket 9' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '34/1 3/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '84/1 17/1 0/1' } })
    .toBuffer();
}

/** EXIF's GPS pointer (tag 0x8825) in either byte order. */
const hasGpsTag = (exif: Buffer | undefined) => !!exif && (exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88])));

const wide = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#c04020' } }).png().toBuffer();

function send(agent: Agent, bytes: Uint8Array, name: string, alt = '') {
  const form = new FormData();
  form.set('_csrf', agent.csrf);
  form.set('file', new File([new Uint8Array(bytes)], name));
  form.set('alt', alt);
  return agent.request('/admin/uploads', { method: 'POST', body: form, headers: { accept: 'application/json' } });
}

async function uploaded(agent: Agent, bytes: Uint8Array, name: string, alt = '') {
  const res = await send(agent, bytes, name, alt);
  assert.equal(res.status, 201, await res.clone().text());
  const body = (await res.json()) as { url: string; markdown: string; width: number; height: number };
  return { ...body, hash: body.url.slice('/uploads/'.length, '/uploads/'.length + 64) };
}

for (const { engine, skip } of testEngines()) {
  describe(`media library (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let owner: Agent;

    before(async () => {
      k = await startTestKumbaya({ engine });
      owner = await k.signIn('owner');
    });
    after(() => k?.cleanup());

    const publish = async (slug: string, markdown: string, coverImage: string | null = null) => {
      const post = await k.deps.posts.create(owner.user!, { type: 'post', title: `Post ${slug}`, slug, markdown, visibility: 'public', coverImage: coverImage ?? '', tags: [] });
      await k.deps.posts.publish(owner.user!, post.id);
    };

    it('strips the location (EXIF GPS) from a photo by decoding and encoding it again', async () => {
      const photo = await photoWithLocation();
      assert.ok(hasGpsTag((await sharp(photo).metadata()).exif), 'the photo sent carries GPS');
      const { url, width, height, markdown } = await uploaded(owner, photo, 'beach.jpg', 'Blue sea');
      assert.deepEqual([width, height], [64, 48]);
      assert.equal(markdown, `![Blue sea](${url})`);
      const stored = Buffer.from(await (await k.request(url)).arrayBuffer());
      const meta = await sharp(stored).metadata();
      assert.equal(meta.format, 'jpeg');
      assert.equal(hasGpsTag(meta.exif), false, 'no GPS in what is stored and served');
      assert.equal(stored.includes(Buffer.from('PhoneCo')), false, 'nor the camera');
    });

    it('refuses a file that only starts like a PNG (HTML after the signature) with 422, storing nothing', async () => {
      const before = (await k.deps.store.uploads.list({ limit: 100, offset: 0 })).total;
      const fake = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('<html><script>alert(document.cookie)</script></html>')]);
      const res = await send(owner, fake, 'cat.png');
      assert.equal(res.status, 422);
      const { error } = (await res.json()) as { error: { message: string; fields: Record<string, string> } };
      assert.match(error.message, /starts like a PNG image but is not one that can be read/);
      assert.equal(error.fields.file, 'Not a readable PNG image.');
      assert.equal((await k.deps.store.uploads.list({ limit: 100, offset: 0 })).total, before);
    });

    it('makes WebP variants in the job queue, never wider than the image, and serves them for good', async () => {
      const { hash } = await uploaded(owner, await wide(1200, 600), 'field.png', 'A red field');
      assert.match(await (await owner.request(`/admin/uploads/${hash}`)).text(), /being made in the background/);
      await k.jobs.tick();
      const page = await (await owner.request(`/admin/uploads/${hash}`)).text();
      assert.match(page, /480, 960 pixels wide \(WebP\)/, 'no 1600: the image is 1200 wide');
      const res = await k.request(`/uploads/${hash}-480.webp`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/webp');
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 480, 240]);
      assert.equal((await k.request(`/uploads/${hash}-1600.webp`)).status, 404);
    });

    it('serves posts with width, height, srcset and sizes on uploaded images (existing posts too), the caption under a lone image, and the cover’s srcset', async () => {
      const { hash, url } = await uploaded(owner, await wide(2000, 1000), 'dunes.png', 'Dunes');
      await publish('dunes', `Before.\n\n![Dunes at dusk](${url})\n\nInline ![small](${url}) and ![elsewhere](https://example.com/x.png).`, url);
      await k.jobs.tick();
      const page = await (await k.request('/dunes')).text();
      const srcset = `/uploads/${hash}-480.webp 480w, /uploads/${hash}-960.webp 960w, /uploads/${hash}-1600.webp 1600w, ${url} 2000w`;
      assert.ok(page.includes(`<img src="${url}" alt="Dunes at dusk" loading="lazy" width="2000" height="1000" srcset="${srcset}" sizes="(min-width: 40rem) 37.5rem, calc(100vw - 2.5rem)" decoding="async">`), page);
      assert.match(page, /<img src="https:\/\/example\.com\/x\.png" alt="elsewhere" loading="lazy" \/>/, 'an image from elsewhere is left alone');
      assert.ok(page.includes(`class="cover u-photo" src="${url}" alt="" width="1280" height="720" srcset="${srcset}"`));
      assert.doesNotMatch(page, /<figure>/);

      const caption = await owner.form(`/admin/uploads/${hash}`, { alt: 'Dunes at dusk', caption: 'The dunes <b>at</b> dusk' });
      assert.equal(caption.status, 303);
      const captioned = await (await k.request('/dunes')).text();
      assert.match(captioned, /<figure><img src="[^"]+" alt="Dunes at dusk"[^>]*><figcaption>The dunes &lt;b&gt;at&lt;\/b&gt; dusk<\/figcaption><\/figure>/);
      assert.equal((captioned.match(/<figcaption>/g) ?? []).length, 1, 'the inline image gets no caption');
    });

    it('lists every upload with size, dimensions, alt text, uses and Markdown that keeps the alt text; searches and pages', async () => {
      const { hash, url } = await uploaded(owner, await wide(700, 350), 'harbour-boats.png', 'Boats in the harbour');
      await publish('harbour', `![Boats](${url})`);
      const list = await (await owner.request('/admin/uploads?q=HARBOUR')).text();
      assert.match(list, /1 image matches/);
      assert.ok(list.includes('harbour-boats.png'));
      assert.match(list, /700 × 350 px/);
      assert.match(list, /Alt text:<\/span> Boats in the harbour/);
      assert.match(list, /Used in 1 post:/);
      assert.ok(list.includes(`<a href="/admin/posts/`) && list.includes('>Post harbour</a>'));
      assert.ok(list.includes(`value="![Boats in the harbour](${url})"`), 'the snippet keeps the alt text');
      assert.match(await (await owner.request('/admin/uploads?q=boats+in')).text(), /1 image matches/, 'by alt text');
      assert.match(await (await owner.request('/admin/uploads?q=nothing-like-it')).text(), /No image’s name or alt text contains/);

      for (let i = 0; i < 25; i++) {
        await k.deps.store.uploads.save({ hash: i.toString(16).padStart(64, '0'), mime: 'image/png', size: 3, originalName: `filler-${i}.png`, data: new Uint8Array([1]), uploaderId: owner.user!.id, createdAt: 1000 + i, width: 10, height: 10, alt: '', caption: '' });
      }
      const first = await (await owner.request('/admin/uploads')).text();
      assert.match(first, /page 1 of 2/);
      assert.ok(first.includes(hash), 'the newest first');
      assert.ok(first.includes('href="/admin/uploads?page=2"'));
      const second = await (await owner.request('/admin/uploads?page=2')).text();
      assert.ok(second.includes('filler-0.png') && !second.includes(hash));
    });

    it('edits alt text and caption with the CSRF token only, and says what is too long', async () => {
      const { hash } = await uploaded(owner, await wide(10, 10), 'dot.png');
      const forged = await owner.request(`/admin/uploads/${hash}`, { method: 'POST', body: new URLSearchParams({ alt: 'Forged', caption: '' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(forged.status, 403);
      const long = await owner.form(`/admin/uploads/${hash}`, { alt: 'x'.repeat(1001), caption: 'Fine' });
      assert.equal(long.status, 422);
      assert.match(await long.text(), /At most 1000 characters/);
      assert.equal((await k.deps.store.uploads.info(hash))?.alt, '', 'nothing saved');
      assert.equal((await owner.form(`/admin/uploads/${hash}`, { alt: ' A red\ndot ', caption: 'Tiny' })).status, 303);
      assert.deepEqual([(await k.deps.store.uploads.info(hash))?.alt, (await k.deps.store.uploads.info(hash))?.caption], ['A red dot', 'Tiny']);
    });

    it('deletes an unused upload and its variants; refuses one a post shows, naming the posts, unless forced', async () => {
      const unused = await uploaded(owner, await wide(1000, 500), 'unused.png');
      await k.jobs.tick();
      const ask = await owner.form(`/admin/uploads/${unused.hash}/delete`, {});
      assert.equal(ask.status, 200);
      assert.match(await ask.text(), /Delete “unused\.png”\?/);
      const gone = await owner.form(`/admin/uploads/${unused.hash}/delete`, { confirm: 'yes' });
      assert.equal(gone.status, 303);
      assert.equal(gone.headers.get('location'), '/admin/uploads?notice=upload-deleted');
      assert.equal((await k.request(unused.url)).status, 404);
      assert.equal((await k.request(`/uploads/${unused.hash}-480.webp`)).status, 404);

      const used = await uploaded(owner, await wide(20, 20), 'used.png');
      await publish('shows-it', `![x](${used.url})`);
      await publish('also-shows-it', 'Cover only.', used.url);
      const refused = await owner.form(`/admin/uploads/${used.hash}/delete`, { confirm: 'yes' });
      assert.equal(refused.status, 409);
      const text = await refused.text();
      assert.match(text, /shown in 2 posts or pages: “Post shows-it”, “Post also-shows-it”/);
      assert.match(text, /Delete anyway/);
      assert.equal((await k.request(used.url)).status, 200, 'still there');
      const json = await owner.request(`/admin/uploads/${used.hash}/delete`, { method: 'POST', headers: { accept: 'application/json', 'x-csrf-token': owner.csrf } });
      assert.equal(json.status, 409);
      assert.deepEqual(((await json.json()) as { error: { uses: Array<{ slug: string }> } }).error.uses.map((u) => u.slug), ['shows-it', 'also-shows-it']);
      const forced = await owner.form(`/admin/uploads/${used.hash}/delete`, { confirm: 'yes', force: 'yes' });
      assert.equal(forced.status, 303);
      assert.equal((await k.request(used.url)).status, 404);
    });

    it('lets an author change only what they uploaded', async () => {
      const { hash } = await uploaded(owner, await wide(12, 12), 'owners.png');
      const author = await k.signIn('author');
      assert.equal((await author.form(`/admin/uploads/${hash}`, { alt: 'Mine now', caption: '' })).status, 403);
      assert.equal((await author.form(`/admin/uploads/${hash}/delete`, { confirm: 'yes' })).status, 403);
      const own = await uploaded(author, await wide(13, 13), 'authors.png');
      assert.equal((await author.form(`/admin/uploads/${own.hash}/delete`, { confirm: 'yes' })).status, 303);
    });

    it('learns the size of an upload from before the media library and makes its variants, from housekeeping', async () => {
      const bytes = await wide(600, 300);
      const hash = 'f'.repeat(64);
      await k.deps.store.uploads.save({ hash, mime: 'image/png', size: bytes.length, originalName: 'old.png', data: new Uint8Array(bytes), uploaderId: owner.user!.id, createdAt: 1, width: null, height: null, alt: '', caption: '' });
      await k.scheduler.tick();
      await k.jobs.tick();
      const info = await k.deps.store.uploads.info(hash);
      assert.deepEqual([info?.width, info?.height], [600, 300]);
      assert.equal((await k.request(`/uploads/${hash}-480.webp`)).status, 200);
    });
  });
}

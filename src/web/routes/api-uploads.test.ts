import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import type { User } from '../../core/store.ts';
import { ApiClient } from '../../../test/helpers/api-client.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { apiUploadListSchema, apiUploadSchema } from '../openapi-uploads.ts';

/** A real PNG of `width` × `height` pixels of one colour, built chunk by chunk. */
function png(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]));
}

function form(bytes: Uint8Array, name: string, alt?: string): FormData {
  const data = new FormData();
  data.set('file', new File([new Uint8Array(bytes)], name, { type: 'image/png' }));
  if (alt !== undefined) data.set('alt', alt);
  return data;
}

for (const { engine, skip } of testEngines()) {
  describe(`JSON API: uploads (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let api: ApiClient;
    let owner: { user: User; secret: string };
    let author: { user: User; secret: string };
    let other: { user: User; secret: string };

    before(async () => {
      k = await startTestKumbaya({ engine, env: { UPLOAD_MAX_BYTES: '8192' } });
      api = new ApiClient(k);
      owner = await api.token('owner');
      author = await api.token('author');
      other = await api.token('author');
    });
    after(() => k.cleanup());

    test('uploads an image as multipart, cleaned as the admin cleans it, with its size, alt text and Markdown', async () => {
      const made = await api.expect('POST', '/api/uploads', 201, { token: author.secret, form: form(png(12, 8, [200, 40, 40]), 'red-barn.png', 'A red barn'), schema: apiUploadSchema });
      assert.match(made.hash, /^[0-9a-f]{64}$/);
      assert.equal(made.url, `/uploads/${made.hash}.png`);
      assert.deepEqual([made.width, made.height, made.mime, made.original_name, made.alt, made.uploader_id], [12, 8, 'image/png', 'red-barn.png', 'A red barn', author.user.id]);
      assert.equal(made.markdown, `![A red barn](/uploads/${made.hash}.png)`);
      assert.deepEqual(made.uses, []);
      const served = await k.request(made.url);
      assert.equal(served.status, 200);
      assert.equal(served.headers.get('content-type'), 'image/png');
      assert.deepEqual(await api.expect('GET', `/api/uploads/${made.hash}`, 200, { token: owner.secret, schema: apiUploadSchema }), made);
    });

    test('refuses what the admin refuses, with its reason: not an image, too large, no file, not multipart', async () => {
      const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
      const notImage = await api.refused('POST', '/api/uploads', 415, { token: author.secret, form: form(svg, 'x.svg') });
      assert.match(notImage.message, /Only PNG, JPEG, GIF, WebP and AVIF images can be uploaded.*SVG is refused/);
      const big = await api.refused('POST', '/api/uploads', 413, { token: author.secret, form: form(new Uint8Array(9000).fill(7), 'big.png') });
      assert.match(big.message, /^That file is larger than the [\d.]+ MB limit\. Make the image smaller/);
      const none = new FormData();
      none.set('alt', 'nothing');
      assert.equal((await api.refused('POST', '/api/uploads', 422, { token: author.secret, form: none })).message, 'Choose an image file to upload.');
      const json = await api.refused('POST', '/api/uploads', 415, { token: author.secret, body: { file: 'x' } });
      assert.match(json.message, /multipart\/form-data/);
      assert.equal((await api.expect('GET', '/api/uploads', 200, { token: owner.secret })).total, 1, 'nothing refused was stored');
    });

    test('lists uploads newest first with search, dimensions, alt and the posts that use them', async () => {
      const blue = await api.expect('POST', '/api/uploads', 201, { token: owner.secret, form: form(png(4, 4, [20, 40, 220]), 'blue-sky.png') });
      const post = await k.deps.posts.create(owner.user, { title: 'The sky today', markdown: `Look: ![sky](${blue.url})` });
      const list = await api.expect('GET', '/api/uploads?per_page=1', 200, { token: author.secret, schema: apiUploadListSchema });
      assert.equal(list.total, 2);
      assert.deepEqual(list.uploads.map((u: any) => [u.original_name, u.width, u.height, u.alt]), [['blue-sky.png', 4, 4, '']]);
      assert.deepEqual(list.uploads[0].uses, [{ id: post.id, title: 'The sky today', slug: post.slug, type: 'post', status: 'draft', trashed: false }]);
      const found = await api.expect('GET', '/api/uploads?q=BARN', 200, { token: author.secret });
      assert.deepEqual(found.uploads.map((u: any) => u.original_name), ['red-barn.png'], 'by file name, case aside');
      assert.equal((await api.refused('GET', '/api/uploads?page=0', 422, { token: author.secret })).fields?.page, 'Use a whole number from 1.');
      assert.equal((await api.refused('GET', `/api/uploads/${'0'.repeat(64)}`, 404, { token: author.secret })).message, 'The upload was not found.');
    });

    test('edits alt text and caption (an author only their own), refusing text that is too long', async () => {
      const barn = (await api.expect('GET', '/api/uploads?q=barn', 200, { token: owner.secret })).uploads[0];
      const saved = await api.expect('PATCH', `/api/uploads/${barn.hash}`, 200, { token: author.secret, body: { caption: 'Our barn, spring 2024.' }, schema: apiUploadSchema });
      assert.deepEqual([saved.alt, saved.caption], ['A red barn', 'Our barn, spring 2024.'], 'what was not sent stays');
      const tooLong = await api.refused('PATCH', `/api/uploads/${barn.hash}`, 422, { token: author.secret, body: { alt: 'x'.repeat(1001) } });
      assert.equal(tooLong.fields?.alt, 'At most 1000 characters.');
      const notYours = await api.refused('PATCH', `/api/uploads/${barn.hash}`, 403, { token: other.secret, body: { alt: 'Mine' } });
      assert.equal(notYours.message, 'Authors may change only the images they uploaded; ask the owner.');
      const byOwner = await api.expect('PATCH', `/api/uploads/${barn.hash}`, 200, { token: owner.secret, body: { alt: 'The red barn at dusk' } });
      assert.equal(byOwner.alt, 'The red barn at dusk');
      assert.equal((await api.refused('PATCH', `/api/uploads/${barn.hash}`, 422, { token: owner.secret, body: { alt: 5 } })).fields?.alt, 'Write the alt text as text.');
    });

    test('delete is refused with the posts that show the image (409) unless force=true', async () => {
      const sky = (await api.expect('GET', '/api/uploads?q=sky', 200, { token: owner.secret })).uploads[0];
      const refused = await api.refused('DELETE', `/api/uploads/${sky.hash}`, 409, { token: owner.secret });
      assert.equal(refused.code, 'conflict');
      assert.match(refused.message, /This image is shown in one post or page: “The sky today” \(id \d+\)\. .*force=true/);
      assert.equal((await api.refused('DELETE', `/api/uploads/${sky.hash}?force=yes`, 422, { token: owner.secret })).fields?.force, 'Use force=true, or leave it out.');
      await api.expect('GET', `/api/uploads/${sky.hash}`, 200, { token: owner.secret });
      await api.expect('DELETE', `/api/uploads/${sky.hash}?force=true`, 204, { token: owner.secret });
      assert.equal((await k.request(sky.url)).status, 404, 'the file is gone');
      const barn = (await api.expect('GET', '/api/uploads?q=barn', 200, { token: owner.secret })).uploads[0];
      assert.equal((await api.refused('DELETE', `/api/uploads/${barn.hash}`, 403, { token: other.secret })).code, 'forbidden');
      await api.expect('DELETE', `/api/uploads/${barn.hash}`, 204, { token: author.secret });
      assert.equal((await api.refused('DELETE', `/api/uploads/${barn.hash}`, 404, { token: author.secret })).code, 'not_found');
    });

    test('moderators and anonymous callers are refused', async () => {
      const moderator = await api.token('moderator');
      assert.equal((await api.refused('GET', '/api/uploads', 403, { token: moderator.secret })).message, 'Uploading images is for the owner and authors.');
      assert.equal((await api.refused('POST', '/api/uploads', 403, { token: moderator.secret, form: form(png(2, 2, [1, 2, 3]), 'm.png') })).code, 'forbidden');
      assert.equal((await api.refused('GET', '/api/uploads', 401)).code, 'unauthenticated');
      assert.equal((await api.refused('POST', '/api/uploads', 401, { form: form(png(2, 2, [1, 2, 3]), 'm.png') })).code, 'unauthenticated');
    });
  });
}

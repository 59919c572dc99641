import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { startTestKumbaya, type Agent, type TestKumbaya } from '../../../../test/helpers/test-kumbaya.ts';
import { detectImageType } from './uploads.ts';

/** A real 1×1 PNG, built chunk by chunk. */
function tinyPng(): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const pixels = zlib.deflateSync(Buffer.from([0, 0xe0, 0x6c, 0x1e, 0xff]));
  return new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]));
}

function upload(agent: Agent, bytes: Uint8Array, name: string, type: string, options: { json?: boolean; alt?: string } = {}) {
  const form = new FormData();
  form.set('_csrf', agent.csrf);
  form.set('file', new File([new Uint8Array(bytes)], name, { type }));
  if (options.alt !== undefined) form.set('alt', options.alt);
  return agent.request('/admin/uploads', { method: 'POST', body: form, headers: options.json === false ? {} : { accept: 'application/json' } });
}

let k: TestKumbaya;
let owner: Agent;

before(async () => {
  k = await startTestKumbaya({ env: { UPLOAD_MAX_BYTES: '4096' } });
  owner = await k.signIn('owner');
});
after(() => k.cleanup());

describe('uploads', () => {
  it('stores a real PNG (read and written again) and serves it at its content address, cached for good', async () => {
    const png = tinyPng();
    const res = await upload(owner, png, 'Sunset over the bay.png', 'image/png', { alt: 'A sunset [over] the bay' });
    assert.equal(res.status, 201);
    const body = (await res.json()) as { url: string; markdown: string; width: number; height: number };
    assert.match(body.url, /^\/uploads\/[0-9a-f]{64}\.png$/);
    assert.equal(body.markdown, `![A sunset over the bay](${body.url})`, 'brackets in the alt text cannot break the Markdown');
    assert.deepEqual([body.width, body.height], [1, 1]);

    const served = await k.request(body.url);
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('content-type'), 'image/png');
    assert.match(served.headers.get('cache-control') ?? '', /immutable/);
    const bytes = new Uint8Array(await served.arrayBuffer());
    assert.equal(body.url, `/uploads/${createHash('sha256').update(bytes).digest('hex')}.png`, 'the address is the hash of the bytes served');
    assert.equal(detectImageType(bytes)?.mime, 'image/png');

    const list = await (await owner.request('/admin/uploads')).text();
    assert.ok(list.includes(`src="${body.url}"`));
    assert.match(list, /Sunset over the bay\.png/);
  });

  it('accepts the CSRF token in the header, as the editor script sends it', async () => {
    const form = new FormData();
    form.set('file', new File([new Uint8Array(tinyPng())], 'header.png', { type: 'image/png' }));
    const res = await owner.request('/admin/uploads', { method: 'POST', body: form, headers: { accept: 'application/json', 'x-csrf-token': owner.csrf } });
    assert.equal(res.status, 201);
    const refused = await owner.request('/admin/uploads', { method: 'POST', body: form, headers: { accept: 'application/json' } });
    assert.equal(refused.status, 403, 'no token, no upload');
  });

  it('redirects with a notice when the upload came from a plain form', async () => {
    const png = tinyPng(); // the same bytes again: stored once, answered all the same
    const res = await upload(owner, png, 'dot.png', 'image/png', { json: false });
    assert.equal(res.status, 303);
    const location = res.headers.get('location')!;
    assert.match(location, /^\/admin\/uploads\?notice=uploaded&file=[0-9a-f]{64}\.png$/);
    const page = await (await owner.request(location)).text();
    assert.match(page, /Uploaded\. Copy its Markdown below/);
    assert.match(page, /class="upload-item is-new"/);
  });

  it('judges the type by the bytes: SVG and text named .png are refused with 415', async () => {
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const refusedSvg = await upload(owner, svg, 'logo.svg', 'image/svg+xml');
    assert.equal(refusedSvg.status, 415);
    assert.match(((await refusedSvg.json()) as { error: { message: string } }).error.message, /SVG is refused/);
    const text = new TextEncoder().encode('just some words pretending to be an image');
    assert.equal((await upload(owner, text, 'photo.png', 'image/png')).status, 415);
    const plain = await upload(owner, text, 'photo.png', 'image/png', { json: false });
    assert.equal(plain.status, 415);
    assert.match(await plain.text(), /Only PNG, JPEG, GIF, WebP and AVIF/);
    assert.equal((await k.deps.store.uploads.list({ limit: 50, offset: 0 })).items.some((u) => u.originalName === 'logo.svg' || u.originalName === 'photo.png'), false);
  });

  it('refuses a file over the size limit with 413', async () => {
    const big = new Uint8Array(6000);
    big.set(tinyPng());
    const res = await upload(owner, big, 'big.png', 'image/png');
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /larger than the .* limit/);
  });

  it('refuses early when the declared length is far over the limit', async () => {
    const res = await owner.request('/admin/uploads', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(10 * 1024 * 1024), 'x-csrf-token': owner.csrf, accept: 'application/json' },
      body: '--x--\r\n',
    });
    assert.equal(res.status, 413);
  });

  it('stops reading a plain-form upload (token in the body) once it passes the limit', async () => {
    const huge = new Uint8Array(200_000);
    huge.set(tinyPng());
    const res = await upload(owner, huge, 'huge.png', 'image/png');
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /The request is larger than/);
  });

  it('is not open to moderators', async () => {
    const moderator = await k.signIn('moderator');
    assert.equal((await upload(moderator, tinyPng(), 'a.png', 'image/png')).status, 403);
  });
});

describe('detectImageType', () => {
  const bytes = (...parts: Array<string | number[]>) =>
    new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((ch) => ch.charCodeAt(0)) : p)));
  it('knows each accepted format by its signature', () => {
    assert.equal(detectImageType(tinyPng())?.mime, 'image/png');
    assert.equal(detectImageType(bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF'))?.mime, 'image/jpeg');
    assert.equal(detectImageType(bytes('GIF89a', [1, 0, 1, 0]))?.mime, 'image/gif');
    assert.equal(detectImageType(bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '))?.mime, 'image/webp');
    assert.equal(detectImageType(bytes([0, 0, 0, 0x1c], 'ftyp', 'avif', [0, 0, 0, 0], 'avifmif1miaf'))?.mime, 'image/avif');
    assert.equal(detectImageType(bytes([0, 0, 0, 0x1c], 'ftyp', 'mif1', [0, 0, 0, 0], 'mif1avifmiaf'))?.ext, 'avif');
  });
  it('refuses look-alikes', () => {
    assert.equal(detectImageType(bytes([0, 0, 0, 0x18], 'ftyp', 'isom', [0, 0, 0, 0], 'isommp41')), null, 'MP4 video');
    assert.equal(detectImageType(bytes('RIFF', [0, 0, 0, 0], 'WAVEfmt ')), null, 'WAV audio');
    assert.equal(detectImageType(bytes('<?xml version="1.0"?><svg')), null);
    assert.equal(detectImageType(new Uint8Array()), null);
  });
});

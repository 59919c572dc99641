import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UploadImage } from '../core/store.ts';
import { layOutImages, servedImages } from './responsive-images.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const image = (hash: string, over: Partial<UploadImage> = {}): UploadImage => ({ hash, mime: 'image/jpeg', width: 1200, height: 800, caption: '', variantWidths: [480, 960], processed: true, ...over });

describe('layOutImages', () => {
  it('sets the size and srcset of an upload, leaving sizes the author wrote and other images alone', () => {
    const images = new Map([[A, image(A)]]);
    const out = layOutImages(`<p>x <img src="/uploads/${A}.jpg" alt="a" loading="lazy" /> <img src="/uploads/${A}.jpg" width="300" alt="b" /> <img src="https://elsewhere.example/${A}.jpg" alt="c" /></p>`, images);
    assert.ok(out.includes(`<img src="/uploads/${A}.jpg" alt="a" loading="lazy" width="1200" height="800" srcset="/uploads/${A}-480.webp 480w, /uploads/${A}-960.webp 960w, /uploads/${A}.jpg 1200w" sizes="(min-width: 40rem) 37.5rem, calc(100vw - 2.5rem)" decoding="async">`));
    assert.ok(out.includes(`<img src="/uploads/${A}.jpg" width="300" alt="b" srcset=`), 'the author’s width stays, alone');
    assert.ok(out.includes(`<img src="https://elsewhere.example/${A}.jpg" alt="c" />`));
  });

  it('gives a small image its size and no srcset, and an unknown upload nothing', () => {
    const out = layOutImages(`<img src="/uploads/${A}.png" alt=""><img src="/uploads/${B}.png" alt="">`, new Map([[A, image(A, { mime: 'image/png', width: 300, height: 200, variantWidths: [] })]]));
    assert.equal(out, `<img src="/uploads/${A}.png" alt="" width="300" height="200" decoding="async"><img src="/uploads/${B}.png" alt="">`);
  });

  it('puts a caption (escaped) under an upload standing alone in its paragraph', () => {
    const images = new Map([[A, image(A, { caption: 'Dusk <script>' })]]);
    const out = layOutImages(`<p>\n<img src="/uploads/${A}.jpg" alt="x" />\n</p><p>in <img src="/uploads/${A}.jpg" alt="y" /> text</p>`, images);
    assert.match(out, /^<figure><img [^>]*alt="x"[^>]*><figcaption>Dusk &lt;script&gt;<\/figcaption><\/figure><p>in <img /);
    assert.equal(out.match(/figcaption>/g)?.length, 2);
  });
});

describe('servedImages', () => {
  it('asks the store nothing for a post without uploads', async () => {
    const uploads = { images: async () => assert.fail('no query expected') };
    assert.deepEqual(await servedImages({ html: '<p>Words.</p>', coverImage: 'https://example.com/c.jpg' }, uploads), { html: '<p>Words.</p>', coverSrcset: null });
  });

  it('asks once for the text’s and the cover’s uploads', async () => {
    const asked: string[][] = [];
    const uploads = { images: async (hashes: string[]) => (asked.push(hashes), new Map([[A, image(A)]])) };
    const served = await servedImages({ html: `<img src="/uploads/${B}.png">`, coverImage: `/uploads/${A}.jpg` }, uploads);
    assert.deepEqual(asked, [[B, A]]);
    assert.equal(served.coverSrcset, `/uploads/${A}-480.webp 480w, /uploads/${A}-960.webp 960w, /uploads/${A}.jpg 1200w`);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { html, raw, rawBytes } from './html.ts';

describe('html template', () => {
  it('escapes every interpolated value', () => {
    const name = `<script>alert("x")</script> & 'friends'`;
    assert.equal(html`<p title="${name}">${name}</p>`.value, '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39;</p>');
  });

  it('inserts nested templates and raw HTML as they are, and skips empty values', () => {
    const items = ['a', 'b'].map((x) => html`<li>${x}</li>`);
    assert.equal(html`<ul>${items}${null}${undefined}${false}${raw('<li>c</li>')}</ul>`.value, '<ul><li>a</li><li>b</li><li>c</li></ul>');
  });

  it('encodes to the same UTF-8 bytes as the joined string, including cached fragments', () => {
    const fragment = rawBytes(Buffer.from('<p>Café — “quoted” 🎉</p>'));
    const page = html`<main>${'Ünïcödé ’'}${fragment}${html`<b>${'x<y'}</b>`}</main>`;
    assert.equal(page.value, '<main>Ünïcödé ’<p>Café — “quoted” 🎉</p><b>x&lt;y</b></main>');
    assert.deepEqual(page.toBuffer(), Buffer.from(page.value));
  });

  it('splits into chunks that pass cached fragments along uncopied', () => {
    const cached = Buffer.from('<ol><li>Café 🎉</li></ol>');
    const page = html`<main><h1>${'Ünïcödé'}</h1>${rawBytes(cached)}${html`<p>${'a&b'}</p>`}</main>`;
    const chunks = page.toChunks();
    assert.equal(chunks.length, 3);
    assert.equal(chunks[1], cached, 'the cached bytes are the same object, not a copy');
    assert.deepEqual(Buffer.concat(chunks), page.toBuffer());
    assert.deepEqual(html`<p>${'only text'}</p>`.toChunks(), [Buffer.from('<p>only text</p>')]);
  });

  it('encodes a large page into small blocks, never one page-sized string, with the same bytes', () => {
    const items = Array.from({ length: 3000 }, (_, i) => html`<li>${`Comment ${i}: café — “ok” 🎉 `.repeat(1 + (i % 5))}</li>`);
    const huge = 'x'.repeat(40_000);
    const page = html`<main><ol>${items}</ol><pre>${huge}</pre></main>`;
    const chunks = page.toChunks();
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(page.value));
    assert.ok(chunks.length > 20, `${chunks.length} chunks`);
    // Blocks stay small; only a single piece longer than a block gets a buffer of its own.
    assert.deepEqual(chunks.filter((c) => c.length > 16 * 1024).map((c) => c.length), [40_000]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodedOnce, giveBack, html, raw, rawBytes } from './html.ts';

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

  it('writes text encoded once escaped, as a value would be, copied in wherever it goes: a page using it is still lent whole', () => {
    const link = encodedOnce(`/café?a=1&b="2"`);
    assert.equal(link.value, '/café?a=1&amp;b=&quot;2&quot;');
    const page = html`<a href="${link}1">one</a><a href="${link}2">${'two'}</a>`;
    assert.equal(page.value, '<a href="/café?a=1&amp;b=&quot;2&quot;1">one</a><a href="/café?a=1&amp;b=&quot;2&quot;2">two</a>');
    const { chunks, lent } = page.lendChunks();
    assert.deepEqual([lent, chunks.length], [true, 1]);
    assert.deepEqual(Buffer.from(chunks[0]), Buffer.from(page.value));
    giveBack(chunks[0]);
  });

  it('passes a cached fragment along as it is, even alone, and never lends it', () => {
    const cached = Buffer.from('<ol><li>kept by the conversation cache</li></ol>');
    const alone = html`${rawBytes(cached)}`.lendChunks();
    assert.deepEqual([alone.chunks.length, alone.chunks[0] === cached, alone.lent], [1, true, false]);
    const around = html`<main>${rawBytes(cached)}</main>`.lendChunks();
    assert.deepEqual([around.chunks.length, around.chunks[1] === cached, around.lent], [3, true, false]);
  });

  it('lends a page that fits its shared buffer whole instead of copying it: later pages never touch it, and given back it reads nothing', () => {
    const first = html`<p>${'first'}</p>`.lendChunks();
    assert.deepEqual([first.lent, first.chunks.length, Buffer.from(first.chunks[0]).toString()], [true, 1, '<p>first</p>']);
    // Pages encoded while the first is still being sent go elsewhere.
    const second = html`<p>${'second, and longer than the first'}</p>`.lendChunks();
    const third = html`<p>${'third'}</p>`.toChunks();
    assert.equal(Buffer.from(first.chunks[0]).toString(), '<p>first</p>');
    assert.equal(Buffer.from(second.chunks[0]).toString(), '<p>second, and longer than the first</p>');
    assert.deepEqual(third, [Buffer.from('<p>third</p>')]);
    assert.notEqual(first.chunks[0].buffer, second.chunks[0].buffer);
    // Given back once sent: its memory goes to a later page, and the page itself is detached.
    giveBack(first.chunks[0]);
    assert.equal(first.chunks[0].byteLength, 0);
    giveBack(first.chunks[0]);
    for (let i = 0; i < 4; i++) {
      const later = html`<p>${`later ${i}`}</p>`.lendChunks();
      assert.equal(Buffer.from(later.chunks[0]).toString(), `<p>later ${i}</p>`);
      assert.equal(Buffer.from(second.chunks[0]).toString(), '<p>second, and longer than the first</p>', 'a page not given back stays as it was');
      giveBack(later.chunks[0]);
    }
    // Not lent: more than the shared buffer holds.
    const big = html`<pre>${'y'.repeat(600_000)}</pre>`.lendChunks();
    assert.deepEqual([big.lent, Buffer.concat(big.chunks).length], [false, 600_011]);
    // Something that was never lent is left alone.
    const own = Buffer.from('<p>not lent</p>');
    giveBack(own);
    assert.equal(own.toString(), '<p>not lent</p>');
  });

  it('encodes a page into exactly sized chunks with the same bytes: text in one buffer, at most 512 KB, and encoded fragments uncopied', () => {
    // Short and long pieces, ASCII and not (short ASCII text is copied character by character).
    const items = Array.from({ length: 3000 }, (_, i) => html`<li>${`Comment ${i}: café — “ok” 🎉 `.repeat(1 + (i % 5))}${i % 7 === 0 ? 'é' : ''}<b>${String(i)}</b></li>`);
    const small = html`<main><ol>${items.slice(0, 200)}</ol></main>`;
    const one = small.toChunks();
    assert.equal(one.length, 1);
    assert.deepEqual(Buffer.concat(one), Buffer.from(small.value));
    // More text than the shared buffer holds is cut into several chunks; a piece longer than it has its own.
    const huge = 'x'.repeat(200_000);
    const page = html`<main><ol>${items}</ol><pre>${huge}</pre></main>`;
    const chunks = page.toChunks();
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(page.value));
    assert.ok(chunks.length > 1, `${chunks.length} chunks`);
    assert.ok(chunks.every((c) => c.length <= 512 * 1024 || c.length === 200_000));
    // An encoded fragment (a cached conversation) is passed along as it is, between the text around it.
    const fragment = Buffer.from('<ol class="thread"><li>ü</li></ol>');
    const around = html`<section>${rawBytes(fragment)}</section>`.toChunks();
    assert.equal(around.length, 3);
    assert.equal(around[1], fragment);
    assert.equal(Buffer.concat(around).toString(), '<section><ol class="thread"><li>ü</li></ol></section>');
  });

  it('writes every kind of value as the joined string has it, escaped as it is written', () => {
    // What html() always did: each value escaped as text, SafeHtml as it is, arrays joined, null/undefined/false nothing.
    const reference = (value: unknown): string =>
      value === null || value === undefined || value === false
        ? ''
        : Array.isArray(value)
          ? value.map(reference).join('')
          : typeof value === 'object' && 'value' in value && typeof value.value === 'string' && value.constructor.name === 'SafeHtml'
            ? value.value
            : String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
    const texts = ['', 'a', `<b title="x">'&'</b>`, 'é<à>', 'ascii then ü & <', '🎉"', 'x'.repeat(63) + '&', 'y'.repeat(65) + '<', '&'.repeat(100), `${'z'.repeat(70)}ü"`];
    const numbers = [0, -0, 7, 42, 1234567890, 2147483647, 2147483648, -1, 1.5, NaN, Infinity, 1e21];
    const values: unknown[] = [...texts, ...numbers, true, 12n, new Date(0), { toString: () => '<obj>' }, [1, ['<', null, [raw('<i>')]], false], raw('<hr>'), rawBytes(Buffer.from('<b>ü</b>'))];
    for (const value of values) {
      const page = html`<p data-x="${value}">→${value}</p>`;
      const expected = `<p data-x="${reference(value)}">→${reference(value)}</p>`;
      assert.equal(page.value, expected, String(value));
      assert.deepEqual(page.toBuffer(), Buffer.from(expected), String(value));
    }
  });

  it('keeps a template as it was written: an array or object changed afterwards does not change it', () => {
    const items = ['a'];
    const date = new Date(0);
    const page = html`<p>${items}|${date}</p>`;
    items.push('b');
    date.setTime(86_400_000);
    const written = `<p>a|${new Date(0)}</p>`;
    assert.equal(page.value, written);
    assert.equal(page.toBuffer().toString(), written);
  });
});

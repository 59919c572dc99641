import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderPostMarkdown } from './render-markdown.ts';
import { automaticExcerpt, isAutomaticExcerpt, plainText } from './text.ts';

describe('plainText', () => {
  it('joins inline markup to its words and separates blocks', () => {
    assert.equal(plainText('<p>Hello <em>world</em>! A <a href="/x">link</a>, <code>code</code>.</p><p>Next</p>'), 'Hello world! A link, code. Next');
    assert.equal(plainText('<p>un<strong>believ</strong>able</p>'), 'unbelievable');
    assert.equal(plainText('<ul><li>one</li><li>two</li></ul>'), 'one two');
    assert.equal(plainText('<p>line<br>break</p>'), 'line break');
  });

  it('decodes entities and drops footnote references', () => {
    assert.equal(plainText('<p>Fish &amp; chips&#8230; &#x1F600;<sup class="footnote-ref"><a href="#fn1">[1]</a></sup></p>'), 'Fish & chips… 😀');
  });
});

describe('automaticExcerpt', () => {
  it('is the start of the prose, with no stray spaces around inline markup', async () => {
    const html = await renderPostMarkdown('Social media is *not* a **broadcast** channel — it is [a conversation](https://example.com).');
    assert.equal(automaticExcerpt(html), 'Social media is not a broadcast channel — it is a conversation.');
  });

  it('skips code blocks and tables', async () => {
    const html = await renderPostMarkdown(['Before the code.', '', '```js', 'const secret = 1;', '```', '', '| a | b |', '|---|---|', '| 1 | 2 |', '', 'After the table.'].join('\n'));
    assert.equal(automaticExcerpt(html), 'Before the code. After the table.');
  });

  it('cuts long prose at a word with an ellipsis', async () => {
    const html = await renderPostMarkdown('word '.repeat(100));
    const excerpt = automaticExcerpt(html);
    assert.ok(excerpt.length <= 281 && excerpt.endsWith('word…'), excerpt);
  });

  it('recognises an automatic excerpt saved by an earlier version as automatic, and a written one as written', async () => {
    const html = await renderPostMarkdown('Hello *world*!\n\n```\ncode\n```');
    assert.equal(isAutomaticExcerpt(automaticExcerpt(html), html), true);
    assert.equal(isAutomaticExcerpt('Hello world ! code', html), true, 'what 0.4 stored');
    assert.equal(isAutomaticExcerpt('A summary the author wrote.', html), false);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sanitizeHtml from 'sanitize-html';
import { commentMarkdownUnsanitised, renderCommentMarkdown, sanitizeCommentHtml } from './comment-markdown.ts';

// The comment policy of comment-markdown.ts, run through sanitize-html itself: the fast path for plain paragraphs must give the same bytes.
const policy: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'em', 'strong', 's', 'a', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li'],
  allowedAttributes: { a: ['href', 'rel'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  transformTags: { a: (tagName, attribs) => ({ tagName, attribs: { href: attribs.href ?? '', rel: 'ugc nofollow noopener' } }) },
};
const full = (html: string) => sanitizeHtml(html, policy).trim();

describe('sanitizeCommentHtml', () => {
  it('answers plain paragraphs exactly as the full sanitiser does', () => {
    // A fixed pseudo-random walk over characters that matter to HTML (and some that do not).
    const alphabet = ['a', ' ', '\n', '\t', '\r', "'", '`', '=', '/', ';', 'é', '😀', '\u00a0', '\u2028', '\ufeff', '<br>', 'x y', '#', '%', '?'];
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let i = 0; i < 500; i++) {
      const paragraphs = Array.from({ length: 1 + next(3) }, () => `<p>${Array.from({ length: next(12) }, () => alphabet[next(alphabet.length)]).join('')}</p>`);
      const html = paragraphs.join(next(2) ? '\n' : '') + (next(2) ? '\n' : '');
      assert.equal(sanitizeCommentHtml(html), full(html), JSON.stringify(html));
    }
  });

  it('still sanitises anything else: scripts, handlers, entities, quotes', () => {
    const cases = [
      '<p>a<script>alert(1)</script></p>',
      '<p onclick="x()">a</p>',
      '<p>a &amp; b &lt;c&gt; "q"</p>',
      '<p>a</p><img src=x onerror=alert(1)>',
      '<p>a<br/>b</p>',
      '<p>a</p>\n\n<p>b</p>',
      '<p>a\u0000b</p>',
      '<P>a</P>',
      '<p>unclosed',
      '<p>a</p><p>b<a href="javascript:alert(1)">x</a></p>',
    ];
    for (const html of cases) assert.equal(sanitizeCommentHtml(html), full(html), html);
    assert.doesNotMatch(sanitizeCommentHtml('<p>a</p><img src=x onerror=alert(1)>'), /onerror|<img/);
    assert.equal(sanitizeCommentHtml('<p>a<br>\nb</p>\n<p>c</p>'), '<p>a<br />\nb</p>\n<p>c</p>');
  });

  it('renders comments exactly as markdown-it and the full sanitiser would, fast path or not', () => {
    const words = ['word', 'the', 'thread', 'reads', 'well', 'thanks', 'for', 'this', 'post', 'It’s', "don't", 'a & b', '"quoted"', '<b>', '*em*', '**strong**', '`code`', '~~gone~~', 'https://example.org/x?a=1&b=2', '[link](https://example.org)', '[bad](javascript:alert(1))', '<script>x</script>', 'é😀', '\\*', '&amp;', '#tag'];
    const blocks = ['', '', '', '> ', '- ', '1. ', '    '];
    let seed = 11;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    let plain = 0;
    for (let i = 0; i < 400; i++) {
      const markdown = Array.from({ length: 1 + next(3) }, () =>
        blocks[next(blocks.length)] + Array.from({ length: 1 + next(8) }, () => words[next(words.length)]).join(next(4) ? ' ' : '\n'),
      ).join('\n\n');
      const unsanitised = commentMarkdownUnsanitised(markdown);
      if (/^(?:<p>(?:[^<>&"]|<br>)*<\/p>\n?)*$/.test(unsanitised)) plain++;
      assert.equal(renderCommentMarkdown(markdown), full(unsanitised), JSON.stringify(markdown));
    }
    // Both paths were taken.
    assert.ok(plain > 20 && plain < 380, `${plain} of 400 were plain paragraphs`);
  });
});

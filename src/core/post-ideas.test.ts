import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderPostMarkdown } from './render-markdown.ts';
import { addressFollowsTitle, addressOf, commentAsPostMarkdown, escapeMarkdownText, ideaTitle, quoteMarkdown } from './post-ideas.ts';

describe('a comment quoted in a post idea', () => {
  it('keeps the comment’s line breaks and Markdown, makes its HTML text, and leaves code alone', async () => {
    const md = commentAsPostMarkdown('First line\nsecond *line*\n\n<img src=x onerror=alert(1)> and `a<b` \\<kept\n```\n<b>code</b>\nstays\n```');
    assert.equal(md, 'First line  \nsecond *line*\n\n\\<img src=x onerror=alert(1)> and `a<b` \\<kept\n```\n<b>code</b>\nstays\n```');
    const html = await renderPostMarkdown(md);
    assert.match(html, /First line<br \/>\s*second <em>line<\/em>/);
    assert.doesNotMatch(html, /<img/);
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(html, /<code>a&lt;b<\/code>/);
    assert.match(html, /<pre class="code"><code class="hljs">&lt;b&gt;code&lt;\/b&gt;\nstays/);
  });

  it('quotes it with the writer’s name (as text, whatever they typed) and a link to the permalink', async () => {
    const md = quoteMarkdown({ name: 'Eve [click](javascript:x) *bold*', markdown: 'Hello.', permalink: 'https://blog.example/comments/7', postTitle: 'On *porches*' });
    assert.equal(md, '> Hello.\n>\n> — Eve \\[click\\](javascript:x) \\*bold\\*, [in a comment on “On \\*porches\\*”](https://blog.example/comments/7)\n\n');
    const html = await renderPostMarkdown(md);
    assert.match(html, /<blockquote>\s*<p>Hello\.<\/p>\s*<p>— Eve \[click\]\(javascript:x\) \*bold\*, <a href="https:\/\/blog\.example\/comments\/7">in a comment on “On \*porches\*”<\/a><\/p>\s*<\/blockquote>/);
    assert.equal(escapeMarkdownText(' a\n b '), 'a b');
  });

  it('names the draft after the comment, within the title’s limit', () => {
    assert.equal(ideaTitle('Ada', 'Porches'), 'After Ada’s comment on “Porches”');
    assert.ok(ideaTitle('A'.repeat(300), 'P').length <= 200);
  });

  it('lets a draft’s address follow its title while it is the one made from it, until first published', () => {
    const draft = { title: 'After Ada’s comment on “Porches”', slug: 'after-adas-comment-on-porches', status: 'draft' as const, publishedAt: null };
    assert.equal(addressFollowsTitle(draft), true);
    assert.equal(addressFollowsTitle({ ...draft, slug: 'after-adas-comment-on-porches-2' }), true, 'a copy’s number too');
    assert.equal(addressFollowsTitle({ ...draft, slug: 'my-own-address' }), false, 'one the author typed stays');
    assert.equal(addressFollowsTitle({ ...draft, status: 'published', publishedAt: 1 }), false, 'a published address never moves');
    assert.equal(addressFollowsTitle({ ...draft, publishedAt: 1 }), false, 'nor one that was published before');
  });

  it('writes to the address on the comment, else the one on their person, else nowhere', () => {
    const person = { id: 1, name: 'Ada', email: 'ada@person.example', website: null, createdAt: 0 };
    assert.equal(addressOf({ authorEmail: 'ada@comment.example' } as never, person), 'ada@comment.example');
    assert.equal(addressOf({ authorEmail: '' } as never, person), 'ada@person.example');
    assert.equal(addressOf({ authorEmail: ' ' } as never, { ...person, email: null }), null);
    assert.equal(addressOf(null, null), null);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { remoteCommentHtml, remoteCommentText } from './remote-html.ts';

const blog = { handle: 'blog', host: 'blog.example' };

describe('a Note’s HTML as a comment', () => {
  it('drops the blog’s leading mention in the shapes Mastodon, Pleroma and Misskey write it, keeping other mentions', () => {
    const mastodon = '<p><span class="h-card" translate="no"><a href="https://blog.example/" class="u-url mention">@<span>blog</span></a></span> <span class="h-card" translate="no"><a href="https://other.example/@bo" class="u-url mention">@<span>bo</span></a></span> Lovely post.</p>';
    assert.equal(remoteCommentHtml(mastodon, null, blog), '<p><a href="https://other.example/@bo" rel="ugc nofollow noopener">@bo</a> Lovely post.</p>');
    const pleroma = '<span class="h-card"><a class="u-url mention" data-user="9x" href="https://blog.example/@blog" rel="ugc">@<span>blog</span></a></span> agreed';
    assert.equal(remoteCommentHtml(pleroma, null, blog), 'agreed');
    const misskey = '<p><a href="https://blog.example/@blog" class="u-url mention">@blog@blog.example</a><span> nice<br>two lines</span></p>';
    assert.equal(remoteCommentHtml(misskey, null, blog), '<p>nice<br />two lines</p>');
    const friendica = '@<a href="https://blog.example/@blog" class="mention u-url h-card">blog</a> I keep a thermometer.<br>80 degrees.';
    assert.equal(remoteCommentHtml(friendica, null, blog), 'I keep a thermometer.<br />80 degrees.');
    // A mention of someone else who happens to be called "blog" elsewhere stays.
    const elsewhere = '<p><a href="https://x.example/@blog">@blog@x.example</a> hi</p>';
    assert.equal(remoteCommentHtml(elsewhere, null, blog), '<p><a href="https://x.example/@blog" rel="ugc nofollow noopener">@blog@x.example</a> hi</p>');
  });

  it('sanitises like a comment: no scripts, images, styles, event handlers or javascript: links', () => {
    const hostile = '<p onclick="x()">Hi <script>alert(1)</script><img src="https://t.example/p.gif"><a href="javascript:alert(1)">click</a> <a href="https://ok.example/" style="color:red" class="x">ok</a></p><iframe src="https://evil.example/"></iframe>';
    assert.equal(remoteCommentHtml(hostile, null, blog), '<p>Hi <a rel="ugc nofollow noopener">click</a> <a href="https://ok.example/" rel="ugc nofollow noopener">ok</a></p>');
  });

  it('shows a content warning before the words, escaped', () => {
    assert.equal(remoteCommentHtml('<p>spoiler</p>', 'Ending <b>revealed</b>', blog), '<p>Content warning: Ending &lt;b&gt;revealed&lt;/b&gt;</p><p>spoiler</p>');
  });

  it('as text: paragraphs and line breaks kept, links in Markdown, a shortened bare address once, mentions and hashtags plain', () => {
    const html = remoteCommentHtml(
      '<p>First &amp; <a href="https://social.example/@bo" class="mention">@<span>bo</span></a> <a href="https://social.example/tags/tea">#<span>tea</span></a></p><p>See <a href="https://example.com/a/very/long/path/indeed"><span class="invisible">https://</span><span class="ellipsis">example.com/a/very/long</span><span class="invisible">/path/indeed</span></a> and <a href="https://read.example/">this</a><br>bye</p>',
      null,
      blog,
    );
    assert.equal(remoteCommentText(html, ['@bo@social.example', '#tea']), 'First & @bo #tea\n\nSee https://example.com/a/very/long/path/indeed and [this](https://read.example/)\nbye');
    // "@bo" without a Mention tag for it is a link like any other.
    assert.equal(remoteCommentText('<p><a href="https://spam.example/">@bo</a></p>', []), '[@bo](https://spam.example/)');
  });
});

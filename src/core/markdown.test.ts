import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderPostMarkdown, sanitizePostHtml } from './markdown.ts';

const sources = (html: string) => [...html.matchAll(/<img[^>]*\ssrc="([^"]*)"/g)].map((m) => m[1]);

describe('images with http: addresses in posts', () => {
  it('are asked for over https (the CSP allows https: images), in Markdown and in imported HTML', () => {
    assert.deepEqual(sources(renderPostMarkdown('![chart](http://images.example.com/chart.png) and ![b](HTTP://Old.Example.org/b.gif)')), ['https://images.example.com/chart.png', 'https://Old.Example.org/b.gif']);
    assert.deepEqual(sources(sanitizePostHtml('<p><img src="http://oldblog.example/wp-content/uploads/a.jpg" alt="a"></p>')), ['https://oldblog.example/wp-content/uploads/a.jpg']);
  });

  it('leaves https and uploaded addresses as they are', () => {
    assert.deepEqual(sources(renderPostMarkdown(`![a](https://images.example.com/a.png) ![b](/uploads/${'c'.repeat(64)}.png)`)), ['https://images.example.com/a.png', `/uploads/${'c'.repeat(64)}.png`]);
  });

  it('changes only images: links keep their http: address', () => {
    assert.match(renderPostMarkdown('[an old site](http://old.example.com/)'), /href="http:\/\/old\.example\.com\/"/);
  });
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Parser } from 'htmlparser2';
import { startTestKumbaya, type TestKumbaya } from './helpers/test-kumbaya.ts';

// The third-party corpora live in shared/ beside the checkout (or where KUMBAYA_SHARED_DIR says).
const sharedDir = process.env.KUMBAYA_SHARED_DIR || path.join(import.meta.dirname, '../../shared');
const corpus = JSON.parse(fs.readFileSync(path.join(sharedDir, 'corpora/xss/dompurify-expect.json'), 'utf8')) as Array<{ title: string; payload: string }>;

/** Elements a comment may contain once sanitised; the page around them is the site's own. */
const commentTags = new Set(['p', 'br', 'em', 'strong', 's', 'a', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li']);
const safeSchemes = /^(https?:|mailto:|\/|#)/i;

/**
 * Every way HTML can run script: script-like elements, event-handler attributes, and
 * URLs with a scripting scheme. Returns what it found in `markup`.
 */
function executable(markup: string, onlyCommentTags: boolean): string[] {
  const found: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (['script', 'iframe', 'object', 'embed', 'frame', 'frameset', 'svg', 'math', 'style', 'link', 'meta', 'base', 'form', 'template', 'img', 'video', 'audio', 'source'].includes(name)) found.push(`<${name}>`);
        if (onlyCommentTags && !commentTags.has(name)) found.push(`<${name}> not allowed in a comment`);
        for (const [attr, value] of Object.entries(attributes)) {
          if (/^on/i.test(attr)) found.push(`${name}[${attr}]`);
          if (['srcdoc', 'style', 'formaction', 'xlink:href'].includes(attr.toLowerCase())) found.push(`${name}[${attr}]`);
          if (['href', 'src', 'action', 'data', 'poster'].includes(attr.toLowerCase()) && !safeSchemes.test(value.trim())) found.push(`${name}[${attr}=${value.slice(0, 40)}]`);
        }
      },
    },
    { decodeEntities: true, lowerCaseAttributeNames: true },
  );
  parser.write(markup);
  parser.end();
  return found;
}

describe('hostile comment bodies (the DOMPurify test corpus)', () => {
  let k: TestKumbaya;
  let slug = '';
  const ids: number[] = [];
  before(async () => {
    k = await startTestKumbaya({ env: { CONVERSATION_CACHE: 'false' } });
    const owner = await k.signIn('owner');
    const post = await k.deps.posts.create(owner.user!, { title: 'Target practice', markdown: 'Say anything.' });
    await k.deps.posts.publish(owner.user!, post.id);
    slug = post.slug;
    // As the signed-in author, so that every payload is published rather than held.
    for (const { payload } of corpus) {
      const { comment } = await k.deps.comments.submit({ postId: post.id, body: payload.trim() ? payload : '(empty)' }, { ip: '127.0.0.1', userAgent: 'test', referrer: '', user: owner.user }, '');
      ids.push(comment.id);
    }
  });
  after(() => k.cleanup());

  it(`stores each of the ${corpus.length} inputs as HTML with nothing executable`, async () => {
    assert.equal(ids.length, corpus.length);
    for (const [i, id] of ids.entries()) {
      const stored = (await k.deps.store.comments.findById(id))!;
      assert.deepEqual(executable(stored.html, true), [], `${corpus[i].title}\n${corpus[i].payload}\n→ ${stored.html}`);
    }
  });

  it('serves every thread page with no executable markup from the comments', async () => {
    let url: string | null = `/${slug}`;
    let seen = 0;
    while (url) {
      const page = await (await k.request(url)).text();
      const start = page.indexOf('<ol class="thread">');
      const end = page.indexOf('<form class="comment-form"');
      assert.ok(start > 0 && end > start);
      const thread = page.slice(start, end);
      seen += (thread.match(/<article class="comment/g) ?? []).length;
      // Comment markup may only use the thread's own elements (article, header, time…) and the comment tags.
      assert.deepEqual(executable(thread, false), [], url);
      // The site's own scripts, and the post's JSON-LD data block (its "<" are escaped, so nothing can close it early).
      assert.doesNotMatch(page, /<script(?![^>]*\bsrc="\/assets\/)(?![^>]*type="application\/ld\+json")/i, 'only the site’s own scripts');
      assert.equal(page.match(/<\/script>/g)?.length, page.match(/<script\b/g)?.length, 'every script element ends where it should');
      const next = /rel="next" href="([^"]+)"/.exec(thread)?.[1];
      url = next ? next.replace(/&amp;/g, '&') : null;
    }
    assert.equal(seen, corpus.length);
  });
});

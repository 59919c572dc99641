import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { CommentSettings } from '../../core/comment-settings.ts';
import type { Post, ThreadComment } from '../../core/store.ts';
import { commentView } from './comment-views.ts';

const post = { id: 7, slug: 'a-post', authorId: 1 } as Post;

function comment(id: number, authorName: string, authorEmail: string): ThreadComment {
  return {
    id, postId: post.id, parentId: null, rootId: id, depth: 0, personId: null, userId: null, authorName, authorEmail, authorUrl: null,
    html: '<p>Hello</p>', status: 'approved', source: 'form', createdAt: Date.UTC(2026, 11, 6, 12), editedAt: null,
  };
}

function picture(c: ThreadComment, avatars: CommentSettings['avatars']): string {
  const page = commentView({ comment: c, replies: [], inReplyTo: null }, { post, staffIds: new Set(), avatars, pageCursor: null, open: true }).value;
  return /<(?:span|img) class="avatar[^>]*>(?:[^<]*<\/span>)?/.exec(page)![0];
}

describe('a commenter’s picture', () => {
  it('follows the name, the address and the site’s setting, though each is made once', () => {
    const ada = comment(1, 'Ada Okafor', 'ada@example.net');
    assert.match(picture(ada, 'local'), /^<span class="avatar avatar-[0-7]" aria-hidden="true">AO<\/span>$/);
    assert.equal(picture(comment(2, 'Ada Okafor', 'ada@example.net'), 'local'), picture(ada, 'local'), 'the same person, the same picture');
    // The same address under another name: her initials change with it.
    assert.match(picture(comment(3, 'Bea Lindqvist', 'ada@example.net'), 'local'), />BL<\/span>$/);
    // Gravatar's setting: the image of the address's SHA-256, then back to initials.
    const hash = createHash('sha256').update('ada@example.net').digest('hex');
    assert.equal(picture(ada, 'gravatar'), `<img class="avatar u-photo" src="https://www.gravatar.com/avatar/${hash}?s=72&amp;d=identicon" alt="" width="36" height="36" loading="lazy">`);
    assert.match(picture(ada, 'local'), />AO<\/span>$/);
    // A name with markup is text in the picture, as anywhere.
    assert.match(picture(comment(4, '<b>Eve</b> & co', ''), 'local'), />&lt;&amp;<\/span>$/);
  });
});

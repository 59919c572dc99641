import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Comment } from './store.ts';
import { buildThread } from './thread.ts';

let next = 1;
function comment(parentId: number | null): Comment {
  const id = next++;
  return {
    id, postId: 1, parentId, rootId: id, depth: 0, personId: null, userId: null, authorName: `P${id}`, authorEmail: '', authorUrl: null,
    markdown: '', html: '', status: 'approved', moderationReasons: [], spamScore: null, source: 'form',
    createdAt: id, updatedAt: id, editedAt: null, statusChangedAt: id, editTokenHash: null, ip: null, userAgent: null, learnedAs: null,
  };
}

describe('buildThread', () => {
  it('nests each reply under the comment it answers, in order', () => {
    const a = comment(null);
    const a1 = comment(a.id);
    const b = comment(null);
    const a2 = comment(a.id);
    const thread = buildThread([a, a1, b, a2]);
    assert.deepEqual(thread.map((n) => n.comment.id), [a.id, b.id]);
    assert.deepEqual(thread[0].replies.map((n) => n.comment.id), [a1.id, a2.id]);
    assert.equal(thread[0].replies[0].inReplyTo, null);
  });

  it('stops indenting at the depth limit and labels deeper replies', () => {
    const chain = [comment(null)];
    for (let i = 0; i < 6; i++) chain.push(comment(chain[chain.length - 1].id));
    const thread = buildThread(chain, 3);
    const level2 = thread[0].replies[0];
    const level3 = level2.replies;
    // Depth 3 holds the third comment and every deeper one, flat, each naming its parent.
    assert.deepEqual(level3.map((n) => n.comment.id), chain.slice(2).map((c) => c.id));
    assert.equal(level3[0].inReplyTo, null);
    assert.equal(level3[1].inReplyTo?.id, chain[2].id);
    assert.equal(level3[4].inReplyTo?.id, chain[5].id);
    assert.ok(level3.every((n) => n.replies.length === 0));
  });

  it('shows a reply whose parent is hidden as a top-level comment', () => {
    const orphan = comment(9999);
    const thread = buildThread([orphan]);
    assert.equal(thread.length, 1);
    assert.equal(thread[0].comment.id, orphan.id);
  });
});

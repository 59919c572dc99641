import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { focusableScrollables } from './scrollable-blocks.ts';

describe('focusableScrollables', () => {
  it('lets the keyboard reach code blocks and tables, once each', () => {
    const html = '<p>pre-amble <code>x</code></p><pre class="code" data-lang="js"><code>a</code></pre><pre><code>b</code></pre><table><tr><td>1</td></tr></table>';
    const out = focusableScrollables(html);
    assert.equal(out, '<p>pre-amble <code>x</code></p><pre tabindex="0" class="code" data-lang="js"><code>a</code></pre><pre tabindex="0"><code>b</code></pre><table tabindex="0"><tr><td>1</td></tr></table>');
    assert.equal(focusableScrollables(out), out, 'a block that already has a tabindex keeps it');
  });
  it('leaves HTML without such blocks as it is', () => {
    assert.equal(focusableScrollables('<p>prefix <preview></p>'), '<p>prefix <preview></p>');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderDiff } from './revisions-view.ts';

describe('renderDiff', () => {
  it('marks changed words within changed lines, escaped', () => {
    const diff = renderDiff('The <b>river</b> is wide.\nIt runs.', 'The <b>river</b> is narrow & deep.\nIt runs.').toString();
    assert.equal(diff, 'The &lt;b&gt;river&lt;/b&gt; is <del>wide</del><ins>narrow &amp; deep</ins>.\nIt runs.');
  });

  it('folds the middle of a long unchanged stretch, keeping a few lines of context', () => {
    const middle = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const between = renderDiff(`start\n${middle}\nend`, `begin\n${middle}\nfinish`).toString();
    assert.equal(between, '<del>start\n</del><ins>begin\n</ins>line 0\nline 1\nline 2\n<span class="diff-fold">… 14 unchanged lines …</span>\nline 17\nline 18\nline 19\n<del>end</del><ins>finish</ins>');
    // After the last change there is nothing to lead up to: only its first lines show.
    const trailing = renderDiff(`start\n${middle}`, `begin\n${middle}`).toString();
    assert.equal(trailing, '<del>start\n</del><ins>begin\n</ins>line 0\nline 1\nline 2\n<span class="diff-fold">… 17 unchanged lines …</span>');
  });

  it('shows two unrelated long texts as one removal and one addition instead of searching every edit', () => {
    const words = (seed: string) => Array.from({ length: 6000 }, (_, i) => `${seed}${i}`).join(' ');
    const diff = renderDiff(words('a'), words('b')).toString();
    assert.equal(diff.match(/<del>/g)?.length, 1);
    assert.equal(diff.match(/<ins>/g)?.length, 1);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rocAuc } from './roc-auc.ts';

describe('rocAuc', () => {
  const s = (spam: boolean, score: number) => ({ spam, score });

  it('is 1 for a perfect ranking, 0 for a reversed one, 0.5 when every score ties', () => {
    assert.equal(rocAuc([s(false, 0.1), s(false, 0.2), s(true, 0.8), s(true, 0.9)]), 1);
    assert.equal(rocAuc([s(true, 0.1), s(true, 0.2), s(false, 0.8), s(false, 0.9)]), 0);
    assert.equal(rocAuc([s(true, 0.5), s(false, 0.5), s(true, 0.5)]), 0.5);
  });

  it('counts the pairs ranked right, ties as half', () => {
    // Pairs (spam, ham): (0.7,0.3) right, (0.7,0.8) wrong, (0.3,0.3) tie, (0.3,0.8) wrong → 1.5 of 4.
    assert.equal(rocAuc([s(true, 0.7), s(true, 0.3), s(false, 0.3), s(false, 0.8)]), 1.5 / 4);
  });

  it('is undefined (NaN) without both kinds', () => {
    assert.ok(Number.isNaN(rocAuc([s(true, 0.9)])));
  });
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { mf2 } from 'microformats-parser';
import { sharedDir } from './helpers/reach-fixture.ts';

/**
 * The mf2 parser the page tests (and incoming webmentions) rely on, checked against the
 * microformats community's own test suite: every .html case must parse to its .json.
 */
const root = path.join(sharedDir, 'corpora/microformats/tests/microformats-v2');

const cases = fs
  .readdirSync(root, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.html') && fs.existsSync(path.join(root, file.replace(/\.html$/, '.json'))))
  .sort();

describe('microformats-parser passes the microformats/tests suite', () => {
  it('finds the cases', () => {
    assert.ok(cases.length >= 30, `expected the shared corpus at ${root}, found ${cases.length} cases`);
  });
  for (const file of cases) {
    // Every case passes as it is: none is excused.
    it(file, () => {
      const input = fs.readFileSync(path.join(root, file), 'utf8');
      const expected = JSON.parse(fs.readFileSync(path.join(root, file.replace(/\.html$/, '.json')), 'utf8'));
      const parsed = JSON.parse(JSON.stringify(mf2(input, { baseUrl: 'http://example.com/' })));
      assert.deepEqual(parsed, expected);
    });
  }
});

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { progressBar } from '../cli/progress-bar.ts';
import { autop } from './import-html.ts';
import { legacyPathKey, legacyQueryKey } from '../core/legacy-paths.ts';
import { legacyPathsFor, normaliseLink } from './import-legacy-urls.ts';

describe('autop (WordPress line breaks to paragraphs)', () => {
  it('makes paragraphs of blank-line blocks and <br> of single line breaks', () => {
    assert.equal(autop('One\ntwo\n\nThree'), '<p>One<br>\ntwo</p>\n<p>Three</p>');
  });
  it('leaves block elements, and the line breaks inside <pre>, alone', () => {
    assert.equal(autop('Intro\n<pre>a\n\nb</pre>\nafter'), '<p>Intro</p>\n<pre>a\n\nb</pre>\n<p>after</p>');
    assert.equal(autop('<!-- wp:paragraph -->\n<p>Block editor</p>\n<!-- /wp:paragraph -->'), '<!-- wp:paragraph -->\n<p>Block editor</p>\n<!-- /wp:paragraph -->');
    assert.equal(autop('<ul>\n<li>x</li>\n</ul>'), '<ul>\n<li>x</li>\n</ul>');
  });
  it('turns nothing into nothing', () => {
    assert.equal(autop(' \n\n '), '');
  });
});

describe('old WordPress addresses', () => {
  it('lists every address WordPress may have used for a post', () => {
    assert.deepEqual(
      legacyPathsFor({ wpId: '12', type: 'post', name: '%e6%97%a5%e6%9c%ac', link: 'https://old.example/blog/2019/03/%e6%97%a5%e6%9c%ac/', localDate: '2019-03-05 23:30:00' }).sort(),
      ['/2019/03/05/日本', '/2019/03/日本', '/blog/2019/03/日本', '/日本', '?p=12'].sort(),
    );
    assert.deepEqual(legacyPathsFor({ wpId: '7', type: 'page', name: 'about', link: 'https://old.example/?page_id=7', localDate: '0000-00-00 00:00:00' }).sort(), ['/about', '?p=7', '?page_id=7']);
  });
  it('looks paths up decoded, in lower case, without trailing slashes', () => {
    assert.equal(legacyPathKey('/2019/03/Hello-World///'), '/2019/03/hello-world');
    assert.equal(legacyPathKey('/%E6%97%A5%E6%9C%AC/'), '/日本');
    assert.equal(legacyQueryKey({ p: '12' }), '?p=12');
    assert.equal(legacyQueryKey({ p: '12abc' }), null);
  });
  it('matches links whatever the scheme, www or trailing slash', () => {
    assert.deepEqual(normaliseLink('HTTPS://WWW.Old.example/a/b/'), { host: 'old.example', path: '/a/b' });
    assert.deepEqual(normaliseLink('http://old.example/?p=5'), { host: 'old.example', path: '?p=5' });
    assert.equal(normaliseLink('not a link'), null);
  });
});

describe('the import progress bar', () => {
  function sink(isTTY: boolean) {
    let text = '';
    const out = Object.assign(new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) }), { isTTY });
    return { out, text: () => text };
  }
  it('draws a bar in place on a terminal', () => {
    const { out, text } = sink(true);
    const bar = progressBar(out, 'Reading x.xml', 2 * 1024 * 1024);
    bar.update(1024 * 1024);
    bar.done();
    assert.match(text(), /^\rReading x\.xml \[#{15}\.{15}\]  50%  1\.0 of 2\.0 MB\rReading x\.xml \[#{30}\] 100%  2\.0 of 2\.0 MB\n$/);
  });
  it('writes a plain line every tenth when the output is not a terminal', () => {
    const { out, text } = sink(false);
    const bar = progressBar(out, 'Reading x.xml', 1000);
    for (let bytes = 0; bytes <= 1000; bytes += 50) bar.update(bytes);
    bar.done();
    const lines = text().trim().split('\n');
    assert.equal(lines.length, 11);
    assert.equal(lines[5], 'Reading x.xml: 50% (0.0 of 0.0 MB read)');
  });
});

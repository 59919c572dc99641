import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countLinks, findDisallowedWords, honeypotFilled } from './spam-signals.ts';

describe('countLinks', () => {
  it('counts nothing in plain prose', () => {
    assert.equal(countLinks(''), 0);
    assert.equal(countLinks('I met you at the North Georgia Tweetup. Ask me about e.g. wraps, or 3.5 stars.'), 0);
    assert.equal(countLinks('An [aside] in brackets (and parentheses) is not a link.'), 0);
  });

  it('counts Markdown links, images and reference definitions', () => {
    assert.equal(countLinks('See [my post](https://example.com/a) and [this one](</b> "title").'), 2);
    assert.equal(countLinks('![cat](https://img.example/cat.png)'), 1);
    assert.equal(countLinks('Read [the docs][1].\n\n[1]: https://docs.example.com'), 1);
  });

  it('counts bare URLs and autolinks', () => {
    assert.equal(countLinks('Mine is https://torri.example and www.wraps.example/gallery.'), 2);
    assert.equal(countLinks('Mail <mailto:me@example.com> or see <https://example.com>, or <me@example.org>.'), 3);
  });

  it('counts a Markdown link whose text is a URL once', () => {
    assert.equal(countLinks('[https://example.com](https://example.com)'), 1);
    assert.equal(countLinks('[www.example.com](http://www.example.com)'), 1);
  });

  it('counts pasted HTML and BBCode links, which spammers still try', () => {
    assert.equal(countLinks('<a href="http://pills.example">cheap pills</a> <a href=\'http://b.example\'>http://b.example</a>'), 2);
    assert.equal(countLinks('[url=http://casino.example]casino[/url] [url]http://slots.example[/url]'), 2);
  });

  it('counts a typical link drop', () => {
    const spam = 'Great post! http://a.example http://b.example [c](http://c.example) <http://d.example> www.e.example';
    assert.equal(countLinks(spam), 5);
  });
});

describe('findDisallowedWords', () => {
  const list = ['casino', 'viagra', 'buy followers', '  ', 'Казино', 'CASINO'];

  it('finds whole words in any case', () => {
    assert.deepEqual(findDisallowedWords('Best CASINO bonus, and Viagra!', list), ['casino', 'viagra']);
    assert.deepEqual(findDisallowedWords('Want to BUY   followers?', list), ['buy followers']);
  });

  it('does not match inside other words', () => {
    assert.deepEqual(findDisallowedWords('Occasionally I go to the casinos? No: a viagrafree life.', list), []);
    assert.deepEqual(findDisallowedWords('buy followership', list), []);
  });

  it('understands other scripts', () => {
    assert.deepEqual(findDisallowedWords('Лучшее КАЗИНО онлайн', list), ['Казино']);
    assert.deepEqual(findDisallowedWords('Лучшееказино онлайн', list), []);
  });

  it('looks in the name, email and website as well as the body', () => {
    assert.deepEqual(findDisallowedWords(['Lovely post.', 'Mike', 'mike@casino-bonus.example', null], list), ['casino']);
    assert.deepEqual(findDisallowedWords(['Lovely post.', 'Viagra Online', '', 'https://viagra.example/'], list), ['viagra']);
    assert.deepEqual(findDisallowedWords([undefined, null, ''], list), []);
  });

  it('treats list entries literally, not as patterns', () => {
    assert.deepEqual(findDisallowedWords('1+1 is two, (a) is fine', ['1+1', '(a)', '.*']), ['1+1', '(a)']);
  });

  it('finds nothing with an empty list', () => {
    assert.deepEqual(findDisallowedWords('anything at all', []), []);
  });
});

describe('honeypotFilled', () => {
  it('is false for an absent or empty field', () => {
    for (const value of [undefined, null, '', '   ', [], ['']]) assert.equal(honeypotFilled(value), false);
  });

  it('is true when a bot filled it', () => {
    for (const value of ['x', 'http://spam.example', ['', 'y'], 0, {}]) assert.equal(honeypotFilled(value), true);
  });
});

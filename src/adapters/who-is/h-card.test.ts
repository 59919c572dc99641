import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readProfile } from './h-card.ts';

const PAGE = 'https://ada.example/';
const page = (body: string, head = '') => `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;

describe('the representative h-card of a page', () => {
  it('is the h-card whose uid and url are the page, before any other', () => {
    const reading = readProfile(
      page(`<div class="h-card"><a class="p-name u-url" href="https://elsewhere.example/">Someone Else</a></div>
        <div class="h-card"><a class="p-name u-url u-uid" href="/">Ada Lovelace</a><p class="p-note">Counts things.</p><img class="u-photo" src="/me.jpg" alt=""></div>`),
      PAGE,
    );
    assert.deepEqual(reading, { found: true, name: 'Ada Lovelace', note: 'Counts things.', url: 'https://ada.example/', photo: 'https://ada.example/me.jpg', relMe: [] });
  });

  it('else the first h-card whose url is also a rel=me link of the page', () => {
    const reading = readProfile(
      page(`<div class="h-card"><span class="p-name">A visitor</span></div>
        <div class="h-card"><a class="p-name u-url" href="https://social.example/@ada">Ada on Social</a></div>`, '<link rel="me" href="https://social.example/@ada"><link rel="me" href="https://github.com/ada/">'),
      PAGE,
    );
    assert.equal(reading.found && reading.name, 'Ada on Social');
    assert.deepEqual(reading.found && reading.relMe, ['https://social.example/@ada', 'https://github.com/ada'], 'rel=me links, normalised as identities are');
  });

  it('else the only h-card, when its url is the page; two cards without a match are nobody', () => {
    assert.equal(readProfile(page('<p class="h-card"><a class="p-name u-url" href="https://ada.example">Ada</a></p>'), PAGE).found, true, 'https://ada.example and https://ada.example/ are one URL');
    assert.deepEqual(readProfile(page('<p class="h-card"><a class="p-name u-url" href="https://other.example/">Other</a></p>'), PAGE), { found: false, reason: 'no-h-card' });
    assert.deepEqual(
      readProfile(page('<p class="h-card"><a class="p-name u-url" href="/">Ada</a></p><p class="h-card"><a class="p-name u-url" href="/">Ada again</a></p>'), PAGE),
      { found: false, reason: 'no-h-card' },
    );
    assert.deepEqual(readProfile(page('<p>Just words.</p>'), PAGE), { found: false, reason: 'no-h-card' });
  });

  it('finds an h-card nested in an entry (the author of the page\'s post)', () => {
    const reading = readProfile(page('<article class="h-entry"><a class="p-author h-card" href="/">Ada Lovelace</a><p class="e-content">A post.</p></article>'), PAGE);
    assert.equal(reading.found && reading.name, 'Ada Lovelace');
  });
});

describe('a hostile h-card', () => {
  it('comes out as plain text: scripts and markup are gone, never kept as HTML', () => {
    const reading = readProfile(
      page(`<div class="h-card"><a class="u-url u-uid p-name" href="/">Ada<script>alert('name')</script> <b>Lovelace</b></a>
        <div class="e-note">Hello <img src=x onerror="alert(1)"><script>document.cookie</script><style>body{}</style><em>there</em></div></div>`),
      PAGE,
    );
    assert.ok(reading.found);
    assert.equal(reading.name, 'Ada Lovelace');
    // The parser's plain text puts an image's alt (or, lacking one, its address) in its place.
    assert.equal(reading.note, 'Hello https://ada.example/x there');
    assert.doesNotMatch(reading.note!, /[<>]|alert|cookie|body\{/);
  });

  it('has its giant name cut at 200 characters and its note at 1,000', () => {
    const reading = readProfile(page(`<div class="h-card"><a class="u-url u-uid" href="/"><span class="p-name">${'A'.repeat(100_000)}</span></a><p class="p-note">${'word '.repeat(50_000)}</p></div>`), PAGE);
    assert.ok(reading.found);
    assert.equal(Array.from(reading.name!).length, 200);
    assert.ok(Array.from(reading.note!).length <= 1000);
    assert.ok(reading.name!.endsWith('…') && reading.note!.endsWith('…'));
  });

  it('loses addresses that are not http(s), and keeps at most 20 rel=me links', () => {
    const links = Array.from({ length: 40 }, (_, i) => `<a rel="me" href="https://site${i}.example/">${i}</a>`).join('');
    const reading = readProfile(
      page(`<div class="h-card"><a class="p-name u-url u-uid" href="/">Ada</a><a class="u-url" href="javascript:alert(1)">x</a><img class="u-photo" src="javascript:alert(2)">${links}<a rel="me" href="javascript:alert(3)">bad</a></div>`),
      PAGE,
    );
    assert.ok(reading.found);
    assert.equal(reading.url, 'https://ada.example/');
    assert.equal(reading.photo, null);
    assert.equal(reading.relMe.length, 20);
    assert.ok(reading.relMe.every((u) => u.startsWith('https://')));
  });
});

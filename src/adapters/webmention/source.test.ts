import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseLinkHeader } from './discovery.ts';
import { outgoingLinks } from './html-links.ts';
import { readSource } from './source.ts';

const sharedDir = process.env.KUMBAYA_SHARED_DIR || path.join(import.meta.dirname, '../../../../shared');
const TARGET = 'https://a.example/on-listening';
const SOURCE = 'https://b.example/notes/1';
const HTML = 'text/html; charset=utf-8';

describe('reading a webmention source', () => {
  it('never throws on odd HTML: what it cannot read comes back unreadable, with the reason', () => {
    const odd = [
      `<base href=//0><div class="h-entry"><a class="u-in-reply-to" href="${TARGET}">re</a></div>`,
      `<base href="http://[::1"><a href="${TARGET}">x</a><div class="h-entry"><a class="u-url" href="/n">n</a></div>`,
      `<script src="${TARGET}"></script>`,
    ];
    for (const html of odd) {
      const r = readSource(html, HTML, SOURCE, TARGET);
      assert.match(r.unreadable ?? '', /^its HTML could not be read \(.+\)$/, html);
    }
    // A <template> is read like the rest of the page (its links count, as the parser sees them).
    const template = readSource(`<template><div class="h-entry"><a class="u-like-of" href="${TARGET}">♥</a></div></template><a href="${TARGET}">x</a>`, HTML, SOURCE, TARGET);
    assert.equal(template.unreadable, undefined);
    assert.equal(template.linksToTarget, true);
  });

  it('never throws on the XSS corpus (each input alone, inside an h-entry, and around a link to the target)', () => {
    const corpus = JSON.parse(fs.readFileSync(path.join(sharedDir, 'corpora/xss/dompurify-expect.json'), 'utf8')) as Array<{ payload: string }>;
    assert.ok(corpus.length > 200);
    let read = 0;
    for (const { payload } of corpus) {
      for (const html of [payload, `<div class="h-entry"><a class="u-in-reply-to" href="${TARGET}">re</a><div class="e-content">${payload}</div></div>`, `${payload}<a href="${TARGET}">x</a>${payload}`, `<base href="${payload.slice(0, 40)}">${payload}<a href="${TARGET}">x</a>`]) {
        const r = readSource(html, HTML, SOURCE, TARGET);
        if (r.unreadable) assert.match(r.unreadable, /^its HTML could not be read/);
        else read++;
        for (const url of [r.authorUrl, r.authorPhoto, r.url]) if (url) assert.match(url, /^https?:\/\//, 'only http(s) addresses come out');
        assert.ok(r.content === null || typeof r.content === 'string');
      }
    }
    assert.ok(read > corpus.length * 3, 'most of it is read');
  });

  it('needs a real link to the exact target: not text, not a comment, not a near miss', () => {
    assert.equal(readSource(`<p>I read ${TARGET} today</p>`, HTML, SOURCE, TARGET).linksToTarget, false);
    assert.equal(readSource(`<!-- <a href="${TARGET}">x</a> -->`, HTML, SOURCE, TARGET).linksToTarget, false);
    assert.equal(readSource(`<a href="${TARGET}-2">x</a>`, HTML, SOURCE, TARGET).linksToTarget, false);
    assert.equal(readSource(`<a href="${TARGET}">x</a>`, HTML, SOURCE, TARGET).linksToTarget, true);
    assert.equal(readSource(`<img src="${TARGET}">`, HTML, SOURCE, TARGET).linksToTarget, true, 'any element naming it');
    assert.equal(readSource(`<a href="/on-listening">x</a>`, HTML, 'https://a.example/other', TARGET).linksToTarget, true, 'relative links resolve against the source');
    assert.equal(readSource(`see ${TARGET}`, 'text/plain', SOURCE, TARGET).linksToTarget, true, 'plain text: the URL appears');
  });

  it('reads a reply: author h-card with photo, content as text, published, u-url', () => {
    const html = `<article class="h-entry">
      <div class="p-author h-card"><img class="u-photo" src="/me.jpg" alt="Bea"><a class="p-name u-url" href="/">Bea Writer</a></div>
      <div class="u-in-reply-to h-cite"><a class="u-url" href="${TARGET}">On listening</a></div>
      <div class="e-content"><p>Well <em>said</em>.</p><script>alert(1)</script></div>
      <a class="u-url" href="/notes/1">permalink</a><time class="dt-published" datetime="2024-03-01T10:00:00Z"></time>
    </article>`;
    const r = readSource(html, HTML, SOURCE, TARGET);
    assert.deepEqual({ ...r }, {
      linksToTarget: true, type: 'reply', authorName: 'Bea Writer', authorUrl: 'https://b.example/', authorPhoto: 'https://b.example/me.jpg',
      content: r.content, url: 'https://b.example/notes/1', publishedAt: Date.UTC(2024, 2, 1, 10),
    });
    assert.match(r.content!, /^Well said\./);
  });

  it('tells likes, reposts and bookmarks from mentions, and finds the author on the page when the entry has none', () => {
    const kind = (prop: string) => readSource(`<div class="h-entry"><a class="u-${prop}" href="${TARGET}">t</a></div>`, HTML, SOURCE, TARGET).type;
    assert.deepEqual(['like-of', 'repost-of', 'bookmark-of', 'url'].map(kind), ['like', 'repost', 'bookmark', 'mention']);
    const r = readSource(`<div class="h-card"><a class="p-name u-url" href="https://cy.example/">Cy</a></div><div class="h-entry"><a class="u-like-of" href="${TARGET}">♥</a></div>`, HTML, SOURCE, TARGET);
    assert.deepEqual([r.type, r.authorName, r.authorUrl], ['like', 'Cy', 'https://cy.example/']);
    const plain = readSource(`<html><body><a href="${TARGET}">a link</a></body></html>`, HTML, SOURCE, TARGET);
    assert.deepEqual([plain.type, plain.authorName, plain.url], ['mention', null, SOURCE]);
  });

  it('never takes a javascript: author URL', () => {
    const r = readSource(`<div class="h-entry"><a class="p-author h-card" href="javascript:alert(1)">Eve</a><a class="u-like-of" href="${TARGET}">x</a></div>`, HTML, SOURCE, TARGET);
    assert.equal(r.authorUrl, null);
    assert.equal(r.authorName, 'Eve');
  });
});

describe('Link headers and outgoing links', () => {
  it('splits link-values on commas outside quotes and reads rel lists without case', () => {
    assert.deepEqual(parseLinkHeader('<https://x/a>; title="webmention, no"; rel="other thing", </wm>; REL="Webmention me"'), [
      { uri: 'https://x/a', rels: ['other', 'thing'] },
      { uri: '/wm', rels: ['webmention', 'me'] },
    ]);
  });

  it('lists a post’s distinct http(s) links, absolute, without fragments', () => {
    const html = '<p><a href="https://b.example/x#top">x</a> <a href="https://b.example/x">again</a> <a href="/local">here</a> <a href="mailto:a@b.c">mail</a> <img src="https://img.example/i.png"></p>';
    assert.deepEqual(outgoingLinks(html, 'https://a.example/post'), ['https://b.example/x', 'https://a.example/local']);
  });
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eachRecord } from '../src/core/archive.ts';
import type { Store } from '../src/core/store.ts';
import { writeWxrExport } from '../src/migration/export-wxr.ts';
import { importWordpress } from '../src/migration/wordpress-import.ts';
import { wxrDir } from './helpers/import-corpus.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from './helpers/test-kumbaya.ts';

const NOW = Date.UTC(2026, 0, 1);
const corpus = path.join(wxrDir, 'wordpress-importer__theme-unit-test-data.xml');

/** Every old address of the site: imported WordPress addresses and old slugs, as a reader would request them. */
async function oldAddresses(store: Store): Promise<string[]> {
  const addresses: string[] = [];
  for await (const { path: key } of eachRecord(store.archive, 'legacyPaths')) addresses.push(key.startsWith('?') ? `/${key}` : encodeURI(key));
  for await (const post of eachRecord(store.archive, 'posts')) for (const slug of post.oldSlugs) addresses.push(`/${slug}`);
  return addresses.sort();
}

/** What the site answers at each address: the status and where it sends the reader, and the slug of the post the address belongs to. */
async function answers(k: TestKumbaya, addresses: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const address of addresses) {
    const res = await k.request(address);
    const key = address.startsWith('/?') ? address.slice(1) : decodeURI(address).toLowerCase();
    const owner = await k.deps.store.imports.findLegacyPath(key);
    const slug = owner === null ? null : (await k.deps.store.posts.findById(owner))?.slug;
    out.set(address, `${res.status} ${res.headers.get('location') ?? ''} (${slug ?? 'old slug'})`);
  }
  return out;
}

/** Pingbacks and trackbacks of the site, as "post slug: via source status". */
async function pings(store: Store): Promise<string[]> {
  const out: string[] = [];
  for await (const post of eachRecord(store.archive, 'posts')) {
    for (const m of await store.webmentions.listReceived(post.id)) out.push(`${post.slug}: ${m.via} ${m.source} ${m.status} ${m.authorName} ${m.publishedAt} ${m.content}`);
  }
  return out.sort();
}

for (const { engine, skip } of testEngines()) {
  describe(`WXR export keeps every old address and every ping (${engine})`, { skip }, () => {
    let first: TestKumbaya;
    let second: TestKumbaya;
    before(async () => {
      first = await startTestKumbaya({ engine });
      second = await startTestKumbaya({ engine });
    });
    after(async () => {
      await first?.cleanup();
      await second?.cleanup();
    });

    it('a WordPress import, exported as WXR and imported into a fresh site, answers every old address the same', async () => {
      await importWordpress(first.deps.store, fs.createReadStream(corpus), { now: NOW });
      const addresses = await oldAddresses(first.deps.store);
      const before = await answers(first, addresses);
      assert.ok(addresses.length > 250, `the corpus leaves many old addresses (${addresses.length})`);
      assert.ok([...before.values()].filter((a) => a.startsWith('301 ')).length > 200, 'most of them redirect');

      let xml = '';
      await writeWxrExport(first.deps.store, async (chunk) => void (xml += chunk), { siteUrl: 'https://moved.example', now: NOW, generator: 'test' });
      const report = await importWordpress(second.deps.store, [xml], { now: NOW + 1000 });
      assert.deepEqual(report.skipped.filter((s) => s.kind === 'post' || s.kind === 'page'), []);

      assert.deepEqual(await oldAddresses(second.deps.store), addresses, 'the same old addresses');
      const afterMove = await answers(second, addresses);
      const differing = addresses.filter((a) => afterMove.get(a) !== before.get(a)).map((a) => `${a}: ${before.get(a)} → ${afterMove.get(a)}`);
      assert.deepEqual(differing, [], `${differing.length} of ${addresses.length} old addresses answer differently`);
      // The home page's ?p= keeps WordPress's ids: post 1 ("Hello world!") is not confused with the page Kumbaya numbered 1.
      assert.equal(afterMove.get('/?p=2'), before.get('/?p=2'));
      assert.match(before.get('/?p=2')!, /^301 \/about /);
    });

    it('pingbacks and trackbacks travel as comments of that type and come back as the same mentions', async () => {
      const original = await pings(first.deps.store);
      assert.ok(original.length >= 2, `the corpus has pingbacks and trackbacks (${original.length})`);
      let xml = '';
      await writeWxrExport(second.deps.store, async (chunk) => void (xml += chunk), { siteUrl: 'https://moved.example', now: NOW, generator: 'test' });
      assert.match(xml, /<wp:comment_type>pingback<\/wp:comment_type>/);
      assert.match(xml, /<wp:comment_type>trackback<\/wp:comment_type>/);
      assert.deepEqual(await pings(second.deps.store), original);
    });
  });
}

import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { movePairs, needsEngines, storeOpener } from '../adapters/storage/test-engines.ts';
import { EmbedService } from '../core/embeds.ts';
import type { Store } from '../core/store.ts';
import { writeJsonExport } from './export-json.ts';
import { importJsonExport } from './json-import.ts';

const T = Date.UTC(2026, 0, 5);

async function exportText(store: Store): Promise<string> {
  let text = '';
  await store.archive.snapshot((archive) => writeJsonExport(archive, async (chunk) => void (text += chunk), { withSecrets: false, now: T + 1000, generator: 'kumbaya test', pageSize: 2 }));
  return text;
}

const open = storeOpener();

for (const [from, to] of movePairs) {
  describe(`comments on other sites move with the JSON export: ${from} → ${to}`, needsEngines(from, to), () => {
    it('keeps the sites and each page’s thread, so the same page finds the same conversation', async () => {
      const source = await open(from);
      const owner = await source.users.create({ email: 'o@example.com', name: 'Owner', slug: 'owner', bio: '', role: 'owner', passwordHash: null, createdAt: T });
      const service = (store: Store) => new EmbedService({ store, clock: { now: () => T + 10 }, onChanged: () => {} });
      await service(source).addSite(owner, 'https://notes.example');
      const { post } = await service(source).threadFor('https://notes.example/a/', 'A note', '192.0.2.9');
      const text = await exportText(source);
      assert.match(text, /"embed_sites"/);
      assert.match(text, /"embed_threads"/);

      const target = await open(to);
      await importJsonExport(target, Readable.from([text]), { replace: false });
      assert.deepEqual((await target.embeds.listSites()).map((s) => [s.origin, s.createdBy, s.threads]), [['https://notes.example', owner.id, 1]]);
      const again = await service(target).threadFor('https://notes.example/a/#x', 'Renamed', '192.0.2.9');
      assert.equal(again.created, false);
      assert.equal(again.post.id, post.id);
      assert.equal(again.post.type, 'external');
      assert.equal(again.post.visibility, 'unlisted');
    });
  });
}

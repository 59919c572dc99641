import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, settingDocs } from './config.ts';

describe('configuration', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.siteUrl, 'http://localhost:3000');
    assert.equal(config.databaseUrl, null);
    assert.equal(config.demo, true);
    assert.equal(config.dataDir, path.resolve('data'));
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      PORT: '8080', HOST: '127.0.0.1', SITE_URL: 'https://blog.example.com/', DATA_DIR: '/tmp/x', KUMBAYA_DEMO: 'false',
      DATABASE_URL: 'postgres://u@h/db', LOG_LEVEL: 'warn', UPLOAD_MAX_BYTES: '2048', TRUST_PROXY: 'yes', PAGE_CACHE: 'off',
      SECRET_KEY: 'x'.repeat(32), SCHEDULER_INTERVAL_MS: '1000',
    });
    assert.equal(config.port, 8080);
    assert.equal(config.siteUrl, 'https://blog.example.com');
    assert.equal(config.demo, false);
    assert.equal(config.pageCache, false);
    assert.deepEqual(config.trustProxy, { kind: 'hops', hops: 1 });
    assert.equal(config.databaseUrl, 'postgres://u@h/db');
  });

  it('names every wrong setting and how to fix it', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', KUMBAYA_DEMO: 'maybe', SECRET_KEY: 'short' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const text = error.problems.join('\n');
        assert.match(text, /PORT must be a whole number from 0 to 65535 \(e\.g\. 3000\); got "eighty"/);
        assert.match(text, /DATABASE_URL must start with postgres:\/\//);
        assert.match(text, /KUMBAYA_DEMO must be true or false/);
        assert.match(text, /SECRET_KEY must be at least 32 characters/);
        return true;
      },
    );
  });

  it('is documented in the README table, variable by variable', () => {
    const readme = fs.readFileSync(path.join(import.meta.dirname, '../../README.md'), 'utf8');
    for (const doc of settingDocs) assert.ok(readme.includes(`| \`${doc.name}\` | ${doc.default} | ${doc.meaning} |`), `README lacks ${doc.name}`);
  });
});

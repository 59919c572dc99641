import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { after, describe, it } from 'node:test';
import { openStore } from '../src/compose.ts';
import { loadConfig } from '../src/config/config.ts';
import { eachRecord } from '../src/core/archive.ts';
import { issueFormToken } from '../src/core/form-token.ts';
import { freshSchemaUrl } from './helpers/pg-schema.ts';
import { spawnServer, tempDir } from './helpers/spawn-server.ts';

const SECRET = 'graceful-shutdown-test-secret-'.padEnd(48, 'x');
const pgUrl = process.env.KUMBAYA_TEST_PG_URL;
/** Kept-alive connections the load uses (loopback only). */
const SOCKETS = 8;
const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function siteEnv(engine: 'SQLite' | 'PostgreSQL'): Promise<Record<string, string>> {
  const dir = tempDir('kumbaya-shutdown-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  if (engine === 'SQLite') return { DATA_DIR: dir, DATABASE_URL: '' };
  const { url, drop } = await freshSchemaUrl(pgUrl!);
  cleanups.push(drop);
  return { DATA_DIR: dir, DATABASE_URL: url };
}

interface Outcome {
  body: string;
  /** The status the client saw, or null when the connection was cut or refused. */
  status: number | null;
  error?: string;
  connectionClose?: boolean;
  /** The answer (or the failure) came after SIGTERM was sent. */
  afterSignal: boolean;
}

/** One comment POST over the kept-alive agent; never rejects. */
function postComment(agent: http.Agent, port: number, postId: number, i: number, afterSignal: () => boolean): Promise<Outcome> {
  const body = `Shutdown load comment ${i}, marker ${i.toString(36)}-end.`;
  const payload = JSON.stringify({ postId, name: `Reader ${i}`, email: `reader${i}@example.com`, body, formToken: issueFormToken({ secret: SECRET, postId, issuedAt: Date.now() - 30_000 }) });
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/comments',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', accept: 'application/json', origin: `http://localhost:${port}`, 'x-forwarded-for': `198.51.${Math.floor(i / 200) % 250}.${i % 200}`, 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ body, status: res.statusCode ?? null, connectionClose: res.headers.connection === 'close', afterSignal: afterSignal() }));
        res.on('error', (error) => resolve({ body, status: null, error: error.message, afterSignal: afterSignal() }));
      },
    );
    req.on('error', (error) => resolve({ body, status: null, error: (error as NodeJS.ErrnoException).code ?? error.message, afterSignal: afterSignal() }));
    req.end(payload);
  });
}

for (const engine of ['SQLite', 'PostgreSQL'] as const) {
  const skip = engine === 'PostgreSQL' && !pgUrl ? (process.env.CI === 'true' ? false : 'KUMBAYA_TEST_PG_URL is not set') : false;
  describe(`graceful shutdown under a comment load (${engine})`, { skip }, () => {
    it('answers every comment it stored, stops taking new requests on kept-alive connections, and exits 0', async () => {
      if (engine === 'PostgreSQL') assert.ok(pgUrl, 'KUMBAYA_TEST_PG_URL is not set; CI must test PostgreSQL');
      const env = await siteEnv(engine);
      const server = await spawnServer({ ...env, SECRET_KEY: SECRET, TRUST_PROXY: 'true', LOG_LEVEL: 'warn', OUTBOX_INTERVAL_MS: '600000', KUMBAYA_DEMO: 'true' });
      cleanups.push(() => server.stop());
      const page = await (await fetch(`${server.url}/you-cant-fail-in-social-media`)).text();
      const postId = Number(/name="postId" value="(\d+)"/.exec(page)?.[1]);
      assert.ok(postId > 0, 'the demo post has a comment form');

      const agent = new http.Agent({ keepAlive: true, maxSockets: SOCKETS });
      cleanups.push(() => agent.destroy());
      const outcomes: Outcome[] = [];
      let signalled = false;
      let n = 0;
      // Each worker keeps one request in flight on the pool until the server no longer answers.
      const worker = async () => {
        for (;;) {
          const outcome = await postComment(agent, server.port, postId, n++, () => signalled);
          outcomes.push(outcome);
          if (outcome.status === null) return;
        }
      };
      const workers = Promise.all(Array.from({ length: SOCKETS * 2 }, worker));
      while (outcomes.filter((o) => o.status !== null).length < 60) await new Promise((resolve) => setTimeout(resolve, 10));
      signalled = true;
      server.child.kill('SIGTERM');
      const code = await server.exited;
      await workers;

      assert.equal(code, 0, `the server exits 0:\n${server.stderr()}`);
      const answered = outcomes.filter((o) => o.status !== null);
      for (const o of answered) assert.equal(o.status! >= 200 && o.status! < 300, true, `comment answered ${o.status}`);
      // The load is the server's bottleneck, so requests are always waiting in it when the signal comes:
      // they are answered, and those answers tell the client that the connection ends with them.
      assert.ok(answered.some((o) => o.afterSignal), 'requests in flight when the signal came were answered');
      assert.ok(answered.some((o) => o.afterSignal && o.connectionClose), 'the answers after SIGTERM say Connection: close');
      // Every connection ends, so the load cannot go on: each of the workers stopped on a refused or closed connection.
      assert.equal(outcomes.filter((o) => o.status === null).length, SOCKETS * 2);

      const store = await openStore(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
      try {
        const stored: string[] = [];
        for await (const comment of eachRecord(store.archive, 'comments')) if (comment.markdown.startsWith('Shutdown load comment')) stored.push(comment.markdown);
        const seenAnswered = new Set(answered.map((o) => o.body));
        const unanswered = stored.filter((body) => !seenAnswered.has(body));
        assert.deepEqual(unanswered, [], 'every stored comment got an answer the client saw');
        assert.equal(stored.length, answered.length, 'and every answered comment is stored');
      } finally {
        await store.close();
      }
    });
  });
}

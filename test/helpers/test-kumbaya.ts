import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { composeKumbaya, type Kumbaya } from '../../src/compose.ts';
import type { Clock } from '../../src/core/clock.ts';
import type { Role, User } from '../../src/core/store.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { checkApiResponse } from './openapi-check.ts';

// A site shows times in its time zone, by default the server's: tests expect UTC wherever they
// run (a test that wants another zone sets the site's).
process.env.TZ = 'UTC';

export interface TestKumbaya extends Kumbaya {
  config: Config;
  /** The PostgreSQL schema this instance uses, if any. */
  pgSchema: string | undefined;
  /** Sends a request through the app in-process, keeping no cookies; an answer under /api must match /api/openapi.json. */
  request(pathOrUrl: string, init?: RequestInit): Promise<Response>;
  /** Creates a user with a password and returns a signed-in browser-like agent. */
  signIn(role?: Role, email?: string): Promise<Agent>;
  cleanup(): Promise<void>;
}

/** A cookie-keeping client for in-process requests, with the session's CSRF token at hand. */
export class Agent {
  readonly cookies = new Map<string, string>();
  user: User | null = null;
  csrf = '';
  private readonly app: Kumbaya['app'];

  constructor(app: Kumbaya['app']) {
    this.app = app;
  }

  async request(pathOrUrl: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await this.app.request(pathOrUrl, { ...init, headers });
    await checkApiResponse(this.app, (p, i) => this.app.request(p, i), pathOrUrl, init, res);
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** Posts an urlencoded form with this agent's CSRF token added. */
  form(pathOrUrl: string, fields: Record<string, string | string[]>): Promise<Response> {
    const body = new URLSearchParams();
    body.set('_csrf', this.csrf);
    for (const [k, v] of Object.entries(fields)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    return this.request(pathOrUrl, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
}

export interface TestOptions {
  env?: Record<string, string>;
  clock?: Clock;
  demo?: boolean;
  /** 'postgres' runs against KUMBAYA_TEST_PG_URL in a fresh schema. */
  engine?: Engine;
  /** Reuse this PostgreSQL schema (a second instance over the same data). */
  pgSchema?: string;
}

export type Engine = 'sqlite' | 'postgres';

/**
 * The engines an HTTP suite should run on: SQLite always; PostgreSQL when
 * KUMBAYA_TEST_PG_URL is set. Under CI=true a missing PostgreSQL is an error, not a skip.
 */
export function testEngines(): Array<{ engine: Engine; skip: string | false }> {
  const pgUrl = process.env.KUMBAYA_TEST_PG_URL;
  if (!pgUrl && process.env.CI === 'true') throw new Error('KUMBAYA_TEST_PG_URL is not set; CI must test PostgreSQL.');
  return [
    { engine: 'sqlite', skip: false },
    { engine: 'postgres', skip: pgUrl ? false : 'KUMBAYA_TEST_PG_URL is not set' },
  ];
}

/** A whole Kumbaya on a fresh SQLite file in a temporary folder, quiet logs, scheduler not started. */
export async function startTestKumbaya(options: TestOptions = {}): Promise<TestKumbaya> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kumbaya-test-'));
  const pgUrl = process.env.KUMBAYA_TEST_PG_URL;
  let pgSchema = options.pgSchema;
  const ownsSchema = options.engine === 'postgres' && !pgSchema;
  if (options.engine === 'postgres') {
    if (!pgUrl) throw new Error('KUMBAYA_TEST_PG_URL is not set');
    if (!pgSchema) {
      pgSchema = `t_${Math.random().toString(16).slice(2, 12)}`;
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      await client.query(`create schema ${pgSchema}`);
      await client.end();
    }
  }
  const env = { DATA_DIR: dir, SITE_URL: 'http://localhost:3000', LOG_LEVEL: 'silent', ...(options.engine === 'postgres' ? { DATABASE_URL: pgUrl! } : {}), ...options.env };
  const config = loadConfig(env);
  const kumbaya = await composeKumbaya(config, { clock: options.clock, logger: pino({ level: 'silent' }), pgSchema });
  if (options.demo) await seedDemo(kumbaya.deps.store, kumbaya.deps.posts, kumbaya.deps.clock.now());
  let counter = 0;
  return {
    ...kumbaya,
    config,
    pgSchema,
    // Every answer under /api is checked against /api/openapi.json (openapi-check.ts).
    request: async (p, init) => {
      const res = await kumbaya.app.request(p, init);
      await checkApiResponse(kumbaya.app, (path, i) => kumbaya.app.request(path, i), p, init, res);
      return res;
    },
    async signIn(role: Role = 'owner', email?: string) {
      counter++;
      const address = email ?? `${role}${counter}@example.com`;
      const user = await kumbaya.deps.auth.createUser({ name: `${role[0].toUpperCase()}${role.slice(1)} ${counter}`, email: address, password: 'correct horse battery' }, role);
      const agent = new Agent(kumbaya.app);
      const { token, session } = await kumbaya.deps.auth.startSession(user.id);
      agent.cookies.set('kb_session', token);
      agent.csrf = session.csrfToken;
      agent.user = user;
      return agent;
    },
    async cleanup() {
      await kumbaya.close();
      fs.rmSync(dir, { recursive: true, force: true });
      if (ownsSchema && pgUrl) {
        const client = new pg.Client({ connectionString: pgUrl });
        await client.connect();
        await client.query(`drop schema ${pgSchema} cascade`);
        await client.end();
      }
    },
  };
}

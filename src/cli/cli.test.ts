import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { composeKumbaya, type Kumbaya } from '../compose.ts';
import { loadConfig } from '../config/config.ts';
import { commands } from './commands.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const node24 = path.join(root, 'node_modules/.bin/node');
const bin = path.join(root, 'bin/kumbaya.js');
const SITE_URL = 'http://blog.test';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function environment(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: '', SITE_URL, ...extra };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/** Runs the real CLI in a child process; standard input is `input`, then closed (never a terminal). */
function run(dataDir: string, args: string[], options: { input?: string; env?: Record<string, string>; node?: string } = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? node24, [bin, ...args], { cwd: root, env: environment(dataDir, options.env), stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Opens the same DATA_DIR in-process, as the server would, to check what the CLI did. */
async function withKumbaya<T>(dataDir: string, work: (kumbaya: Kumbaya) => Promise<T>): Promise<T> {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', SITE_URL });
  const kumbaya = await composeKumbaya(config, { logger: pino({ level: 'silent' }) });
  try {
    return await work(kumbaya);
  } finally {
    await kumbaya.close();
  }
}

describe('kumbaya CLI', () => {
  const dirs: string[] = [];
  const freshDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kumbaya-cli-'));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('help and usage errors', () => {
    let dir: string;
    before(() => {
      dir = freshDir();
    });

    test('--help lists every command with its summary and an example, and exits 0', async () => {
      const { code, stdout, stderr } = await run(dir, ['--help']);
      assert.equal(code, 0);
      assert.equal(stderr, '');
      assert.match(stdout, /^Usage: npx kumbaya <command> \[options\]$/m);
      for (const command of commands) {
        assert.match(stdout, new RegExp(`^  ${command.name} +${command.summary.replace(/[()]/g, '\\$&')}$`, 'm'), command.name);
        assert.ok(stdout.includes(command.examples[0]), `an example of ${command.name}`);
      }
    });

    test('each command has its own --help', async () => {
      const outcomes = await Promise.all(commands.map((command) => run(dir, [...command.name.split(' '), '--help'])));
      commands.forEach((command, i) => {
        assert.equal(outcomes[i].code, 0, command.name);
        assert.match(outcomes[i].stdout, new RegExp(`^Usage: npx kumbaya ${command.name}\\b`), command.name);
      });
      const viaHelp = await run(dir, ['help', 'token', 'create']);
      assert.match(viaHelp.stdout, /^Usage: npx kumbaya token create --email EMAIL --name NAME/);
    });

    test('--version prints the package version', async () => {
      const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
      const { code, stdout } = await run(dir, ['--version']);
      assert.equal(code, 0);
      assert.equal(stdout, `kumbaya ${version}\n`);
    });

    test('usage errors say what is wrong and exit 2', async () => {
      const cases: Array<[string[], RegExp]> = [
        [[], /Usage: npx kumbaya <command>/],
        [['frobnicate'], /Unknown command "frobnicate"/],
        [['user'], /"user" needs a subcommand: "user create", "user invite", "user reset-password" or "user list"/],
        [['user', 'create', '--name', 'Ada'], /Missing --email/],
        [['user', 'create', '--name', 'Ada', '--email', 'ada@example.com', '--role', 'queen', '--password', 'long enough pw'], /--role must be one of owner, author, moderator \(got "queen"\)/],
        [['user', 'list', '--colour'], /Unknown option '--colour'/],
        [['token', 'create', '--email'], /--email/],
        [['migrate', 'now'], /Unexpected argument 'now'|unexpected/i],
      ];
      const outcomes = await Promise.all(cases.map(([args]) => run(dir, args)));
      for (const [i, [args, message]] of cases.entries()) {
        const { code, stdout, stderr } = outcomes[i];
        assert.equal(code, 2, args.join(' '));
        assert.match(stderr, message, args.join(' '));
        assert.equal(stdout, '', args.join(' '));
      }
    });

    test('a wrong setting fails with the config message and exit 1', async () => {
      const { code, stderr } = await run(dir, ['user', 'list'], { env: { SITE_URL: 'blog.example.com' } });
      assert.equal(code, 1);
      assert.match(stderr, /SITE_URL must be an absolute http\(s\) URL/);
    });

    test('on a Node.js older than 24 the shim says how to run it and exits 1', async (t) => {
      const found = spawnSync('node', ['-p', 'process.versions.node + " " + process.execPath'], { encoding: 'utf8', env: { PATH: '/usr/local/bin:/usr/bin:/bin' } });
      const [version, execPath] = (found.stdout ?? '').trim().split(' ');
      if (found.status !== 0 || Number(version.split('.')[0]) >= 24) {
        t.skip('no Node.js older than 24 on this machine');
        return;
      }
      const { code, stdout, stderr } = await run(dir, ['--help'], { node: execPath });
      assert.equal(code, 1);
      assert.equal(stdout, '');
      assert.match(stderr, /needs Node\.js 24 or newer/);
      assert.match(stderr, /npx kumbaya --help/);
      assert.match(stderr, /npm run kumbaya -- --help/);
    });
  });

  describe('on a fresh site', () => {
    let dir: string;
    let setupLink = '';
    before(() => {
      dir = freshDir();
    });

    test('migrate applies the migrations once and says so', async () => {
      const first = await run(dir, ['migrate']);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, new RegExp(`^Database: SQLite at ${path.join(dir, 'kumbaya.db').replace(/[.]/g, '\\.')}$`, 'm'));
      assert.match(first.stdout, /^Applied 001-foundation$/m);
      const again = await run(dir, ['migrate']);
      assert.equal(again.code, 0);
      assert.doesNotMatch(again.stdout, /Applied/);
      assert.match(again.stdout, /Nothing to apply/);
    });

    test('setup-link prints the pending setup link alone on stdout', async () => {
      const { code, stdout } = await run(dir, ['setup-link']);
      assert.equal(code, 0);
      assert.match(stdout, new RegExp(`^${SITE_URL}/setup/[\\w-]+\\n$`));
      setupLink = stdout.trim();
      const token = setupLink.split('/').pop()!;
      assert.equal(await withKumbaya(dir, (k) => k.deps.auth.isSetupTokenValid(token)), true);
      assert.equal((await run(dir, ['setup-link'])).stdout.trim(), setupLink, 'the same link until it is used');
    });

    test('user list with no users says how to start', async () => {
      const { code, stdout, stderr } = await run(dir, ['user', 'list']);
      assert.equal(code, 0);
      assert.equal(stdout, '');
      assert.match(stderr, /No users yet/);
    });

    test('user create refuses a short password with the validation message and exit 1', async () => {
      const { code, stdout, stderr } = await run(dir, ['user', 'create', '--name', 'Ada Lovelace', '--email', 'ada@example.com', '--role', 'owner', '--password', 'short']);
      assert.equal(code, 1);
      assert.equal(stdout, '');
      assert.equal(stderr, 'kumbaya: Use at least 10 characters for the password.\n');
    });

    test('user create without a password and with nothing piped in is a usage error', async () => {
      const { code, stderr } = await run(dir, ['user', 'create', '--name', 'Ada Lovelace', '--email', 'ada@example.com', '--role', 'owner']);
      assert.equal(code, 2);
      assert.match(stderr, /No password given/);
    });

    test('the first owner, password piped in, claims the site and can sign in', async () => {
      const { code, stdout, stderr } = await run(dir, ['user', 'create', '--name', 'Ada Lovelace', '--email', 'Ada@Example.com', '--role', 'owner'], {
        input: 'analytical engine\nignored second line\n',
      });
      assert.equal(code, 0, stderr);
      assert.match(stdout, /^Created owner Ada Lovelace <ada@example\.com> \(id \d+\)\.$/m);
      assert.match(stdout, /setup link no longer works/);

      await withKumbaya(dir, async (k) => {
        const { user } = await k.deps.auth.login('ada@example.com', 'analytical engine', '127.0.0.1');
        assert.equal(user.role, 'owner');
        assert.equal(await k.deps.auth.pendingSetupToken(), null);
        assert.equal(await k.deps.auth.isSetupTokenValid(setupLink.split('/').pop()!), false);
        await assert.rejects(k.deps.auth.login('ada@example.com', 'ignored second line', '127.0.0.1'), { code: 'unauthenticated' });
      });

      const after = await run(dir, ['setup-link']);
      assert.equal(after.code, 0);
      assert.equal(after.stdout, '');
      assert.match(after.stderr, /already claimed/);
    });

    test('a user with --password can sign in; the same email twice fails with exit 1', async () => {
      const created = await run(dir, ['user', 'create', '--name', 'Grace Hopper', '--email', 'grace@example.com', '--role', 'author', '--password', 'compile me please']);
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /^Created author Grace Hopper <grace@example\.com>/);
      assert.match(created.stdout, new RegExp(`sign in at ${SITE_URL}/login`));

      const again = await run(dir, ['user', 'create', '--name', 'Grace H', '--email', 'grace@example.com', '--role', 'author', '--password', 'compile me please']);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /^kumbaya: A user with this email already exists\.$/m);

      const invalid = await run(dir, ['user', 'create', '--name', ' ', '--email', 'not-an-address', '--role', 'author', '--password', 'compile me please']);
      assert.equal(invalid.code, 1);
      assert.match(invalid.stderr, /--email: Enter an email address/);

      // Signing in through the web app, as a person would.
      await withKumbaya(dir, async (k) => {
        const page = await k.app.request('/login');
        const cookie = (page.headers.getSetCookie().find((c) => c.startsWith('kb_csrf=')) ?? '').split(';')[0];
        const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
        const res = await k.app.request('/login', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
          body: new URLSearchParams({ _csrf: csrf, email: 'grace@example.com', password: 'compile me please' }),
        });
        assert.equal(res.status, 303);
        assert.ok(res.headers.getSetCookie().some((c) => c.startsWith('kb_session=')), 'signed in');
      });
    });

    test('user list shows everyone', async () => {
      const { code, stdout } = await run(dir, ['user', 'list']);
      assert.equal(code, 0);
      const lines = stdout.trimEnd().split('\n');
      assert.match(lines[0], /^ID +ROLE +NAME +EMAIL +SLUG +CREATED$/);
      assert.equal(lines.length, 3);
      assert.match(stdout, /owner +Ada Lovelace +ada@example\.com +ada-lovelace/);
      assert.match(stdout, /author +Grace Hopper +grace@example\.com/);
    });

    test('token create prints only the token, which then works as that user', async () => {
      const { code, stdout, stderr } = await run(dir, ['token', 'create', '--email', 'grace@example.com', '--name', 'publishing script']);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /^kby_[\w-]+\n$/);
      assert.match(stderr, /not shown again/);
      const secret = stdout.trim();
      await withKumbaya(dir, async (k) => {
        assert.equal((await k.deps.auth.resolveApiToken(secret))?.email, 'grace@example.com');
        const res = await k.app.request('/api/posts?status=all', { headers: { authorization: `Bearer ${secret}` } });
        assert.equal(res.status, 200);
      });

      await withKumbaya(dir, async (k) => {
        const [token] = await k.deps.store.apiTokens.listForUser((await k.deps.store.users.findByEmail('grace@example.com'))!.id);
        assert.equal(token.scopes, 'read write moderate', 'left out: every scope an author may have');
        assert.equal(token.expiresAt, null, 'left out: never expires');
      });

      const unknown = await run(dir, ['token', 'create', '--email', 'nobody@example.com', '--name', 'x']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /No user has the email nobody@example\.com/);
      assert.equal(unknown.stdout, '');
    });

    test('token create takes --scopes and --expires, and refuses a scope beyond the role or an expiry it cannot read', async () => {
      const before = Date.now();
      const made = await run(dir, ['token', 'create', '--email', 'grace@example.com', '--name', 'reader', '--scopes', 'read, write', '--expires', '30d']);
      assert.equal(made.code, 0, made.stderr);
      assert.match(made.stderr, /^Created token "reader" for grace@example\.com \(may read, write; expires \d{4}-\d\d-\d\d \d\d:\d\dZ\)\./);
      const secret = made.stdout.trim();
      await withKumbaya(dir, async (k) => {
        const resolved = await k.deps.auth.authenticateApiToken(secret);
        assert.equal(resolved.status, 'ok');
        if (resolved.status !== 'ok') return;
        assert.deepEqual(resolved.scopes, ['read', 'write']);
        const expected = 30 * 24 * 3600 * 1000;
        assert.ok(resolved.token.expiresAt! >= before + expected && resolved.token.expiresAt! <= Date.now() + expected);
        const people = await k.app.request('/api/people', { headers: { authorization: `Bearer ${secret}` } });
        assert.equal(people.status, 403);
      });

      const dated = await run(dir, ['token', 'create', '--email', 'ada@example.com', '--name', 'until', '--scopes', 'admin', '--expires', '2099-12-31']);
      assert.equal(dated.code, 0, dated.stderr);
      assert.match(dated.stderr, /may admin; expires 2099-12-31 00:00Z/);

      const beyond = await run(dir, ['token', 'create', '--email', 'grace@example.com', '--name', 'x', '--scopes', 'read,admin']);
      assert.equal(beyond.code, 1);
      assert.match(beyond.stderr, /an author may give a token read, write, moderate, not admin/);
      assert.equal(beyond.stdout, '');
      const odd = await run(dir, ['token', 'create', '--email', 'grace@example.com', '--name', 'x', '--expires', 'tomorrow']);
      assert.equal(odd.code, 2);
      assert.match(odd.stderr, /--expires must be never, a span such as 30d, 2w or 1y, or a date such as 2031-12-31 \(got "tomorrow"\)/);
      const past = await run(dir, ['token', 'create', '--email', 'grace@example.com', '--name', 'x', '--expires', '2001-01-01']);
      assert.equal(past.code, 1);
      assert.match(past.stderr, /The expiry must lie in the future/);
    });

    test('user reset-password prints a one-hour link that sets a new password once', async () => {
      const { code, stdout, stderr } = await run(dir, ['user', 'reset-password', 'Grace@Example.com']);
      assert.equal(code, 0, stderr);
      assert.match(stdout, new RegExp(`^${SITE_URL}/reset-password/[\\w-]+\\n$`));
      assert.match(stderr, /Grace Hopper <grace@example\.com>, working once until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
      const secret = stdout.trim().split('/').pop()!;
      await withKumbaya(dir, async (k) => {
        const stored = await k.deps.store.accountTokens.findByHash(secret);
        assert.equal(stored, null, 'only the hash of the secret is stored');
        await k.deps.accounts.completeReset(secret, 'a fresh password here');
        assert.ok(await k.deps.auth.login('grace@example.com', 'a fresh password here', '127.0.0.1'));
        await assert.rejects(k.deps.accounts.completeReset(secret, 'another password here'), { message: /already been used/ });
      });
      const unknown = await run(dir, ['user', 'reset-password', 'nobody@example.com']);
      assert.equal(unknown.code, 1);
      assert.equal(unknown.stdout, '');
      assert.match(unknown.stderr, /No account signs in with nobody@example\.com/);
    });

    test('user invite queues the invitation email and prints its link', async () => {
      const { code, stdout, stderr } = await run(dir, ['user', 'invite', 'lin@example.com', '--role', 'moderator']);
      assert.equal(code, 0, stderr);
      assert.match(stdout, new RegExp(`^${SITE_URL}/invite/[\\w-]+\\n$`));
      assert.match(stderr, /Invited lin@example\.com as moderator/);
      const url = stdout.trim();
      await withKumbaya(dir, async (k) => {
        const mail = (await k.deps.store.outbox.list({ limit: 10, offset: 0 })).items.find((m) => m.to === 'lin@example.com');
        assert.ok(mail?.text.includes(url), 'the same link is in the email');
        const user = await k.deps.accounts.acceptInvite(url.split('/').pop()!, { name: 'Lin', password: 'my own password' });
        assert.equal(user.role, 'moderator');
      });
      const taken = await run(dir, ['user', 'invite', 'lin@example.com', '--role', 'author']);
      assert.equal(taken.code, 1);
      assert.match(taken.stderr, /already has an account/);
      const badRole = await run(dir, ['user', 'invite', 'x@example.com', '--role', 'admin']);
      assert.equal(badRole.code, 2);
    });
  });
});

/**
 * How long a refused sign-in takes for a known email (wrong password) and for an unknown
 * one, over HTTP against a real server (`node scripts/login-timing.ts [rounds]`). Both
 * should take the same time, so the answer's timing does not tell which emails have
 * accounts. Each attempt comes from its own address (TRUST_PROXY=1, X-Forwarded-For), so
 * the sign-in throttle does not get in the way; known and unknown alternate.
 */
import { spawnServer, tempDir } from '../test/helpers/spawn-server.ts';

const rounds = Number(process.argv[2] ?? 200);
const server = await spawnServer({ DATA_DIR: tempDir('kumbaya-login-timing-'), LOG_LEVEL: 'warn', TRUST_PROXY: '1', KUMBAYA_DEMO: 'false' });

/** A form page's CSRF cookie and token. */
async function formOf(path: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${server.url}${path}`);
  const cookie = (res.headers.getSetCookie().find((c) => c.startsWith('kb_csrf=')) ?? '').split(';')[0];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1] ?? '';
  return { cookie, csrf };
}

async function post(path: string, form: { cookie: string; csrf: string }, fields: Record<string, string>, address: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie, 'x-forwarded-for': address },
    body: new URLSearchParams({ _csrf: form.csrf, ...fields }),
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

try {
  const setup = server.setupLink()!;
  await post(new URL(setup).pathname, await formOf(new URL(setup).pathname), { name: 'Olive', email: 'olive@example.com', password: 'the right password' }, '10.0.0.1');
  const form = await formOf('/login');
  const times = { known: [] as number[], unknown: [] as number[] };
  for (let i = 0; i < rounds + 10; i++) {
    const address = `10.${(i >> 8) & 255}.${i & 255}.`;
    // Which goes first alternates, so neither always follows the other.
    const tryKnown = () => post('/login', form, { email: 'olive@example.com', password: `wrong ${i}` }, `${address}1`);
    const tryUnknown = () => post('/login', form, { email: `nobody${i}@example.com`, password: `wrong ${i}` }, `${address}2`);
    let known, unknown;
    if (i % 2 === 0) {
      known = await tryKnown();
      unknown = await tryUnknown();
    } else {
      unknown = await tryUnknown();
      known = await tryKnown();
    }
    if (known.status !== 401 || unknown.status !== 401) throw new Error(`expected 401s, got ${known.status} and ${unknown.status}`);
    if (i < 10) continue; // warm-up
    times.known.push(known.ms);
    times.unknown.push(unknown.ms);
  }
  console.log(`${rounds} refused sign-ins each, median: known email ${median(times.known).toFixed(1)} ms, unknown email ${median(times.unknown).toFixed(1)} ms`);
} finally {
  await server.stop();
}

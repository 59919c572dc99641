import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, startTestKumbaya, type TestKumbaya } from '../../test/helpers/test-kumbaya.ts';
import { parseTrustProxy, type TrustProxy } from '../config/config.ts';
import { clientAddress } from './client-ip.ts';

const trust = (value: string): TrustProxy => parseTrustProxy(value)!;

describe('the client address behind proxies', () => {
  it('ignores X-Forwarded-For unless TRUST_PROXY is set', () => {
    assert.equal(clientAddress('198.51.100.9', '1.2.3.4', trust('false')), '198.51.100.9');
  });

  it('with a hop count, takes what the proxies appended, never what the client wrote', () => {
    // The client sent "X-Forwarded-For: 1.2.3.4"; the one proxy appended the address it saw.
    assert.equal(clientAddress('10.0.0.2', '1.2.3.4, 203.0.113.7', trust('1')), '203.0.113.7');
    assert.equal(clientAddress('10.0.0.2', '203.0.113.7', trust('true')), '203.0.113.7', 'true means one proxy');
    // Two proxies: CDN then load balancer; the CDN saw the client.
    assert.equal(clientAddress('10.0.0.2', '1.2.3.4, 203.0.113.7, 198.51.100.1', trust('2')), '203.0.113.7');
    assert.equal(clientAddress('10.0.0.2', '203.0.113.7', trust('3')), '203.0.113.7', 'fewer entries than hops: the furthest known');
  });

  it('with proxy addresses, walks from the right past the trusted ones', () => {
    const proxies = trust('10.0.0.0/8, 2001:db8::/32, 127.0.0.1');
    assert.equal(clientAddress('10.1.2.3', '1.2.3.4, 203.0.113.7, 10.9.9.9', proxies), '203.0.113.7');
    assert.equal(clientAddress('::ffff:127.0.0.1', '1.2.3.4, 203.0.113.7', proxies), '203.0.113.7', 'IPv4-mapped peers match');
    assert.equal(clientAddress('2001:db8::5', 'spoofed, 198.51.100.4', proxies), '198.51.100.4');
    assert.equal(clientAddress('198.51.100.9', '1.2.3.4', proxies), '198.51.100.9', 'a peer that is no proxy of ours is the client');
  });

  it('refuses a setting it cannot read', () => {
    for (const bad of ['maybe', '10.0.0.0/99', '10.1', 'example.com', '99']) assert.equal(parseTrustProxy(bad), null, bad);
  });
});

describe('rate limits behind one proxy (TRUST_PROXY=1)', () => {
  let k: TestKumbaya;
  let now = Date.UTC(2026, 10, 1, 12);
  before(async () => {
    k = await startTestKumbaya({ demo: true, clock: { now: () => now }, env: { TRUST_PROXY: '1' } });
  });
  after(() => k.cleanup());

  it('limits a client that writes a new X-Forwarded-For each time: the 7th comment in a minute is 429', async () => {
    const reader = new Agent(k.app);
    const page = await (await reader.request('/you-cant-fail-in-social-media')).text();
    const postId = /name="postId" value="(\d+)"/.exec(page)![1];
    const formToken = /name="formToken" value="([^"]+)"/.exec(page)![1];
    now += 10_000;
    const statuses: number[] = [];
    for (let i = 1; i <= 7; i++) {
      const res = await reader.request('/comments', {
        method: 'POST',
        // The client's own header is rotated; the proxy appends the address it really saw.
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': `192.0.2.${i}, 203.0.113.7` },
        body: JSON.stringify({ postId, formToken, name: `Rotor ${i}`, email: `rotor${i}@example.org`, body: `Comment number ${i}` }),
      });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses.slice(0, 6), [201, 201, 201, 201, 201, 201]);
    assert.equal(statuses[6], 429);
  });

  it('limits a client that takes a new IPv6 address of its /64 each time: the 7th comment in a minute is 429', async () => {
    const reader = new Agent(k.app);
    const page = await (await reader.request('/you-cant-fail-in-social-media')).text();
    const postId = /name="postId" value="(\d+)"/.exec(page)![1];
    const formToken = /name="formToken" value="([^"]+)"/.exec(page)![1];
    now += 120_000; // past the minute of the test before
    const statuses: number[] = [];
    for (let i = 1; i <= 7; i++) {
      const res = await reader.request('/comments', {
        method: 'POST',
        // The proxy saw a different address each time, all in one home network's /64.
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': `2001:db8:77:1::${i.toString(16)}:${(i * 7919).toString(16)}` },
        body: JSON.stringify({ postId, formToken, name: `Rover ${i}`, email: `rover${i}@example.org`, body: `Comment number ${i} from a new address` }),
      });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses.slice(0, 6), [201, 201, 201, 201, 201, 201]);
    assert.equal(statuses[6], 429);
  });
});

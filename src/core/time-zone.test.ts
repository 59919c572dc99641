import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { serverTimeZoneName, timeZone, timeZoneNames, timeZoneProblem } from './time-zone.ts';

// The reference: what ICU (Intl) says the offset is. Only tests use Intl; the server does not.
const intl = new Map<string, Intl.DateTimeFormat>();
function intlOffset(zone: string, ms: number): number {
  let format = intl.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short' });
    intl.set(zone, format);
  }
  const parts = format.formatToParts(ms);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  let year = get('year');
  if (parts.find((p) => p.type === 'era')!.value === 'BC') year = 1 - year;
  const wall = Date.UTC(year, get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return (wall - Math.floor(ms / 1000) * 1000) / 1000;
}

// (Not Africa/Casablanca: its Ramadan switches differ between tzdata releases, and ICU's copy is newer than the system's.)
const ZONES = ['Europe/Paris', 'America/New_York', 'Australia/Sydney', 'Asia/Kathmandu', 'America/Sao_Paulo', 'Europe/Dublin', 'America/St_Johns', 'Pacific/Apia', 'Asia/Tehran', 'Pacific/Chatham', 'Europe/London'];

describe('time zones from the system database', () => {
  it('give the same offsets as ICU from 1970 to 2100, transitions and the far future (the POSIX rule) included', () => {
    let seed = 11;
    const samples: number[] = [];
    for (let i = 0; i < 1500; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      samples.push(Date.UTC(1970, 0, 1) + Math.floor((seed / 2 ** 31) * 130 * 365.25 * 86_400_000));
    }
    for (const name of ZONES) {
      const zone = timeZone(name);
      assert.ok(zone, `${name} is known`);
      // Either side of each switch ICU knows about in 2026 and 2060.
      const edges: number[] = [];
      for (const year of [2026, 2060]) {
        for (let h = 0; h < 366 * 24; h += 1) {
          const ms = Date.UTC(year, 0, 1) + h * 3_600_000;
          if (intlOffset(name, ms) !== intlOffset(name, ms + 3_600_000)) for (let m = 0; m <= 60; m += 15) edges.push(ms + m * 60_000);
        }
      }
      for (const ms of [...samples, ...edges]) assert.equal(zone.at(ms).offset, intlOffset(name, ms), `${name} at ${new Date(ms).toISOString()}`);
    }
  });

  it('read "slim" files (Alpine’s, upstream’s default) as the "fat" ones: the rule at the end of the file covers the years after', () => {
    const fat = new Map(['Europe/Paris', 'America/New_York', 'Australia/Sydney', 'America/Santiago', 'Europe/Dublin', 'Pacific/Chatham'].map((n) => [n, timeZone(n)!]));
    const before = process.env.TZDIR;
    process.env.TZDIR = join(import.meta.dirname, '../../test/fixtures/zoneinfo-slim');
    try {
      for (const [name, reference] of fat) {
        const slim = timeZone(name);
        assert.ok(slim && slim !== reference, name);
        for (let ms = Date.UTC(1970, 0, 1); ms < Date.UTC(2100, 0, 1); ms += 7 * 3_600_000 + 61_000) {
          const a = slim.at(ms);
          const b = reference.at(ms);
          assert.ok(a.offset === b.offset && a.abbr === b.abbr, `${name} at ${new Date(ms).toISOString()}: ${a.offset} ${a.abbr}, not ${b.offset} ${b.abbr}`);
        }
      }
    } finally {
      if (before === undefined) delete process.env.TZDIR;
      else process.env.TZDIR = before;
    }
  });

  it('name the zone as the database does, summer and winter', () => {
    const paris = timeZone('Europe/Paris')!;
    assert.equal(paris.at(Date.UTC(2026, 11, 3, 13, 5)).abbr, 'CET');
    assert.equal(paris.at(Date.UTC(2026, 6, 3, 13, 5)).abbr, 'CEST');
    assert.equal(paris.at(Date.UTC(2070, 6, 3, 13, 5)).abbr, 'CEST');
    const ny = timeZone('America/New_York')!;
    assert.equal(ny.at(Date.UTC(2026, 0, 10)).abbr, 'EST');
    assert.equal(ny.at(Date.UTC(2026, 6, 10)).abbr, 'EDT');
    assert.equal(timeZone('Asia/Kathmandu')!.at(Date.UTC(2026, 0, 10)).abbr, '+0545');
    assert.equal(timeZone('UTC')!.at(0).abbr, 'UTC');
  });

  it('read a local time across the switches: one instant, two when clocks go back, none when they go forward', () => {
    const paris = timeZone('Europe/Paris')!;
    assert.deepEqual(paris.resolve({ year: 2026, month: 12, day: 3, hour: 14, minute: 5 }), { kind: 'unique', at: Date.UTC(2026, 11, 3, 13, 5) });
    assert.deepEqual(paris.resolve({ year: 2026, month: 7, day: 3, hour: 14, minute: 5 }), { kind: 'unique', at: Date.UTC(2026, 6, 3, 12, 5) });
    // 29 March 2026: 02:00 CET becomes 03:00 CEST.
    const gap = paris.resolve({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 });
    assert.equal(gap.kind, 'gap');
    assert.equal(gap.kind === 'gap' && `${gap.before.abbr}>${gap.after.abbr}`, 'CET>CEST');
    assert.deepEqual(paris.resolve({ year: 2026, month: 3, day: 29, hour: 3, minute: 0 }), { kind: 'unique', at: Date.UTC(2026, 2, 29, 1, 0) });
    // 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice.
    assert.deepEqual(paris.resolve({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }), { kind: 'overlap', earlier: Date.UTC(2026, 9, 25, 0, 30), later: Date.UTC(2026, 9, 25, 1, 30) });
    const ny = timeZone('America/New_York')!;
    assert.equal(ny.resolve({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }).kind, 'gap');
    assert.deepEqual(ny.resolve({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }), { kind: 'overlap', earlier: Date.UTC(2026, 10, 1, 5, 30), later: Date.UTC(2026, 10, 1, 6, 30) });
    // The southern hemisphere: Sydney goes forward on 4 October 2026 at 02:00.
    const sydney = timeZone('Australia/Sydney')!;
    assert.equal(sydney.resolve({ year: 2026, month: 10, day: 4, hour: 2, minute: 30 }).kind, 'gap');
    assert.deepEqual(sydney.resolve({ year: 2026, month: 1, day: 15, hour: 9, minute: 0 }), { kind: 'unique', at: Date.UTC(2026, 0, 14, 22, 0) });
    // Far in the future, from the POSIX rule at the end of the file.
    assert.equal(paris.resolve({ year: 2090, month: 3, day: 26, hour: 2, minute: 30 }).kind, 'gap');
  });

  it('refuse names that are not zones, each with a message that says what to write', () => {
    assert.equal(timeZoneProblem('Europe/Paris'), null);
    assert.equal(timeZoneProblem('UTC'), null);
    assert.match(timeZoneProblem('')!, /Choose a time zone/);
    assert.match(timeZoneProblem('Mars/Olympus_Mons')!, /not a time zone this server knows.*Europe\/Paris/);
    assert.match(timeZoneProblem('europe/paris')!, /not a time zone name|case-sensitive/);
    assert.match(timeZoneProblem('../../etc/passwd')!, /not a time zone name/);
    assert.match(timeZoneProblem('Europe/../../etc/passwd')!, /not a time zone name/);
    assert.match(timeZoneProblem('CET-1CEST')!, /not a time zone/);
    assert.equal(timeZone('Europe/../../etc/passwd'), null);
    assert.ok(timeZoneNames().includes('Europe/Paris') && timeZoneNames().includes('UTC'));
  });

  it('know only UTC, and say why, on a server without the database', () => {
    const before = process.env.TZDIR;
    process.env.TZDIR = mkdtempSync(join(tmpdir(), 'no-zoneinfo-'));
    try {
      assert.equal(timeZone('America/Chicago'), null);
      assert.match(timeZoneProblem('America/Chicago')!, /no time zone database.*only UTC/);
      assert.ok(timeZone('UTC'));
    } finally {
      if (before === undefined) delete process.env.TZDIR;
      else process.env.TZDIR = before;
    }
  });

  it('take the server’s zone from $TZ, else /etc/localtime', () => {
    const before = process.env.TZ;
    try {
      process.env.TZ = 'Asia/Tokyo';
      assert.equal(serverTimeZoneName(), 'Asia/Tokyo');
      process.env.TZ = ':Europe/Berlin';
      assert.equal(serverTimeZoneName(), 'Europe/Berlin');
      process.env.TZ = 'Nowhere/Special';
      delete process.env.TZ;
      assert.ok(timeZone(serverTimeZoneName()));
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCount, formatDate, formatDateTime, formatMonth, plural } from './format.ts';

// What Intl says, the reference the hand-written formats must match.
const intlDate = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
const intlDateTime = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' });
const intlMonth = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', timeZone: 'UTC' });

describe('dates and counts as the site shows them', () => {
  it('match Intl en-US in UTC for every hour of the day and dates across two centuries', () => {
    const samples = [0, Date.UTC(2010, 0, 5, 0, 5), Date.UTC(2026, 10, 26, 12, 0), Date.UTC(2026, 10, 26, 23, 59), Date.UTC(2000, 1, 29, 11, 59), Date.UTC(1999, 11, 31, 13, 1)];
    let seed = 7;
    for (let i = 0; i < 3000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      samples.push(Date.UTC(1900, 0, 1) + Math.floor((seed / 2 ** 31) * 200 * 365.25 * 86_400_000));
    }
    for (const ms of samples) {
      assert.equal(formatDate(ms), intlDate.format(ms));
      assert.equal(formatDateTime(ms), intlDateTime.format(ms));
    }
    for (let month = 1; month <= 12; month++) assert.equal(formatMonth(2010, month), intlMonth.format(Date.UTC(2010, month - 1, 1)));
    assert.equal(formatDateTime(Date.UTC(2026, 10, 26, 3, 8)), 'November 26, 2026 at 3:08 AM UTC');
  });

  it('group thousands as en-US does', () => {
    for (const n of [0, 1, 12, 999, 1000, 1234, 99_999, 100_000, 1_234_567, -1234, Number.MAX_SAFE_INTEGER]) assert.equal(formatCount(n), n.toLocaleString('en-US'));
    assert.equal(plural(1, 'comment', 'comments'), '1 comment');
    assert.equal(plural(1200, 'comment', 'comments'), '1,200 comments');
  });
});

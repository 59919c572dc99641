import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { timeZone } from '../../core/time-zone.ts';
import { formatCount, formatDate, formatDateTime, formatDateTimeHtml, formatDateTimeSeconds, formatMonth, formatUtcDay, fromDateTimeLocal, inTimeZone, isoDate, isoLocal, isoLocalHtml, plural, startOfLocalDay, toDateTimeLocal } from './format.ts';

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

  it('show the day and time in the site’s zone, as Intl does there, with the zone named', () => {
    for (const name of ['Europe/Paris', 'America/New_York', 'Australia/Sydney', 'Asia/Kathmandu', 'America/St_Johns']) {
      const zone = timeZone(name)!;
      const intlDay = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: name });
      const intlTime = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: name });
      let seed = 3;
      inTimeZone(zone, () => {
        for (let i = 0; i < 2000; i++) {
          seed = (seed * 1103515245 + 12345) % 2 ** 31;
          const ms = Date.UTC(1990, 0, 1) + Math.floor((seed / 2 ** 31) * 60 * 365.25 * 86_400_000);
          assert.equal(formatDate(ms), intlDay.format(ms));
          // "… at 3:08 PM" and then the zone's name.
          assert.equal(formatDateTime(ms), `${intlTime.format(ms)} ${formatDateTime(ms).split(' ').at(-1)}`);
        }
      });
    }
    const paris = timeZone('Europe/Paris')!;
    inTimeZone(paris, () => {
      assert.equal(formatDateTime(Date.UTC(2026, 11, 3, 13, 5)), 'December 3, 2026 at 2:05 PM CET');
      assert.equal(formatDateTime(Date.UTC(2026, 6, 3, 12, 5)), 'July 3, 2026 at 2:05 PM CEST');
      assert.equal(formatDateTimeSeconds(Date.UTC(2026, 6, 3, 12, 5, 9)), 'July 3, 2026 at 2:05:09 PM CEST');
      // The day changes at the site's midnight, not UTC's.
      assert.equal(formatDate(Date.UTC(2026, 11, 31, 23, 30)), 'January 1, 2027');
      assert.equal(formatUtcDay(Date.UTC(2026, 11, 31, 23, 30)), 'December 31, 2026');
    });
    inTimeZone(timeZone('Asia/Kathmandu')!, () => assert.equal(formatDateTime(Date.UTC(2026, 0, 1, 0, 0)), 'January 1, 2026 at 5:45 AM UTC+5:45'));
    inTimeZone(timeZone('America/Sao_Paulo')!, () => assert.equal(formatDateTime(Date.UTC(2026, 0, 1, 12, 0)), 'January 1, 2026 at 9:00 AM UTC-3'));
    // Outside a request: UTC, as before.
    assert.equal(formatDateTime(Date.UTC(2026, 11, 3, 13, 5)), 'December 3, 2026 at 1:05 PM UTC');
  });

  it('write ISO 8601 with the zone’s offset for microformats, which parses back to the same instant', () => {
    const ms = Date.UTC(2026, 11, 3, 13, 5, 7);
    assert.equal(isoLocal(ms), '2026-12-03T13:05:07.000Z');
    inTimeZone(timeZone('Europe/Paris')!, () => {
      assert.equal(isoLocal(ms), '2026-12-03T14:05:07+01:00');
      assert.equal(isoLocal(Date.UTC(2026, 6, 3, 12, 5)), '2026-07-03T14:05:00+02:00');
      assert.equal(Date.parse(isoLocal(ms)), ms);
      // Feeds and metadata stay in UTC.
      assert.equal(isoDate(ms), '2026-12-03T13:05:07.000Z');
    });
    inTimeZone(timeZone('America/St_Johns')!, () => assert.equal(isoLocal(ms), '2026-12-03T09:35:07-03:30'));
  });

  it('give a comment page the same texts as HTML, each in the zone of the request that asks', () => {
    const ms = Date.UTC(2026, 11, 3, 13, 5, 7);
    assert.deepEqual([formatDateTimeHtml(ms).value, isoLocalHtml(ms).value], ['December 3, 2026 at 1:05 PM UTC', '2026-12-03T13:05:07.000Z']);
    inTimeZone(timeZone('Europe/Paris')!, () => {
      assert.deepEqual([formatDateTimeHtml(ms).value, isoLocalHtml(ms).value], ['December 3, 2026 at 2:05 PM CET', '2026-12-03T14:05:07+01:00']);
    });
    assert.equal(formatDateTimeHtml(ms).value, 'December 3, 2026 at 1:05 PM UTC', 'remembered per zone, not once for all');
  });

  it('read the editor’s publish time in the site’s zone: a skipped time is refused, a repeated one is the first', () => {
    inTimeZone(timeZone('Europe/Paris')!, () => {
      assert.deepEqual(fromDateTimeLocal('2026-12-03T14:05'), { at: Date.UTC(2026, 11, 3, 13, 5) });
      assert.deepEqual(fromDateTimeLocal('2026-07-03T14:05'), { at: Date.UTC(2026, 6, 3, 12, 5) });
      assert.equal(toDateTimeLocal(Date.UTC(2026, 11, 3, 13, 5)), '2026-12-03T14:05');
      assert.deepEqual(fromDateTimeLocal('2026-03-29T02:30'), {
        error: '2:30 AM on March 29, 2026 does not exist in Europe/Paris: the clocks go forward then (CET to CEST). Choose a time before or after the change.',
      });
      // 02:30 on 25 October happens in CEST, then again in CET: the first.
      assert.deepEqual(fromDateTimeLocal('2026-10-25T02:30'), { at: Date.UTC(2026, 9, 25, 0, 30) });
      assert.equal(formatDateTime(Date.UTC(2026, 9, 25, 0, 30)), 'October 25, 2026 at 2:30 AM CEST');
      assert.deepEqual(fromDateTimeLocal('2026-02-30T10:00'), { error: 'Enter a date and time like 2026-05-01 09:30 (Europe/Paris).' });
      assert.deepEqual(fromDateTimeLocal('tomorrow'), { error: 'Enter a date and time like 2026-05-01 09:30 (Europe/Paris).' });
      assert.equal(fromDateTimeLocal('  '), null);
    });
    inTimeZone(timeZone('America/New_York')!, () => {
      assert.match((fromDateTimeLocal('2026-03-08T02:15') as { error: string }).error, /2:15 AM on March 8, 2026 does not exist in America\/New_York: the clocks go forward then \(EST to EDT\)/);
      assert.deepEqual(fromDateTimeLocal('2026-11-01T01:30'), { at: Date.UTC(2026, 10, 1, 5, 30) });
    });
    assert.deepEqual(fromDateTimeLocal('2026-12-03T14:05'), { at: Date.UTC(2026, 11, 3, 14, 5) });
  });

  it('find where a day of the site begins, on a day whose midnight the clocks skip too', () => {
    inTimeZone(timeZone('Europe/Paris')!, () => {
      assert.equal(startOfLocalDay(2027, 1, 1), Date.UTC(2026, 11, 31, 23, 0));
      assert.equal(startOfLocalDay(2026, 13, 1), Date.UTC(2026, 11, 31, 23, 0));
      assert.equal(startOfLocalDay(2026, 7, 1), Date.UTC(2026, 5, 30, 22, 0));
    });
    // Santiago moves its clocks from 00:00 to 01:00 on the first Sunday of September.
    inTimeZone(timeZone('America/Santiago')!, () => {
      const start = startOfLocalDay(2026, 9, 6);
      assert.equal(formatDateTime(start), 'September 6, 2026 at 1:00 AM UTC-3');
      assert.equal(formatDate(start - 1), 'September 5, 2026');
    });
  });
});

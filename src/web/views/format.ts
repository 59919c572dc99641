/**
 * Dates and counts as the site shows them, in English and the site's time zone:
 * "November 26, 2026", "November 26, 2026 at 3:08 AM CET", "November 2026", "1,234".
 * Written out by hand rather than with Intl: the output is the same (format.test.ts
 * compares them), and a server that never touches Intl never loads ICU's data (~9 MB of
 * memory). The zone's offsets come from the system's time zone database (core/time-zone.ts);
 * each request renders in the zone of the site's settings (`inTimeZone`, app.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { utc, type TimeZone } from '../../core/time-zone.ts';
import { remembered } from '../../core/remembered.ts';
import { encodedOnce, type SafeHtml } from '../html.ts';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

// The same timestamps come back on every render (hundreds on a comment page): remember them (bounded).
const memo = <T = string>(fn: (ms: number) => T, most = 20_000): ((ms: number) => T) => remembered(fn, most);

function dayOf(d: Date): string {
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
}

const two = (n: number) => String(n).padStart(2, '0');

/** The zone's name at an instant as shown: its abbreviation ("CET", "EDT"), or "UTC+5:45" where the database has only numbers ("+0545"). */
export function zoneLabel(abbr: string): string {
  const m = /^([+-])(\d{2})(\d{2})?$/.exec(abbr);
  if (!m) return abbr;
  const minutes = m[3] && m[3] !== '00' ? `:${m[3]}` : '';
  return `UTC${m[1]}${Number(m[2])}${minutes}`;
}

/** An offset in seconds as ISO 8601: "+01:00", "-03:00", "+05:45". */
export function isoOffset(seconds: number): string {
  const abs = Math.abs(Math.round(seconds / 60));
  return `${seconds < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

interface Formats {
  date: (ms: number) => string;
  dateTime: (ms: number) => string;
  dateTimeSeconds: (ms: number) => string;
  isoLocal: (ms: number) => string;
  /** `dateTime` and `isoLocal` escaped and encoded, for pages that write hundreds (a comment's `<time>`). */
  dateTimeHtml: (ms: number) => SafeHtml;
  isoLocalHtml: (ms: number) => SafeHtml;
}

function formatsOf(zone: TimeZone): Formats {
  const local = (ms: number) => {
    const info = zone.at(ms);
    return { d: new Date(ms + info.offset * 1000), label: zoneLabel(info.abbr), offset: info.offset };
  };
  const clock = (d: Date, seconds: boolean) => {
    const hours = d.getUTCHours();
    return `${hours % 12 || 12}:${two(d.getUTCMinutes())}${seconds ? `:${two(d.getUTCSeconds())}` : ''} ${hours < 12 ? 'AM' : 'PM'}`;
  };
  const dateTime = memo((ms) => {
    const { d, label } = local(ms);
    return `${dayOf(d)} at ${clock(d, false)} ${label}`;
  });
  const isoLocal = memo((ms) => {
    const { d, offset } = local(ms);
    return offset === 0 && zone === utc ? new Date(ms).toISOString() : `${d.toISOString().slice(0, 19)}${isoOffset(offset)}`;
  });
  return {
    date: memo((ms) => dayOf(local(ms).d)),
    dateTime,
    dateTimeSeconds: memo((ms) => {
      const { d, label } = local(ms);
      return `${dayOf(d)} at ${clock(d, true)} ${label}`;
    }),
    isoLocal,
    // Fewer of these (each holds its bytes, ~250 bytes in all): enough for the pages being read; every comment posted adds one.
    dateTimeHtml: memo((ms) => encodedOnce(dateTime(ms)), 4_096),
    isoLocalHtml: memo((ms) => encodedOnce(isoLocal(ms)), 4_096),
  };
}

// Formatters are made once per zone (a site uses one; a settings change may add a second).
const formats = remembered(formatsOf, 8);

const current = new AsyncLocalStorage<TimeZone>();

/** Runs fn (a request) with dates shown in a zone. */
export function inTimeZone<T>(zone: TimeZone, fn: () => T): T {
  return current.run(zone, fn);
}

/** The zone dates are shown in now: the site's during a request, UTC outside one. */
export const shownZone = (): TimeZone => current.getStore() ?? utc;

/** The day, in the site's zone: "November 26, 2026". */
export const formatDate = (ms: number): string => formats(shownZone()).date(ms);
/** A day kept as UTC midnight (the day a mute ends), whatever the site's zone: "December 5, 2026". */
export const formatUtcDay = (ms: number): string => formats(utc).date(ms);
/** The day and time with the zone named: "November 26, 2026 at 3:08 AM CET". */
export const formatDateTime = (ms: number): string => formats(shownZone()).dateTime(ms);
/** The same to the second: "November 26, 2026 at 3:08:12 AM CET". */
export const formatDateTimeSeconds = (ms: number): string => formats(shownZone()).dateTimeSeconds(ms);
export const formatMonth = (year: number, month: number): string => `${MONTHS[month - 1]} ${new Date(Date.UTC(year, month - 1, 1)).getUTCFullYear()}`;
/** `formatDateTime` and `isoLocal` as HTML encoded once per instant: a comment page writes one of each per comment. */
export const formatDateTimeHtml = (ms: number): SafeHtml => formats(shownZone()).dateTimeHtml(ms);
export const isoLocalHtml = (ms: number): SafeHtml => formats(shownZone()).isoLocalHtml(ms);
/** ISO 8601 in UTC ("2026-11-26T03:08:00.000Z"): feeds, sitemaps, metadata, `<time datetime>`. */
export const isoDate = memo((ms) => new Date(ms).toISOString());
/** ISO 8601 with the site zone's offset ("2026-11-26T04:08:00+01:00"; UTC as isoDate): microformats' dt-published. */
export const isoLocal = (ms: number): string => formats(shownZone()).isoLocal(ms);

/** A datetime-local input's value for an instant, in the site's zone: "2026-11-26T04:08". */
export function toDateTimeLocal(ms: number): string {
  const info = shownZone().at(ms);
  return new Date(ms + info.offset * 1000).toISOString().slice(0, 16);
}

/**
 * A datetime-local value read in the site's zone. A time the clocks skip (spring forward) is
 * refused with a message saying so; a time that happens twice (fall back) is the first of
 * the two, the one in summer time (as Temporal's "compatible" rule and most calendars do).
 */
export function fromDateTimeLocal(value: string): { at: number } | { error: string } | null {
  const v = value.trim();
  if (!v) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/.exec(v);
  const bad = { error: `Enter a date and time like 2026-05-01 09:30 (${shownZone().name}).` };
  if (!m) return bad;
  const [year, month, day, hour, minute, second] = m.slice(1).map((s) => Number(s ?? 0));
  const check = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (year < 1970 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return bad;
  const zone = shownZone();
  const r = zone.resolve({ year, month, day, hour, minute, second });
  if (r.kind === 'gap') {
    const when = `${hour % 12 || 12}:${two(minute)} ${hour < 12 ? 'AM' : 'PM'} on ${MONTHS[month - 1]} ${day}, ${year}`;
    return {
      error: `${when} does not exist in ${zone.name}: the clocks go forward then (${zoneLabel(r.before.abbr)} to ${zoneLabel(r.after.abbr)}). Choose a time before or after the change.`,
    };
  }
  const at = r.kind === 'unique' ? r.at : r.earlier;
  return at > 0 ? { at } : bad;
}

/** The first instant of a day in the site's zone (month may be 13: January of the next year). */
export function startOfLocalDay(year: number, month: number, day: number): number {
  const d = new Date(Date.UTC(year, month - 1, day));
  const r = shownZone().resolve({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: 0, minute: 0 });
  // Clocks that skip midnight: the day starts when they land.
  return r.kind === 'unique' ? r.at : r.kind === 'overlap' ? r.earlier : r.at;
}

/** A whole number with thousands separators: 1,234,567. */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${digits}` : digits;
}

export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

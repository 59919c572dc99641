/**
 * Dates and counts as the site shows them, in English and UTC: "November 26, 2026",
 * "November 26, 2026 at 3:08 AM UTC", "November 2026", "1,234". Written out by hand
 * rather than with Intl: the output is the same (format.test.ts compares them), and a
 * server that never touches Intl never loads ICU's locale data (~8 MB of memory).
 */
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

// The same timestamps come back on every render (hundreds on a comment page): remember them (bounded).
function memo(fn: (ms: number) => string): (ms: number) => string {
  const seen = new Map<number, string>();
  return (ms) => {
    let s = seen.get(ms);
    if (s === undefined) {
      if (seen.size >= 20_000) seen.clear();
      s = fn(ms);
      seen.set(ms, s);
    }
    return s;
  };
}

function dayOf(d: Date): string {
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
}

export const formatDate = memo((ms) => dayOf(new Date(ms)));
export const formatDateTime = memo((ms) => {
  const d = new Date(ms);
  const hours = d.getUTCHours();
  return `${dayOf(d)} at ${hours % 12 || 12}:${String(d.getUTCMinutes()).padStart(2, '0')} ${hours < 12 ? 'AM' : 'PM'} UTC`;
});
export const formatMonth = (year: number, month: number): string => `${MONTHS[month - 1]} ${new Date(Date.UTC(year, month - 1, 1)).getUTCFullYear()}`;
export const isoDate = memo((ms) => new Date(ms).toISOString());

/** A whole number with thousands separators: 1,234,567. */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${digits}` : digits;
}

export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

const dateFormat = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat('en-US', {
  year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short',
});
const monthFormat = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', timeZone: 'UTC' });

// Intl formatting costs microseconds a call and a comment page makes hundreds; the same
// timestamps come back on every render, so remember them (bounded).
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
export const formatDate = memo((ms) => dateFormat.format(ms));
export const formatDateTime = memo((ms) => dateTimeFormat.format(ms));
export const formatMonth = (year: number, month: number): string => monthFormat.format(Date.UTC(year, month - 1, 1));
export const isoDate = memo((ms) => new Date(ms).toISOString());

export function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * The largest id a record can have: ids are 32-bit integers (`serial` on PostgreSQL, where a
 * larger number in a query is an error rather than "no such row").
 */
export const MAX_ID = 2_147_483_647;

/**
 * `value` (a number, or a string of digits) as a record id, or null when no record can have
 * it: a value like "abc", "1.5" or 99999999999 is never looked up.
 */
export function toId(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*[0-9]{1,10}\s*$/.test(value) ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n >= 1 && n <= MAX_ID ? n : null;
}

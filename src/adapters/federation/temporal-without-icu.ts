/**
 * Imports the Temporal polyfill (Fedify's, and this adapter's) without waking ICU. At
 * import the polyfill asks ICU once whether its Indian calendar mishandles years before
 * the era (`new Date('0000-01-01T00:00Z').toLocaleDateString('en-US-u-ca-indian', …)` in
 * its `IndianHelper`); that one call pages in ICU's locale and calendar data, ~8 MB of
 * resident memory for the life of the process (13.1 MB for the polyfill alone against
 * 5.2 MB without the call), for a calendar nothing here uses: Kumbaya and Fedify use
 * Instants and Durations, always ISO. The question is answered with what Node 24's ICU
 * says, so the polyfill keeps the workaround it would have chosen. Imported by
 * `Fediverse` before anything else of Fedify's, so the polyfill is evaluated here first;
 * should something import it earlier, ICU is asked as before and nothing else changes.
 */
const INDIAN_CALENDAR = 'en-US-u-ca-indian';
/** `new Date('0000-01-01T00:00Z').toLocaleDateString('en-US-u-ca-indian', { timeZone: 'UTC' })` on Node 24. */
const NODE_24_ANSWER = '10/11/-79 Śaka';

const toLocaleDateString = Date.prototype.toLocaleDateString;
Date.prototype.toLocaleDateString = function (this: Date, locales?: Intl.LocalesArgument, options?: Intl.DateTimeFormatOptions): string {
  return locales === INDIAN_CALENDAR ? NODE_24_ANSWER : toLocaleDateString.call(this, locales, options);
};
try {
  await import('@js-temporal/polyfill');
} finally {
  Date.prototype.toLocaleDateString = toLocaleDateString;
}

/**
 * Time zones from the system's time zone database (the TZif files of /usr/share/zoneinfo,
 * or $TZDIR), read by hand: one small file per zone used, parsed once. Node's Intl (and the
 * Temporal polyfill, built on it) would know the zones too, but the first use of Intl loads
 * ICU's data, ~9 MB of memory for the life of the process (see ARCHITECTURE.md, "Memory").
 * A server without the database knows only UTC.
 */
import { readFileSync, readlinkSync } from 'node:fs';

/** The local time at an instant: the offset from UTC in seconds and the zone's abbreviation ("CET", "-03"). */
export interface ZoneInfo {
  offset: number;
  abbr: string;
}

/** A local date and time, as a person writes it (month 1–12). */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

/** What a local time is as an instant: one, two (clocks went back) or none (clocks went forward). */
export type Resolved =
  | { kind: 'unique'; at: number }
  | { kind: 'overlap'; earlier: number; later: number }
  | { kind: 'gap'; before: ZoneInfo; after: ZoneInfo; at: number };

export interface TimeZone {
  /** The IANA name, e.g. "Europe/Paris". */
  readonly name: string;
  at(ms: number): ZoneInfo;
  /** A local time (in this zone) as the instant(s) it names. */
  resolve(local: LocalTime): Resolved;
}

const zoneDir = () => process.env.TZDIR || '/usr/share/zoneinfo';

/** "Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "UTC": no dots, no leading slash. */
const NAME = /^[A-Z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;

const UTC_INFO: ZoneInfo = { offset: 0, abbr: 'UTC' };

function fixedZone(name: string, info: ZoneInfo): TimeZone {
  return { name, at: () => info, resolve: (l) => ({ kind: 'unique', at: localMs(l) - info.offset * 1000 }) };
}

export const utc: TimeZone = fixedZone('UTC', UTC_INFO);

const localMs = (l: LocalTime) => Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second ?? 0);

// ---- POSIX TZ strings (the footer of a TZif file: the rule after its last transition) ----

interface PosixRule {
  std: ZoneInfo;
  dst: ZoneInfo | null;
  /** Each: day rule and the local time of day (seconds) it switches at. */
  start?: { day: DayRule; time: number };
  end?: { day: DayRule; time: number };
}

type DayRule = { kind: 'J'; n: number } | { kind: 'n'; n: number } | { kind: 'M'; m: number; w: number; d: number };

function parsePosix(tz: string): PosixRule | null {
  let i = 0;
  const name = (): string | null => {
    if (tz[i] === '<') {
      const close = tz.indexOf('>', i);
      if (close < 0) return null;
      const n = tz.slice(i + 1, close);
      i = close + 1;
      return n;
    }
    const m = /^[A-Za-z]{3,}/.exec(tz.slice(i));
    if (!m) return null;
    i += m[0].length;
    return m[0];
  };
  const time = (): number | null => {
    const m = /^([+-]?)(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?/.exec(tz.slice(i));
    if (!m) return null;
    i += m[0].length;
    const s = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
    return m[1] === '-' ? -s : s;
  };
  const day = (): DayRule | null => {
    let m: RegExpExecArray | null;
    const rest = tz.slice(i);
    if ((m = /^J(\d{1,3})/.exec(rest))) {
      i += m[0].length;
      return { kind: 'J', n: Number(m[1]) };
    }
    if ((m = /^M(\d{1,2})\.(\d)\.(\d)/.exec(rest))) {
      i += m[0].length;
      return { kind: 'M', m: Number(m[1]), w: Number(m[2]), d: Number(m[3]) };
    }
    if ((m = /^(\d{1,3})/.exec(rest))) {
      i += m[0].length;
      return { kind: 'n', n: Number(m[1]) };
    }
    return null;
  };
  const stdName = name();
  const stdOff = time();
  if (stdName === null || stdOff === null) return null;
  // POSIX offsets count west of Greenwich: "CET-1" is UTC+1.
  const std = { offset: 0 - stdOff, abbr: stdName };
  if (i >= tz.length) return { std, dst: null };
  const dstName = name();
  if (dstName === null) return null;
  let dstOffset = std.offset + 3600;
  if (tz[i] !== ',' && i < tz.length) {
    const t = time();
    if (t === null) return null;
    dstOffset = 0 - t;
  }
  const dst = { offset: dstOffset, abbr: dstName };
  if (tz[i] !== ',') return null;
  const rule = (): { day: DayRule; time: number } | null => {
    i++; // the comma
    const d = day();
    if (!d) return null;
    let t = 7200;
    if (tz[i] === '/') {
      i++;
      const parsed = time();
      if (parsed === null) return null;
      t = parsed;
    }
    return { day: d, time: t };
  };
  const start = rule();
  if (!start || tz[i] !== ',') return null;
  const end = rule();
  if (!end || i !== tz.length) return null;
  return { std, dst, start, end };
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Midnight (as if UTC) of the day a rule names in a year. */
function ruleDay(year: number, r: DayRule): number {
  const jan1 = Date.UTC(year, 0, 1);
  if (r.kind === 'J') return jan1 + (r.n - 1 + (isLeap(year) && r.n >= 60 ? 1 : 0)) * 86_400_000;
  if (r.kind === 'n') return jan1 + r.n * 86_400_000;
  const first = new Date(Date.UTC(year, r.m - 1, 1)).getUTCDay();
  const days = new Date(Date.UTC(year, r.m, 0)).getUTCDate();
  let day = 1 + ((r.d - first + 7) % 7) + (r.w - 1) * 7;
  while (day > days) day -= 7;
  return Date.UTC(year, r.m - 1, day);
}

function posixAt(rule: PosixRule, ms: number): ZoneInfo {
  if (!rule.dst || !rule.start || !rule.end) return rule.std;
  const year = new Date(ms + rule.std.offset * 1000).getUTCFullYear();
  // The switches of that year as instants: to summer time counted in standard time, back in summer time.
  const start = ruleDay(year, rule.start.day) + (rule.start.time - rule.std.offset) * 1000;
  const end = ruleDay(year, rule.end.day) + (rule.end.time - rule.dst.offset) * 1000;
  const inDst = start < end ? ms >= start && ms < end : !(ms >= end && ms < start);
  return inDst ? rule.dst : rule.std;
}

// ---- TZif (RFC 8536) ----

function parseTzif(name: string, buf: Buffer): TimeZone | null {
  if (buf.length < 44 || buf.toString('latin1', 0, 4) !== 'TZif') return null;
  const version = buf[4];
  const counts = (at: number) => ({
    isut: buf.readUInt32BE(at + 20),
    isstd: buf.readUInt32BE(at + 24),
    leap: buf.readUInt32BE(at + 28),
    time: buf.readUInt32BE(at + 32),
    type: buf.readUInt32BE(at + 36),
    char: buf.readUInt32BE(at + 40),
  });
  let c = counts(0);
  let at = 44;
  let timeSize = 4;
  if (version >= 0x32) {
    // Skip the 32-bit block: the 64-bit one after it says the same for all of time.
    at += c.time * 4 + c.time + c.type * 6 + c.char + c.leap * 8 + c.isstd + c.isut;
    if (buf.length < at + 44 || buf.toString('latin1', at, at + 4) !== 'TZif') return null;
    c = counts(at);
    at += 44;
    timeSize = 8;
  }
  if (c.type === 0 || buf.length < at + c.time * (timeSize + 1) + c.type * 6 + c.char) return null;
  const times = new Float64Array(c.time);
  for (let k = 0; k < c.time; k++) times[k] = (timeSize === 8 ? Number(buf.readBigInt64BE(at + k * 8)) : buf.readInt32BE(at + k * 4)) * 1000;
  at += c.time * timeSize;
  const index = Uint8Array.from(buf.subarray(at, at + c.time));
  at += c.time;
  const chars = buf.toString('latin1', at + c.type * 6, at + c.type * 6 + c.char);
  const types: ZoneInfo[] = [];
  for (let k = 0; k < c.type; k++) {
    const abbrAt = buf[at + k * 6 + 5];
    const endAt = chars.indexOf('\0', abbrAt);
    types.push({ offset: buf.readInt32BE(at + k * 6), abbr: chars.slice(abbrAt, endAt < 0 ? undefined : endAt) });
  }
  if (index.some((t) => t >= types.length)) return null;
  at += c.type * 6 + c.char + c.leap * (timeSize + 4) + c.isstd + c.isut;
  let footer: PosixRule | null = null;
  if (version >= 0x32 && buf[at] === 0x0a) {
    const endAt = buf.indexOf(0x0a, at + 1);
    const text = buf.toString('latin1', at + 1, endAt < 0 ? buf.length : endAt);
    if (text) footer = parsePosix(text);
  }

  const info = (ms: number): ZoneInfo => {
    if (times.length === 0 || ms < times[0]) return times.length === 0 && footer ? posixAt(footer, ms) : types[0];
    if (ms >= times[times.length - 1] && footer) return posixAt(footer, ms);
    // The last transition at or before ms.
    let lo = 0;
    let hi = times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (times[mid] <= ms) lo = mid;
      else hi = mid - 1;
    }
    return types[index[lo]];
  };
  return { name, at: info, resolve: (l) => resolveLocal(info, l) };
}

/**
 * A local time as instants: try each offset in force within a day either side (no zone has
 * changed its clocks twice in a day), and keep those that really are in force at the result.
 */
function resolveLocal(info: (ms: number) => ZoneInfo, l: LocalTime): Resolved {
  const wall = localMs(l);
  const offsets = new Set([info(wall - 86_400_000).offset, info(wall).offset, info(wall + 86_400_000).offset]);
  const found = [...offsets].map((o) => wall - o * 1000).filter((ms) => info(ms).offset * 1000 === wall - ms).sort((a, b) => a - b);
  if (found.length === 1) return { kind: 'unique', at: found[0] };
  if (found.length > 1) return { kind: 'overlap', earlier: found[0], later: found[found.length - 1] };
  // Clocks went forward over this time: the instant the offset before the change would give.
  const before = info(wall - 86_400_000);
  const after = info(wall + 86_400_000);
  return { kind: 'gap', before, after, at: wall - before.offset * 1000 };
}

// ---- names ----

const zones = new Map<string, TimeZone | null>();

/** The zone of an IANA name, or null when the name is not one this server knows. Read once per name. */
export function timeZone(name: string): TimeZone | null {
  if (name === 'UTC') return utc;
  const key = `${zoneDir()}\0${name}`;
  if (zones.has(key)) return zones.get(key)!;
  let zone: TimeZone | null = name === 'Etc/UTC' ? fixedZone(name, UTC_INFO) : null;
  if (!zone && NAME.test(name) && !name.startsWith('Etc/Unknown') && name !== 'Factory') {
    try {
      zone = parseTzif(name, readFileSync(`${zoneDir()}/${name}`));
    } catch {
      zone = null;
    }
  }
  if (zones.size >= 100) zones.clear();
  zones.set(key, zone);
  return zone;
}

/** Why a name is not a usable zone, in words; null when it is one. */
export function timeZoneProblem(name: string): string | null {
  if (!name) return 'Choose a time zone, e.g. Europe/Paris or America/New_York (or UTC).';
  if (timeZone(name)) return null;
  if (!NAME.test(name)) return `“${name.slice(0, 60)}” is not a time zone name: use an IANA name such as Europe/Paris, America/New_York or UTC.`;
  let hasDatabase = false;
  try {
    hasDatabase = readFileSync(`${zoneDir()}/Europe/London`).subarray(0, 4).toString('latin1') === 'TZif';
  } catch {
    hasDatabase = false;
  }
  if (!hasDatabase) return `This server has no time zone database (${zoneDir()}; install the tzdata package), so only UTC can be used.`;
  return `“${name.slice(0, 60)}” is not a time zone this server knows: use an IANA name such as Europe/Paris, America/New_York or UTC (names are case-sensitive).`;
}

/** The server's own zone: $TZ, else where /etc/localtime points, else /etc/timezone, else UTC. */
export function serverTimeZoneName(): string {
  const candidates: string[] = [];
  const tz = process.env.TZ?.replace(/^:/, '');
  if (tz) candidates.push(tz.replace(/^.*\/zoneinfo\//, ''));
  try {
    const target = readlinkSync('/etc/localtime');
    const at = target.indexOf('zoneinfo/');
    if (at >= 0) candidates.push(target.slice(at + 'zoneinfo/'.length));
  } catch {
    // Not a link (or absent): try the next.
  }
  try {
    candidates.push(readFileSync('/etc/timezone', 'utf8').trim());
  } catch {
    // Absent.
  }
  for (const name of candidates) {
    if (name === 'Etc/UTC' || name === 'UTC' || name === 'Etc/Universal' || name === 'Universal' || name === 'Etc/Zulu' || name === 'Zulu') return 'UTC';
    if (timeZone(name)) return name;
  }
  return 'UTC';
}

let names: string[] | null = null;
/** The zones people choose from (zone1970.tab of the database, and UTC), for the settings form; read on first use. */
export function timeZoneNames(): string[] {
  if (names) return names;
  const found = new Set<string>();
  for (const file of ['zone1970.tab', 'zone.tab']) {
    try {
      for (const line of readFileSync(`${zoneDir()}/${file}`, 'utf8').split('\n')) {
        const name = line.startsWith('#') ? undefined : line.split('\t')[2];
        if (name && NAME.test(name)) found.add(name);
      }
      break;
    } catch {
      // Try the older table.
    }
  }
  names = [...found].sort();
  names.push('UTC');
  return names;
}

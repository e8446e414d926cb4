/**
 * Date handling for query parameters (spec §1, §4.1): `YYYY-MM-DD'T'hh:mm:ssTZD`
 * with `±hh:mm`, startDate and endDate in the same zone, at most 90 calendar days
 * apart. All query dates are written in one fixed offset (Moscow, +03:00, by
 * default; Moscow has had no DST since 2014), so a calendar day is exactly 24 h
 * and "90 calendar days" is exactly 90 × 24 h.
 */

export const MOSCOW_OFFSET_MINUTES = 180
export const DAY_MS = 86_400_000
/** Maximum span of one history/totals request (startDate..endDate). */
export const MAX_HISTORY_SPAN_MS = 90 * DAY_MS

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0')
}

/** Formats an instant as `2017-05-10T00:00:00+03:00` in the given fixed offset (minutes east of UTC). */
export function formatQiwiDate(ms: number, offsetMinutes = MOSCOW_OFFSET_MINUTES): string {
  if (!Number.isFinite(ms)) throw new RangeError('formatQiwiDate: invalid time')
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > 14 * 60) {
    throw new RangeError('invalid offset')
  }
  const d = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * 60_000)
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  )
}

const QUERY_DATE_RE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(Z|([+-])(\d{2}):(\d{2}))$/

export interface ParsedQiwiDate {
  ms: number
  /** Offset in minutes east of UTC (0 for Z). */
  offsetMinutes: number
}

/** Parses an ISO date-time with offset; null if malformed or out of range. */
export function parseQiwiDate(s: string): ParsedQiwiDate | null {
  const m = QUERY_DATE_RE.exec(s)
  if (!m) return null
  const [, y, mo, d, h, mi, se] = m
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(se)
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null
  const offsetMinutes = m[7] === 'Z' ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]))
  const local = Date.UTC(Number(y), month - 1, day, hour, minute, second)
  // Reject 2021-02-30 and the like (Date.UTC would roll them over).
  const check = new Date(local)
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null
  return { ms: local - offsetMinutes * 60_000, offsetMinutes }
}

export interface DateWindow {
  startMs: number
  endMs: number
}

/**
 * Splits [startMs, endMs] into windows of at most `maxSpanMs`, newest first
 * (history is returned newest first, so the concatenation stays ordered).
 * Bounds are whole seconds (the wire format has no fractions): the start is
 * rounded down, the end rounded down, and consecutive windows touch without
 * overlap — the older window ends one second before the newer one starts.
 */
export function splitDateRange(
  startMs: number,
  endMs: number,
  maxSpanMs = MAX_HISTORY_SPAN_MS
): DateWindow[] {
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) {
    throw new RangeError('splitDateRange: invalid dates')
  }
  if (!(maxSpanMs >= 1000)) throw new RangeError('splitDateRange: span must be ≥ 1 s')
  const start = Math.floor(startMs / 1000) * 1000
  const end = Math.floor(endMs / 1000) * 1000
  if (start > end) throw new RangeError('splitDateRange: start after end')
  const span = Math.floor(maxSpanMs / 1000) * 1000
  const out: DateWindow[] = []
  let hi = end
  while (hi >= start) {
    const lo = Math.max(start, hi - span)
    out.push({ startMs: lo, endMs: hi })
    hi = lo - 1000
  }
  return out
}

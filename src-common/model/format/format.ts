// Numbers, sizes and times as Snapscope shows them, in the window, the CLI and the reports alike.
//
// Locale policy: numbers are always en-US ("1,234", "1.5 MiB", "+9,000%"). The model writes text
// with numbers in it (the compare's evidence lines) that both the window and the reports show, so a
// second, user-locale style in the window's tables would mix "1,234" and "1.234" on one screen, and a
// report must read the same wherever it is opened. Times are "2024-05-01 10:32:05": in UTC (marked
// so) in reports and files, in the viewer's own time zone in the window, where "when did this start"
// is asked in local time. Pure (no DOM, no Node).
import type { Quantity } from '../../contract/diffTypes'

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const
// One formatter each: constructing Intl formatters per cell is measurably slow.
const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 })

const NONE = '—'

export const fmtCount = (n: number): string => grouped.format(n)

/** 1.2K, 3.4M: chart axes, where width is short */
export const fmtCompact = (n: number): string => compact.format(n)

/** "512 B", "1.5 KiB", "15.0 MiB", "120 GiB"; "—" for no number */
export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return NONE
  const abs = Math.abs(n)
  const unit = abs < 1024 ? 0 : Math.min(UNITS.length - 1, Math.floor(Math.log2(abs) / 10))
  const value = n / 1024 ** unit
  return unit === 0 ? `${n} B` : `${Math.abs(value) < 100 ? value.toFixed(1) : grouped.format(value)} ${UNITS[unit]}`
}

export const fmtQuantity = (n: number, unit: Quantity): string => (unit === 'bytes' ? fmtBytes(n) : fmtCount(n))

/** "+1,000", "−2.0 MiB", "0": a change, with its sign always shown. */
export const fmtSigned = (n: number, unit: Quantity): string => (n > 0 ? '+' : n < 0 ? '−' : '') + fmtQuantity(Math.abs(n), unit)

export const fmtPercent = (p: number | null): string => (p === null ? 'new' : `${p > 0 ? '+' : p < 0 ? '−' : ''}${oneDecimal.format(Math.abs(p))}%`)

/** Change relative to `from`, in percent; null when `from` is 0 (everything is new). */
export const percentChange = (from: number, to: number): number | null => (from === 0 ? (to === 0 ? 0 : null) : ((to - from) / from) * 100)

/** ms since a watch started, as seconds: "12.35 s" */
export const fmtSeconds = (ms: number, digits = 2): string => `${(ms / 1000).toFixed(digits)} s`

/** Where a time is shown: reports and files in UTC, the window in the viewer's zone. */
export type TimeZone = 'UTC' | 'local'

const pad = (n: number): string => String(n).padStart(2, '0')

function parts(iso: string, zone: TimeZone): { date: string; clock: string } | null {
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return null
  const d = new Date(t)
  const [y, mo, day, h, mi, s] =
    zone === 'UTC'
      ? [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
      : [d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()]
  const suffix = zone === 'UTC' ? ' UTC' : ''
  return { date: `${y}-${pad(mo + 1)}-${pad(day)}`, clock: `${pad(h)}:${pad(mi)}:${pad(s)}${suffix}` }
}

/** "2024-05-01 10:32:05 UTC", or in the viewer's zone "2024-05-01 12:32:05"; "—" for no time */
export function fmtTime(iso: string, zone: TimeZone = 'UTC'): string {
  const p = parts(iso, zone)
  return p ? `${p.date} ${p.clock}` : NONE
}

/** The time of day alone: "10:32:05 UTC" / "12:32:05" */
export function fmtClock(iso: string, zone: TimeZone = 'UTC'): string {
  return parts(iso, zone)?.clock ?? NONE
}

export const commandLine = (cmdline: readonly string[]): string => cmdline.join(' ')

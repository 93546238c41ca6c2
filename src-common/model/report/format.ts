// Number and time formatting for reports, the compare's evidence lines and the views that show them.
// Fixed to en-US and UTC: a report reads the same wherever it is opened. Pure.
import type { Quantity } from '../../contract/diffTypes'

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const
const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })

export const fmtCount = (n: number): string => grouped.format(n)

export function fmtBytes(n: number): string {
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

/** "2024-05-01 10:32:05 UTC" */
export function fmtTime(iso: string): string {
  const t = Date.parse(iso)
  return Number.isNaN(t) ? iso : new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')
}

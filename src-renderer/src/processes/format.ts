// Display formatting shared by the tree, the details pane and the status bar.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—'
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`
}

// One formatter for all rows: constructing Intl formatters per cell is measurably slow.
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' })
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' })
const count = new Intl.NumberFormat()
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 })

export function formatDateTime(iso: string): string {
  const t = Date.parse(iso)
  return Number.isNaN(t) ? '—' : dateTime.format(t)
}

export function formatTime(iso: string): string {
  const t = Date.parse(iso)
  return Number.isNaN(t) ? '—' : timeOnly.format(t)
}

export const formatCount = (n: number): string => count.format(n)

/** 1.2K, 3.4M: chart axes, where width is short */
export const formatCompact = (n: number): string => compact.format(n)

/** ms since a watch started, as seconds: "12.35 s" */
export const formatSeconds = (ms: number, digits = 2): string => `${(ms / 1000).toFixed(digits)} s`

export const commandLine = (cmdline: readonly string[]): string => cmdline.join(' ')

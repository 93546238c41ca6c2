// Durations as people type them on a command line: 500ms, 10s, 1.5m, 1h.

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const

/** Milliseconds, or null when `text` is not a number followed by ms, s, m or h. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim())
  if (!m) return null
  const ms = Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS])
  return Number.isSafeInteger(ms) ? ms : null
}

/** "1h 2m", "10s", "1.5s", "500ms": the largest two units, for progress lines and report headers. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`
  if (ms < 10_000) return `${Math.round(ms / 100) / 10}s`
  const parts: string[] = []
  let rest = Math.round(ms / 1_000)
  for (const [unit, size] of [['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size || (unit === 's' && parts.length === 0)) {
      parts.push(`${Math.floor(rest / size)}${unit}`)
      rest %= size
    }
  }
  return parts.slice(0, 2).join(' ')
}

/** Compact labels for an elapsed-time axis: "0", "45s", "2m30s", "1h5m". */
export function formatElapsed(ms: number): string {
  if (ms === 0) return '0'
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s / 60}m`
  return s % 3600 ? `${Math.floor(s / 3600)}h${Math.round((s % 3600) / 60)}m` : `${s / 3600}h`
}

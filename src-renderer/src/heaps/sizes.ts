// Sizes as people type them in the filters: "24", "4k", "1.5 MiB", "64KB" (powers of 1024).
const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 }

/** Bytes, or undefined for an empty box; NaN when it can't be read. */
export function parseSize(text: string): number | undefined {
  const t = text.trim().toLowerCase()
  if (!t) return undefined
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(t)
  const unit = m ? UNITS[m[2]] : undefined
  return m && unit ? Math.round(Number(m[1]) * unit) : Number.NaN
}

/** A size-class bound as a short label: 16, 512, 4K, 128K, 2M. */
export function sizeLabel(bytes: number): string {
  if (bytes >= 1024 ** 2 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}M`
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024}K`
  return String(bytes)
}

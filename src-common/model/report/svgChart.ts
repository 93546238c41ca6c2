// Charts as inline SVG, written by hand: the HTML report must open offline, print to PDF and carry no
// script, so nothing is drawn at view time. Line charts over elapsed time (flagged series in red),
// bar charts by size class (columns) or by name (rows). A flagged series (grows steadily) keeps its
// colour, is drawn heavier and says so in red in the legend. Every value also sits in a <title> tooltip.

import { formatElapsed } from '../capture/duration'
import { showControls } from './bidi'
import { fmtBytes, fmtCount } from '../format/format'
import type { Quantity } from '../../contract/diffTypes'
import type { BarChart, Chart, LineChart } from './model'

const W = 600
const FONT = `font-family="system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif" font-size="12.5"`
const PALETTE = ['#2f6fde', '#17a2a0', '#8a5cd6', '#d9861c', '#5b6b7f', '#c2489a']
const FLAGGED = '#d63a3a'
const AB = ['#a8b4c4', '#2f6fde']
const GRID = '#e6e9ee'
const AXIS = '#b9c0ca'
const INK = '#5b6472'

/** Text for XML and HTML, bidi controls shown as escapes: names in labels come from the inspected machine. */
export const escapeXml = (s: string): string =>
  showControls(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

const r1 = (n: number): string => (Math.round(n * 10) / 10).toString()
const label = (v: number, unit: Quantity): string => (unit === 'bytes' ? fmtBytes(v) : fmtCount(v))

/** [min, max] of the values ([0, 0] for none), by a loop: Math.min(...a long timeline) overflows the stack. */
export function extent(values: readonly number[]): [number, number] {
  if (values.length === 0) return [0, 0]
  let [lo, hi] = [Infinity, -Infinity]
  for (const v of values) {
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  return [lo, hi]
}

/** Round tick values covering lo..hi: steps of 1, 2, 2.5 or 5 × 10^n (of KiB, MiB … for bytes). */
export function niceTicks(lo: number, hi: number, unit: Quantity, count = 5): number[] {
  // A flat series gets a band around its value (at least ±1 of a count).
  if (hi === lo) [lo, hi] = [lo - Math.max(unit === 'count' ? 1 : 0, Math.abs(lo) * 0.1), hi + Math.max(1, Math.abs(hi) * 0.1)]
  const scale = unit === 'bytes' ? 1024 ** Math.max(0, Math.floor(Math.log2(Math.max(Math.abs(lo), Math.abs(hi), 1)) / 10)) : 1
  const raw = (hi - lo) / scale / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  // Counts of things never get fractional ticks.
  const step = Math.max(unit === 'count' ? 1 : 0, ([1, 2, 2.5, 5, 10].find((m) => raw / mag <= m) ?? 10) * mag * scale)
  const start = Math.floor(lo / step) * step
  const out: number[] = []
  for (let v = start; v < hi + step * 0.999; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v)
  return out
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400].map((s) => s * 1000)

/** Round elapsed times from 0 to maxMs: 1s, 5s, 1m, 1h … apart, at most about 7 of them. */
export function timeTicks(maxMs: number): number[] {
  const step = TIME_STEPS.find((s) => maxMs / s <= 7) ?? Math.ceil(maxMs / 7 / 86_400_000) * 86_400_000
  const out: number[] = []
  for (let t = 0; t <= maxMs + 1; t += step) out.push(t)
  return out
}

/** Legend items in rows that fit the width; returns the SVG and the height it takes. */
function legend(items: { text: string; color: string; flagged?: boolean }[], x0: number, y0: number): { svg: string; height: number } {
  let x = x0
  let y = y0
  const parts: string[] = []
  for (const item of items) {
    const text = item.flagged ? `${item.text} ▲ grows steadily` : item.text
    const width = 18 + text.length * 7 + 14
    if (x + width > W - 8 && x > x0) {
      x = x0
      y += 18
    }
    parts.push(
      `<rect x="${r1(x)}" y="${y - 8}" width="10" height="10" rx="2" fill="${item.color}"/>` +
        `<text x="${r1(x + 15)}" y="${y + 1}" fill="${item.flagged ? FLAGGED : INK}"${item.flagged ? ' font-weight="600"' : ''}>${escapeXml(text)}</text>`
    )
    x += width
  }
  return { svg: parts.join(''), height: y - y0 + 18 }
}

/** Keeps at most ~2 points per pixel column: the lowest and highest of each, in time order. */
function thin(points: { t: number; v: number }[], columns: number): { t: number; v: number }[] {
  if (points.length <= columns * 2) return points
  const per = points.length / columns
  const out: { t: number; v: number }[] = []
  for (let c = 0; c < columns; c++) {
    const slice = points.slice(Math.floor(c * per), Math.floor((c + 1) * per))
    if (!slice.length) continue
    let lo = slice[0]
    let hi = slice[0]
    for (const p of slice) {
      if (p.v < lo.v) lo = p
      if (p.v > hi.v) hi = p
    }
    out.push(...(lo.t <= hi.t ? [lo, hi] : [hi, lo]))
  }
  return out
}

function lineChart(chart: LineChart): string {
  const colors = chart.series.map((_, i) => PALETTE[i % PALETTE.length])
  const lg = legend(chart.series.map((s, i) => ({ text: s.label, color: colors[i], flagged: s.flagged })), 64, 14)
  const top = lg.height + 14
  const H = top + 210
  const [left, right, bottom] = [64, 16, H - 28]
  const maxT = Math.max(1, extent(chart.series.flatMap((s) => s.points.map((p) => p.t)))[1])
  const yt = niceTicks(...extent(chart.series.flatMap((s) => s.points.map((p) => p.v))), chart.unit)
  const [y0, y1] = [yt[0], yt[yt.length - 1]]
  const x = (t: number) => left + ((W - left - right) * t) / maxT
  const y = (v: number) => bottom - ((bottom - top) * (v - y0)) / (y1 - y0 || 1)
  const parts: string[] = [lg.svg]
  for (const v of yt)
    parts.push(
      `<line x1="${left}" x2="${W - right}" y1="${r1(y(v))}" y2="${r1(y(v))}" stroke="${v === y0 ? AXIS : GRID}"/>` +
        `<text x="${left - 6}" y="${r1(y(v) + 4)}" text-anchor="end" fill="${INK}">${escapeXml(label(v, chart.unit))}</text>`
    )
  for (const t of timeTicks(maxT))
    parts.push(
      `<line x1="${r1(x(t))}" x2="${r1(x(t))}" y1="${bottom}" y2="${bottom + 4}" stroke="${AXIS}"/>` +
        `<text x="${r1(x(t))}" y="${bottom + 16}" text-anchor="middle" fill="${INK}">${formatElapsed(t)}</text>`
    )
  chart.series.forEach((s, i) => {
    const pts = thin(s.points, W - left - right)
    if (!pts.length) return
    const d = pts.map((p, k) => `${k ? 'L' : 'M'}${r1(x(p.t))} ${r1(y(p.v))}`).join('')
    if (chart.series.length === 1)
      parts.push(`<path d="${d}L${r1(x(pts[pts.length - 1].t))} ${bottom}L${r1(x(pts[0].t))} ${bottom}Z" fill="${colors[i]}" fill-opacity="0.08"/>`)
    parts.push(`<path class="series${s.flagged ? ' flagged' : ''}" d="${d}" fill="none" stroke="${colors[i]}" stroke-width="${s.flagged ? 3 : 1.8}" stroke-linejoin="round" stroke-linecap="round"/>`)
    if (pts.length <= 60)
      for (const p of pts)
        parts.push(
          `<circle cx="${r1(x(p.t))}" cy="${r1(y(p.v))}" r="2.4" fill="${colors[i]}"><title>${escapeXml(`${s.label} at ${formatElapsed(p.t)}: ${label(p.v, chart.unit)}`)}</title></circle>`
        )
  })
  return svg(chart, H, parts)
}

function columnsChart(chart: BarChart): string {
  const groups = chart.groups
  const colors = groups.length === 2 ? AB : PALETTE
  const lg = groups.length > 1 ? legend(groups.map((g, i) => ({ text: g.label, color: colors[i % colors.length] })), 64, 14) : { svg: '', height: 0 }
  const top = lg.height + 14
  // Narrow columns get their labels slanted, and the room below for them.
  const band = (W - 64 - 16) / Math.max(1, chart.categories.length)
  const slant = band < 46
  const H = top + 210 + (slant ? 18 : 0)
  const [left, right, bottom] = [64, 16, H - (slant ? 48 : 30)]
  const values = groups.flatMap((g) => g.values)
  const yt = niceTicks(Math.min(0, ...values), Math.max(0, ...values), chart.unit)
  const [y0, y1] = [yt[0], yt[yt.length - 1]]
  const y = (v: number) => bottom - ((bottom - top) * (v - y0)) / (y1 - y0 || 1)
  const barW = Math.max(2, (band * 0.78) / groups.length)
  const parts: string[] = [lg.svg]
  for (const v of yt)
    parts.push(
      `<line x1="${left}" x2="${W - right}" y1="${r1(y(v))}" y2="${r1(y(v))}" stroke="${v === 0 ? AXIS : GRID}"/>` +
        `<text x="${left - 6}" y="${r1(y(v) + 4)}" text-anchor="end" fill="${INK}">${escapeXml(label(v, chart.unit))}</text>`
    )
  chart.categories.forEach((cat, c) => {
    const bx = left + band * c + band * 0.11
    groups.forEach((g, k) => {
      const v = g.values[c] ?? 0
      const [ya, yb] = [y(Math.max(0, v)), y(Math.min(0, v))]
      const fill = groups.length === 1 && v < 0 ? AB[0] : colors[k % colors.length]
      parts.push(
        `<rect class="bar" x="${r1(bx + k * barW)}" y="${r1(ya)}" width="${r1(barW - 1)}" height="${r1(Math.max(v === 0 ? 0 : 1, yb - ya))}" rx="1.5" fill="${fill}"><title>${escapeXml(`${g.label} ${cat}: ${label(v, chart.unit)}`)}</title></rect>`
      )
    })
    const [lx, ly] = [r1(left + band * (c + 0.5) + (slant ? 4 : 0)), bottom + 16]
    parts.push(
      `<text x="${lx}" y="${ly}" text-anchor="${slant ? 'end' : 'middle'}"${slant ? ` transform="rotate(-40 ${lx} ${ly})"` : ''} fill="${INK}">${escapeXml(cat)}</text>`
    )
  })
  parts.push(`<text x="${W - right}" y="14" text-anchor="end" fill="${INK}">block size, bytes</text>`)
  return svg(chart, H, parts)
}

function rowsChart(chart: BarChart): string {
  const values = chart.groups[0]?.values ?? []
  const rowH = 22
  const [left, right, top] = [180, 80, 8]
  const H = top + chart.categories.length * rowH + 8
  const max = Math.max(1, ...values)
  const parts: string[] = []
  chart.categories.forEach((cat, i) => {
    const v = values[i] ?? 0
    const yy = top + i * rowH
    const w = ((W - left - right) * Math.max(0, v)) / max
    const name = cat.length > 30 ? cat.slice(0, 29) + '…' : cat
    parts.push(
      `<text x="${left - 8}" y="${yy + 14}" text-anchor="end" fill="${INK}">${escapeXml(name)}</text>` +
        `<rect class="bar" x="${left}" y="${yy + 4}" width="${r1(Math.max(1, w))}" height="${rowH - 7}" rx="2" fill="${PALETTE[0]}"><title>${escapeXml(`${cat}: ${label(v, chart.unit)}`)}</title></rect>` +
        `<text x="${r1(left + w + 6)}" y="${yy + 14}" fill="${INK}">${escapeXml(label(v, chart.unit))}</text>`
    )
  })
  return svg(chart, H, parts)
}

function svg(chart: Chart, height: number, parts: string[]): string {
  return `<svg class="chart" data-chart="${escapeXml(chart.id)}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${Math.ceil(height)}" role="img" aria-label="${escapeXml(chart.title)}" ${FONT}>${parts.join('')}</svg>`
}

export function chartSvg(chart: Chart): string {
  if (chart.kind === 'line') return lineChart(chart)
  return chart.layout === 'rows' ? rowsChart(chart) : columnsChart(chart)
}

// Leak suspects: what grew between A and B by more than noise (a size class of heap blocks, the
// blocks an allocation stack left live, private bytes, heap bytes, threads, modules of the target), and anything a timeline on either side shows
// growing steadily. With a timeline the verdict rests on its samples (rising in most steps, the slope);
// with two points only, on the size of the change. Steady ones come first, then the biggest.

import { timelineSeries, sizeClassLabel, type Series } from '../capture/series'
import { MIN_GROWTH, type GrowthKind } from '../capture/trends'
import type { TimelineDoc, TimelineSample } from '../../contract/timelineTypes'
import { fmtCount, fmtPercent, fmtQuantity, fmtSigned } from '../format/format'
import type { Quantity } from '../../contract/diffTypes'
import type { Change, DiffDoc, ExactSizeChange, Suspect, SuspectKind } from '../../contract/diffTypes'
import type { LeakGroup, LeaksDoc } from '../../contract/leakTypes'
import { siteText } from '../allocs/stackText'

/** A two-point change must also be this large relative to A (percent) to count. */
const MIN_PERCENT = 2
const MAX_SIZE_CLASS_SUSPECTS = 5
const MAX_STACK_SUSPECTS = 3
/** Two points closer than this give no rate: a change over half a second says little about a minute. */
const MIN_RATE_SPAN_MS = 60_000
const KIND_ORDER: SuspectKind[] = ['size-class', 'alloc-stack', 'private-bytes', 'heap-bytes', 'thread-count', 'module-count', 'working-set']

interface Candidate {
  kind: SuspectKind
  subject: string
  unit: Quantity
  growth: GrowthKind
  change: Change
  series?: Series
  sizeClass?: { minSize: number; maxSize: number }
  grewBySize?: ExactSizeChange[]
  /** bytes it grew by, to rank size classes */
  bytes?: number
}

/** The samples of the target's timelines in time order (a timeline on both sides counted once). */
function mergedSamples(timelines: readonly TimelineDoc[], pid: number | null): TimelineSample[] {
  const byTime = new Map<string, TimelineSample>()
  for (const t of new Set(timelines)) if (pid === null || t.pid === pid) for (const s of t.samples) byTime.set(s.takenAt, s)
  return [...byTime.values()].sort((x, y) => Date.parse(x.takenAt) - Date.parse(y.takenAt))
}

const grewEnough = (c: Change, growth: GrowthKind): boolean =>
  c.delta >= MIN_GROWTH[growth] && (c.pct === null || c.pct >= MIN_PERCENT)

/** "200 B (+1,800 blocks), 4,008 B (+3 blocks)": the exact sizes that grew, in bytes exactly (a block size is no rounded figure) */
export const exactSizesText = (sizes: readonly ExactSizeChange[]): string =>
  sizes.map((x) => `${fmtCount(x.size)} B (${fmtSigned(x.count.delta, 'count')} blocks)`).join(', ')

function evidence(c: Candidate, perMinute: number | null): string {
  const t = c.series?.trend
  const parts = [`${fmtSigned(c.change.delta, c.unit)}, ${fmtPercent(c.change.pct)}`]
  if (t && t.steps > 0) parts.push(`rising in ${t.rising} of ${t.steps} steps`)
  if (perMinute !== null) parts.push(`${fmtSigned(Math.round(perMinute), c.unit)}/min`)
  if (c.grewBySize?.length) parts.push(`grew at ${exactSizesText(c.grewBySize)}`)
  return `${c.subject}: ${fmtQuantity(c.change.a, c.unit)} → ${fmtQuantity(c.change.b, c.unit)} (${parts.join('; ')})`
}

function toSuspect(c: Candidate, elapsedMs: number | null): Suspect {
  const t = c.series && c.series.points.length > 2 ? c.series.trend : undefined
  const perMinute = t ? t.slopePerMinute : elapsedMs !== null && elapsedMs >= MIN_RATE_SPAN_MS ? (c.change.delta / elapsedMs) * 60_000 : null
  return {
    kind: c.kind,
    subject: c.subject,
    unit: c.unit,
    change: c.change,
    perMinute,
    steady: t ? t.steady : null,
    rising: t ? { steps: t.rising, of: t.steps } : null,
    ...(c.sizeClass ? { sizeClass: c.sizeClass } : {}),
    ...(c.grewBySize?.length ? { grewBySize: c.grewBySize } : {}),
    evidence: evidence({ ...c, series: t ? c.series : undefined }, perMinute)
  }
}

/** The lost blocks of a size class: of B's scan, or lost since A's where both have one. Groups of a type with blocks of several sizes have no one size and are left out. */
function lostIn(groups: readonly LeakGroup[], { minSize, maxSize }: { minSize: number; maxSize: number }): NonNullable<Suspect['lost']> {
  const of = groups.filter((g) => g.blockSize !== null && g.blockSize >= minSize && g.blockSize <= maxSize)
  return { blocks: of.reduce((n, g) => n + g.count, 0), bytes: of.reduce((n, g) => n + g.bytes, 0), groups: of }
}

/** `leaks`: B's leak scan, whose lost blocks size-class suspects link to. */
export function findSuspects(doc: DiffDoc, timelines: readonly TimelineDoc[], leaks: LeaksDoc | null = null): Suspect[] {
  const series = new Map(timelineSeries({ samples: mergedSamples(timelines, doc.target?.pid ?? null) }).map((s) => [s.key, s]))
  const candidates: Candidate[] = []
  const consider = (c: Candidate) => {
    const s = c.series
    if (s && s.points.length > 2 ? s.flagged : grewEnough(c.change, c.growth)) candidates.push(c)
  }

  for (const r of doc.heap?.sizeClasses ?? []) {
    if (r.bytes.delta <= 0) continue
    consider({
      kind: 'size-class',
      subject: `Blocks of ${sizeClassLabel(r.minSize, r.maxSize)}`,
      unit: 'count',
      growth: 'blocks',
      change: r.count,
      series: series.get(`class:${r.minSize}-${r.maxSize}`),
      sizeClass: { minSize: r.minSize, maxSize: r.maxSize },
      grewBySize: r.grewBySize,
      bytes: r.bytes.delta
    })
  }
  // the stacks that left most more blocks live (the compare lists them by leaked bytes grown)
  for (const r of doc.allocs?.grew.slice(0, MAX_STACK_SUSPECTS) ?? [])
    consider({ kind: 'alloc-stack', subject: `Blocks left live by ${siteText(r.frames)}`, unit: 'count', growth: 'blocks', change: r.leakedBlocks })
  const t = doc.target
  if (t) {
    const who = `${t.pid}${t.exeFile ? ` (${t.exeFile})` : ''}`
    const targetCandidates: [SuspectKind, string, Quantity, GrowthKind, Change | null, string][] = [
      ['private-bytes', `Private bytes of ${who}`, 'bytes', 'bytes', t.privateBytes, 'privateBytes'],
      ['heap-bytes', `Heap bytes in use by ${who}`, 'bytes', 'bytes', t.heapUsedBytes, 'heapUsedBytes'],
      ['thread-count', `Threads of ${who}`, 'count', 'threads', t.threadCount, 'threads'],
      ['module-count', `Modules of ${who}`, 'count', 'modules', t.moduleCount, 'modules'],
      // The working set includes shared pages: only a suspect where private bytes are not known.
      ['working-set', `Working set of ${who}`, 'bytes', 'bytes', t.privateBytes ? null : t.workingSetBytes, 'workingSet']
    ]
    for (const [kind, subject, unit, growth, c, key] of targetCandidates)
      if (c) consider({ kind, subject, unit, growth, change: c, series: series.get(key) })
  }

  const sizeClasses = candidates
    .filter((c) => c.kind === 'size-class')
    .sort((x, y) => y.bytes! - x.bytes!)
    .slice(0, MAX_SIZE_CLASS_SUSPECTS)
  const lostGroups = doc.lostSince?.groups ?? leaks?.groups ?? null
  return [...sizeClasses, ...candidates.filter((c) => c.kind !== 'size-class')]
    .map((c) => {
      const s = toSuspect(c, doc.elapsedMs)
      return lostGroups && s.sizeClass ? { ...s, lost: lostIn(lostGroups, s.sizeClass) } : s
    })
    .sort((x, y) => Number(y.steady === true) - Number(x.steady === true) || KIND_ORDER.indexOf(x.kind) - KIND_ORDER.indexOf(y.kind))
}

// What `npm run bench` writes: bench-results.json (every entry as measured) and bench-results.md (one
// Markdown table, ours and the baseline side by side, then each entry's notes), from one run.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { BenchResult } from './result'

/** An entry that could not be measured here, and why (e.g. perf missing): reported, never faked. */
export interface SkippedResult {
  name: string
  skipped: string
}
export type BenchEntry = BenchResult | SkippedResult

export const isSkipped = (e: BenchEntry): e is SkippedResult => 'skipped' in e

const cell = (text: string | number): string => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ')

function number(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  return Math.abs(value) >= 1000 ? Math.round(value).toLocaleString('en-US') : String(value)
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU'
  return `${os.hostname()}, Linux ${os.release()}, ${os.cpus().length} × ${cpu}, node ${process.version}`
}

/** The Markdown report: a table of every entry, then the notes. */
export function toMarkdown(entries: BenchEntry[], when = new Date()): string {
  const lines = [
    '# Snapscope benchmarks',
    '',
    `\`npm run bench\`, ${when.toISOString()} on ${machine()}. Ratios are ours / baseline; "met" is computed from the target, never set by hand.`,
    '',
    '| # | benchmark | ours | baseline | baseline value | ratio | target | met |',
    '|---|---|---:|---|---:|---:|---|:---:|'
  ]
  const notes: string[] = []
  entries.forEach((e, i) => {
    const n = i + 1
    if (isSkipped(e)) {
      lines.push(`| ${n} | ${cell(e.name)} | – | – | – | – | – | skipped |`)
      notes.push(`${n}. skipped: ${e.skipped}`)
      return
    }
    const met = e.met === null ? 'reported' : e.met ? 'yes' : '**NO**'
    lines.push(
      `| ${n} | ${cell(e.name)} | ${number(e.value)} ${cell(e.unit)} | ${cell(e.baseline)} | ${number(e.baselineValue)} ${cell(e.unit)} | ${e.ratio} | ${cell(e.target)} | ${met} |`
    )
    if (e.notes) notes.push(`${n}. ${e.notes}`)
  })
  if (notes.length) lines.push('', 'Notes:', '', ...notes)
  return lines.join('\n') + '\n'
}

/** Writes bench-results.json and bench-results.md into `dir`; returns their paths. */
export function writeResults(entries: BenchEntry[], dir: string): { json: string; markdown: string } {
  const json = path.join(dir, 'bench-results.json')
  const markdown = path.join(dir, 'bench-results.md')
  fs.writeFileSync(json, JSON.stringify(entries, null, 2) + '\n')
  fs.writeFileSync(markdown, toMarkdown(entries))
  return { json, markdown }
}

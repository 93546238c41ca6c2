// `npm run bench`: runs every benchmark in one go, writes bench-results.json and bench-results.md
// (a Markdown table with the baselines side by side, see report.ts) and prints the table.
import { join } from 'node:path'
import { isSkipped, writeResults, type BenchEntry } from './report'
import { snapshotBench } from './snapshot.bench'
import { heapBench } from './heap.bench'
import { watchBench } from './watch.bench'
import { heapBaselineBench } from './heap-baseline.bench'
import { leaksBench } from './leaks.bench'
import { watchBaselineBench } from './watch-baseline.bench'
import { uiBench } from './ui.bench'
import { uploadBench } from './upload.bench'
import { symbolsBench } from './symbols.bench'
import { allocsBench } from './allocs.bench'

const benches: ((log: (s: string) => void) => Promise<BenchEntry[]>)[] = [snapshotBench, heapBench, heapBaselineBench, leaksBench, watchBench, watchBaselineBench, symbolsBench, allocsBench, uploadBench, uiBench]

async function main(): Promise<void> {
  const results: BenchEntry[] = []
  for (const bench of benches) results.push(...(await bench((s) => console.log(`  ${s}`))))
  const written = writeResults(results, join(__dirname, '..'))
  console.table(
    results.map((r) =>
      isSkipped(r)
        ? { benchmark: r.name, value: '-', baseline: '-', ratio: '-', target: '-', met: `skipped: ${r.skipped}` }
        : {
            benchmark: r.name,
            value: `${r.value} ${r.unit}`,
            baseline: `${r.baselineValue} ${r.unit} (${r.baseline})`,
            ratio: r.ratio,
            target: r.target,
            met: r.met === null ? '-' : r.met ? 'yes' : 'NO'
          }
    )
  )
  console.log(`wrote ${written.json} and ${written.markdown}`)
}

main().catch((err) => {
  console.error(`bench failed: ${(err as Error).message}`)
  process.exitCode = 1
})

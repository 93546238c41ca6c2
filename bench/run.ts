// `npm run bench`: runs every benchmark in one go, writes bench-results.json and prints a table.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BenchResult } from './result'
import { snapshotBench } from './snapshot.bench'
import { heapBench } from './heap.bench'
import { watchBench } from './watch.bench'

const benches: ((log: (s: string) => void) => Promise<BenchResult[]>)[] = [snapshotBench, heapBench, watchBench]

async function main(): Promise<void> {
  const results: BenchResult[] = []
  for (const bench of benches) results.push(...(await bench((s) => console.log(`  ${s}`))))
  writeFileSync(join(__dirname, '..', 'bench-results.json'), JSON.stringify(results, null, 2) + '\n')
  console.table(
    results.map((r) => ({
      benchmark: r.name,
      value: `${r.value} ${r.unit}`,
      baseline: `${r.baselineValue} ${r.unit} (${r.baseline})`,
      ratio: r.ratio,
      target: r.target,
      met: r.met === null ? '-' : r.met ? 'yes' : 'NO'
    }))
  )
}

main().catch((err) => {
  console.error(`bench failed: ${(err as Error).message}`)
  process.exitCode = 1
})

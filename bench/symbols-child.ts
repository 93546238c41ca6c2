// One measurement of the symbols benchmark in a fresh node process, so that "cold" is cold: the addon's
// symbol caches are process-wide. Run by bench/symbols.bench.ts as
//   node --import tsx bench/symbols-child.ts first|batch PID ADDRESSES_FILE [ANSWERS_FILE WARM_RUNS]
// (ADDRESSES_FILE: little-endian u64s). Prints one JSON line: {loadMs, firstMs} for "first" (the first
// address alone), {loadMs, coldMs, warmMs[]} for "batch" (the whole batch, then WARM_RUNS times again),
// and writes the cold batch's answers to ANSWERS_FILE. Loading the addon is timed apart (loadMs): a host
// loads it once at start, before any symbol is asked for.
import fs from 'node:fs'
import { loadAddon, type NativeSymbolBatch } from '../native/index'

/** The columns the benchmark compares, as plain arrays (JSON). */
export interface Answers {
  strings: string[]
  module: number[]
  function: number[]
  file: number[]
  line: number[]
  exact: number[]
  inlineStart: number[]
  inlineFunction: number[]
  inlineFile: number[]
  inlineLine: number[]
}

function answers(batch: NativeSymbolBatch): Answers {
  return {
    strings: batch.strings,
    module: Array.from(batch.module),
    function: Array.from(batch.function),
    file: Array.from(batch.file),
    line: Array.from(batch.line),
    exact: Array.from(batch.exact),
    inlineStart: Array.from(batch.inlineStart),
    inlineFunction: Array.from(batch.inlineFunction),
    inlineFile: Array.from(batch.inlineFile),
    inlineLine: Array.from(batch.inlineLine)
  }
}

async function main(): Promise<void> {
  const [mode, pidText, addressesFile, answersFile, warmRunsText] = process.argv.slice(2)
  const pid = Number(pidText)
  if ((mode !== 'first' && mode !== 'batch') || !Number.isInteger(pid) || !addressesFile) {
    throw new Error('usage: symbols-child.ts first|batch PID ADDRESSES_FILE [ANSWERS_FILE WARM_RUNS]')
  }
  const bytes = fs.readFileSync(addressesFile)
  const addresses = new BigUint64Array(bytes.length / 8)
  new Uint8Array(addresses.buffer).set(bytes)

  const t0 = performance.now()
  const addon = loadAddon()
  const loadMs = performance.now() - t0
  if (mode === 'first') {
    const t1 = performance.now()
    await addon.symbolize(pid, addresses.subarray(0, 1))
    console.log(JSON.stringify({ loadMs, firstMs: performance.now() - t1 }))
    return
  }
  const t1 = performance.now()
  const cold = await addon.symbolize(pid, addresses)
  const coldMs = performance.now() - t1
  const warmMs: number[] = []
  for (let i = 0; i < Number(warmRunsText ?? 5); i++) {
    const t = performance.now()
    await addon.symbolize(pid, addresses)
    warmMs.push(performance.now() - t)
  }
  if (answersFile) fs.writeFileSync(answersFile, JSON.stringify(answers(cold)))
  console.log(JSON.stringify({ loadMs, coldMs, warmMs }))
}

main().catch((error: unknown) => {
  console.error(`symbols-child: ${(error as Error).message}`)
  process.exitCode = 1
})

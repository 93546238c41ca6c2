import { describe, expect, it } from 'vitest'
import { REGION_CODES } from '../../src-common/contract/types'
import { FaultLog } from './faultLog'
import { jsonChunks } from './jsonStream'

const NAMES = ['[kernel]', '[unknown]', 'app', 'libc.so.6']

/** A native-like batch of n faults numbered from `first`: pc in the kernel half for odd ones. */
function batch(first: number, n: number) {
  const t = new Float64Array(n)
  const pc = new BigUint64Array(n)
  const va = new BigUint64Array(n)
  const tid = new Uint32Array(n)
  for (let i = 0; i < n; i++) {
    const k = first + i
    t[i] = k / 7
    pc[i] = k % 2 ? 0xffffffff81000000n + BigInt(k) : 0x55550000n + BigInt(k)
    va[i] = 0x7f0000000000n + BigInt(k) * 4096n
    tid[i] = 100 + (k % 3)
  }
  const module = Int32Array.from({ length: n }, (_, i) => (first + i) % NAMES.length)
  const region = Uint8Array.from({ length: n }, (_, i) => (first + i) % REGION_CODES.length)
  return { t, pc, va, tid, module, region }
}

const expected = (k: number) => ({
  pc: '0x' + (k % 2 ? 0xffffffff81000000n + BigInt(k) : 0x55550000n + BigInt(k)).toString(16),
  va: '0x' + (0x7f0000000000n + BigInt(k) * 4096n).toString(16),
  tid: 100 + (k % 3),
  t: Math.round((k / 7) * 1000) / 1000,
  module: NAMES[k % NAMES.length],
  region: REGION_CODES[k % REGION_CODES.length]
})

describe('FaultLog', () => {
  it('keeps the first max records across batches and chunks, counts the rest, and writes them exactly', () => {
    const log = new FaultLog(150_000, NAMES)
    log.push(batch(0, 70_000))
    log.push(batch(70_000, 70_000)) // crosses the 65,536-record chunk boundary
    log.push(batch(140_000, 30_000)) // only 10,000 fit
    expect(log.size).toBe(150_000)
    expect(log.omitted).toBe(20_000)
    for (const k of [0, 1, 65_535, 65_536, 65_537, 139_999, 149_999]) expect(log.entry(k)).toEqual(expected(k))
  })

  it('streams into JSON exactly what the array would be', () => {
    const log = new FaultLog(5, NAMES)
    log.push(batch(0, 3))
    log.push(batch(3, 4))
    expect(log.omitted).toBe(2)
    const doc = { pid: 1, faults: log.streamed(), lost: 0 }
    const written = [...jsonChunks(doc)].join('')
    expect(JSON.parse(written)).toEqual({ pid: 1, faults: [0, 1, 2, 3, 4].map(expected), lost: 0 })
    expect(JSON.parse(JSON.stringify(doc))).toEqual(JSON.parse(written))
    expect(log.toArray()).toEqual([0, 1, 2, 3, 4].map(expected))
  })
})

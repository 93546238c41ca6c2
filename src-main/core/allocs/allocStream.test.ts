import { describe, expect, it } from 'vitest'
import { topK } from './allocStream'

describe('topK', () => {
  it('gives the first k in order, as a full sort would, over many more than 4k', () => {
    const values = Array.from({ length: 10_007 }, (_, i) => (i * 7_919) % 10_007)
    const before = (a: number, b: number) => values[b] - values[a] || a - b
    const all = Array.from(values.keys()).filter((i) => i % 3 !== 0).sort(before)
    expect(topK(values.length, 50, (i) => i % 3 !== 0, before)).toEqual(all.slice(0, 50))
    expect(topK(3, 50, () => true, before)).toEqual([0, 1, 2].sort(before))
  })
})

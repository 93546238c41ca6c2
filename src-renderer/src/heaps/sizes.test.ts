import { describe, expect, it } from 'vitest'
import { parseSize, sizeLabel } from './sizes'

describe('sizes', () => {
  it('reads sizes as typed in the filters', () => {
    expect(parseSize('')).toBeUndefined()
    expect(parseSize(' 24 ')).toBe(24)
    expect(parseSize('4k')).toBe(4096)
    expect(parseSize('1.5 MiB')).toBe(1572864)
    expect(parseSize('64KB')).toBe(65536)
    expect(parseSize('lots')).toBeNaN()
    expect(parseSize('-1')).toBeNaN()
    expect(parseSize('12 parsecs')).toBeNaN()
  })

  it('labels size classes briefly', () => {
    expect([16, 512, 4096, 131072, 2097152, 1000].map(sizeLabel)).toEqual(['16', '512', '4K', '128K', '2M', '1000'])
  })
})

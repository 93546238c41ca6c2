import { describe, expect, it } from 'vitest'
import { PassThrough } from 'node:stream'
import { jsonChunks, writeJson } from './jsonStream'

describe('jsonChunks', () => {
  it('produces JSON equal to the value, one array element per line', () => {
    const value = { a: 1, s: 'x"y', list: [{ p: 1 }, { p: 2 }], empty: [], none: {}, nested: { n: null, b: true }, skip: undefined }
    const text = [...jsonChunks(value)].join('')
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)))
    expect(text).toContain('\n    {"p":1},\n    {"p":2}\n')
  })

  it('streams a document larger than one chunk through backpressure', async () => {
    const out = new PassThrough({ highWaterMark: 1024 })
    let text = ''
    out.on('data', (d) => (text += d))
    const blocks = Array.from({ length: 50_000 }, (_, i) => ({ address: '0x' + i.toString(16), blockSize: i }))
    await writeJson(out, { blocks })
    expect(JSON.parse(text).blocks).toHaveLength(50_000)
  })
})

import { describe, expect, it } from 'vitest'
import { compare } from '../../../src-common/model/diff/diff'
import { makeFile } from '../files/snapshotFile'
import { HOST, heapWalksDoc, namedWatchDoc, proc, sample, snapshotDoc, symbolsDoc, timelineDoc, watchDoc } from '../../../test-support/testDocs'
import { diffReport, fileReport } from './build'
import { tableCsv } from './csv'
import { exportReport, reportJson } from './export'
import { renderHtml } from './html'
import { allTables } from '../../../src-common/model/report/model'
import { niceTicks } from '../../../src-common/model/report/svgChart'
import { renderText } from './text'

const hostile = proc(66, { exeFile: '<script>alert("x")</script>', cmdline: ['=HYPERLINK("http://evil")', 'a,b "c"'] })
const leak = [0, 1, 2, 3, 4].map((i) => sample(i * 15_000, { counts: [10, 10, 10 + 400 * i], privateBytes: (4 << 20) + i * (2 << 20) }))
const file = makeFile([snapshotDoc([proc(7), hostile]), heapWalksDoc(7, [4, 5, 6]), timelineDoc(leak), watchDoc()], HOST)

describe('reports', () => {
  it('writes one self-contained HTML page: a section per item, charts as inline SVG, everything escaped', () => {
    const html = renderHtml(fileReport(file, 'leak.snapscope'))
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`)
    expect(html).not.toMatch(/<script|src=|href="http/i)
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;')
    expect(html.match(/<section /g)).toHaveLength(4)
    const charts = html.match(/<svg class="chart"/g) ?? []
    expect(charts.length).toBeGreaterThanOrEqual(8)
    expect(html).toContain('▲ grows steadily')
    expect(html).toMatch(/Grows steadily: Blocks of 65–128 B: 10 → 1,610/)
  })

  it('writes CSV per table with raw numbers, quoted fields and defused formulas', async () => {
    const model = fileReport(file, 'leak.snapscope')
    const files = await exportReport(model, 'csv', { baseName: 'leak' })
    expect(files.map((f) => f.name)).toEqual(allTables(model).map((t) => `leak-${t.id}.csv`))
    const processes = files.find((f) => f.name === 'leak-item0-processes.csv')!.data as string
    expect(processes.split('\r\n')[0]).toBe('PID,Parent,Executable,User,Threads,Working set (bytes),Started,Command line')
    expect(processes).toContain(`"'=HYPERLINK(""http://evil"") a,b ""c"""`)
    expect(processes).toContain(',10485760,')
    const mixed = tableCsv(allTables(diffReport(compare({ file, name: 'a' }, { file, name: 'b' }), [file, file])).find((t) => t.id === 'diff-target')!)
    expect(mixed.split('\r\n')[0]).toBe('Metric,Unit,A,B,Change,% (%)')
    await expect(exportReport(model, 'csv', { baseName: 'x', table: 'nope' })).rejects.toThrow(/no table "nope"/)
  })

  it('writes JSON of the same report and a text summary for the terminal', () => {
    const t = makeFile([timelineDoc(leak)], HOST)
    const model = diffReport(compare({ file: t, name: 'a.snapscope' }, { file: t, name: 'b.snapscope' }), [t, t])
    const json = JSON.parse(reportJson(model))
    expect(json.format).toBe('snapscope.report/1')
    expect(json.sections[0].tables[0].rows[0]).toMatchObject({ subject: 'Blocks of 65–128 B', a: 10, b: 1610, unit: 'count' })
    const text = renderText(model)
    expect(text).toMatch(/^Snapscope compare\n/)
    expect(text).toContain('! Grows steadily: Blocks of 65–128 B: 10 → 1,610')
  })

  it('names the code that faulted most in every format, and shows older watches by module+offset', async () => {
    const named = makeFile([namedWatchDoc(), watchDoc(), symbolsDoc()], HOST)
    const model = fileReport(named, 'named.snapscope')
    const html = renderHtml(model)
    expect(html).toContain('leak::Pool::grow+0x2a')
    expect(html).toContain('pool.cc:123')
    const csv = await exportReport(model, 'csv', { baseName: 'n' })
    const top = (csv.find((f) => f.name === 'n-item0-top-pcs.csv')!.data as string).split('\r\n')
    expect(top[0]).toBe('Code,Source,Module,PC,Faults')
    expect(top[1]).toBe('leak::Pool::grow+0x2a,pool.cc:123,leaky,0x401000,1')
    // a watch written before names: the module+offset it has
    expect((csv.find((f) => f.name === 'n-item1-top-pcs.csv')!.data as string).split('\r\n')[1]).toBe('leaky+0x1000,,,0x401000,1')
    const symbols = (csv.find((f) => f.name === 'n-item2-symbols.csv')!.data as string).split('\r\n')
    expect(symbols.slice(1, 3)).toEqual(['0x401000,leak::Pool::grow+0x2a,pool.cc:123,leaky,debuginfo,true', '0x401004,leaky+0x1004,,leaky,,false'])
    const json = JSON.parse(reportJson(model))
    expect(json.sections[0].tables.find((t: { id: string }) => t.id === 'item0-top-pcs').rows[0]).toEqual({ code: 'leak::Pool::grow+0x2a', source: 'pool.cc:123', module: 'leaky', pc: '0x401000', count: 1 })
    expect(renderText(model)).toContain('leak::Pool::grow+0x2a')
  })

  it('puts chart ticks on round numbers: binary units for bytes, whole numbers for counts', () => {
    expect(niceTicks(0, 10 << 20, 'bytes')).toEqual([0, 2, 4, 6, 8, 10].map((m) => m << 20))
    expect(niceTicks(3, 3, 'count')).toEqual([2, 3, 4])
    expect(niceTicks(0, 7, 'count')).toEqual([0, 2, 4, 6, 8])
  })
})

// Names from the inspected machine in reports: formulas in CSV (read back by Python's csv module, as a
// spreadsheet splitting on ",", ";" or tab would) and bidi controls in HTML.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { makeFile } from '../files/snapshotFile'
import { HOST, proc, snapshotDoc } from '../../../test-support/testDocs'
import { fileReport } from './build'
import { tableCsv } from './csv'
import { exportReport } from './export'
import { renderHtml } from './html'
import { columns } from '../../../src-common/model/report/model'
import { renderText } from './text'

/** The CSV's fields, parsed by Python's csv module with the given delimiter. */
function parseCsv(csv: string, delimiter: string): string[][] {
  const script = 'import csv, io, json, sys\nprint(json.dumps(list(csv.reader(io.StringIO(sys.stdin.read(), newline=""), delimiter=sys.argv[1]))))'
  const r = spawnSync('python3', ['-c', script, delimiter], { input: csv, encoding: 'utf8' })
  expect(r.status, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as string[][]
}

// [what a process is called, what the CSV cell reads back as]
const FORMULAS: [string, string][] = [
  ['=HYPERLINK("http://evil","x")', `'=HYPERLINK("http://evil","x")`],
  ['@SUM(1)', "'@SUM(1)"],
  ['+1', "'+1"],
  ['-1+1', "'-1+1"],
  ['-5', "'-5"],
  ['\t=1', "'\t'=1"],
  ['\r=1', "'\r=1"],
  ['a;=1', "a;'=1"],
  ['b,@x', "b,'@x"],
  ['c\t+1', "c\t'+1"],
  ['d;"=1', `d;"'=1`]
]
const isNumber = (s: string) => /^-?\d+(\.\d+)?$/.test(s)

describe('untrusted names in reports', () => {
  it('defuses formulas in CSV text cells, also after a separator, and keeps numbers numbers', () => {
    const table = {
      id: 't',
      title: 't',
      columns: columns(['name', 'Name', 'text'], ['delta', 'Change', 'signedCount']),
      rows: [...FORMULAS.map(([name]) => ({ name, delta: -5 })), { name: 'plain', delta: 7 }]
    }
    const csv = tableCsv(table)
    const rows = parseCsv(csv, ',')
    expect(rows.slice(1).map((r) => r[0])).toEqual([...FORMULAS.map(([, cell]) => cell), 'plain'])
    expect(rows.slice(1).map((r) => r[1])).toEqual([...FORMULAS.map(() => '-5'), '7'])
    // A spreadsheet splitting on another separator finds no formula either: only the real numbers start with "-".
    for (const delimiter of [',', ';', '\t'])
      for (const field of parseCsv(csv, delimiter).flat()) if (/^[=+\-@\t\r]/.test(field)) expect(isNumber(field), `${JSON.stringify(delimiter)}: ${JSON.stringify(field)}`).toBe(true)
  })

  it('defuses formulas in process names and command lines in the exported CSV', async () => {
    const procs = FORMULAS.map(([name], i) => proc(100 + i, { exeFile: name, cmdline: [name, '--x'] }))
    const files = await exportReport(fileReport(makeFile([snapshotDoc(procs)], HOST), 'f'), 'csv', { baseName: 'f' })
    const rows = parseCsv(files.find((f) => f.name === 'f-item0-processes.csv')!.data as string, ',')
    const [exe, cmd] = ['Executable', 'Command line'].map((label) => rows[0].indexOf(label))
    const byPid = new Map(rows.slice(1).map((r) => [Number(r[0]), r]))
    FORMULAS.forEach(([, cell], i) => {
      expect(byPid.get(100 + i)![exe]).toBe(cell)
      expect(byPid.get(100 + i)![cmd]).toBe(`${cell} --x`)
    })
  })

  it('shows bidi controls in names as escapes and isolates names in the HTML report', () => {
    const evil = 'photo\u202Egpj.exe'
    const snap = snapshotDoc([proc(7, { exeFile: evil, cmdline: ['/x/\u2066run\u2069', '--name=\u200Fa'] })], {
      host: { ...HOST, hostname: 'host\u202Dx' },
      modules: [{ pid: 7, moduleName: 'lib\u202Bz.so', exePath: '/lib/lib\u202Bz.so', baseAddress: '0x1000', baseSize: 4096, deleted: false }]
    })
    const model = fileReport(makeFile([snap], HOST), 'evil\u202E.snapscope')
    const html = renderHtml(model)
    expect(html).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200E\u200F]/)
    expect(html).toContain('photo\\u202Egpj.exe')
    // each name in a cell and in the header sits in an isolate of its own
    expect(html).toContain('<td><bdi>photo\\u202Egpj.exe</bdi></td>')
    expect(html).toContain('<td><bdi>lib\\u202Bz.so</bdi></td>')
    expect(html).toContain('<dd><bdi>evil\\u202E.snapscope</bdi></dd>')
    expect(html).toContain('<h2><bdi>Snapshot of photo\\u202Egpj.exe (pid 7)</bdi></h2>')
    expect(html).toMatch(/<p class="sub"><bdi>host\\u202Dx · /)
    expect(html).toContain('<td class="mono"><bdi>/x/\\u2066run\\u2069 --name=\\u200Fa</bdi></td>')
    // the chart's labels too
    expect(html).toMatch(/<text [^>]*>photo\\u202Egpj\.exe \(7\)<\/text>/)
    // and the text for the terminal
    const text = renderText(model)
    expect(text).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200E\u200F]/)
    expect(text).toContain('Snapshot of photo\\u202Egpj.exe (pid 7)')
  })
})

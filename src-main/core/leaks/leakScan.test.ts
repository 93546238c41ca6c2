// The leaks document of a real scan in the places formats are listed: a file item that loads,
// redacts and makes a report section; and the hex preview of a block read from the target.
import { describe, expect, it } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadAddon } from '../../../native/index'
import { startFixture } from '../../../native/test/fixtures'
import { HOST } from '../../../test-support/testDocs'
import { makeFile } from '../files/snapshotFile'
import { redactFile } from '../files/redact'
import { fileSchema } from '../files/schema'
import { fileReport } from '../report/build'
import { renderText } from '../report/text'
import { blockReferrers, hexPreview, scanLeaks } from './leakScan'

describe('leak scan documents', () => {
  it('are file items that load, redact and report; a lost string previews as its text', async () => {
    const addon = loadAddon()
    const fixture = await startFixture<{ pid: number }>('leak_fixture', ['--truth', join(mkdtempSync(join(tmpdir(), 'snapscope-leaks-')), 'truth.txt')])
    try {
      const doc = await scanLeaks(addon, { pid: fixture.info.pid }).result
      const file = fileSchema(redactFile(makeFile([doc], HOST)), '')
      expect(file.items[0]).toMatchObject({ format: 'snapscope.leaks/1', pid: fixture.info.pid, summary: doc.summary })
      const text = renderText(fileReport(file, 'leaks.snapscope'))
      expect(text).toContain(`Leak scan of pid ${fixture.info.pid}`)
      expect(text).toMatch(/definitely-lost\s+Widget/)

      const strings = doc.groups.find((g) => g.type === 'string')!
      expect(await blockReferrers(addon, fixture.info.pid, [strings.examples[0]])).toEqual([]) // lost: nothing points at it
      // the reachable Widget is held by a global (g_widget), at its start
      const full = await scanLeaks(addon, { pid: fixture.info.pid, blocks: true }).result
      const kept = full.blocks!.find((b) => b.type === 'Widget' && b.kind === 'reachable')!
      expect(await blockReferrers(addon, fixture.info.pid, ['0x1', kept.address])).toEqual([
        { target: kept.address, from: expect.stringMatching(/^0x[0-9a-f]+$/), fromBlock: null, source: 'static', interior: false }
      ])
      const address = Number(strings.examples[0])
      const preview = hexPreview(address, await addon.readMemory(fixture.info.pid, address, 21))
      expect(preview.split('\n')).toEqual([
        `${strings.examples[0]}  61 20 6c 6f 73 74 20 73 74 72 69 6e 67 20 6f 66  a lost string of`,
        `0x${(address + 16).toString(16)}  20 74 65 78 74${' '.repeat(33)}   text`
      ])
    } finally {
      await fixture.stop()
    }
  })
})

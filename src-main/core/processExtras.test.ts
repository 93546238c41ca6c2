// The details pane's extras come from the addon (native/test/processMemory.test.ts checks its figures
// against psutil and /proc); here: what the process.details answer holds, and its errors.
import { describe, expect, it } from 'vitest'
import { loadAddon } from '../../native/index'
import { processExtras } from './processExtras'

const addon = loadAddon()

describe('processExtras', () => {
  it("gives this process its private, peak and virtual bytes, and nothing the contract doesn't name", async () => {
    const mine = await processExtras(addon, process.pid)
    expect(Object.keys(mine).sort()).toEqual(['peakWorkingSetBytes', 'pid', 'privateBytes', 'virtualBytes'])
    expect(mine.pid).toBe(process.pid)
    expect(mine.privateBytes).toBeGreaterThan(1 << 20)
    expect(mine.peakWorkingSetBytes!).toBeGreaterThanOrEqual(mine.privateBytes!)
    expect(mine.virtualBytes!).toBeGreaterThan(mine.peakWorkingSetBytes!)
  })

  it('leaves the figures out for a process without user memory (the kernel thread kthreadd)', async () => {
    expect(await processExtras(addon, 2)).toEqual({ pid: 2 })
  })

  it('rejects with ESRCH for a process that is gone', async () => {
    await expect(processExtras(addon, 4_194_304 + 17)).rejects.toMatchObject({ code: 'ESRCH', pid: 4_194_304 + 17 })
  })
})

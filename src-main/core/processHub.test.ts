// Two windows on one host share one process list, on the real /proc.
import { describe, expect, it } from 'vitest'
import { loadAddon, type NativeAddon } from '../../native/index'
import type { ProcessDelta } from '../../src-common/contract/types'
import { ProcessHub, type ProcessSubscriber } from './processHub'

/** The real addon, counting its process snapshots. */
function countingAddon(): { addon: NativeAddon; snapshots: () => number } {
  const real = loadAddon()
  let n = 0
  // The addon's methods are read-only: a copy of it (methods bound to it) with snapshot counted.
  const addon = Object.fromEntries(
    Object.keys(real).map((key) => {
      const value = (real as unknown as Record<string, unknown>)[key]
      return [key, typeof value === 'function' ? value.bind(real) : value]
    })
  ) as unknown as NativeAddon
  addon.snapshot = (request) => {
    if (request.processes) n++
    return real.snapshot(request)
  }
  return { addon, snapshots: () => n }
}

function window(): ProcessSubscriber & { deltas: ProcessDelta[]; errors: unknown[] } {
  const deltas: ProcessDelta[] = []
  const errors: unknown[] = []
  return { deltas, errors, delta: (d) => deltas.push(d), error: (e) => errors.push(e) }
}

const until = async (check: () => boolean, ms = 10_000) => {
  for (const end = Date.now() + ms; !check() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20))
  expect(check()).toBe(true)
}

describe('ProcessHub', () => {
  it('polls once for every window, gives a late window the list at once, and stops with the last one', async () => {
    const { addon, snapshots } = countingAddon()
    const hub = new ProcessHub(addon)
    const a = window()
    hub.subscribe(a, 200)
    await until(() => a.deltas.length >= 2 || a.errors.length > 0)
    expect(a.errors).toEqual([])
    expect(a.deltas[0].reset).toBe(true)
    expect(a.deltas[1].reset).toBe(false)

    // The late window: the current list at once, as a reset, with this process in it.
    const b = window()
    hub.subscribe(b, 1000)
    expect(b.deltas).toHaveLength(1)
    expect(b.deltas[0].reset).toBe(true)
    expect(b.deltas[0].added.some((p) => p.pid === process.pid)).toBe(true)
    expect(b.deltas[0].threadsAdded.some((t) => t.ownerPid === process.pid)).toBe(true)

    // From now on both get the same deltas, from one snapshot each: a's 200 ms is the pace.
    const [aSeen, bSeen, taken] = [a.deltas.length, b.deltas.length, snapshots()]
    await until(() => b.deltas.length >= bSeen + 3)
    expect(a.deltas.slice(aSeen).map((d) => d.seq)).toEqual(b.deltas.slice(bSeen).map((d) => d.seq))
    expect(snapshots() - taken).toBe(b.deltas.length - bSeen)

    hub.unsubscribe(a)
    hub.unsubscribe(b)
    expect(hub.watching).toBe(0)
    const stoppedAt = snapshots()
    await new Promise((r) => setTimeout(r, 600))
    expect(snapshots()).toBe(stoppedAt)
    expect([...a.errors, ...b.errors]).toEqual([])

    // A window after everyone left starts from a fresh list.
    const c = window()
    hub.subscribe(c, 200)
    await until(() => c.deltas.length >= 1)
    expect(c.deltas[0].reset).toBe(true)
    expect(c.deltas[0].seq).toBeGreaterThan(b.deltas.at(-1)!.seq)
    hub.unsubscribe(c)
  })
})

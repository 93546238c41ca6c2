// The channels of the inspector views (process details, retained heap walks, watch queries):
// what they accept, and what they refuse before anything reaches the core.
import { describe, expect, it } from 'vitest'
import { ContractError, parseRequest } from './contract'

const ok = (channel: string, payload: unknown) => parseRequest({ id: 1, channel, payload }).payload
const bad = (channel: string, payload: unknown, message: RegExp): void => {
  expect(() => parseRequest({ id: 1, channel, payload })).toThrow(ContractError)
  expect(() => parseRequest({ id: 1, channel, payload })).toThrow(message)
}

describe('inspector view channels', () => {
  it('accept well-formed requests', () => {
    expect(ok('process.details', { pid: 42 })).toEqual({ pid: 42 })
    expect(ok('memory.map', { pid: 42 })).toEqual({ pid: 42 })
    expect(ok('heap.open', { viewId: 3, pid: 42, heapId: '0x7f00', stopTarget: true })).toEqual({ viewId: 3, pid: 42, heapId: '0x7f00', stopTarget: true })
    expect(ok('heap.blocks', { viewId: 3, offset: 0, limit: 1000, minSize: 16, maxSize: 64, flags: ['free', 'fixed'] })).toMatchObject({ flags: ['free', 'fixed'] })
    expect(ok('heap.find', { viewId: 3, address: '0x7F00aa' })).toEqual({ viewId: 3, address: '0x7F00aa' })
    expect(ok('heap.close', { viewId: 3 })).toEqual({ viewId: 3 })
    expect(ok('watch.query', { watchId: 1, fromMs: 0, toMs: 5000, module: 'libc.so.6', offset: 10, limit: 500 })).toMatchObject({ module: 'libc.so.6' })
    expect(ok('watch.query', { watchId: 1 })).toEqual({ watchId: 1 })
  })

  it('refuse what the core must never see, naming the field', () => {
    bad('process.details', { pid: -4 }, /payload.pid: -4 is out of range/)
    bad('memory.map', { pid: 1.5 }, /payload.pid/)
    bad('heap.open', { viewId: 3, pid: 42 }, /payload.heapId: expected a string/)
    bad('heap.blocks', { viewId: 3, offset: 0, limit: 100_001 }, /payload.limit: 100001 is out of range/)
    bad('heap.blocks', { viewId: 3, offset: 0, limit: 10, flags: ['busy'] }, /payload.flags\[0\]: expected one of fixed, free, moveable/)
    bad('heap.blocks', { viewId: 3, offset: 0, limit: 10, flags: Array(4).fill('free') }, /more than 3 items/)
    bad('heap.blocks', { viewId: 3, offset: 0, limit: 10, sort: 'size' }, /payload.sort: unknown field/)
    bad('heap.find', { viewId: 3, address: '1234' }, /payload.address: expected an address/)
    bad('heap.find', { viewId: 3, address: '0x' + 'f'.repeat(17) }, /payload.address: longer than 18|expected an address/)
    bad('watch.query', { watchId: 1, fromMs: 1.5 }, /payload.fromMs: expected an integer/)
    bad('watch.query', { watchId: 1, limit: 10_001 }, /payload.limit: 10001 is out of range/)
    bad('watch.query', { watchId: 1, module: 'x'.repeat(4097) }, /payload.module: longer than 4096/)
  })
})

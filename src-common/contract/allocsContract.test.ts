// The allocation-trace channels: what they accept, and what they refuse before anything reaches the core.
import { describe, expect, it } from 'vitest'
import { CHANNEL_EVENTS, ContractError, SUBSCRIPTION_CHANNELS, parseRequest } from './contract'

const ok = (channel: string, payload: unknown) => parseRequest({ id: 1, channel, payload }).payload
const bad = (channel: string, payload: unknown, message: RegExp): void => {
  expect(() => parseRequest({ id: 1, channel, payload })).toThrow(ContractError)
  expect(() => parseRequest({ id: 1, channel, payload })).toThrow(message)
}

describe('allocation trace channels', () => {
  it('accept a start, a stop and a pprof export, and stream updates to the start', () => {
    expect(ok('allocs.start', { pid: 42 })).toEqual({ pid: 42 })
    expect(ok('allocs.stop', { traceId: 3 })).toEqual({ traceId: 3 })
    expect(ok('allocs.pprof', { fileId: 2, item: 0 })).toEqual({ fileId: 2, item: 0 })
    expect(CHANNEL_EVENTS['allocs.start']).toEqual(['allocs.update', 'allocs.ended'])
    expect(SUBSCRIPTION_CHANNELS).toContain('allocs.start')
  })

  it('refuse pid 0, unknown fields and bad ids, naming the field', () => {
    bad('allocs.start', { pid: 0 }, /payload.pid: 0 is out of range/)
    bad('allocs.start', { pid: 42, seconds: 5 }, /payload.seconds: unknown field/)
    bad('allocs.stop', { traceId: -1 }, /payload.traceId: -1 is out of range/)
    bad('allocs.pprof', { fileId: 0 }, /payload.fileId: 0 is out of range/)
    bad('allocs.pprof', { fileId: 1, item: 1000 }, /payload.item: 1000 is out of range/)
  })
})

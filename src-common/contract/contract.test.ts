import { describe, expect, it } from 'vitest'
import { ContractError, MAX_MESSAGE_BYTES, parseRequest } from './contract'
import { decodeFrame } from '../../src-main/web/frames'

const bad = (raw: unknown, message: RegExp): void => {
  expect(() => parseRequest(raw)).toThrow(ContractError)
  expect(() => parseRequest(raw)).toThrow(message)
}

describe('parseRequest', () => {
  it('accepts every channel with a valid payload', () => {
    expect(parseRequest({ id: 1, channel: 'app.hello', payload: {} }).channel).toBe('app.hello')
    expect(parseRequest({ id: 2, channel: 'snapshot.take', payload: { include: ['process'], pid: 12 } }).payload).toEqual({
      include: ['process'],
      pid: 12
    })
    expect(parseRequest({ id: 3, channel: 'snapshot.take', payload: { pid: null } }).payload).toEqual({ pid: null })
    expect(parseRequest({ id: 4, channel: 'processes.watch', payload: { intervalMs: 500 } }).payload).toEqual({ intervalMs: 500 })
    expect(parseRequest({ id: 5, channel: 'processes.unwatch' }).payload).toEqual({})
    expect(parseRequest({ id: 6, channel: 'heap.walk', payload: { walkId: 1, pid: 9, heapId: '0x7f00', limit: 100, stopTarget: true } }).payload).toEqual({
      walkId: 1,
      pid: 9,
      heapId: '0x7f00',
      limit: 100,
      stopTarget: true
    })
    expect(parseRequest({ id: 7, channel: 'watch.start', payload: { pid: 9, mechanism: 'pagemap-diff' } }).payload).toEqual({ pid: 9, mechanism: 'pagemap-diff' })
    expect(parseRequest({ id: 8, channel: 'watch.stop', payload: { watchId: 3 } }).payload).toEqual({ watchId: 3 })
  })

  it('refuses malformed envelopes and payloads with a message naming the field', () => {
    bad(null, /expected an object/)
    bad([], /expected an object, got array/)
    bad({ id: 'x', channel: 'app.hello', payload: {} }, /id: expected an integer/)
    bad({ id: 1, channel: 'fs.read', payload: {} }, /unknown channel "fs.read"/)
    bad({ id: 1, channel: '__proto__', payload: {} }, /unknown channel/)
    bad({ id: 1, channel: 'app.hello', payload: {}, extra: 1 }, /extra: unknown field/)
    bad({ id: 1, channel: 'snapshot.take', payload: { pid: -1 } }, /payload.pid: -1 is out of range/)
    bad({ id: 1, channel: 'snapshot.take', payload: { pid: 1.5 } }, /payload.pid: expected an integer/)
    bad({ id: 1, channel: 'snapshot.take', payload: { include: ['process', 'registry'] } }, /payload.include\[1\]: expected one of/)
    bad({ id: 1, channel: 'snapshot.take', payload: { include: Array(9).fill('process') } }, /more than 4 items/)
    bad({ id: 1, channel: 'processes.watch', payload: { intervalMs: 1 } }, /out of range 100..60000/)
    bad({ id: 1, channel: 'processes.watch', payload: {} }, /intervalMs: expected an integer, got undefined/)
    bad({ id: 1, channel: 'processes.watch', payload: { intervalMs: 1000, ['__proto__']: 1 } }, /unknown field/)
    bad({ id: 1, channel: 'heap.walk', payload: { walkId: 1, pid: 9, limit: 10_000_000 } }, /payload.limit: 10000000 is out of range/)
    bad({ id: 1, channel: 'heap.walk', payload: { walkId: 1, pid: 9, stopTarget: 'yes' } }, /payload.stopTarget: expected a boolean/)
    bad({ id: 1, channel: 'heap.walk', payload: { walkId: 1, pid: 9, heapId: 'x'.repeat(65) } }, /longer than 64/)
    bad({ id: 1, channel: 'watch.start', payload: { pid: 9, mechanism: 'ptrace' } }, /expected one of auto/)
  })
})

describe('decodeFrame', () => {
  it('refuses oversized and non-JSON frames', () => {
    expect(() => decodeFrame('x'.repeat(MAX_MESSAGE_BYTES + 1))).toThrow(/larger than/)
    expect(() => decodeFrame('{nope')).toThrow(/not valid JSON/)
    expect(decodeFrame('{"id":1}')).toEqual({ id: 1 })
  })
})

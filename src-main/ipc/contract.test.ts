import { describe, expect, it } from 'vitest'
import { ContractError, decodeFrame, MAX_MESSAGE_BYTES, parseRequest } from './contract'

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
  })
})

describe('decodeFrame', () => {
  it('refuses oversized and non-JSON frames', () => {
    expect(() => decodeFrame('x'.repeat(MAX_MESSAGE_BYTES + 1))).toThrow(/larger than/)
    expect(() => decodeFrame('{nope')).toThrow(/not valid JSON/)
    expect(decodeFrame('{"id":1}')).toEqual({ id: 1 })
  })
})

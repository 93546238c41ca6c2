import { describe, expect, it } from 'vitest'
import { ContractError, MAX_MESSAGE_BYTES, MAX_UPLOAD_BYTES, UPLOAD_PIECE_BYTES, parseMessage, parseRequest } from './contract'
import { decodeBinary, decodeHostMessage, encodeBinary, encodeHostMessage } from './wire'
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
    expect(parseRequest({ id: 5, channel: 'file.upload', payload: { name: 'a.snapscope', size: 10 } }).payload).toEqual({ name: 'a.snapscope', size: 10 })
    expect(parseRequest({ id: 6, channel: 'heap.walk', payload: { pid: 9, heapId: '0x7f00', limit: 100, stopTarget: true } }).payload).toEqual({
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
    bad({ id: 1, channel: 'heap.walk', payload: { pid: 9, limit: 10_000_000 } }, /payload.limit: 10000000 is out of range/)
    bad({ id: 1, channel: 'heap.walk', payload: { pid: 9, stopTarget: 'yes' } }, /payload.stopTarget: expected a boolean/)
    bad({ id: 1, channel: 'heap.walk', payload: { pid: 9, heapId: 'x'.repeat(65) } }, /longer than 64/)
    bad({ id: 1, channel: 'watch.start', payload: { pid: 9, mechanism: 'ptrace' } }, /expected one of auto/)
  })
})

describe('parseMessage', () => {
  it('tells the four verbs apart: request, cancel, unsubscribe, and a piece of a request body', () => {
    expect(parseMessage({ id: 3, channel: 'app.hello', payload: {} })).toMatchObject({ kind: 'request', id: 3, channel: 'app.hello' })
    expect(parseMessage({ cancel: 3 })).toEqual({ kind: 'cancel', id: 3 })
    expect(parseMessage({ unsubscribe: 4 })).toEqual({ kind: 'unsubscribe', id: 4 })
    const bytes = new Uint8Array([1, 2, 3])
    expect(parseMessage({ piece: 5, index: 0, bytes })).toEqual({ kind: 'piece', id: 5, index: 0, bytes })
  })

  it('refuses a cancel without an id, a verb with extra fields, and pieces that are no bytes or too large', () => {
    expect(() => parseMessage({ cancel: 'x' })).toThrow(/cancel: expected an integer/)
    expect(() => parseMessage({ unsubscribe: 1, channel: 'app.hello' })).toThrow(/channel: unknown field/)
    expect(() => parseMessage({ piece: 1, index: 0, bytes: 'AAAA' })).toThrow(/bytes: expected bytes/)
    expect(() => parseMessage({ piece: 1, index: 0, bytes: new Uint8Array(UPLOAD_PIECE_BYTES + 1) })).toThrow(/a piece is at most/)
    expect(() => parseMessage({ piece: 1, index: MAX_UPLOAD_BYTES + 1, bytes: new Uint8Array(1) })).toThrow(/index: .* out of range/)
  })
})

describe('wire (browser mode framing)', () => {
  it('carries a piece as a binary frame with its request id and index', () => {
    const frame = encodeBinary(70_000, 3, new Uint8Array([9, 8, 7]))
    expect(frame.length).toBe(11)
    expect(decodeBinary(frame)).toEqual({ piece: 70_000, index: 3, bytes: new Uint8Array([9, 8, 7]) })
    expect(() => decodeBinary(new Uint8Array(7))).toThrow(/8-byte header/)
  })

  it('sends the bytes of an answer as binary frames before its JSON, and puts them back', () => {
    const bytes = new Uint8Array([1, 2, 3, 250])
    const { binary, text } = encodeHostMessage({ id: 7, ok: true, result: { files: [{ name: 'a', bytes }, { name: 'b', bytes: new Uint8Array(0) }] } })
    expect(text).not.toContain('250') // no byte went into the JSON
    expect(binary.map((f) => decodeBinary(f).piece)).toEqual([7, 7])
    const back = decodeHostMessage(text, binary.map((f) => decodeBinary(f).bytes)) as { result: { files: { bytes: Uint8Array }[] } }
    expect(back.result.files.map((f) => [...f.bytes])).toEqual([[1, 2, 3, 250], []])
    expect(() => decodeHostMessage(text, [])).toThrow(/attachment 0 is missing/)
  })
})

describe('decodeFrame', () => {
  it('refuses oversized and non-JSON frames', () => {
    expect(() => decodeFrame('x'.repeat(MAX_MESSAGE_BYTES + 1))).toThrow(/larger than/)
    expect(() => decodeFrame('{nope')).toThrow(/not valid JSON/)
    expect(decodeFrame('{"id":1}')).toEqual({ id: 1 })
  })
})

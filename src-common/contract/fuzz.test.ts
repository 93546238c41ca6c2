// The contract under fuzzing: every channel of requestSchemas fed thousands of valid, malformed,
// oversized and out-of-range envelopes (fuzzCases.ts). parseRequest must either return a payload
// the contract itself accepts again after a JSON round trip (what the core gets is plain, canonical
// data), or throw ContractError (EINVAL) with a short message naming the field — never another
// exception. Then the values only Electron's IPC can carry (structured clone: BigInt, Map, Date,
// typed and sparse arrays, null-prototype objects, -0, NaN), and decodeFrame's limits.
import { describe, expect, it } from 'vitest'
import { Value } from '@sinclair/typebox/value'
import { CHANNELS, ContractError, MAX_MESSAGE_BYTES, parseRequest, requestSchemas } from './contract'
import { decodeFrame } from '../../src-main/web/frames'
import { applied, casesFor, modelOf, models, rng } from '../../test-support/fuzzCases'

const CASES_PER_CHANNEL = 2500

function check(raw: unknown, how: string): 'accepted' | 'refused' {
  let parsed: ReturnType<typeof parseRequest>
  try {
    parsed = parseRequest(raw)
  } catch (error) {
    if (!(error instanceof ContractError)) throw new Error(`${how}: parseRequest threw ${String(error)} (not a ContractError) for ${preview(raw)}`)
    expect(error.code).toBe('EINVAL')
    expect(error.message.length, `${how}: message`).toBeGreaterThan(0)
    // says where, and never echoes a large input back
    expect(error.message, how).toMatch(/^[^:\s][^]*?: /)
    expect(error.message.length, `${how}: message length of ${preview(error.message)}`).toBeLessThanOrEqual(512)
    return 'refused'
  }
  expect(CHANNELS).toContain(parsed.channel)
  // what the compiled check let through, TypeBox's own reading of the same schema (JSON Schema) accepts too
  expect(Value.Check(requestSchemas[parsed.channel], parsed.payload), `${how}: Value.Check of ${preview(parsed.payload)}`).toBe(true)
  expect(Number.isSafeInteger(parsed.id) && parsed.id >= 0).toBe(true)
  // Canonical: plain JSON that validates again to the same thing.
  const text = JSON.stringify(parsed)
  let again: unknown
  try {
    again = parseRequest(JSON.parse(text))
  } catch (error) {
    throw new Error(`${how}: accepted ${preview(raw)} as ${preview(parsed)}, which does not validate again: ${(error as Error).message}`)
  }
  expect(JSON.stringify(again), how).toBe(text)
  return 'accepted'
}

function preview(v: unknown): string {
  try {
    const s = typeof v === 'string' ? v : JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x))
    return s === undefined ? String(v) : s.length > 200 ? `${s.slice(0, 200)}…` : s
  } catch {
    return String(v)
  }
}

describe('every channel, fuzzed', () => {
  it('builds a valid payload for every channel from its schema alone', () => {
    const all = models()
    expect(all.map((m) => m.channel)).toEqual(CHANNELS)
    for (const m of all) expect(parseRequest({ id: 1, channel: m.channel, payload: m.valid }).payload, m.channel).toEqual(m.valid)
  })

  it("refuses each of every field's refusals the schema implies, naming the field (or one within it)", () => {
    let count = 0
    for (const m of models()) {
      for (const refusal of m.refusals) {
        const how = `${m.channel} ${refusal.names} ${refusal.how}`
        const raw = { id: 1, channel: m.channel, payload: applied(m, refusal) }
        expect(check(raw, how), how).toBe('refused')
        expect(() => parseRequest(raw), how).toThrow(new RegExp(`^${refusal.names.replace(/[.[\]]/g, '\\$&')}(: |\\.|\\[)`)) // the field, or one within it
        count++
      }
    }
    // wrong kinds, ranges, lengths, enums, missing and unknown fields and holes of ~25 channels
    expect(count).toBeGreaterThan(500)
  })

  for (const channel of CHANNELS) {
    it(`${channel}: ${CASES_PER_CHANNEL} envelopes are accepted canonically or refused with EINVAL`, () => {
      const model = modelOf(channel)
      const tally = { accepted: 0, refused: 0 }
      for (const c of casesFor(model, CASES_PER_CHANNEL, CHANNELS.indexOf(channel) + 1)) tally[check(c.raw, `${channel} ${c.how}`)]++
      // Both outcomes occur: the valid seeds pass, the mutations are caught.
      expect(tally.accepted).toBeGreaterThan(0)
      expect(tally.refused).toBeGreaterThan(CASES_PER_CHANNEL / 2)
    })
  }
})

describe('values only Electron IPC carries (structured clone)', () => {
  const sparse: unknown[] = []
  sparse[1] = 'process'
  const nullProto = Object.assign(Object.create(null) as object, { intervalMs: 500 })
  const weird: [string, unknown][] = [
    ['undefined', undefined],
    ['a number', 42],
    ['a BigInt', 10n],
    ['a Date', new Date(0)],
    ['a Map', new Map([['id', 1]])],
    ['a Set', new Set([1])],
    ['a typed array', new Uint8Array(4)],
    ['an ArrayBuffer', new ArrayBuffer(8)],
    ['a RegExp', /x/],
    ['an Error', new Error('x')]
  ]
  const inPayload: [string, unknown][] = [
    ['a BigInt pid', { pid: 10n }],
    ['NaN', { pid: NaN }],
    ['Infinity', { pid: Infinity }],
    ['-0', { pid: -0 }],
    ['a Date pid', { pid: new Date(5) }],
    ['a typed-array include', { include: new Uint8Array([1]) }],
    ['a sparse include', { include: sparse }],
    ['an include with a hole only', { include: new Array(2) }],
    ['a Map include', { include: new Map([[0, 'process']]) }],
    ['a null-prototype payload', nullProto],
    ['a String object', { pid: Object('1') }]
  ]

  it('refuses non-object envelopes and odd objects with EINVAL', () => {
    for (const [what, raw] of weird) expect(check(raw, what), what).toBe('refused')
    expect(check({ id: 1n, channel: 'app.hello', payload: {} }, 'BigInt id')).toBe('refused')
    expect(check({ id: 1, channel: new String('app.hello'), payload: {} }, 'String object channel')).toBe('refused')
  })

  it('never lets a value through that JSON could not carry the same way (holes, -0, BigInt …)', () => {
    const channels = ['snapshot.take', 'processes.watch'] as const
    for (const [what, payload] of inPayload) for (const channel of channels) check({ id: 1, channel, payload }, `${channel} ${what}`)
  })
})

describe('frames', () => {
  it('decodeFrame refuses frames over the limit before parsing them, and never throws anything but ContractError', () => {
    const r = rng(99)
    expect(() => decodeFrame('['.repeat(MAX_MESSAGE_BYTES + 1))).toThrow(ContractError)
    expect(() => decodeFrame('"' + 'x'.repeat(MAX_MESSAGE_BYTES) + '"')).toThrow(/larger than/)
    const deep = '['.repeat(MAX_MESSAGE_BYTES / 2 - 1) + ']'.repeat(MAX_MESSAGE_BYTES / 2 - 1)
    try {
      decodeFrame(deep) // deep but within the limit: JSON.parse copes
    } catch (error) {
      expect(error).toBeInstanceOf(ContractError)
    }
    for (let i = 0; i < 5000; i++) {
      const length = Math.floor(r() * 64)
      let text = ''
      for (let k = 0; k < length; k++) text += '{}[]":,0123456789.-+eEtrufalsn \\u\u0000\ud800x'[Math.floor(r() * 44)]
      try {
        const value = decodeFrame(text)
        check(value, `frame ${JSON.stringify(text)}`)
      } catch (error) {
        if (!(error instanceof ContractError)) throw new Error(`decodeFrame(${JSON.stringify(text)}) threw ${String(error)}`)
      }
    }
  })
})

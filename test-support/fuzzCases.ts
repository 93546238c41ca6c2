// Fuzz cases for the IPC contract (used by ipc/fuzz.test.ts and web/security.test.ts; not product code).
//
// For every channel of requestSchemas — including channels added later, with no table to update — a
// valid payload is built by repairing `{}` from the validator's own messages ("payload.pid: expected
// an integer, got undefined" says which field and what kind), optional fields are found by offering
// the field names the contract uses, and then thousands of envelopes are derived: valid ones, mutated
// ones (every field replaced by values of every wrong kind, boundaries, huge strings, deep nesting,
// unknown and prototype keys, missing fields) and random JSON. A seeded generator makes every run
// the same and a failure reproducible.
import { CHANNELS, ContractError, parseRequest, type Channel } from '../src-common/contract/contract'

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** mulberry32: small, fast, seedable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Path = (string | number)[]

function setAt(root: Record<string, Json>, path: Path, value: Json | undefined): void {
  let node: Json = root
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]
    const next = path[i + 1]
    const holder = node as Record<string | number, Json>
    if (holder[key] === undefined || holder[key] === null || typeof holder[key] !== 'object') holder[key] = typeof next === 'number' ? [] : {}
    node = holder[key]
  }
  const holder = node as Record<string | number, Json>
  if (value === undefined) delete holder[path[path.length - 1]]
  else holder[path[path.length - 1]] = value
}

/** "payload.a.b[2]: …" -> ['a', 'b', 2] (relative to the payload); null for other paths. */
function payloadPath(message: string): Path | null {
  const m = /^payload((?:\.[A-Za-z_$][\w$]*|\[\d+\])*): /.exec(message)
  if (!m) return null
  const path: Path = []
  for (const part of m[1].matchAll(/\.([A-Za-z_$][\w$]*)|\[(\d+)\]/g)) path.push(part[1] !== undefined ? part[1] : Number(part[2]))
  return path
}

/** A value that satisfies what a validator message asks for, or undefined when the message is not understood. */
function repair(message: string): Json | undefined | 'delete' {
  let m: RegExpExecArray | null
  if (/unknown field/.test(message)) return 'delete'
  if ((m = /(-?\d+) is out of range (-?\d+)\.\.(-?\d+)/.exec(message))) return Number(m[2])
  if ((m = /expected one of (.+)$/.exec(message))) return m[1].split(', ')[0]
  if (/expected an address/.test(message)) return '0x1000'
  if (/expected an integer/.test(message)) return 1
  if (/expected a string/.test(message)) return '0x1'
  if (/expected a boolean/.test(message)) return false
  if (/expected an object/.test(message)) return {}
  if (/expected an array/.test(message)) return []
  if (/longer than (\d+)/.test(message)) return 'x'
  if (/more than (\d+) items/.test(message)) return []
  return undefined
}

/** Field names the contract uses for optional fields, offered to every channel to find its optional ones. */
const OPTIONAL_NAMES = [
  'include', 'pid', 'heapId', 'offset', 'limit', 'stopTarget', 'mechanism', 'item', 'redact', 'table', 'b', 'heap',
  'fromMs', 'toMs', 'module', 'minSize', 'maxSize', 'flags', 'name', 'format', 'ringBytes', 'batchMs', 'everyMs', 'forMs'
]
const OPTIONAL_VALUES: Json[] = [1, 0, '0x1', true, ['fixed'], ['process'], { fileId: 1 }, 'html', 'auto', null]

export interface ChannelModel {
  channel: Channel
  /** a payload the contract accepts, with every field found (required and optional) */
  valid: Record<string, Json>
  /** the paths of its fields (leaves and objects), for mutations */
  paths: Path[]
}

/** Builds a valid payload for `channel` from the validator's messages. Throws when a message can't be understood. */
export function modelOf(channel: Channel): ChannelModel {
  const payload: Record<string, Json> = {}
  const accepts = (p: Record<string, Json>) => {
    try {
      parseRequest({ id: 1, channel, payload: p })
      return true
    } catch {
      return false
    }
  }
  for (let round = 0; ; round++) {
    let message: string
    try {
      parseRequest({ id: 1, channel, payload })
      break
    } catch (error) {
      if (!(error instanceof ContractError)) throw error
      message = error.message
    }
    const path = payloadPath(message)
    const value = repair(message)
    if (round > 100 || !path || path.length === 0 || value === undefined)
      throw new Error(`cannot build a valid ${channel} payload: the validator said "${message}" about ${JSON.stringify(payload)}`)
    setAt(payload, path, value === 'delete' ? undefined : value)
  }
  // Optional fields: offered one by one, kept when the payload stays valid. Nested ones (b.fileId)
  // come with their object.
  for (const name of OPTIONAL_NAMES) {
    if (name in payload) continue
    for (const value of OPTIONAL_VALUES) {
      const candidate = { ...payload, [name]: value }
      if (value !== null && accepts(candidate)) {
        payload[name] = value
        break
      }
    }
  }
  const paths: Path[] = []
  const walk = (node: Json, path: Path) => {
    if (path.length > 0) paths.push(path)
    if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) walk(child as Json, [...path, Array.isArray(node) ? Number(key) : key])
    }
  }
  walk(payload, [])
  return { channel, valid: payload, paths }
}

export function models(): ChannelModel[] {
  return CHANNELS.map(modelOf)
}

// ---- values ----

function nested(depth: number, leaf: Json): Json {
  let v: Json = leaf
  for (let i = 0; i < depth; i++) v = [v]
  return v
}

/** Values of every kind, boundaries and troublemakers. */
export function oddValues(): Json[] {
  return [
    null, true, false, 0, -1, 1, 1.5, -1.5, 0.1, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e308, -1e308,
    5e-324, '', ' ', 'x', '0', '1', '-1', '0x', '0x0', '0xg', '0x' + 'f'.repeat(17), 'x'.repeat(65), 'x'.repeat(256), 'x'.repeat(5000),
    '\u0000', '\ud800', '🙂'.repeat(40), '../../../../etc/passwd', '..\\..\\windows', '/etc/shadow', 'C:\\Windows\\win.ini', 'file:///etc/passwd',
    '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'auto ', 'AUTO', 'process,thread', 'html\n', '<script>alert(1)</script>',
    [], [null], [1, 2, 3], ['process', 'process', 'process', 'process', 'process'], Array.from({ length: 2000 }, (_, i) => i),
    {}, { a: 1 }, { __proto__: 1 } as unknown as Json, JSON.parse('{"__proto__":{"polluted":1}}') as Json, { fileId: 1, item: 0 }, { fileId: -1 },
    nested(50, 1), nested(2000, 'x')
  ]
}

const KEYS = ['', 'x', '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'pid ', 'PID', 'payload', 'id', 'channel', 'k'.repeat(300)]

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T)
}

/** Random JSON of a small depth. */
export function randomJson(r: () => number, depth = 3): Json {
  const roll = r()
  if (depth <= 0 || roll < 0.5) return pick(r, oddValues().slice(0, 60))
  if (roll < 0.75) return Array.from({ length: Math.floor(r() * 4) }, () => randomJson(r, depth - 1))
  const o: Record<string, Json> = {}
  for (let i = Math.floor(r() * 4); i > 0; i--) o[pick(r, [...KEYS, 'pid', 'include', 'heapId', 'fileId', 'a', 'b'])] = randomJson(r, depth - 1)
  return o
}

export interface FuzzCase {
  /** what the frame or IPC call carries (an envelope, or not even that) */
  raw: unknown
  /** how it was made, for failure messages */
  how: string
}

/** `count` cases for one channel: valid, mutated payloads, mutated envelopes, random JSON. */
export function casesFor(model: ChannelModel, count: number, seed: number): FuzzCase[] {
  const r = rng(seed)
  const odd = oddValues()
  const out: FuzzCase[] = []
  let id = seed * 100_000
  for (let i = 0; i < count; i++) {
    const payload = clone(model.valid) as Record<string, Json>
    const envelope: Record<string, unknown> = { id: ++id, channel: model.channel, payload }
    const roll = r()
    let how: string
    if (roll < 0.08) {
      how = 'valid'
    } else if (roll < 0.55 && model.paths.length > 0) {
      // one to three fields replaced, removed, or given a neighbour
      const steps: string[] = []
      for (let n = 1 + Math.floor(r() * 3); n > 0; n--) {
        const path = pick(r, model.paths)
        const kind = r()
        if (kind < 0.7) {
          const value = r() < 0.8 ? pick(r, odd) : randomJson(r)
          setAt(payload, path, clone(value))
          steps.push(`${path.join('.')}=${JSON.stringify(value)?.slice(0, 40)}`)
        } else if (kind < 0.85) {
          setAt(payload, path, undefined)
          steps.push(`-${path.join('.')}`)
        } else {
          const key = pick(r, KEYS)
          setAt(payload, [...path.slice(0, -1), key], pick(r, odd))
          steps.push(`+${[...path.slice(0, -1), key].join('.').slice(0, 40)}`)
        }
      }
      how = `payload ${steps.join(' ')}`
    } else if (roll < 0.7) {
      // numbers just inside and outside whatever range a field has
      const path = model.paths.length ? pick(r, model.paths) : ['x']
      const value = pick(r, [-1, 0, 1, 99, 100, 101, 999, 1000, 65535, 65536, 0x7fffffff, 0x80000000, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1])
      setAt(payload, path, value)
      how = `payload ${path.join('.')}=${value}`
    } else if (roll < 0.88) {
      const what = Math.floor(r() * 9)
      if (what === 0) envelope.id = pick(r, odd)
      else if (what === 1) delete envelope.id
      else if (what === 2) envelope.channel = pick(r, [...CHANNELS, ...odd.filter((v) => typeof v === 'string'), model.channel.toUpperCase(), ` ${model.channel}`, `${model.channel}\u0000`])
      else if (what === 3) delete envelope.channel
      else if (what === 4) envelope.payload = pick(r, odd)
      else if (what === 5) delete envelope.payload
      else if (what === 6) envelope[pick(r, KEYS)] = pick(r, odd)
      else if (what === 7) envelope.payload = randomJson(r)
      else envelope.channel = pick(r, CHANNELS) // another channel's name with this payload
      how = `envelope ${what}`
    } else {
      out.push({ raw: r() < 0.5 ? randomJson(r) : { id: ++id, channel: model.channel, payload: randomJson(r) }, how: 'random' })
      continue
    }
    out.push({ raw: envelope, how })
  }
  return out
}

// Fuzz cases for the IPC contract (used by contract/fuzz.test.ts and web/security.test.ts; not product code).
//
// For every channel of requestSchemas — including channels added later, with no table to update — a
// valid payload is made by walking the channel's TypeBox schema (every field, optional ones too), and
// from the same walk each field's refusals: a value of every wrong kind, just out of range, one
// character or item too many, not in the enum, missing when required, an unknown key beside it, a hole
// in an array. Then thousands of envelopes are derived: valid ones, mutated ones (fields replaced by
// odd values, boundaries, huge strings, deep nesting, unknown and prototype keys, missing fields) and
// random JSON. A seeded generator makes every run the same and a failure reproducible.
import { Kind, OptionalKind, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { CHANNELS, requestSchemas, type Channel } from '../src-common/contract/contract'

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

type Node = TSchema & Record<string | symbol, unknown>
const kindOf = (s: Node): string => String(s[Kind])
const isEnum = (s: Node): boolean => kindOf(s) === 'Union' && (s.anyOf as Node[]).every((o) => kindOf(o) === 'Literal')

/** A value `schema` accepts (every optional field present), made from the schema alone. */
export function validOf(schema: TSchema): Json {
  const s = schema as Node
  switch (kindOf(s)) {
    case 'Integer':
    case 'Number':
      return (s.minimum as number | undefined) ?? 0
    case 'String':
      if (Array.isArray(s.examples)) return s.examples[0] as string
      if (typeof s.pattern === 'string') throw new Error(`fuzzCases: a string with a pattern needs examples (${s.pattern})`)
      return 'x'.repeat(Math.max(1, (s.minLength as number | undefined) ?? 0))
    case 'Boolean':
      return true
    case 'Literal':
      return s.const as Json
    case 'Union':
      return validOf((s.anyOf as Node[]).find((o) => kindOf(o) !== 'Null')!)
    case 'Array':
      return (s.maxItems as number) > 0 ? [validOf(s.items as Node)] : []
    case 'Object':
      return Object.fromEntries(Object.entries(s.properties as Record<string, Node>).map(([k, v]) => [k, validOf(v)]))
    case 'Unknown':
      return {}
    default:
      throw new Error(`fuzzCases: no valid value for TypeBox kind ${kindOf(s)}`)
  }
}

/** One way a valid payload is made invalid: the field at `path` replaced (or removed: undefined, or made sparse). */
export interface Refusal {
  path: Path
  value: Json | undefined | unknown[]
  how: string
  /** what the refusal's message begins with: the field (or, for an unknown key, the key beside it) */
  names: string
}

const pathText = (path: Path): string => path.reduce<string>((t, k) => (typeof k === 'number' ? `${t}[${k}]` : `${t}.${k}`), 'payload')
const WRONG_KINDS: Json[] = [null, true, 'x', 1.5, 7, [], {}]

/** Every refusal of the fields of `schema` (at `path` in the payload), derived from the schema. */
export function refusalsOf(schema: TSchema, path: Path = []): Refusal[] {
  const s = schema as Node
  const out: Refusal[] = []
  const add = (value: Refusal['value'], how: string, at: Path = path) => out.push({ path: at, value, how, names: pathText(at) })
  if (path.length > 0)
    for (const wrong of WRONG_KINDS) if (!Value.Check(s, wrong)) add(wrong, `a value of the wrong kind: ${JSON.stringify(wrong)}`)
  switch (kindOf(s)) {
    case 'Integer':
    case 'Number': {
      const { minimum, maximum } = s as { minimum?: number; maximum?: number }
      if (minimum !== undefined) add(minimum - 1, `below ${minimum}`)
      if (maximum !== undefined) add(maximum + (maximum >= 2 ** 53 - 1 ? 2 : 1), `above ${maximum}`)
      if (kindOf(s) === 'Integer') add(((minimum ?? 0) + 0.5) as Json, 'not an integer')
      break
    }
    case 'String':
      if (typeof s.maxLength === 'number') add('x'.repeat(s.maxLength + 1), `longer than ${s.maxLength}`)
      if (typeof s.minLength === 'number' && s.minLength > 0) add('', 'empty')
      if (typeof s.pattern === 'string') add('zz', `not matching ${s.pattern}`)
      break
    case 'Union':
      if (isEnum(s)) add('not-one-of-them', 'not in the enum')
      // "X or null": X's refusals but null (a refusal further in is X's own)
      else for (const o of s.anyOf as Node[]) if (kindOf(o) !== 'Null') out.push(...refusalsOf(o, path).filter((r) => r.path !== path || !Value.Check(s, r.value)))
      break
    case 'Array': {
      const item = validOf(s.items as Node)
      if (typeof s.maxItems === 'number') add(Array.from({ length: s.maxItems + 1 }, () => item), `more than ${s.maxItems} items`)
      // a hole: Electron's structured clone keeps them (JSON cannot say it)
      const sparse: unknown[] = []
      sparse[1] = item
      out.push({ path, value: sparse, how: 'a hole', names: `${pathText(path)}[0]` })
      out.push(...refusalsOf(s.items as Node, [...path, 0]))
      break
    }
    case 'Object':
      add({ ...(validOf(s) as Record<string, Json>), extraField: 1 }, 'an unknown key', path)
      out[out.length - 1].names = `${pathText([...path, 'extraField'])}`
      for (const [key, field] of Object.entries(s.properties as Record<string, Node>)) {
        if (field[OptionalKind] !== 'Optional' && kindOf(field) !== 'Unknown') add(undefined, 'missing', [...path, key])
        out.push(...refusalsOf(field, [...path, key]))
      }
      break
  }
  return out
}

export interface ChannelModel {
  channel: Channel
  /** a payload the contract accepts, with every field (required and optional) */
  valid: Record<string, Json>
  /** the paths of its fields (leaves and objects), for mutations */
  paths: Path[]
  /** each field's refusals, derived from the schema */
  refusals: Refusal[]
}

/** The valid payload of `channel`, its fields' paths and their refusals, from the channel's schema. */
export function modelOf(channel: Channel): ChannelModel {
  const schema = requestSchemas[channel] as TSchema
  const payload = validOf(schema) as Record<string, Json>
  const paths: Path[] = []
  const walk = (node: Json, path: Path) => {
    if (path.length > 0) paths.push(path)
    if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) walk(child as Json, [...path, Array.isArray(node) ? Number(key) : key])
    }
  }
  walk(payload, [])
  return { channel, valid: payload, paths, refusals: refusalsOf(schema) }
}

/** The valid payload with one refusal applied (a copy). */
export function applied(model: ChannelModel, refusal: Refusal): Record<string, unknown> {
  const payload = clone(model.valid)
  if (refusal.path.length === 0) return refusal.value as Record<string, unknown>
  setAt(payload, refusal.path, refusal.value as Json | undefined)
  return payload
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

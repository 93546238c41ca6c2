// The contract's schemas are TypeBox definitions (@sinclair/typebox 0.34: plain JSON Schema objects
// with the TypeScript type alongside, Static<>; 0.34 rather than its successor `typebox` 1.x because
// it is the stable line with the API the ecosystem uses, and its type builder runs no eval). One
// definition gives the static type, the JSON Schema (scripts/gen-schema.ts) and, here, the validator.
//
// The validator is compiled once per schema into closures, not generated code: the renderer's CSP
// forbids eval, and TypeBox's own checks neither name the path the way our messages do
// ("processes[5].pid: expected an integer, got string") nor see the holes of a sparse array (which
// Electron's structured clone keeps). It returns the value copied, holding only the schema's fields,
// or throws ContractError naming the path that is wrong. Two policies:
//  - STRICT (every IPC/WebSocket message from the untrusted renderer): unknown fields are refused.
//  - LENIENT (files from other machines and versions): unknown fields are dropped unread, a missing
//    field that has a `default` takes it, and strings with a canonical form (addresses) are given it.
import { Kind, OptionalKind, type Static, type TSchema } from '@sinclair/typebox'

export class ContractError extends Error {
  readonly code = 'EINVAL'
  constructor(message: string) {
    super(message)
    this.name = 'ContractError'
  }
}

/** A compiled check: the value typed, or ContractError naming `path`. */
export type Check<T> = (value: unknown, path: string) => T

/** Checks beyond JSON Schema, kept on the schema under symbols (so they stay out of the JSON). */
const EXPECT = Symbol('expect')
const TEST = Symbol('test')
const CANONICAL = Symbol('canonical')
type Extras = { [EXPECT]?: string; [TEST]?: (s: string) => boolean; [CANONICAL]?: (s: string) => string }

/** Names what a string schema holds for error messages ("an address \"0x…\"") and adds a test
 *  JSON Schema can't say (Date.parse) and a canonical form the lenient reader gives it. */
export function described<T extends TSchema>(schema: T, expect: string, extras: { test?: (s: string) => boolean; canonical?: (s: string) => string } = {}): T {
  return Object.assign(schema, { [EXPECT]: expect, [TEST]: extras.test, [CANONICAL]: extras.canonical } satisfies Extras)
}

export interface Policy {
  /** unknown object fields: refused (IPC) or dropped (files) */
  unknownFields: 'refuse' | 'drop'
  /** a missing field with a `default` takes it; strings take their canonical form */
  lenient: boolean
  /** what the top level is called in messages when the path is empty */
  root: string
}
export const STRICT: Policy = { unknownFields: 'refuse', lenient: false, root: 'message' }
export const LENIENT: Policy = { unknownFields: 'drop', lenient: true, root: 'document' }

const shown = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)
const own = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key)
const at = (path: string, key: string): string => (path ? `${path}.${key}` : key)
/** A peer's key, shown short (never echo a large input back) and never empty. */
const keyShown = (key: string): string => (key === '' ? '""' : key.length > 64 ? `${key.slice(0, 64)}…` : key)

type Node = TSchema & Record<string | symbol, unknown>

/** Compiles `schema` into a check under `policy`. Throws (a programming error) on a kind it does not know. */
export function compile<T extends TSchema>(schema: T, policy: Policy): Check<Static<T>> {
  const cache = new Map<TSchema, Check<unknown>>()
  const fail = (path: string, want: string, got: unknown): never => {
    throw new ContractError(`${path || policy.root}: expected ${want}, got ${shown(got)}`)
  }

  /** A schema used in many places (pid, size, address …) is compiled once. */
  const build = (node: Node): Check<unknown> => {
    let check = cache.get(node)
    if (!check) cache.set(node, (check = make(node)))
    return check
  }

  const make = (node: Node): Check<unknown> => {
    switch (node[Kind]) {
      case 'Unknown':
        return (v) => v
      case 'Null':
        return (v, path) => (v === null ? null : fail(path, 'null', v))
      case 'Boolean':
        return (v, path) => (typeof v === 'boolean' ? v : fail(path, 'a boolean', v))
      case 'Integer':
      case 'Number': {
        const integer = node[Kind] === 'Integer'
        const min = (node.minimum as number | undefined) ?? -Infinity
        const max = (node.maximum as number | undefined) ?? Infinity
        return (v, path) => {
          if (typeof v !== 'number' || (integer ? !Number.isInteger(v) : !Number.isFinite(v))) return fail(path, integer ? 'an integer' : 'a number', v)
          if (v < min || v > max) throw new ContractError(`${path}: ${v} is out of range ${min}..${max}`)
          return v
        }
      }
      case 'String': {
        const maxLength = (node.maxLength as number | undefined) ?? Infinity
        const minLength = (node.minLength as number | undefined) ?? 0
        const pattern = typeof node.pattern === 'string' ? new RegExp(node.pattern) : null
        const extras = node as Extras
        const expect = extras[EXPECT] ?? 'a string'
        const test = extras[TEST]
        const canonical = policy.lenient ? extras[CANONICAL] : undefined
        return (v, path) => {
          if (typeof v !== 'string') return fail(path, 'a string', v)
          if (v.length > maxLength) throw new ContractError(`${path}: longer than ${maxLength} characters`)
          if (v.length < minLength) throw new ContractError(`${path}: expected ${expect}, got an empty string`)
          if ((pattern && !pattern.test(v)) || (test && !test(v))) throw new ContractError(`${path}: expected ${expect}, got "${v.slice(0, 40)}"`)
          return canonical ? canonical(v) : v
        }
      }
      case 'Literal':
        return oneOf([node.const as string])
      case 'Union': {
        const options = node.anyOf as Node[]
        if (options.every((o) => o[Kind] === 'Literal' && typeof o.const === 'string')) return oneOf(options.map((o) => o.const as string))
        if (options.every((o) => o[Kind] === 'Object')) return tagged(node, options)
        const others = options.filter((o) => o[Kind] !== 'Null')
        if (options.length !== 2 || others.length !== 1) throw new Error('compile: a union is an enum of strings, objects told apart by a literal field, or "X or null"')
        const inner = build(others[0])
        return (v, path) => (v === null ? null : inner(v, path))
      }
      case 'Array': {
        const item = build(node.items as Node)
        const maxItems = (node.maxItems as number | undefined) ?? Infinity
        return (v, path) => {
          if (!Array.isArray(v)) return fail(path, 'an array', v)
          if (v.length > maxItems) throw new ContractError(`${path}: more than ${maxItems} items`)
          // An indexed loop, not map: map skips the holes of a sparse array (Electron's structured
          // clone keeps them), which would let an unvalidated hole through (found by fuzz.test.ts).
          const out = new Array<unknown>(v.length)
          for (let i = 0; i < v.length; i++) out[i] = item(v[i], `${path}[${i}]`)
          return out
        }
      }
      case 'Object':
        return object(node)
      default:
        throw new Error(`compile: no check for TypeBox kind ${String(node[Kind])}`)
    }
  }

  const oneOf = (values: string[]): Check<unknown> => {
    const set = new Set(values)
    const list = values.join(', ')
    return (v, path) => {
      if (typeof v !== 'string' || !set.has(v)) throw new ContractError(`${path}: expected one of ${list}`)
      return v
    }
  }

  /** Objects told apart by a field every one of them has as a literal (a document's `format`). */
  const tagged = (node: Node, options: Node[]): Check<unknown> => {
    const literal = (o: Node, key: string) => (o.properties as Record<string, Node>)[key]?.const
    const tag = Object.keys(options[0].properties as object).find((key) => options.every((o) => typeof literal(o, key) === 'string'))
    if (!tag) throw new Error('compile: a union of objects needs a literal field to tell them apart')
    const byTag = new Map(options.map((o) => [literal(o, tag) as string, build(o)]))
    const known = [...byTag.keys()].join(', ')
    const noun = (node as Extras)[EXPECT]
    const expect = noun ? `${noun} (${known})` : `one of ${known}`
    return (v, path) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(path, 'an object', v)
      const value = own(v, tag) ? (v as Record<string, unknown>)[tag] : undefined
      if (typeof value !== 'string') throw new ContractError(`${at(path, tag)}: missing (not ${expect})`)
      const check = byTag.get(value)
      if (!check) throw new ContractError(`${at(path, tag)}: "${value.slice(0, 64)}" is not ${expect}`)
      return check(v, path)
    }
  }

  const object = (node: Node): Check<unknown> => {
    const properties = node.properties as Record<string, Node>
    const fields = Object.entries(properties).map(([key, schema]) => ({
      key,
      check: build(schema),
      optional: schema[OptionalKind] === 'Optional',
      fallback: policy.lenient && 'default' in schema ? (schema.default as unknown) : undefined
    }))
    const refuse = policy.unknownFields === 'refuse'
    return (v, path) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(path, 'an object', v)
      const o = v as Record<string, unknown>
      if (refuse) for (const key of Object.keys(o)) if (!own(properties, key)) throw new ContractError(`${at(path, keyShown(key))}: unknown field`)
      const out: Record<string, unknown> = {}
      for (const { key, check, optional, fallback } of fields) {
        // Only own fields: a file's `__proto__` or a prototype's getter is never read.
        const value = own(o, key) ? o[key] : undefined
        if (value === undefined) {
          // a default that is an object or array is copied, so no two documents share it
          if (fallback !== undefined) out[key] = typeof fallback === 'object' ? JSON.parse(JSON.stringify(fallback)) : fallback
          else if (!optional) check(value, at(path, key))
          continue
        }
        out[key] = check(value, at(path, key))
      }
      return out
    }
  }

  return build(schema as Node) as Check<Static<T>>
}

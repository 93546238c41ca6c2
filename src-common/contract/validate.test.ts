// The two policies the one compiler applies to a TypeBox schema: STRICT for messages from the
// renderer, LENIENT for files from other machines and versions.
import { Type } from '@sinclair/typebox'
import { describe, expect, it } from 'vitest'
import { Address, Enum } from './types'
import { ContractError, LENIENT, STRICT, compile } from './validate'

const schema = Type.Object({
  at: Address,
  tags: Type.Array(Enum(['a', 'b']), { maxItems: 3, default: [] }),
  size: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
  parent: Type.Union([Type.Integer({ minimum: 0, maximum: 10 }), Type.Null()])
})
const strict = compile(schema, STRICT)
const lenient = compile(schema, LENIENT)
const refused = (run: () => unknown, message: string) => expect(run).toThrow(new ContractError(message))

describe('compile', () => {
  it('STRICT refuses unknown fields and keeps addresses as given; LENIENT drops them and lowercases', () => {
    const v = { at: '0xAB', tags: ['a'], parent: null, extra: 1 }
    refused(() => strict(v, 'payload'), 'payload.extra: unknown field')
    const { extra: _, ...known } = v
    expect(strict(known, '')).toEqual({ at: '0xAB', tags: ['a'], parent: null })
    expect(lenient(v, '')).toEqual({ at: '0xab', tags: ['a'], parent: null })
  })

  it('LENIENT takes the default of a missing field, a fresh copy each time; STRICT requires it', () => {
    const a = lenient({ at: '0x1', parent: 1 }, '')
    const b = lenient({ at: '0x1', parent: 1 }, '')
    expect(a.tags).toEqual([])
    expect(a.tags).not.toBe(b.tags)
    refused(() => strict({ at: '0x1', parent: 1 }, ''), 'tags: expected an array, got undefined')
  })

  it('names the path of what is wrong, holes included', () => {
    const sparse: unknown[] = []
    sparse[1] = 'a'
    refused(() => strict({ at: '0x1', tags: sparse, parent: 1 }, 'payload'), 'payload.tags[0]: expected one of a, b')
    refused(() => strict({ at: '0x1', tags: [], parent: 1, size: 11 }, ''), 'size: 11 is out of range 0..10')
    refused(() => strict({ at: 'main+4', tags: [], parent: 1 }, ''), 'at: expected an address "0x…", got "main+4"')
    refused(() => strict({ at: '0x1', tags: [], parent: 'x' }, ''), 'parent: expected an integer, got string')
    refused(() => strict([], ''), 'message: expected an object, got array')
    refused(() => lenient(null, ''), 'document: expected an object, got null')
  })

  it('tells the objects of a union apart by their literal field, and refuses a union it cannot', () => {
    const doc = compile(Type.Union([Type.Object({ format: Type.Literal('x/1'), n: Type.Integer() }), Type.Object({ format: Type.Literal('y/1') })]), LENIENT)
    expect(doc({ format: 'y/1', n: 'ignored' }, '')).toEqual({ format: 'y/1' })
    refused(() => doc({ format: 'x/1' }, 'items[0]'), 'items[0].n: expected an integer, got undefined')
    refused(() => doc({}, ''), 'format: missing (not one of x/1, y/1)')
    refused(() => doc({ format: 'z/1' }, ''), 'format: "z/1" is not one of x/1, y/1')
    expect(() => compile(Type.Union([Type.Integer(), Type.String()]), STRICT)).toThrow(/a union is/)
  })
})

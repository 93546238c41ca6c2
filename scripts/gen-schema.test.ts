// resources/snapscope-file.schema.json is generated from the contract's TypeBox definitions: the
// checked-in one is what they give today, and every reference in it resolves.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fileJsonSchema, fileJsonSchemaText } from './fileSchema'

const checkedIn = join(import.meta.dirname, '..', 'resources', 'snapscope-file.schema.json')

describe('the JSON Schema of the file format', () => {
  it('is the one generated from the definitions', () => {
    const same = readFileSync(checkedIn, 'utf8') === fileJsonSchemaText()
    expect(same, 'resources/snapscope-file.schema.json differs from the definitions in src-common/contract: run npm run gen:schema').toBe(true)
  })

  it('refers only to definitions it has, and has none that nothing uses', () => {
    const schema = fileJsonSchema() as { $defs: Record<string, unknown> }
    const refs = new Set([...JSON.stringify(schema).matchAll(/"\$ref":"#\/\$defs\/([^"]+)"/g)].map((m) => m[1]))
    expect([...refs].sort()).toEqual(Object.keys(schema.$defs).sort())
  })
})

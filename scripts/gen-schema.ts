// npm run gen:schema: writes resources/snapscope-file.schema.json from the contract's definitions.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileJsonSchemaText } from './fileSchema'

const path = join(import.meta.dirname, '..', 'resources', 'snapscope-file.schema.json')
writeFileSync(path, fileJsonSchemaText())
console.log(`wrote ${path}`)

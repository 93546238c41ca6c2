// A linear pass over JSON text that counts what JSON.parse would build, before it builds it: nesting,
// elements of each array, fields of each object, every value, and the objects and arrays among them
// (each costs ~64 bytes once parsed, so 256 MiB of `{},` would take 6 GB). It is fed in pieces (as
// the gunzip stream or the writer makes them) and stops at the first limit passed. It does not check
// the syntax (JSON.parse does, next): for valid JSON the counts are exact, for invalid JSON they only
// bound the work. Free of Node imports: the writer and the loader share it.
import { fmtCount as fmt } from '../../../src-common/model/format/format'

export interface ScanLimits {
  /** nesting of arrays and objects; Snapscope's own documents need about 8 */
  maxDepth: number
  /** elements of one array */
  maxArrayItems: number
  /** fields of one object */
  maxMembers: number
  /** values of any kind in the whole document */
  maxElements: number
  /** objects and arrays in the whole document */
  maxContainers: number
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const OPEN_ARRAY = 0x5b
const OPEN_OBJECT = 0x7b
const CLOSE_ARRAY = 0x5d
const CLOSE_OBJECT = 0x7d

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09

export class JsonScan {
  /** bytes seen so far */
  bytes = 0
  private elements = 1
  private containers = 0
  private depth = 0
  private inString = false
  /** the previous piece ended inside a string on an odd run of backslashes */
  private escaped = false
  /** the last byte outside strings that is not white space (a string counts as its quote) */
  private prev = 0
  /** per depth: completed items of the open container, and whether it is an array */
  private readonly items: Float64Array
  private readonly isArray: Uint8Array

  constructor(readonly limits: ScanLimits) {
    this.items = new Float64Array(limits.maxDepth + 2)
    this.isArray = new Uint8Array(limits.maxDepth + 2)
  }

  /** Scans the next piece; returns what is past a limit (and stops counting there), or null. */
  feed(chunk: Uint8Array): string | null {
    const { limits, items, isArray } = this
    const start = this.bytes
    this.bytes += chunk.length
    for (let i = 0; i < chunk.length; i++) {
      if (this.inString) {
        // Inside a string only its closing quote matters: the next quote (indexOf is memchr) that
        // an odd run of backslashes does not escape.
        const end = this.stringEnd(chunk, i)
        if (end < 0) break
        i = end
        continue
      }
      const c = chunk[i]
      if (isSpace(c)) continue
      if (c === QUOTE) this.inString = true
      else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
        if (++this.depth > limits.maxDepth) return `nested deeper than ${limits.maxDepth} levels (at byte ${start + i})`
        if (++this.containers > limits.maxContainers) return `too many objects and arrays (more than ${fmt(limits.maxContainers)})`
        items[this.depth] = 0
        isArray[this.depth] = c === OPEN_ARRAY ? 1 : 0
      } else if (c === COMMA) {
        const problem = this.item(start + i)
        if (problem) return problem
      } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
        if (this.prev !== OPEN_ARRAY && this.prev !== OPEN_OBJECT) {
          const problem = this.item(start + i)
          if (problem) return problem
        }
        if (this.depth > 0) this.depth--
      }
      this.prev = c
    }
    return null
  }

  /** Where the open string ends in `chunk` (searching from `from`), or -1 when it goes on past it. */
  private stringEnd(chunk: Uint8Array, from: number): number {
    for (let i = from; ; ) {
      const q = chunk.indexOf(QUOTE, i)
      const stop = q < 0 ? chunk.length : q
      let run = 0
      while (stop - run > i && chunk[stop - run - 1] === BACKSLASH) run++
      // A run reaching back to the chunk's start continues the previous chunk's.
      if (stop - run === from && from === 0 && this.escaped) run++
      this.escaped = false
      if (q < 0) {
        this.escaped = run % 2 === 1
        return -1
      }
      if (run % 2 === 0) {
        this.inString = false
        return q
      }
      i = q + 1
    }
  }

  /** One more item of the open container (ended by a comma or its closing bracket). */
  private item(at: number): string | null {
    if (this.depth === 0) return null // malformed: JSON.parse says so
    const n = ++this.items[this.depth]
    if (this.isArray[this.depth]) {
      if (n > this.limits.maxArrayItems) return `more than ${fmt(this.limits.maxArrayItems)} elements in one array (at byte ${at})`
    } else if (n > this.limits.maxMembers) return `more than ${fmt(this.limits.maxMembers)} fields in one object (at byte ${at})`
    if (++this.elements > this.limits.maxElements) return `too many elements (more than ${fmt(this.limits.maxElements)})`
    return null
  }
}

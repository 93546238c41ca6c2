// Writes a large document as JSON in pieces: a million-block heap walk or a watch with millions of
// faults would not fit one JSON.stringify string. Objects are indented; each array element is
// written on its own line, compact.

import type { Writable } from 'node:stream'

/**
 * An array too large to hold as objects: its elements are made by `at(i)` as the writer reaches them.
 * (JSON.stringify, which holds everything anyway, gets the whole array through toJSON.)
 */
export class StreamedArray<T> {
  constructor(
    readonly length: number,
    readonly at: (i: number) => T
  ) {}

  toJSON(): T[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i))
  }
}

export function* jsonChunks(value: unknown, indent = ''): Generator<string> {
  const list = Array.isArray(value) ? { length: value.length, at: (i: number): unknown => value[i] } : value instanceof StreamedArray ? value : null
  if (list) {
    if (list.length === 0) return yield '[]'
    const inner = indent + '  '
    yield '[\n'
    for (let i = 0; i < list.length; i++) yield inner + JSON.stringify(list.at(i)) + (i + 1 < list.length ? ',\n' : '\n')
    return yield indent + ']'
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined)
    if (entries.length === 0) return yield '{}'
    const inner = indent + '  '
    yield '{\n'
    for (let i = 0; i < entries.length; i++) {
      const [k, v] = entries[i]
      yield `${inner}${JSON.stringify(k)}: `
      yield* jsonChunks(v, inner)
      yield i + 1 < entries.length ? ',\n' : '\n'
    }
    return yield indent + '}'
  }
  yield JSON.stringify(value) ?? 'null'
}

/** Streams `value` as JSON plus a newline into `out`, honouring backpressure. */
export async function writeJson(out: Writable, value: unknown): Promise<void> {
  let pending = ''
  const flush = async (): Promise<void> => {
    if (!out.write(pending)) await new Promise<void>((ok) => out.once('drain', ok))
    pending = ''
  }
  for (const chunk of jsonChunks(value)) {
    pending += chunk
    if (pending.length >= 1 << 16) await flush()
  }
  pending += '\n'
  await flush()
}

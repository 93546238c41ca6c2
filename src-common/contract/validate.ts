// A few schema combinators: enough to check every message that crosses from the (untrusted) renderer.
// Each returns the value typed, or throws ContractError naming the path that is wrong.

export class ContractError extends Error {
  readonly code = 'EINVAL'
  constructor(message: string) {
    super(message)
    this.name = 'ContractError'
  }
}

export type Schema<T> = (value: unknown, path: string) => T
export type Infer<S> = S extends Schema<infer T> ? T : never

const fail = (path: string, want: string, got: unknown): never => {
  const shown = got === null ? 'null' : Array.isArray(got) ? 'array' : typeof got
  throw new ContractError(`${path || 'message'}: expected ${want}, got ${shown}`)
}

export const int =
  (min: number, max: number): Schema<number> =>
  (v, path) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) return fail(path, 'an integer', v)
    if (v < min || v > max) throw new ContractError(`${path}: ${v} is out of range ${min}..${max}`)
    return v
  }

export const str =
  (maxLength: number): Schema<string> =>
  (v, path) => {
    if (typeof v !== 'string') return fail(path, 'a string', v)
    if (v.length > maxLength) throw new ContractError(`${path}: longer than ${maxLength} characters`)
    return v
  }

export const bool: Schema<boolean> = (v, path) => (typeof v === 'boolean' ? v : fail(path, 'a boolean', v))

export const oneOf =
  <T extends string>(values: readonly T[]): Schema<T> =>
  (v, path) => {
    if (typeof v !== 'string' || !values.includes(v as T))
      throw new ContractError(`${path}: expected one of ${values.join(', ')}`)
    return v as T
  }

export const arrayOf =
  <T>(item: Schema<T>, maxItems: number): Schema<T[]> =>
  (v, path) => {
    if (!Array.isArray(v)) return fail(path, 'an array', v)
    if (v.length > maxItems) throw new ContractError(`${path}: more than ${maxItems} items`)
    // Array.from, not map: map skips the holes of a sparse array (Electron's structured clone keeps
    // them), which would let an unvalidated hole through (found by ipc/fuzz.test.ts).
    return Array.from(v, (x, i) => item(x, `${path}[${i}]`))
  }

export const optional =
  <T>(inner: Schema<T>): Schema<T | undefined> =>
  (v, path) =>
    v === undefined ? undefined : inner(v, path)

export const nullable =
  <T>(inner: Schema<T>): Schema<T | null> =>
  (v, path) =>
    v === null ? null : inner(v, path)

type OptionalKeys<S> = { [K in keyof S]: undefined extends Infer<S[K]> ? K : never }[keyof S]
type ObjectOf<S> = { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }

/** An object with exactly these keys (unknown keys are refused: they are a sign of a confused or hostile peer). */
export const object =
  <S extends Record<string, Schema<unknown>>>(shape: S): Schema<ObjectOf<S>> =>
  (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(path, 'an object', v)
    for (const key of Object.keys(v)) {
      // The key is the peer's: shown short (never echo a large input back) and never empty.
      const shown = key === '' ? '""' : key.length > 64 ? `${key.slice(0, 64)}…` : key
      if (!Object.prototype.hasOwnProperty.call(shape, key)) throw new ContractError(`${path ? path + '.' : ''}${shown}: unknown field`)
    }
    const out: Record<string, unknown> = {}
    for (const [key, schema] of Object.entries(shape)) {
      const value = schema((v as Record<string, unknown>)[key], path ? `${path}.${key}` : key)
      if (value !== undefined) out[key] = value
    }
    return out as ObjectOf<S>
  }

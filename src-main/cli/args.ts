// Option parsing shared by the verbs: bad values are usage errors (exit 2), named in the message.
import { INCLUDE_KINDS, type IncludeKind } from '../../src-common/contract/types'

export class UsageError extends Error {}

export function parsePid(value: string | undefined, required: boolean): number | null {
  if (value === undefined) {
    if (required) throw new UsageError('--pid is required')
    return null
  }
  if (!/^\d+$/.test(value) || Number(value) > 0x7fffffff) throw new UsageError(`--pid must be a process id, got "${value}"`)
  return Number(value)
}

export function parseInclude(value: string | undefined): IncludeKind[] | undefined {
  if (value === undefined) return undefined
  const kinds = value.split(',').map((s) => s.trim()).filter(Boolean)
  for (const k of kinds)
    if (!INCLUDE_KINDS.includes(k as IncludeKind)) throw new UsageError(`--include: unknown list "${k}" (use ${INCLUDE_KINDS.join(',')})`)
  return kinds as IncludeKind[]
}

export function parseCount(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new UsageError(`--${name} must be a whole number, got "${value}"`)
  return Number(value)
}


/** A code address given as hex "0x…" or decimal, within 64 bits; `what` names it in the message ("argument 2", "line 7 of stdin"). */
export function parseCodeAddress(text: string, what: string): bigint {
  const t = text.trim()
  const value = /^0x[0-9a-f]{1,16}$/i.test(t) || /^\d{1,20}$/.test(t) ? BigInt(t) : -1n
  if (value < 0n || value >= 1n << 64n) throw new UsageError(`${what}: "${t.slice(0, 40)}" is not an address (hex 0x… or decimal, 64 bits at most)`)
  return value
}

import { describe, expect, it } from 'vitest'
import type { SnapshotError } from '../../../src-common/contract/contract'
import { readErrors } from './StatusBar'

const error = (pid: number, code: string): SnapshotError => ({ pid, scope: 'process', code, message: `${code} for ${pid}` })

describe('readErrors', () => {
  it('counts the errors of a refresh by cause and says what to do about denied ones', () => {
    const linux = (elevated: boolean) => ({ os: 'linux', elevated })
    expect(readErrors([error(7, 'ESRCH')], linux(false))).toBe('1 read error: 1 exited while being read')
    const mixed = [error(1, 'EACCES'), error(2, 'EPERM'), error(3, 'ENOENT'), error(4, 'EMFILE')]
    expect(readErrors(mixed, linux(false))).toBe(
      "4 read errors: 2 denied (other users' processes: run Snapscope as root to read them), 1 exited while being read, 1 other (hover for details)"
    )
    // Already root: no advice to become root.
    expect(readErrors(mixed.slice(0, 1), linux(true))).toBe('1 read error: 1 denied (refused even to root: other namespaces, or a security module)')
    expect(readErrors([error(4, 'ERROR_ACCESS_DENIED')], { os: 'win32', elevated: true })).toBe('1 read error: 1 denied (protected processes: refused even to administrators)')
  })
})

// What the renderer needs beyond the contract: which transport carries it and whether it is still up,
// so the UI can say "disconnected" instead of silently showing a frozen list.
import type { SnapscopeApi } from '../../../src-common/contract/contract'

export type ConnectionState = 'connecting' | 'connected' | 'disconnected'

export interface ConnectedApi extends SnapscopeApi {
  readonly mode: 'electron' | 'browser'
  connectionState(): ConnectionState
  onConnectionChange(listener: (state: ConnectionState) => void): () => void
}

/** An error from the other side of the contract, carrying its OS or contract code (ESRCH, EINVAL …). */
export class ApiError extends Error {
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.name = 'ApiError'
    this.code = code
  }
}

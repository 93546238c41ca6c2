// What a session's handlers are: a function of a request's payload and of the request itself (its id,
// its AbortSignal, the events it may send). Its own file: the session and the workbench both use it.
import type { Channel, EmitEvent, Requests, Responses } from '../../src-common/contract/contract'

/** What a handler gets besides its payload: the request it serves. */
export interface Call {
  /** the request's id (chosen by the transport) */
  readonly id: number
  /** aborted when the client cancels the request or unsubscribes, and when the window closes */
  readonly signal: AbortSignal
  /** an event addressed to this request's subscription; dropped once it has ended */
  readonly emit: EmitEvent
  /** the host ends the subscription (the watch or capture it carried is over) */
  end(): void
}

export type Handlers<C extends Channel = Channel> = { [K in C]: (p: Requests[K], call: Call) => Promise<Responses[K]> | Responses[K] }

// The Electron IPC channel names, alone in a module: the sandboxed preload imports them (and only
// types from the contract), so its bundle holds no schema library.
/** renderer -> main, and main -> renderer: what carries the contract's ClientMessage and HostMessage */
export const ELECTRON_SEND = 'snapscope:send'
export const ELECTRON_MESSAGE = 'snapscope:message'

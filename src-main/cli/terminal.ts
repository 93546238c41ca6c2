// Text for a terminal: names that come from the machine (a process may name itself anything, a file
// name may hold any byte but "/") must not move the cursor, retitle the window, clear the screen or
// reorder what is shown. Control characters (C0, DEL, C1) and the bidirectional controls are shown
// as escapes instead. JSON needs none of this: JSON.stringify escapes C0 and the rest is inert there.

const CONTROLS = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

export const escapeControls = (text: string): string =>
  text.replace(CONTROLS, (c) => {
    const code = c.charCodeAt(0)
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
  })

/** `value` with every string in it escaped (object keys are ours), for text rendered from it. */
export function escapeStrings<T>(value: T): T {
  if (typeof value === 'string') return escapeControls(value) as T
  if (Array.isArray(value)) return value.map(escapeStrings) as T
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeStrings(v)])) as T
  return value
}

/** One line on stderr (or `stream`), everything in it escaped, newlines included. */
export function say(line: string, stream: NodeJS.WritableStream = process.stderr): void {
  stream.write(escapeControls(line) + '\n')
}

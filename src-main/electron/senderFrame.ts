// Which frames may use the IPC bridge: the top frame of a window we opened, showing our own page.
// Electron delivers IPC from every frame of a web contents; the bridge stops processes and walks
// their heaps, so a subframe, a page navigated elsewhere, or a contents we did not create is refused.

/** What the check reads of Electron's WebFrameMain (event.senderFrame: null once the frame is gone). */
export interface SenderFrame {
  url: string
  parent: unknown
}

/** `url` is `page`: for a file, the same file (any query or hash); for the dev server, its origin. */
export function isOurPage(url: string, page: string): boolean {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  const p = new URL(page)
  return p.protocol === 'file:' ? u.protocol === 'file:' && u.host === p.host && u.pathname === p.pathname : u.origin === p.origin
}

export function senderAllowed(frame: SenderFrame | null, fromOurWindow: boolean, page: string): boolean {
  return frame !== null && frame.parent === null && fromOurWindow && isOurPage(frame.url, page)
}

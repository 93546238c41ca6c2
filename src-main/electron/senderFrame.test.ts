import { describe, expect, it } from 'vitest'
import { senderAllowed } from './senderFrame'

const FILE_PAGE = 'file:///opt/snapscope/out/renderer/index.html'
const DEV_PAGE = 'http://localhost:5173/'
const top = (url: string) => ({ url, parent: null })

describe('senderAllowed', () => {
  it('lets the top frame of our window, on our page, through', () => {
    expect(senderAllowed(top(FILE_PAGE), true, FILE_PAGE)).toBe(true)
    expect(senderAllowed(top(`${FILE_PAGE}?x=1#/heaps`), true, FILE_PAGE)).toBe(true)
    expect(senderAllowed(top('http://localhost:5173/src/main.tsx'), true, DEV_PAGE)).toBe(true)
  })

  it('refuses subframes, frames gone, other windows and other pages', () => {
    expect(senderAllowed({ url: FILE_PAGE, parent: top(FILE_PAGE) }, true, FILE_PAGE)).toBe(false)
    expect(senderAllowed(null, true, FILE_PAGE)).toBe(false)
    expect(senderAllowed(top(FILE_PAGE), false, FILE_PAGE)).toBe(false)
    for (const url of ['file:///etc/passwd', 'file:///opt/snapscope/out/renderer/other.html', 'https://example.com/', 'about:blank', 'data:text/html,x', 'not a url'])
      expect(senderAllowed(top(url), true, FILE_PAGE), url).toBe(false)
    for (const url of ['http://localhost:5174/', 'http://127.0.0.1:5173/', 'https://localhost:5173/', FILE_PAGE])
      expect(senderAllowed(top(url), true, DEV_PAGE), url).toBe(false)
  })
})

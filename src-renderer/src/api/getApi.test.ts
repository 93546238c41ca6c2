import { describe, expect, it } from 'vitest'
import { browserModeUrl } from './getApi'

describe('getApi helpers', () => {
  it('builds the WebSocket URL from the page URL and its token, without one when the page has none (the cookie then)', () => {
    expect(browserModeUrl({ protocol: 'http:', host: '127.0.0.1:4000', search: '?token=a+b/c' })).toBe(
      'ws://127.0.0.1:4000/ws?token=a%20b%2Fc'
    )
    expect(browserModeUrl({ protocol: 'https:', host: 'localhost:1', search: '' })).toBe('wss://localhost:1/ws')
  })
})

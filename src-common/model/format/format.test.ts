import { describe, expect, it } from 'vitest'
import { fmtBytes, fmtClock, fmtCompact, fmtCount, fmtPercent, fmtSigned, fmtTime } from './format'

describe('one set of formatters', () => {
  it('formats numbers en-US whatever the locale of the machine', () => {
    expect(fmtCount(1234567)).toBe('1,234,567')
    expect(fmtCompact(1234)).toBe('1.2K')
    expect(fmtPercent(9000)).toBe('+9,000%')
    expect(fmtSigned(-2 * 2 ** 20, 'bytes')).toBe('−2.0 MiB')
  })

  it('gives sizes one shape in the window and in reports', () => {
    expect([1023, 1536, 15 * 2 ** 20, 150 * 2 ** 30, 2 ** 50].map(fmtBytes)).toEqual(['1023 B', '1.5 KiB', '15.0 MiB', '150 GiB', '1,024 TiB'])
    expect(fmtBytes(Number.NaN)).toBe('—')
  })

  it('shows times in UTC, marked, or in the viewer\'s zone', () => {
    const iso = '2024-05-01T10:32:05.250Z'
    expect(fmtTime(iso)).toBe('2024-05-01 10:32:05 UTC')
    expect(fmtClock(iso)).toBe('10:32:05 UTC')
    const local = fmtTime(iso, 'local')
    expect(local).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    // read back as a local time (no zone in the text), it is the same second
    expect(Date.parse(local.replace(' ', 'T'))).toBe(Date.parse('2024-05-01T10:32:05Z'))
    expect(local.endsWith(fmtClock(iso, 'local'))).toBe(true)
    expect([fmtTime(''), fmtClock('soon')]).toEqual(['—', '—'])
  })
})

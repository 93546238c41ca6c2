import { describe, expect, it } from 'vitest'
import { redactFile } from './redact'
import { makeFile } from './snapshotFile'
import { HOST, proc, sample, snapshotDoc, timelineDoc } from './testDocs'

describe('redaction', () => {
  it('replaces user names, the host name and directories wherever they occur, and keeps file names and numbers', () => {
    const snap = snapshotDoc([proc(10), proc(11, { user: 'CORP\\bob', cmdline: ['C:\\Users\\bob\\app.exe', '--host=build-host-7', '--user', 'alice', '--log=logs/bob/app.log'] })], {
      errors: [{ pid: 11, scope: 'cmdline', code: 'EACCES', message: 'reading /proc/11/cmdline for alice' }]
    })
    const file = makeFile([snap, timelineDoc([sample(0), sample(1000), sample(2000)])], HOST)
    const r = redactFile(file)
    const text = JSON.stringify(r)
    for (const secret of ['alice', 'bob', 'build-host-7', '/home/', 'Users', '/opt/leaky']) expect(text).not.toContain(secret)
    expect(r.redacted).toBe(true)
    expect(r.host.hostname).toBe('host')
    const [p10, p11] = (r.items[0] as typeof snap).processes
    expect([p10.user, p11.user]).toEqual(['user1', 'user2'])
    expect(p10.exePath).toBe('…/app10')
    expect(p10.cmdline).toEqual(['…/app10', '--config', '…/app.toml'])
    expect(p11.cmdline).toEqual(['…\\app.exe', '--host=host', '--user', 'user1', '--log=…/app.log'])
    expect((r.items[0] as typeof snap).errors[0].message).toBe('reading …/cmdline for user1')
    expect(p10.pid).toBe(10)
    expect((r.items[0] as typeof snap).modules.map((m) => m.moduleName)).toEqual(['app', 'libc.so.6', 'libm.so.6'])
    // The original is untouched; redacting twice changes nothing.
    expect(file.host.hostname).toBe('build-host-7')
    expect(redactFile(r)).toBe(r)
  })
})

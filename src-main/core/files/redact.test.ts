import { describe, expect, it } from 'vitest'
import { redactFile } from './redact'
import { makeFile } from './snapshotFile'
import { HOST, namedWatchDoc, proc, sample, snapshotDoc, symbolsDoc, timelineDoc } from '../../../test-support/testDocs'

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

  it('takes the directories off the source files of code names, and keeps the names', () => {
    const r = redactFile(makeFile([namedWatchDoc(), symbolsDoc()], HOST))
    expect(JSON.stringify(r)).not.toContain('/home/alice')
    const [watch, symbols] = r.items as [ReturnType<typeof namedWatchDoc>, ReturnType<typeof symbolsDoc>]
    expect(watch.summary.topPcs[0]).toMatchObject({ function: 'leak::Pool::grow', file: '…/pool.cc', line: 123 })
    expect(watch.symbols![0]).toMatchObject({ function: 'leak::Pool::grow', file: '…/pool.cc', inlined: [{ function: 'leak::touch', file: '…/touch.h', line: 7 }] })
    expect(symbols.symbols.map((s) => s.file)).toEqual(['…/pool.cc', null])
  })
})

// Secrets as they appear on real command lines, each with the text that must stay around it.
const SECRETS = {
  password: 'hunter2',
  token: 'tok-9f8e7d6c5b4a',
  pgpass: 'pg-s3cr3t',
  aws: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  awsId: 'AKIAIOSFODNN7EXAMPLE',
  gh: 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
  slack: 'xoxb-1234567890-abcdefghij',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig-nature_1',
  bearer: 'Zm9vYmFyYmF6cXV4',
  url: 'dbpass77',
  browser: '5f2b9c0e4d7a41e3',
  cookie: 'sid=abc123xyz',
  cookies: 'theme=dark; csrf=77aa'
}
const CMDLINE = [
  '/usr/bin/python3',
  `--password=${SECRETS.password}`,
  '--token',
  SECRETS.token,
  `PGPASSWORD=${SECRETS.pgpass}`,
  `AWS_SECRET_ACCESS_KEY=${SECRETS.aws}`,
  `--key-id=${SECRETS.awsId}`,
  `git push https://x:${SECRETS.gh}@github.com/o/r`,
  `SLACK=${SECRETS.slack}`,
  SECRETS.jwt,
  `-H`,
  `Authorization: Bearer ${SECRETS.bearer}`,
  `Cookie: ${SECRETS.cookies}`,
  `postgres://dbuser:${SECRETS.url}@db.internal:5432/app`,
  `http://127.0.0.1:41234/?token=${SECRETS.browser}&view=tree`,
  `--cookie`,
  SECRETS.cookie,
  '--port=5432',
  '--verbose',
  'keyboard=us',
  '--author=ann'
]

describe('redaction of secrets and names', () => {
  const file = makeFile(
    [
      snapshotDoc([
        proc(20, { user: 'bob', cmdline: CMDLINE }),
        proc(21, { user: 'élise', cmdline: ['bobcat', 'bob-job', '/srv/bob', "bob's", 'xélise', 'élise', 'BOB'] })
      ])
    ],
    HOST
  )
  const r = redactFile(file)
  const [p20, p21] = (r.items[0] as ReturnType<typeof snapshotDoc>).processes

  it('replaces the values of secret-named options and parameters, URL credentials and known token shapes', () => {
    const text = JSON.stringify(r)
    for (const [kind, secret] of Object.entries(SECRETS)) expect(text, kind).not.toContain(secret)
    expect(p20.cmdline).toEqual([
      '…/python3',
      '--password=[redacted]',
      '--token',
      '[redacted]',
      'PGPASSWORD=[redacted]',
      'AWS_SECRET_ACCESS_KEY=[redacted]',
      '--key-id=[redacted]',
      'git push https:…/r',
      'SLACK=[redacted]',
      '[redacted]',
      '-H',
      'Authorization: [redacted]',
      'Cookie: [redacted]',
      'postgres:…/[redacted]@db.internal:…/app',
      'http:…/127.0.0.1:…/?token=[redacted]&view=tree',
      '--cookie',
      '[redacted]',
      '--port=5432',
      '--verbose',
      'keyboard=us',
      '--author=ann'
    ])
    // what was replaced, by kind: bob and élise; build-host-7; the directories; a secret per line above
    expect(r.redaction).toEqual({ users: 2, hosts: 1, paths: expect.any(Number), secrets: 13 })
    expect(r.redaction!.paths).toBeGreaterThanOrEqual(8)
  })

  it('replaces user names as whole words of any script, in any case, and not inside other words', () => {
    expect([p20.user, p21.user]).toEqual(['user1', 'user2'])
    expect(p21.cmdline).toEqual(['bobcat', 'user1-job', '…/user1', "user1's", 'xélise', 'user2', 'user1'])
  })

  it('leaves a file it redacted as it is, and redacts what an older version left in a redacted file', () => {
    expect(redactFile(r)).toBe(r)
    // An older version replaced names and directories but kept secrets, and said so without counts.
    const old = { ...r, redaction: undefined, items: [snapshotDoc([proc(30, { user: 'user1', exePath: '…/app', cmdline: ['…/app', '--password=hunter2'] })], { host: { ...HOST, hostname: 'host' }, modules: [] })] }
    const again = redactFile({ ...old, host: { ...HOST, hostname: 'host' } })
    expect((again.items[0] as ReturnType<typeof snapshotDoc>).processes[0]).toMatchObject({ user: 'user1', cmdline: ['…/app', '--password=[redacted]'] })
    expect(again.redaction).toEqual({ users: 0, hosts: 0, paths: 0, secrets: 1 })
  })

  it('keeps aliases apart from a real user named like one', () => {
    const f = makeFile([snapshotDoc([proc(40, { user: 'carol' }), proc(41, { user: 'user1' })])], HOST)
    const [a, b] = (redactFile(f).items[0] as ReturnType<typeof snapshotDoc>).processes
    expect([a.user, b.user]).toEqual(['user2', 'user1'])
  })
})

// `report --redact` on a real process whose command line carries secrets: capture it, report it in
// every text format, and grep the bytes of what was written for each secret (ten on its command line).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { hostname, tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseSnapscopeFile } from '../core/files/loader'

const cliArgs = ['--import', 'tsx', join(__dirname, 'snapscope.ts')]
const SLOW = 180_000
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [...cliArgs, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })
  expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0)
}
const dir = mkdtempSync(join(tmpdir(), 'snapscope-redact-'))
const out = (name: string) => join(dir, name)

// Fresh for each run, so a hit can only come from this process.
const hex = (n: number) => randomBytes(n).toString('hex')
const alnum = (n: number) => randomBytes(n * 2).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, n)
const secret = {
  password: `pw${hex(6)}`,
  token: `tk${hex(8)}`,
  apiKey: `ak${hex(8)}`,
  dbPass: `db${hex(6)}`,
  aws: `${alnum(30)}/${alnum(9)}`,
  awsId: `AKIA${alnum(16).toUpperCase().replace(/[^A-Z0-9]/g, 'Q')}`,
  github: `ghp_${alnum(36)}`,
  browser: hex(16),
  bearer: alnum(24),
  jwt: `eyJ${alnum(16)}.eyJ${alnum(20)}.${alnum(22)}`,
  // the environment is not captured today; if it ever is, its secrets must not leak either
  envOnly: `env${hex(8)}`
}
const marker = hex(4)
const user = userInfo().username
// Kept: what a leak hunt needs, and words that merely contain the user's name.
const kept = ['--port=5432', '--workers', `job-${marker}.db`, `${user}cat${marker}`]
const args = [
  `--password=${secret.password}`,
  '--token',
  secret.token,
  '--api-key',
  secret.apiKey,
  `postgres://app:${secret.dbPass}@db.internal:5432/app`,
  `AWS_SECRET_ACCESS_KEY=${secret.aws}`,
  `--key-id=${secret.awsId}`,
  `GIT=${secret.github}`,
  `http://127.0.0.1:41234/?token=${secret.browser}&tab=tree`,
  `Authorization: Bearer ${secret.bearer}`,
  secret.jwt,
  `--owner=${user}`,
  `--host=${hostname()}`,
  `/tmp/${user}/job-${marker}.db`,
  '--port=5432',
  '--workers',
  '8',
  `${user}cat${marker}`
]

let target: ChildProcess
beforeAll(async () => {
  target = spawn('python3', ['-c', 'import sys, time; print(flush=True); time.sleep(300)', ...args], {
    env: { ...process.env, DB_PASSWORD: secret.envOnly },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  await new Promise((ok) => target.stdout!.once('data', ok))
  cli('capture', '--pid', String(target.pid), '--out', out('plain.snapscope'))
  cli('capture', '--pid', String(target.pid), '--out', out('redacted.snapscope'), '--redact')
}, SLOW)
afterAll(() => {
  target?.kill('SIGKILL')
})

/** Files under `path` that hold any of `needles`, by grep (exit 1: none). */
function grep(path: string, needles: string[]): string {
  const r = spawnSync('grep', ['-rlaF', ...needles.flatMap((n) => ['-e', n]), path], { encoding: 'utf8' })
  expect(r.status, r.stderr).not.toBe(2)
  return r.stdout
}

describe('report --redact on a real command line', () => {
  it('captured the secrets (the plain file has them all)', async () => {
    const text = JSON.stringify(await parseSnapscopeFile(readFileSync(out('plain.snapscope')), 'plain.snapscope'))
    for (const [kind, s] of Object.entries(secret)) if (kind !== 'envOnly') expect(text, kind).toContain(s)
  })

  it('writes no secret in any format, keeps the rest, and says what it replaced', () => {
    for (const format of ['html', 'json', 'csv']) cli('report', out('plain.snapscope'), '--format', format, '--out', out(format === 'csv' ? 'csv' : `r.${format}`), '--redact')
    const written = [out('r.html'), out('r.json'), ...readdirSync(out('csv')).map((f) => join(out('csv'), f))]
    for (const f of written) expect(grep(f, Object.values(secret)), f).toBe('')
    // The user's name only as a whole word: "--owner=root" goes, "rootcat…" stays.
    for (const f of written) expect(readFileSync(f, 'utf8'), f).not.toContain(`--owner=${user}`)
    const csv = readFileSync(join(out('csv'), 'csv-item0-processes.csv'), 'utf8')
    for (const s of kept) expect(csv).toContain(s)
    expect(csv).toContain('--owner=user')
    expect(csv).toContain('--host=host')

    const json = JSON.parse(readFileSync(out('r.json'), 'utf8'))
    expect(json.redacted).toBe(true)
    expect(json.redaction.secrets).toBeGreaterThanOrEqual(10)
    expect(json.redaction.users).toBeGreaterThanOrEqual(1)
    expect(json.redaction.hosts).toBe(1)
    const counts = readFileSync(join(out('csv'), 'csv-redaction.csv'), 'utf8')
    expect(counts).toMatch(new RegExp(`^secrets,${json.redaction.secrets}\r$`, 'm'))
    expect(readFileSync(out('r.html'), 'utf8')).toContain(
      `Redacted: ${json.redaction.users} user name${json.redaction.users === 1 ? '' : 's'}, 1 host name, ${json.redaction.paths.toLocaleString('en-US')} directories, ${json.redaction.secrets} secrets replaced`
    )
  }, SLOW)

  it('reports a file saved redacted the same with --redact or without: badge and counts kept, nothing redacted twice', async () => {
    const saved = JSON.stringify(await parseSnapscopeFile(readFileSync(out('redacted.snapscope')), 'redacted.snapscope'))
    for (const [kind, s] of Object.entries(secret)) expect(saved, kind).not.toContain(s)
    cli('report', out('redacted.snapscope'), '--format', 'json', '--out', out('again.json'))
    cli('report', out('redacted.snapscope'), '--format', 'json', '--out', out('twice.json'), '--redact')
    const [once, twice] = ['again.json', 'twice.json'].map((f) => ({ ...JSON.parse(readFileSync(out(f), 'utf8')), generatedAt: null }))
    expect(twice).toEqual(once)
    expect(once.redacted).toBe(true)
    expect(once.redaction.secrets).toBeGreaterThanOrEqual(10)
    expect(grep(out('again.json'), Object.values(secret))).toBe('')
    cli('report', out('redacted.snapscope'), '--format', 'html', '--out', out('again.html'), '--redact')
    expect(readFileSync(out('again.html'), 'utf8')).toMatch(/<span class="badge" data-redaction>Redacted: \d+ user names?, 1 host name, [\d,]+ directories, \d+ secrets replaced<\/span>/)
  }, SLOW)
})

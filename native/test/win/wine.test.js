// The Windows addon in a Windows node.exe (under Wine here, by scripts/test-wine.sh): real Tool Help
// snapshots of this process and of a second node.exe it starts, their memory counters, real memory regions and HeapWalk of
// its own heaps, symbols of a fixture process, and the errors of what Wine does not implement (checked, never called).
// Plain JavaScript for node.exe: SNAPSCOPE_ADDON names the .node file to test.
'use strict'
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawn, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const addon = require(process.env.SNAPSCOPE_ADDON)
const underWine = !!process.env.SNAPSCOPE_UNDER_WINE

const PROCESS_FIELDS = ['pid', 'parentPid', 'exeFile', 'exePath', 'name', 'nameTruncated', 'cmdline', 'user', 'uid', 'startTimeMs',
  'threadCount', 'basePriority', 'workingSetBytes', 'pageFaultCount', 'state'].sort()
const GHOST_PID = 0x7ffffff0 // far above any pid Windows or Wine hands out
const MEMORY_FIELDS = ['peakWorkingSetBytes', 'pid', 'privateBytes', 'virtualBytes', 'workingSetBytes']

let child
before(async () => {
  // A second node.exe, idle until the suite ends.
  child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
  // Started once Tool Help lists it with its loader done (node's own threads running).
  for (const deadline = Date.now() + 20000; Date.now() < deadline;) {
    const s = addon.snapshotSync({ processes: true, threads: false, pid: null })
    const p = s.processes.find((x) => x.pid === child.pid)
    if (p && p.threadCount >= 2) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`the second node.exe (pid ${child.pid}) did not start`)
})
after(() => child && child.kill())

function hex(address) {
  assert.match(address, /^0x[0-9a-f]+$/)
  return BigInt(address)
}

function assertImage(modules, name, pid) {
  const m = modules.find((x) => x.moduleName.toLowerCase() === name)
  assert.ok(m, `${name} in the module list of ${pid}: ${modules.map((x) => x.moduleName).join(', ')}`)
  assert.equal(m.pid, pid)
  assert.ok(m.exePath.toLowerCase().endsWith(`\\${name}`), m.exePath)
  const base = hex(m.baseAddress)
  assert.ok(base >= 0x10000n && base < 0x800000000000n, `${name} base ${m.baseAddress} in user space`)
  assert.equal(base % 0x1000n, 0n, `${name} base is page-aligned`)
  assert.ok(m.baseSize >= 0x1000 && m.baseSize < 2 ** 32, `${name} size ${m.baseSize}`)
  return m
}

test('host() is win32 / win32-toolhelp', () => {
  assert.equal(addon.host().os, 'win32')
  assert.equal(addon.host().backend, 'win32-toolhelp')
  assert.equal(addon.host().arch, process.arch)
  assert.equal(typeof addon.elevated(), 'boolean') // the token's elevation (Wine's user is an administrator)
})

test('the snapshot sees this process and the second node.exe, with parent and thread counts', async () => {
  const s = await addon.snapshot({ processes: true, threads: true, pid: null })
  const self = s.processes.find((p) => p.pid === process.pid)
  const other = s.processes.find((p) => p.pid === child.pid)
  assert.ok(self, 'this process is listed')
  assert.ok(other, 'the second node.exe is listed')
  assert.deepEqual(Object.keys(self).sort(), PROCESS_FIELDS) // the same shape as on Linux
  assert.equal(other.parentPid, process.pid)
  assert.equal(other.exeFile.toLowerCase(), 'node.exe')
  assert.equal(self.exePath.toLowerCase(), process.execPath.toLowerCase())
  assert.deepEqual(other.cmdline.slice(1), ['-e', 'setInterval(() => {}, 1000)'])
  assert.ok(other.user.length > 0 && Math.abs(other.startTimeMs - Date.now()) < 10 * 60e3, 'user and start time')
  for (const p of [self, other]) {
    const threads = s.threads.filter((t) => t.ownerPid === p.pid)
    assert.equal(p.threadCount, threads.length, `threadCount of ${p.pid} = its thread entries`)
    assert.ok(p.threadCount >= 2, `node.exe runs several threads (${p.threadCount})`)
    for (const t of threads) assert.deepEqual(Object.keys(t).sort(), ['basePriority', 'deltaPriority', 'ownerPid', 'tid'])
  }
  assert.equal(new Set(s.threads.map((t) => t.tid)).size, s.threads.length, 'thread ids are unique')
})

test('module lists of both node.exe hold node.exe, ntdll.dll and kernel32.dll', async () => {
  for (const pid of [process.pid, child.pid]) {
    const s = await addon.snapshot({ processes: false, threads: false, modules: true, pid })
    assert.deepEqual(s.errors, [])
    const node = assertImage(s.modules, 'node.exe', pid)
    assert.ok(node.baseSize > 10e6, `node.exe is a large image (${node.baseSize})`)
    const ntdll = assertImage(s.modules, 'ntdll.dll', pid)
    const kernel32 = assertImage(s.modules, 'kernel32.dll', pid)
    assert.notEqual(ntdll.baseAddress, kernel32.baseAddress)
  }
  // Without a pid, the lists are of this process (as in Tool Help).
  const own = await addon.snapshot({ processes: false, threads: false, modules: true, pid: null })
  assert.ok(own.modules.every((m) => m.pid === process.pid))
})

test('a pid that does not exist: ERROR_INVALID_PARAMETER naming the pid', async () => {
  const expected = (e) => {
    assert.equal(e.code, 'ERROR_INVALID_PARAMETER')
    assert.equal(e.pid, GHOST_PID)
    assert.equal(e.scope, 'process')
    assert.match(e.message, new RegExp(`\\b${GHOST_PID}\\b`))
    return true
  }
  await assert.rejects(addon.snapshot({ processes: true, threads: true, pid: GHOST_PID }), expected)
  assert.throws(() => addon.snapshotSync({ processes: false, threads: false, modules: true, pid: GHOST_PID }), expected)
  await assert.rejects(addon.memoryRegions(GHOST_PID), (e) => e.code === 'ERROR_INVALID_PARAMETER')
})

test("process memory: this process's private bytes (PrivateUsage) grow by about what it allocates and touches", async () => {
  const before = await addon.processMemory(process.pid)
  assert.deepEqual(Object.keys(before).sort(), MEMORY_FIELDS)
  assert.equal(before.pid, process.pid)
  assert.ok(before.privateBytes > 1 << 20, `private bytes ${before.privateBytes}`)
  assert.ok(before.peakWorkingSetBytes >= before.workingSetBytes)
  assert.ok(before.virtualBytes > before.privateBytes)
  const bytes = 64 << 20
  const block = Buffer.allocUnsafeSlow(bytes).fill(1) // every page written
  const after = await addon.processMemory(process.pid)
  const grew = after.privateBytes - before.privateBytes
  // node's own threads allocate and free meanwhile: a few MiB either way.
  assert.ok(grew > bytes - (4 << 20) && grew < bytes + (16 << 20), `private bytes grew by ${grew} for ${bytes} touched`)
  assert.ok(after.peakWorkingSetBytes - before.peakWorkingSetBytes > bytes - (4 << 20), 'the peak grew alike')
  assert.equal(block[bytes - 1], 1)
})

test('memory map of this node.exe: columns, kinds, and 32 MiB written show up as resident private bytes', async () => {
  const sum = (a) => a.reduce((s, v) => s + v, 0)
  const before = await addon.memoryMap(process.pid)
  const n = before.kind.length
  assert.ok(n > 50, `${n} regions`)
  for (const column of ['start', 'end', 'perms', 'path', 'residentBytes', 'privateBytes', 'swapBytes']) assert.equal(before[column].length, n, column)
  const kinds = new Set(before.kind)
  for (const code of [0, 2, 3]) assert.ok(kinds.has(code), `kind ${code} (image, heap, stack) among ${[...kinds]}`)
  assert.ok(before.strings.some((s) => /node\.exe$/i.test(s)), 'node.exe names its image')
  for (let i = 0; i < n; i++) assert.ok(before.privateBytes[i] <= before.residentBytes[i] && before.residentBytes[i] <= Number(before.end[i] - before.start[i]))
  const bytes = 32 << 20
  const block = Buffer.allocUnsafeSlow(bytes).fill(1)
  const after = await addon.memoryMap(process.pid)
  const grew = sum(after.privateBytes) - sum(before.privateBytes)
  assert.ok(grew > bytes - (4 << 20) && grew < bytes + (16 << 20), `private bytes grew by ${grew} for ${bytes} written`)
  assert.equal(block[bytes - 1], 1)
})

test('process memory of the second node.exe; of a pid that does not exist: ERROR_INVALID_PARAMETER', async () => {
  const other = await addon.processMemory(child.pid)
  assert.deepEqual(Object.keys(other).sort(), MEMORY_FIELDS)
  assert.equal(other.pid, child.pid)
  assert.ok(other.privateBytes > 1 << 20 && other.workingSetBytes > 1 << 20, JSON.stringify(other))
  assert.ok(other.peakWorkingSetBytes >= other.workingSetBytes && other.virtualBytes > other.privateBytes)
  // The snapshot's working set is the same counter, read a moment apart.
  const listed = (await addon.snapshot({ processes: true, threads: false, pid: child.pid })).processes.find((p) => p.pid === child.pid)
  assert.ok(Math.abs(listed.workingSetBytes - other.workingSetBytes) < 4 << 20, `${listed.workingSetBytes} vs ${other.workingSetBytes}`)
  await assert.rejects(addon.processMemory(GHOST_PID), (e) => {
    assert.equal(e.code, 'ERROR_INVALID_PARAMETER')
    assert.equal(e.pid, GHOST_PID)
    assert.equal(e.scope, 'process')
    assert.match(e.message, new RegExp(`\\b${GHOST_PID}\\b`))
    return true
  })
})

test('heap lists: this process from GetProcessHeaps; another one refused under Wine', async () => {
  const own = await addon.snapshot({ processes: false, threads: false, heapLists: true, pid: null })
  assert.deepEqual(own.errors, [])
  assert.equal(own.heapLists.filter((h) => h.isDefault).length, 1)
  for (const h of own.heapLists) {
    assert.equal(h.heapId, h.baseAddress)
    assert.ok(h.walkable && h.size > 0)
  }
  const other = await addon.snapshot({ processes: false, threads: false, modules: true, heapLists: true, pid: child.pid })
  if (underWine) {
    // Heap32ListNext is a stub in Wine that would end this process: it is never called.
    assert.deepEqual(other.errors.map((e) => [e.scope, e.code]), [['heaplist', 'ERROR_CALL_NOT_IMPLEMENTED']])
    assert.ok(other.modules.length > 0, 'the module list of the same snapshot request still comes')
  } else {
    assert.ok(other.heapLists.length > 0)
  }
})

test('memory regions: images, heaps and thread stacks of this process; the other one readable', async () => {
  const regions = await addon.memoryRegions(process.pid)
  const kinds = new Set(regions.map((r) => r.kind))
  for (const kind of ['image', 'heap', 'stack', 'anon']) assert.ok(kinds.has(kind), `a region of kind ${kind}`)
  assert.ok(regions.some((r) => r.kind === 'image' && r.path.toLowerCase() === process.execPath.toLowerCase()))
  assert.ok(regions.some((r) => r.kind === 'image' && /\\ntdll\.dll$/i.test(r.path) && r.perms.includes('x')))
  assert.ok(regions.filter((r) => r.kind === 'stack').every((r) => r.tid > 0))
  for (let i = 1; i < regions.length; i++) assert.ok(hex(regions[i - 1].end) <= hex(regions[i].start), 'sorted, disjoint')
  const other = await addon.memoryRegions(child.pid)
  assert.ok(other.some((r) => r.kind === 'stack'), "the second node.exe's stacks found through its TEBs")
})

// The heap walk and watch bindings are OS-neutral and may still be placeholders while they are
// written: then these are skipped (and say so), not failed.
function bindingPending(call) {
  try {
    return { value: call() }
  } catch (e) {
    if (/not implemented yet/.test(e.message)) return { pending: e.message }
    throw e
  }
}

test('heap walk of this process (HeapWalk) returns blocks and a summary of every heap', async (t) => {
  const started = bindingPending(() => addon.heapWalk({ pid: process.pid, heapId: null, offset: 0, limit: 50, stopTarget: false }))
  if (started.pending) return t.skip(started.pending)
  const result = await started.value.result
  assert.equal(result.pid, process.pid)
  assert.ok(result.heaps.length >= 1)
  for (const heap of result.heaps) {
    const s = heap.summary
    assert.equal(s.blockCount, s.usedBlocks + s.freeBlocks)
    assert.ok(heap.addresses.length <= 50 && heap.addresses.length === heap.sizes.length && heap.sizes.length === heap.flags.length)
    assert.equal(heap.truncated, s.blockCount > 50)
    for (let i = 1; i < heap.addresses.length; i++) assert.ok(heap.addresses[i - 1] < heap.addresses[i], 'address order')
  }
  assert.ok(result.heaps.some((h) => h.summary.usedBlocks > 100), "node's heap has many blocks in use")
})

test("heap walk and working-set watch of another process: Wine's missing APIs are refused, not called", async (t) => {
  if (!underWine) return t.skip('on Windows the real paths run (see the README table)')
  const walk = bindingPending(() => addon.heapWalk({ pid: child.pid, heapId: null, offset: 0, limit: 10, stopTarget: false }))
  if (walk.pending) return t.skip(walk.pending)
  await assert.rejects(walk.value.result, (e) => e.code === 'ERROR_CALL_NOT_IMPLEMENTED' && e.pid === child.pid)
  let thrown
  try {
    addon.startWatch({ pid: child.pid }, () => {}, () => {}).stop()
  } catch (e) {
    thrown = e
  }
  if (thrown && /not implemented yet/.test(thrown.message)) return t.skip(thrown.message)
  assert.equal(thrown?.code, 'ERROR_CALL_NOT_IMPLEMENTED', String(thrown))
  assert.equal(thrown.scope, 'watch')
})

test('the addon loads in a host executable not named node.exe (as in Electron)', (t) => {
  const host = process.env.SNAPSCOPE_RENAMED_HOST // node.exe under another name, made by test-wine.sh
  if (!host) return t.skip('SNAPSCOPE_RENAMED_HOST not set')
  const out = path.join(os.tmpdir(), `snapscope-renamed-host-${process.pid}.json`)
  const script = `const a = require(${JSON.stringify(process.env.SNAPSCOPE_ADDON)});
    require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({ host: a.host(), pid: process.pid,
      listed: a.snapshotSync({ processes: true, threads: false, pid: null }).processes.some((p) => p.pid === process.pid) }))`
  try {
    const run = spawnSync(host, ['-e', script], { stdio: 'ignore', timeout: 60000 })
    assert.equal(run.status, 0, `${path.basename(host)} exited with ${run.status}`)
    const result = JSON.parse(fs.readFileSync(out, 'utf8'))
    assert.equal(result.host.backend, 'win32-toolhelp')
    assert.ok(result.listed, 'napi_* resolved in the renamed executable, and the snapshot works there')
  } finally {
    fs.rmSync(out, { force: true })
  }
})

// symbols_fixture.exe (built next to the addon by build-win.sh): prints its pid, its own function
// addresses with the line each is on, those of its exports-only DLL, then "ready".
async function startSymbolsFixture() {
  const exe = path.join(path.dirname(process.env.SNAPSCOPE_ADDON), 'symbols_fixture.exe')
  const fixture = spawn(exe, [], { stdio: ['ignore', 'pipe', 'ignore'] })
  let text = ''
  await new Promise((resolve, reject) => {
    fixture.stdout.on('data', (chunk) => {
      text += chunk
      if (/^ready\r?$/m.test(text)) resolve()
    })
    fixture.on('exit', (code) => reject(new Error(`symbols_fixture.exe exited with ${code}: ${text}`)))
  })
  const fields = Object.fromEntries(text.split(/\r?\n/).filter(Boolean).map((l) => { const [k, ...v] = l.split(' '); return [k, v] }))
  return { fixture, fields, address: (key) => BigInt(`0x${fields[key][0]}`) }
}

// Entry i of a NativeSymbolBatch as one object (the columns decoded).
function symbolAt(batch, i) {
  const s = (column) => batch.strings[batch[column][i]]
  const inlined = []
  for (let k = batch.inlineStart[i]; k < batch.inlineStart[i + 1]; k++) {
    inlined.push({ function: batch.strings[batch.inlineFunction[k]], file: batch.strings[batch.inlineFile[k]], line: batch.inlineLine[k] })
  }
  return { module: s('module'), modulePath: s('modulePath'), moduleOffset: batch.moduleOffset[i], function: s('function'), offset: batch.offset[i],
    file: s('file'), line: batch.line[i], source: batch.source[i], exact: batch.exact[i] === 1, inlined }
}

const SOURCE = { debuginfo: 3, exports: 5 } // SYMBOL_SOURCES index + 1

test("symbolize(): the fixture's own functions with file and line (its DWARF), its DLL's exports, module+offset past them", async () => {
  const { fixture, fields, address } = await startSymbolsFixture()
  try {
    const base = address('base')
    const dll = address('dll')
    const beta = address('fixture_beta')
    const inBeta = Array.from({ length: 16 }, (_, k) => beta + BigInt(k))
    const addresses = [address('fixture_alpha'), beta, address('fixture_export_first'), address('hidden'), address('heap'), ...inBeta]
    const batch = await addon.symbolize(Number(fields.pid[0]), BigUint64Array.from(addresses))
    assert.equal(batch.strings[0], '')
    assert.equal(batch.module.length, addresses.length)
    const [alpha, betaStart, first, hidden, heap] = addresses.slice(0, 5).map((_, i) => symbolAt(batch, i))
    for (const [s, name, at] of [[alpha, 'fixture_alpha', addresses[0]], [betaStart, 'fixture_beta', beta]]) {
      assert.equal(s.function, name)
      assert.equal(s.offset, 0)
      assert.equal(s.module, 'symbols_fixture.exe')
      assert.equal(s.moduleOffset, Number(at - base))
      assert.equal(s.line, Number(fields[name][2]), `${name}: the line the fixture printed`)
      assert.ok(s.file.toLowerCase().endsWith('\\symbols_fixture.c'), s.file)
      assert.equal(s.source, SOURCE.debuginfo)
      assert.ok(s.exact)
    }
    assert.deepEqual([first.function, first.offset, first.source, first.exact, first.module], ['fixture_export_first', 0, SOURCE.exports, true, 'symbols_fixture_dll.dll'])
    // Past fixture_export_first, in a function with no export: module+offset only, not exact.
    assert.deepEqual([hidden.function, hidden.source, hidden.exact, hidden.moduleOffset], ['', 0, false, Number(address('hidden') - dll)])
    assert.deepEqual([heap.module, heap.function, heap.exact], ['', '', false])
    // fixture_inlined is inlined into fixture_beta: some of its first bytes are in it.
    const inlinedAt = inBeta.map((_, k) => symbolAt(batch, 5 + k)).filter((s) => s.inlined.length)
    assert.ok(inlinedAt.length > 0, 'an inlined frame in fixture_beta')
    for (const s of inlinedAt) {
      assert.equal(s.function, 'fixture_beta')
      assert.deepEqual(s.inlined.map((f) => f.function), ['fixture_inlined'])
      assert.ok(s.inlined[0].line > 0 && s.inlined[0].file === s.file)
    }
  } finally {
    fixture.kill()
  }
})

test('symbolize() of a pid that does not exist rejects with ERROR_INVALID_PARAMETER', async () => {
  await assert.rejects(addon.symbolize(GHOST_PID, BigUint64Array.of(0x1000n)), (e) => {
    assert.equal(e.code, 'ERROR_INVALID_PARAMETER')
    assert.equal(e.pid, GHOST_PID)
    assert.equal(e.scope, 'symbols')
    return true
  })
})

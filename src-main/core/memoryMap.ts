// The memory map document of one process from the addon's columns: addresses as "0x…", kinds by
// name, and the totals by kind (every kind, in MEMORY_KINDS order), summed here from the regions.
import type { NativeAddon } from '../../native/index'
import { MEMORY_KINDS } from '../../src-common/contract/types'
import { MEMORY_MAP_FORMAT, type MemoryKindTotal, type MemoryMapDoc, type MemoryMapRegion } from '../../src-common/contract/memoryMapTypes'

const hex = (value: bigint): string => `0x${value.toString(16)}`

/** Rejects with the addon's OsError (ESRCH: the process does not exist or exited during the read; EACCES …). */
export async function memoryMap(addon: Pick<NativeAddon, 'memoryMap'>, pid: number): Promise<MemoryMapDoc> {
  const takenAt = new Date().toISOString()
  const m = await addon.memoryMap(pid)
  const totals: MemoryKindTotal[] = MEMORY_KINDS.map((kind) => ({ kind, sizeBytes: 0, residentBytes: 0, privateBytes: 0, swapBytes: 0 }))
  const regions: MemoryMapRegion[] = []
  for (let i = 0; i < m.kind.length; i++) {
    const region: MemoryMapRegion = {
      start: hex(m.start[i]),
      end: hex(m.end[i]),
      kind: MEMORY_KINDS[m.kind[i]],
      perms: m.strings[m.perms[i]],
      path: m.strings[m.path[i]],
      sizeBytes: Number(m.end[i] - m.start[i]),
      residentBytes: m.residentBytes[i],
      privateBytes: m.privateBytes[i],
      swapBytes: m.swapBytes[i]
    }
    regions.push(region)
    const total = totals[m.kind[i]]
    total.sizeBytes += region.sizeBytes
    total.residentBytes += region.residentBytes
    total.privateBytes += region.privateBytes
    total.swapBytes += region.swapBytes
  }
  return { format: MEMORY_MAP_FORMAT, pid, takenAt, regions, totals }
}

# Run inside gdb (libc6-dbg installed): dumps glibc's own view of the heap of the attached process as
# one line "ORACLE {json}": the chunks in every thread's tcache, every arena's fastbins and bins, each
# arena's top chunk and system_mem, and mp_'s count and bytes of mmapped chunks. An independent
# oracle for the heap walker (native/test/heapOracle.test.ts): it reads glibc's structures through
# their debug symbols, not through the walker's offsets and heuristics.
import json

import gdb

LIMIT = 1 << 20  # entries per list at most: a broken list must not hang the test
inf = gdb.selected_inferior()


def u64(address):
    return int.from_bytes(inf.read_memory(address, 8).tobytes(), "little")


def reveal(slot, stored):  # glibc's safe-linking (PROTECT_PTR / REVEAL_PTR)
    return stored ^ (slot >> 12)


tcache, fastbins, bins, tops, arenas = set(), set(), set(), [], []
for thread in inf.threads():
    thread.switch()
    t = gdb.parse_and_eval("tcache")
    if int(t) == 0:
        continue
    for i in range(64):
        entry = int(t["entries"][i])
        for _ in range(int(t["counts"][i])):
            if entry == 0:
                break
            tcache.add(entry - 16)
            entry = reveal(entry, u64(entry))

start = int(gdb.parse_and_eval("&main_arena"))
arena = start
while True:
    a = gdb.parse_and_eval("*(struct malloc_state *) %d" % arena)
    for i in range(10):
        chunk = int(a["fastbinsY"][i])
        for _ in range(LIMIT):
            if chunk == 0:
                break
            fastbins.add(chunk)
            chunk = reveal(chunk + 16, u64(chunk + 16))
    bins_address = int(a["bins"].address)
    for i in range(1, 127):  # bin_at(i) = &bins[2 (i - 1)] - 16; fd at +16
        header = bins_address + 16 * (i - 1) - 16
        chunk = u64(header + 16)
        for _ in range(LIMIT):
            if chunk == header:
                break
            bins.add(chunk)
            chunk = u64(chunk + 16)
    tops.append(int(a["top"]))
    arenas.append({"arena": arena, "systemMem": int(a["system_mem"])})
    arena = int(a["next"])
    if arena == start:
        break

print("ORACLE " + json.dumps({
    "tcache": sorted(tcache), "fastbins": sorted(fastbins), "bins": sorted(bins), "tops": tops, "arenas": arenas,
    "mmaps": int(gdb.parse_and_eval("mp_.n_mmaps")), "mmappedBytes": int(gdb.parse_and_eval("mp_.mmapped_mem")),
    "tcacheCount": int(gdb.parse_and_eval("mp_.tcache_count")),
}))

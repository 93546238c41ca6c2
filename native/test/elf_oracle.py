"""An independent reading of a process's loaded images, for native/test/modules.test.ts.

usage: elf_oracle.py PID < [{"path": "/usr/lib/…" | "", "base": "0x…"}, …]

For each image asked about, pyelftools reads the ELF headers (of the file, or of the process's own
memory for [vdso], whose path is "") and gives the page-rounded span of its PT_LOAD segments. With
that, the executable mappings of /proc/PID/maps. Prints one JSON object:
  {"images": [{"isElf": bool, "span": N}, …], "executable": [{"start", "end", "offset", "path"}, …]}
"""
import io
import json
import sys

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile

PAGE = 4096


def load_span(stream):
    try:
        elf = ELFFile(stream)
    except ELFError:
        return False, 0
    loads = [s for s in elf.iter_segments() if s["p_type"] == "PT_LOAD"]
    lo = min(s["p_vaddr"] // PAGE * PAGE for s in loads)
    hi = max(-(-(s["p_vaddr"] + s["p_memsz"]) // PAGE) * PAGE for s in loads)
    return True, hi - lo


def maps(pid):
    out = []
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            parts = line.split(None, 5)
            start, end = (int(x, 16) for x in parts[0].split("-"))
            out.append({"start": start, "end": end, "perms": parts[1], "offset": int(parts[2], 16),
                        "path": parts[5].strip() if len(parts) > 5 else ""})
    return out


def main():
    pid = int(sys.argv[1])
    mappings = maps(pid)
    images = []
    for image in json.load(sys.stdin):
        if image["path"]:
            with open(image["path"], "rb") as f:
                is_elf, span = load_span(f)
        else:
            base = int(image["base"], 16)
            vdso = next(m for m in mappings if m["start"] == base)
            with open(f"/proc/{pid}/mem", "rb") as mem:
                mem.seek(base)
                is_elf, span = load_span(io.BytesIO(mem.read(vdso["end"] - base)))
        images.append({"isElf": is_elf, "span": span})
    executable = [{k: m[k] for k in ("start", "end", "offset", "path")}
                  for m in mappings if m["perms"][2] == "x" and (m["path"].startswith("/") or m["path"] == "[vdso]")]
    print(json.dumps({"images": images, "executable": executable}))


main()

// Which image of a process holds the malloc its code calls, and where in that file each allocator
// entry point starts: the file offsets a uprobe is placed at.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace snapscope::procfs::allocs {

// The entry points traced, in the order of kAllocFunctions.
enum class AllocFn : uint8_t {
  Malloc, Calloc, Realloc, Reallocarray, Free, PosixMemalign, AlignedAlloc, Memalign, Valloc, Pvalloc, Count
};
inline constexpr const char* kAllocFunctions[] = {"malloc",         "calloc",        "realloc",  "reallocarray",
                                                  "free",           "posix_memalign", "aligned_alloc",
                                                  "memalign",       "valloc",        "pvalloc"};

struct ProbeSite {
  AllocFn fn;
  uint64_t fileOffset;
};

struct AllocatorImage {
  std::string probePath;   // a path the kernel can open for the uprobe (map_files or the target's root)
  std::string path;        // the image as the target maps it
  std::string mechanism;   // "uprobes-glibc" | "uprobes-exe" | "uprobes-lib"
  // One per distinct offset: aliases (glibc's aligned_alloc = memalign) are probed once, as the
  // first name. malloc and free are always present.
  std::vector<ProbeSite> sites;
};

// Reads the target's maps and the ELF symbols (.dynsym, then .symtab) of the images it maps:
// its executable when that defines malloc itself (static binaries, a statically linked allocator),
// else a shared library other than libc that exports it (jemalloc, tcmalloc, mimalloc preloaded or
// linked), else its libc. Throws OsError: ESRCH, EACCES, ENOTSUP (no image defines malloc and free).
AllocatorImage findAllocator(int pid);

}  // namespace snapscope::procfs::allocs

// JIT code described by a perf map, /tmp/perf-PID.map ("START SIZE name" per line, hex: what
// node --perf-basic-prof, the JVM's perf agents and LuaJIT write), read through the target's root.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace snapscope::procfs::symbols {

// Bounds for a huge or hostile file: only its last kMaxPerfMapBytes are read, at most
// kMaxPerfMapEntries entries (the newest) kept, names cut at kMaxPerfMapName bytes.
// A file that only grew since (a JIT appends as it compiles) is read from where the last read ended.
constexpr size_t kMaxPerfMapBytes = 64u << 20;
constexpr size_t kMaxPerfMapEntries = 1u << 20;
constexpr size_t kMaxPerfMapName = 1024;

class PerfMap {
 public:
  struct Entry {
    uint64_t start = 0, size = 0;
    uint32_t nameAt = 0, nameLength = 0;  // in names_
    uint32_t line = 0;                    // later lines describe newer code
  };

  // Adds the complete lines of `text`, numbered on after those added before; lines that do not
  // parse (not hex, size 0, no name, wrapping) are skipped. Returns the bytes it took: up to the
  // last newline (a JIT may be in the middle of writing the last line).
  size_t append(std::string_view text);

  // The newest entry holding `address`; nullptr when none does.
  const Entry* find(uint64_t address) const;
  std::string_view name(const Entry& entry) const { return {names_.data() + entry.nameAt, entry.nameLength}; }
  size_t size() const { return entries_.size(); }

 private:
  std::vector<Entry> entries_;  // by start
  std::string names_;
  uint32_t lines_ = 0;          // lines read so far
};

struct PerfMapFile {
  std::shared_ptr<const PerfMap> map;  // nullptr when the process has none
  std::string path;                    // as the process names it: /tmp/perf-NSPID.map
};

// The perf map of `pid` as the file is now: parsed again only when its size, mtime or inode changed
// since the last call (a few maps are kept, the least recently used dropped).
PerfMapFile perfMapOf(int pid);

}  // namespace snapscope::procfs::symbols

#include "proc_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fd.h"

namespace snapscope::procfs {

namespace {

// A stat line is < 1 KiB and a path < PATH_MAX, so most reads never grow the buffer.
constexpr std::size_t kInitialBuffer = 16 * 1024;

// Parses a decimal integer (optionally negative) at p; returns the position after it.
const char* parseInt(const char* p, const char* end, long long& value) {
  bool negative = p < end && *p == '-';
  if (negative) ++p;
  long long v = 0;
  while (p < end && *p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
  value = negative ? -v : v;
  return p;
}

}  // namespace

ProcReader::ProcReader() : buf_(kInitialBuffer) {}

int ProcReader::read(int dirfd, const char* name, std::string_view& text) {
  Fd fd = openAt(dirfd, name, O_RDONLY);
  if (!fd) return errno;
  std::size_t used = 0;
  for (;;) {
    ssize_t n = ::read(fd.get(), buf_.data() + used, buf_.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    used += static_cast<std::size_t>(n);
    // procfs produces these files in one go: a read that does not fill the buffer reached the end,
    // which saves the extra read() that would return 0.
    if (used < buf_.size()) break;
    buf_.resize(buf_.size() * 2);
  }
  text = std::string_view(buf_.data(), used);
  return 0;
}

int ProcReader::readLink(int dirfd, const char* name, std::string_view& target) {
  for (;;) {
    ssize_t n = ::readlinkat(dirfd, name, buf_.data(), buf_.size());
    if (n < 0) return errno;
    // A full buffer may mean a truncated target: grow and ask again.
    if (static_cast<std::size_t>(n) < buf_.size()) {
      target = std::string_view(buf_.data(), static_cast<std::size_t>(n));
      return 0;
    }
    buf_.resize(buf_.size() * 2);
  }
}

bool parseStat(std::string_view text, StatFields& out) {
  std::size_t open = text.find('(');
  std::size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open ||
      close + 2 >= text.size()) {
    return false;
  }
  out.comm = text.substr(open + 1, close - open - 1);
  const char* p = text.data() + close + 2;
  const char* end = text.data() + text.size();
  out.state = *p++;

  // Fields 4..22 follow, each after one space.
  long long field[23] = {};
  int number = 3;
  while (number < 22 && p < end && *p == ' ') {
    p = parseInt(p + 1, end, field[++number]);
  }
  if (number < 22) return false;

  out.ppid = static_cast<int>(field[4]);
  out.flags = static_cast<unsigned>(field[9]);
  out.minflt = static_cast<uint64_t>(field[10]);
  out.majflt = static_cast<uint64_t>(field[12]);
  out.priority = static_cast<int>(field[18]);
  out.numThreads = static_cast<int>(field[20]);
  out.startTicks = static_cast<uint64_t>(field[22]);
  return true;
}

int readStatFile(const std::string& path, StatFields& out) {
  Fd fd = openAt(AT_FDCWD, path.c_str(), O_RDONLY);
  if (!fd) return errno;
  char text[1024];  // comm is at most 64 bytes: the fields used come well within this
  ssize_t n = ::read(fd.get(), text, sizeof text);
  if (n < 0) return errno;
  if (n == 0) return ESRCH;  // the task is gone
  if (!parseStat(std::string_view(text, static_cast<std::size_t>(n)), out)) return EINVAL;
  out.comm = {};
  return 0;
}

uint64_t parseStatmResident(std::string_view text) {
  const char* p = text.data();
  const char* end = p + text.size();
  long long size = 0, resident = 0;
  p = parseInt(p, end, size);
  if (p < end && *p == ' ') parseInt(p + 1, end, resident);
  return resident > 0 ? static_cast<uint64_t>(resident) : 0;
}

void parseStatusMemory(std::string_view text, ProcessMemory& out) {
  static constexpr struct {
    std::string_view key;
    std::optional<uint64_t> ProcessMemory::*field;
  } kFields[] = {
      {"VmRSS", &ProcessMemory::workingSetBytes},
      {"RssAnon", &ProcessMemory::privateBytes},
      {"VmHWM", &ProcessMemory::peakWorkingSetBytes},
      {"VmSize", &ProcessMemory::virtualBytes},
  };
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    for (const auto& f : kFields) {
      if (line.substr(0, colon) != f.key) continue;
      const std::size_t digits = line.find_first_not_of(" \t", colon + 1);
      if (digits == std::string_view::npos || line[digits] < '0' || line[digits] > '9') break;
      long long kib = 0;
      const char* end = parseInt(line.data() + digits, line.data() + line.size(), kib);
      if (std::string_view(end, static_cast<std::size_t>(line.data() + line.size() - end)) == " kB")
        out.*f.field = static_cast<uint64_t>(kib) * 1024;
      break;
    }
  }
}

std::size_t withoutCutUtf8(std::string_view text) {
  std::size_t lead = text.size();
  // A character is at most 4 bytes: its lead is within the last 4.
  while (lead > 0 && text.size() - lead < 4 && (static_cast<unsigned char>(text[lead - 1]) & 0xC0) == 0x80) --lead;
  if (lead == 0) return text.size();
  const unsigned char c = static_cast<unsigned char>(text[--lead]);
  const std::size_t length = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  return length > text.size() - lead ? lead : text.size();
}

void splitCmdline(std::string_view text, std::vector<std::string>& args) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nul = text.find('\0', start);
    if (nul == std::string_view::npos) nul = text.size();  // rewritten titles may lack the final NUL
    args.emplace_back(text.substr(start, nul - start));
    start = nul + 1;
  }
}

uint64_t parseBootTime(std::string_view procStat) {
  constexpr std::string_view kKey = "\nbtime ";
  std::size_t at = procStat.find(kKey);
  if (at == std::string_view::npos) return 0;
  long long value = 0;
  parseInt(procStat.data() + at + kKey.size(), procStat.data() + procStat.size(), value);
  return value > 0 ? static_cast<uint64_t>(value) : 0;
}

}  // namespace snapscope::procfs

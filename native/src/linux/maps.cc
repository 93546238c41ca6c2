#include "maps.h"

#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "../backend.h"
#include "errno_name.h"
#include "fd.h"
#include "proc_reader.h"

namespace snapscope::procfs {
namespace {

constexpr std::string_view kDeleted = " (deleted)";

uint64_t hexField(std::string_view& line, char end) {
  uint64_t value = 0;
  size_t i = 0;
  for (; i < line.size() && line[i] != end; ++i) {
    char c = line[i];
    value = value * 16 + static_cast<uint64_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  line.remove_prefix(i < line.size() ? i + 1 : i);
  return value;
}

std::string_view word(std::string_view& line) {
  size_t end = line.find(' ');
  std::string_view w = line.substr(0, end);
  line.remove_prefix(end == std::string_view::npos ? line.size() : end + 1);
  return w;
}

}  // namespace

// "7f12a000-7f12b000 r-xp 00001000 08:01 1234   /usr/lib/libc.so.6"
bool parseMapsLine(std::string_view line, Mapping& m) {
  m.start = hexField(line, '-');
  m.end = hexField(line, ' ');
  m.perms = std::string(word(line));
  m.offset = hexField(line, ' ');
  m.devMajor = static_cast<unsigned>(hexField(line, ':'));
  m.devMinor = static_cast<unsigned>(hexField(line, ' '));
  std::string_view inode = word(line);
  m.inode = std::strtoull(std::string(inode).c_str(), nullptr, 10);
  size_t pathStart = line.find_first_not_of(' ');
  std::string_view path = pathStart == std::string_view::npos ? std::string_view() : line.substr(pathStart);
  m.deleted = path.size() > kDeleted.size() && path.substr(path.size() - kDeleted.size()) == kDeleted;
  if (m.deleted) path.remove_suffix(kDeleted.size());
  m.path = std::string(path);
  return m.end > m.start && m.perms.size() == 4;
}

namespace {

// The state letter of /proc/PID[/task/TID]/stat; 0 when it can't be read.
char stateOf(const std::string& statPath) {
  StatFields stat;
  return readStatFile(statPath, stat) == 0 ? stat.state : 0;
}

bool zombie(char state) { return state == 'Z' || state == 'X'; }

}  // namespace

int memoryTask(int pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  if (!zombie(stateOf(dir + "/stat"))) return pid;
  Fd task = openAt(AT_FDCWD, (dir + "/task").c_str(), O_RDONLY | O_DIRECTORY);
  if (!task) return pid;
  std::vector<char> listing(8 * 1024);
  DirReader entries(task.get(), listing);
  while (const char* name = entries.next()) {
    if (name[0] < '1' || name[0] > '9') continue;
    const int tid = std::atoi(name);
    const char state = tid == pid ? 0 : stateOf(dir + "/task/" + name + "/stat");
    if (state != 0 && !zombie(state)) return tid;
  }
  return pid;  // every thread is gone: the process has exited
}

bool hasUserMemory(int pid, const char* scope) {
  const std::string who = "process " + std::to_string(pid);
  StatFields stat;
  const int err = readStatFile("/proc/" + std::to_string(pid) + "/stat", stat);
  if (err == ENOENT) throw OsError("ESRCH", pid, scope, who + " does not exist");
  if (err != 0) throw OsError("ESRCH", pid, scope, who + " has exited");
  if (stat.flags & kKernelThreadFlag) return false;
  // A zombie leader whose other threads run on still has the memory they share (memoryTask).
  if (stat.state == 'Z' && memoryTask(pid) == pid) {
    throw OsError("ESRCH", pid, scope, who + " is a zombie: it has exited and no memory remains (its parent has not reaped it yet)");
  }
  return true;
}

std::string memoryFile(int pid, const char* file) {
  const int task = memoryTask(pid);
  std::string path = "/proc/" + std::to_string(pid);
  if (task != pid) path += "/task/" + std::to_string(task);
  return path + "/" + file;
}

std::string readMemoryFile(int pid, const char* file, const char* scope, size_t maxBytes) {
  std::string path = memoryFile(pid, file);
  Fd fd = openAt(AT_FDCWD, path.c_str(), O_RDONLY);
  if (!fd) {
    int err = errno;
    if (err == ENOENT) throw OsError("ESRCH", pid, scope, "process " + std::to_string(pid) + " does not exist");
    const bool denied = err == EACCES || err == EPERM;
    throw OsError(errnoName(err), pid, scope, describeErrno("cannot open " + path, err) + (denied ? "; " + accessAdvice(pid) : ""));
  }
  std::string text;
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      // The process exited between open and read.
      if (err == ESRCH) throw OsError("ESRCH", pid, scope, "process " + std::to_string(pid) + " exited while its " + file + " was read");
      const bool denied = err == EACCES || err == EPERM;
      throw OsError(errnoName(err), pid, scope, describeErrno("cannot read " + path, err) + (denied ? "; " + accessAdvice(pid) : ""));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > maxBytes) {
      throw OsError("EFBIG", pid, scope, path + " is larger than " + std::to_string(maxBytes >> 20) + " MiB: too many mappings to read");
    }
  }
  return text;
}

std::vector<Mapping> readMaps(int pid, const char* scope) {
  const std::string text = readMemoryFile(pid, "maps", scope, SIZE_MAX);
  std::vector<Mapping> maps;
  std::string_view rest(text);
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    Mapping m;
    if (parseMapsLine(rest.substr(0, nl), m)) maps.push_back(std::move(m));
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  }
  // No mappings: a kernel thread, or a process that has given its memory up. An exiting one does so
  // before it turns zombie ("R" or "D" a moment longer): the state alone would not tell it from a
  // kernel thread.
  if (maps.empty() && hasUserMemory(pid, scope)) {
    throw OsError("ESRCH", pid, scope, "process " + std::to_string(pid) + " has exited");
  }
  return maps;
}

bool readRemote(pid_t pid, uint64_t address, void* out, size_t size) {
  iovec local{out, size};
  iovec remote{reinterpret_cast<void*>(address), size};
  ssize_t n = ::process_vm_readv(pid, &local, 1, &remote, 1, 0);
  if (n == static_cast<ssize_t>(size)) return true;
  if (n >= 0) errno = EFAULT;
  return false;
}

}  // namespace snapscope::procfs

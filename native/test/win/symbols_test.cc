// The symbolizer (src/win/symbols) on real processes: fixtures/symbols_fixture.exe, whose own DWARF
// names its functions (checked against what it prints, and against mingw's addr2line on every
// instruction when scripts/test-wine.sh passes its output in SNAPSCOPE_SYMBOLS_ORACLE); its stripped
// DLL, which has only exports; and its system DLLs, against GetProcAddress.
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "../../src/win/parts.h"
#include "../../src/win/unique_handle.h"
#include "check.h"

using namespace snapscope;
using namespace snapscope::win;

namespace {

std::wstring besideThisExe(const wchar_t* name) {
  wchar_t exe[MAX_PATH];
  ::GetModuleFileNameW(nullptr, exe, MAX_PATH);
  std::wstring path(exe);
  return path.substr(0, path.find_last_of(L'\\') + 1) + name;
}

// symbols_fixture.exe, running until the test ends; its printed lines by their first word.
class Fixture {
 public:
  Fixture() {
    SECURITY_ATTRIBUTES inherit{sizeof inherit, nullptr, TRUE};
    HANDLE read = nullptr, write = nullptr;
    if (!::CreatePipe(&read, &write, &inherit, 0)) return;
    UniqueHandle reader(read), writer(write);
    ::SetHandleInformation(read, HANDLE_FLAG_INHERIT, 0);
    const std::wstring exe = besideThisExe(L"symbols_fixture.exe");
    std::wstring command = L"\"" + exe + L"\"";
    STARTUPINFOW startup{};
    startup.cb = sizeof startup;
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdOutput = write;
    startup.hStdError = write;
    PROCESS_INFORMATION info{};
    if (!::CreateProcessW(exe.c_str(), command.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr, &startup, &info))
      return;
    process_.reset(info.hProcess);
    UniqueHandle thread(info.hThread);
    writer.reset();  // the child's copy is the only writer: its exit ends the reads below
    std::string text;
    char buffer[4096];
    DWORD got = 0;
    while (text.find("ready") == std::string::npos && ::ReadFile(read, buffer, sizeof buffer, &got, nullptr) && got)
      text.append(buffer, got);
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::istringstream words(line);
      std::string key;
      if (!(words >> key)) continue;
      std::vector<std::string>& values = fields_[key];
      for (std::string w; words >> w;) values.push_back(w);
    }
    output_ = text;
  }
  ~Fixture() {
    if (process_) {
      ::TerminateProcess(process_.get(), 0);
      ::WaitForSingleObject(process_.get(), 5000);
    }
  }
  bool ready() const { return fields_.count("ready") && pid() > 0; }
  const std::string& output() const { return output_; }
  int pid() const { return fields_.count("pid") ? std::atoi(fields_.at("pid")[0].c_str()) : 0; }
  // The address printed after `key` (printf's %p: hex digits without 0x).
  uint64_t address(const std::string& key) const {
    auto it = fields_.find(key);
    return it == fields_.end() ? 0 : std::strtoull(it->second[0].c_str(), nullptr, 16);
  }
  std::string field(const std::string& key, size_t i) const {
    auto it = fields_.find(key);
    return it == fields_.end() || it->second.size() <= i ? "" : it->second[i];
  }

 private:
  UniqueHandle process_;
  std::map<std::string, std::vector<std::string>> fields_;
  std::string output_;
};

// A source path as Wine's dbghelp gives it: the Linux path the compiler saw, on drive Z:.
std::string asWinePath(std::string path) {
  if (path.empty() || path[0] != '/') return path;
  for (char& c : path)
    if (c == '/') c = '\\';
  return "Z:" + path;
}

SymbolInfo symbolizeOne(int pid, uint64_t address) {
  std::vector<SymbolInfo> out = makeBackend()->symbolize(pid, {address});
  return out.size() == 1 ? out[0] : SymbolInfo{};
}

std::string describe(const SymbolInfo& s) {
  std::ostringstream out;
  out << std::hex << "0x" << s.address << " " << s.module << "+0x" << s.moduleOffset << " " << s.function << "+0x"
      << s.offset << std::dec << " " << s.file << ":" << s.line << " source " << s.source << " exact " << s.exact;
  for (const InlineFrame& f : s.inlined) out << " [inlined " << f.function << " " << f.file << ":" << f.line << "]";
  return out.str();
}

// One frame of addr2line -f -i output.
struct Frame {
  std::string function, file;
  uint32_t line = 0;
};

// SNAPSCOPE_SYMBOLS_ORACLE: "imagebase 0x…", then `x86_64-w64-mingw32-addr2line -a -f -i` output:
// an address line, then function and file:line per frame, innermost first. Keyed by RVA.
bool readOracle(std::map<uint64_t, std::vector<Frame>>& oracle) {
  const char* path = std::getenv("SNAPSCOPE_SYMBOLS_ORACLE");
  std::ifstream in(path ? path : "");
  std::string word, line;
  uint64_t imageBase = 0;
  if (!(in >> word) || word != "imagebase" || !(in >> std::hex >> imageBase)) return false;
  std::vector<Frame>* frames = nullptr;
  std::getline(in, line);
  while (std::getline(in, line)) {
    if (line.rfind("0x", 0) == 0) {
      frames = &oracle[std::strtoull(line.c_str(), nullptr, 16) - imageBase];
      continue;
    }
    std::string where;
    if (!frames || !std::getline(in, where)) return false;
    const size_t colon = where.rfind(':');
    frames->push_back(Frame{line, where.substr(0, colon), static_cast<uint32_t>(std::atoi(where.c_str() + colon + 1))});
  }
  return !oracle.empty();
}

}  // namespace

TEST(symbols_fixture_functions_have_the_file_and_line_it_prints) {
  Fixture fixture;
  CHECK(fixture.ready());
  if (!fixture.ready()) return wintest::fail(__FILE__, __LINE__, "the fixture printed: " + fixture.output());
  const uint64_t base = fixture.address("base");
  for (const char* name : {"fixture_alpha", "fixture_beta"}) {
    const uint64_t address = fixture.address(name);
    SymbolInfo s = symbolizeOne(fixture.pid(), address);
    CHECK_EQ(s.address, address);
    CHECK_EQ(s.function, std::string(name));
    CHECK_EQ(s.offset, uint64_t{0});
    CHECK_EQ(s.module, std::string("symbols_fixture.exe"));
    CHECK(s.modulePath.find("symbols_fixture.exe") != std::string::npos);
    CHECK_EQ(s.moduleOffset, address - base);
    CHECK_EQ(s.file, asWinePath(fixture.field(name, 1)));
    CHECK_EQ(s.line, static_cast<uint32_t>(std::atoi(fixture.field(name, 2).c_str())));
    CHECK_EQ(s.source, std::string("debuginfo"));  // mingw's DWARF, read by Wine's dbghelp
    CHECK(s.exact);
    CHECK(s.inlined.empty());
  }
}

TEST(symbols_fixture_every_instruction_as_addr2line_names_it) {
  std::map<uint64_t, std::vector<Frame>> oracle;
  if (!readOracle(oracle))
    return wintest::fail(__FILE__, __LINE__, "SNAPSCOPE_SYMBOLS_ORACLE is not an addr2line listing (scripts/test-wine.sh writes it)");
  Fixture fixture;
  CHECK(fixture.ready());
  if (!fixture.ready()) return;
  const uint64_t base = fixture.address("base");
  std::vector<uint64_t> addresses;
  for (const auto& [rva, frames] : oracle) addresses.push_back(base + rva);
  const std::vector<SymbolInfo> got = makeBackend()->symbolize(fixture.pid(), addresses);
  CHECK_EQ(got.size(), addresses.size());
  size_t i = 0, inlinedSeen = 0;
  for (const auto& [rva, frames] : oracle) {
    if (i >= got.size()) break;
    const SymbolInfo& s = got[i++];
    // Padding between functions: no function covers it, so there is no name (nor line) to give.
    if (frames.back().function == "??") {
      if (!s.function.empty() || s.exact || s.line)
        wintest::fail(__FILE__, __LINE__, "got " + describe(s) + ", addr2line: no function");
      continue;
    }
    // addr2line's frames, innermost first: the last is the function itself, the others inlined in it.
    const Frame& outer = frames.back();
    std::ostringstream want;
    want << outer.function << " " << asWinePath(outer.file) << ":" << outer.line;
    for (size_t k = 0; k + 1 < frames.size(); ++k)
      want << " [inlined " << frames[k].function << " " << asWinePath(frames[k].file) << ":" << frames[k].line << "]";
    bool same = s.function == outer.function && s.file == asWinePath(outer.file) && s.line == outer.line &&
                s.exact && s.inlined.size() + 1 == frames.size();
    for (size_t k = 0; same && k + 1 < frames.size(); ++k)
      same = s.inlined[k].function == frames[k].function && s.inlined[k].file == asWinePath(frames[k].file) &&
             s.inlined[k].line == frames[k].line;
    if (!same) wintest::fail(__FILE__, __LINE__, "got " + describe(s) + ", addr2line: " + want.str());
    inlinedSeen += frames.size() > 1;
  }
  CHECK(oracle.size() > 10);
  CHECK(inlinedSeen > 0);  // fixture_inlined, inside fixture_beta
}

TEST(symbols_of_a_dll_with_only_exports_name_what_its_exports_cover) {
  Fixture fixture;
  CHECK(fixture.ready());
  if (!fixture.ready()) return;
  const uint64_t dll = fixture.address("dll"), first = fixture.address("fixture_export_first"),
                 second = fixture.address("fixture_export_second"), hidden = fixture.address("hidden");
  CHECK(dll && first > dll && hidden > first && second > hidden);
  const std::vector<SymbolInfo> got =
      makeBackend()->symbolize(fixture.pid(), {first, first + 0x10, second, hidden, hidden + 4});
  CHECK_EQ(got.size(), size_t{5});
  if (got.size() != 5) return;
  for (const SymbolInfo& s : got) {
    CHECK_EQ(s.module, std::string("symbols_fixture_dll.dll"));
    CHECK_EQ(s.moduleOffset, s.address - dll);
    CHECK(s.file.empty() && s.line == 0);  // stripped: no line table
  }
  // At an export, and inside it (its .pdata range starts at the export).
  for (int i : {0, 1, 2}) {
    CHECK_EQ(got[i].function, std::string(i == 2 ? "fixture_export_second" : "fixture_export_first"));
    CHECK_EQ(got[i].source, std::string("exports"));
    CHECK(got[i].exact);
  }
  CHECK_EQ(got[1].offset, uint64_t{0x10});
  // hidden() is past fixture_export_first's end: module+offset, never "fixture_export_first+0x…".
  for (int i : {3, 4}) {
    CHECK_EQ(got[i].function, std::string());
    CHECK_EQ(got[i].offset, uint64_t{0});
    CHECK_EQ(got[i].source, std::string());
    CHECK(!got[i].exact);
  }
}

// In the fixture, not in this process: reading Wine's DWARF of ntdll and kernel32 peaks at tens of
// MB, which the process memory tests of this process would see.
TEST(symbols_system_modules_name_functions_as_get_proc_address_finds_them) {
  struct Export {
    const wchar_t* module;
    const char* moduleName;
    const char* name;
  };
  // Functions exported under one name only (an address with two names, NtX = ZwX, may be given either).
  const Export exports[] = {{L"kernel32.dll", "kernel32.dll", "GetProcAddress"},
                            {L"kernel32.dll", "kernel32.dll", "CreateProcessW"},
                            {L"ntdll.dll", "ntdll.dll", "RtlAllocateHeap"},
                            {L"ntdll.dll", "ntdll.dll", "LdrLoadDll"}};
  Fixture fixture;
  CHECK(fixture.ready());
  if (!fixture.ready()) return;
  // System DLLs are mapped at one base in every process: GetProcAddress here names the fixture's too.
  std::vector<uint64_t> addresses, bases;
  for (const Export& e : exports) {
    const HMODULE module = ::GetModuleHandleW(e.module);
    addresses.push_back(reinterpret_cast<uintptr_t>(::GetProcAddress(module, e.name)));
    bases.push_back(reinterpret_cast<uintptr_t>(module));
  }
  const std::vector<SymbolInfo> got = makeBackend()->symbolize(fixture.pid(), addresses);
  CHECK_EQ(got.size(), addresses.size());
  for (size_t i = 0; i < got.size() && i < addresses.size(); ++i) {
    const SymbolInfo& s = got[i];
    CHECK(addresses[i] != 0);
    CHECK_EQ(_stricmp(s.module.c_str(), exports[i].moduleName), 0);
    CHECK_EQ(s.moduleOffset, addresses[i] - bases[i]);
    if (s.function != exports[i].name) wintest::fail(__FILE__, __LINE__, std::string(exports[i].name) + ": " + describe(s));
    CHECK_EQ(s.offset, uint64_t{0});
    CHECK(s.exact);
    // Wine builds its DLLs with DWARF; on Windows, without their PDBs, these are exports.
    CHECK(s.source == "debuginfo" || s.source == "exports" || s.source == "pdb");
  }
}

TEST(symbols_a_dll_loaded_after_a_call_is_found_by_the_next) {
  const int self = static_cast<int>(::GetCurrentProcessId());
  auto backend = makeBackend();
  const uint64_t own = reinterpret_cast<uintptr_t>(&besideThisExe);
  const std::vector<SymbolInfo> before = backend->symbolize(self, {own});  // the session now knows the modules
  CHECK(!before.empty() && before[0].module == "snapscope_win_tests.exe");
  const HMODULE dll = ::LoadLibraryW(besideThisExe(L"symbols_fixture_dll.dll").c_str());
  CHECK(dll != nullptr);
  if (!dll) return;
  const uint64_t first = reinterpret_cast<uintptr_t>(::GetProcAddress(dll, "fixture_export_first"));
  SymbolInfo s = symbolizeOne(self, first);
  CHECK_EQ(s.module, std::string("symbols_fixture_dll.dll"));
  CHECK_EQ(s.moduleOffset, first - reinterpret_cast<uintptr_t>(dll));
  CHECK_EQ(s.function, std::string("fixture_export_first"));
  CHECK(s.exact);
  ::FreeLibrary(dll);
}

TEST(symbols_an_address_in_no_module_is_only_its_address) {
  Fixture fixture;
  CHECK(fixture.ready());
  if (!fixture.ready()) return;
  const uint64_t heap = fixture.address("heap");
  SymbolInfo s = symbolizeOne(fixture.pid(), heap);
  CHECK_EQ(s.address, heap);
  CHECK_EQ(s.module, std::string());
  CHECK_EQ(s.function, std::string());
  CHECK_EQ(s.moduleOffset, uint64_t{0});
  CHECK(!s.exact);
}

TEST(symbols_answers_stay_the_same_from_the_caches) {
  Fixture fixture;
  CHECK(fixture.ready());
  if (!fixture.ready()) return;
  const std::vector<uint64_t> addresses = {fixture.address("fixture_alpha") + 2, fixture.address("hidden"),
                                           fixture.address("fixture_export_second") + 1};
  auto backend = makeBackend();
  const std::vector<SymbolInfo> first = backend->symbolize(fixture.pid(), addresses);
  const std::vector<SymbolInfo> again = backend->symbolize(fixture.pid(), addresses);
  CHECK_EQ(first.size(), again.size());
  for (size_t i = 0; i < first.size() && i < again.size(); ++i) CHECK_EQ(describe(again[i]), describe(first[i]));
  if (!first.empty()) CHECK_EQ(first[0].function, std::string("fixture_alpha"));
}

TEST(symbols_of_a_pid_that_does_not_exist_is_error_invalid_parameter) {
  CHECK_OS_ERROR(makeBackend()->symbolize(0x7ffffff0, {0x1000}), "ERROR_INVALID_PARAMETER");
}

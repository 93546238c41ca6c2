#include "pe_image.h"

#include <algorithm>

namespace snapscope::win::symbols {
namespace {

// A table this long is not a real image's (node.exe has ~100,000 entries).
constexpr uint32_t kMaxFunctions = 16u << 20;

bool readExactly(HANDLE process, uint64_t address, void* buffer, size_t size) {
  SIZE_T got = 0;
  return ::ReadProcessMemory(process, reinterpret_cast<const void*>(address), buffer, size, &got) && got == size;
}

}  // namespace

bool readPeHeader(HANDLE process, uint64_t base, PeHeader& header) {
  IMAGE_DOS_HEADER dos{};
  if (!readExactly(process, base, &dos, sizeof dos) || dos.e_magic != IMAGE_DOS_SIGNATURE) return false;
  // The optional header's layout depends on its magic: read the larger (PE32+) one, check which it is.
  IMAGE_NT_HEADERS64 nt{};
  if (!readExactly(process, base + static_cast<uint32_t>(dos.e_lfanew), &nt, sizeof nt) ||
      nt.Signature != IMAGE_NT_SIGNATURE)
    return false;
  header = PeHeader{};
  header.timeDateStamp = nt.FileHeader.TimeDateStamp;
  if (nt.OptionalHeader.Magic == IMAGE_NT_OPTIONAL_HDR64_MAGIC &&
      nt.OptionalHeader.NumberOfRvaAndSizes > IMAGE_DIRECTORY_ENTRY_EXCEPTION) {
    const IMAGE_DATA_DIRECTORY& dir = nt.OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_EXCEPTION];
    header.exceptionRva = dir.VirtualAddress;
    header.exceptionSize = dir.Size;
  }
  return true;
}

std::vector<FunctionRange> readFunctionTable(HANDLE process, uint64_t base, const PeHeader& header) {
  static_assert(sizeof(FunctionRange) == 12, "the layout of RUNTIME_FUNCTION");
  const uint32_t count = header.exceptionSize / sizeof(FunctionRange);
  if (!header.exceptionRva || !count || count > kMaxFunctions) return {};
  std::vector<FunctionRange> table(count);
  if (!readExactly(process, base + header.exceptionRva, table.data(), count * sizeof(FunctionRange))) return {};
  return table;
}

const FunctionRange* functionContaining(const std::vector<FunctionRange>& table, uint32_t rva) {
  auto after = std::upper_bound(table.begin(), table.end(), rva,
                                [](uint32_t value, const FunctionRange& f) { return value < f.begin; });
  if (after == table.begin()) return nullptr;
  const FunctionRange& f = *(after - 1);
  return rva < f.end ? &f : nullptr;
}

}  // namespace snapscope::win::symbols

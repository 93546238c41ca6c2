#include "describe.h"

#include <algorithm>
#include <optional>

#include "../text.h"
#include "dbghelp_api.h"

namespace snapscope::win::symbols {
namespace {

struct Symbol {
  std::string name;
  uint64_t address = 0;
  uint32_t size = 0;  // 0: unknown (PDB publics, Windows' exports); Wine gives its exports 1
  ULONG flags = 0;
  ULONG tag = 0;

  bool covers(uint64_t a) const { return a >= address && a - address < size; }
};

// SYMBOL_INFOW with room for the longest name dbghelp returns.
struct SymbolBuffer {
  SYMBOL_INFOW info;
  WCHAR name[MAX_SYM_NAME];

  SymbolBuffer() : info{}, name{} {
    info.SizeOfStruct = sizeof(SYMBOL_INFOW);
    info.MaxNameLen = MAX_SYM_NAME;
  }
  Symbol symbol() const {
    return Symbol{toUtf8(std::wstring_view(info.Name, std::min<ULONG>(info.NameLen, MAX_SYM_NAME))), info.Address,
                  info.Size, info.Flags, info.Tag};
  }
};

std::optional<Symbol> symbolAt(HANDLE process, uint64_t address) {
  SymbolBuffer buffer;
  DWORD64 displacement = 0;
  if (!::SymFromAddrW(process, address, &displacement, &buffer.info)) return std::nullopt;
  return buffer.symbol();
}

// The function holding `address`: the symbol dbghelp finds, when its size covers the address; else
// the symbol that starts exactly where the address's .pdata range starts (an export has no size on
// Windows and size 1 under Wine, but a non-leaf function's range is in the image's function table).
std::optional<Symbol> functionAt(Session& session, LoadedModule& module, uint64_t address) {
  std::optional<Symbol> found = symbolAt(session.process(), address);
  if (found && found->covers(address)) return found;
  const FunctionRange* range =
      functionContaining(module.functions(session.process()), static_cast<uint32_t>(address - module.base));
  if (!range) return std::nullopt;
  const uint64_t start = module.base + range->begin;
  if (!found || found->address != start) found = symbolAt(session.process(), start);
  if (found && found->address == start) return found;
  return std::nullopt;
}

// SYMBOL_SOURCES for a symbol of `module`. dbghelp's SymType says which reader loaded the module:
// under Wine, SymDia also stands for DWARF (CVSig "DWF" + the version), which is "debuginfo".
std::string sourceOf(Session& session, const LoadedModule& module, const Symbol& symbol) {
  if (symbol.flags & SYMFLAG_EXPORT) return "exports";
  IMAGEHLP_MODULEW64 info{};
  info.SizeOfStruct = sizeof info;
  if (!::SymGetModuleInfoW64(session.process(), module.base, &info)) return "";
  const bool dwarf = (info.CVSig & 0xffffff) == ('D' | 'W' << 8 | 'F' << 16);
  switch (info.SymType) {
    case SymExport:
      return "exports";
    case SymCoff:
    case SymSym:
      return "symtab";
    case SymPdb:
    case SymCv:
    case SymDia:
      // A COFF symbol-table entry of a mingw image has no debug info of its own.
      if (dwarf) return symbol.tag == kSymTagPublicSymbol ? "symtab" : "debuginfo";
      return "pdb";
    default:
      return "";
  }
}

struct Line {
  std::string file;
  uint32_t line = 0;
};

Line lineAt(HANDLE process, uint64_t address) {
  IMAGEHLP_LINEW64 line{};
  line.SizeOfStruct = sizeof line;
  DWORD displacement = 0;
  if (!::SymGetLineFromAddrW64(process, address, &displacement, &line) || !line.FileName) return {};
  return {toUtf8(line.FileName), line.LineNumber};
}

// Frames at `address` through dbghelp's inline contexts: context, context + 1, … are the inlined
// frames innermost first, and context + depth is the function itself, each with the line it is at.
// Returns false when dbghelp has none there (or no inline API): the caller uses the plain line.
bool inlineFrames(HANDLE process, uint64_t address, SymbolInfo& info) {
  const InlineApi& api = inlineApi();
  if (!api.available()) return false;
  const DWORD depth = api.addrIncludeInlineTrace(process, address);
  DWORD context = 0, frameIndex = 0;
  // StartContext 0 (INLINE_FRAME_CONTEXT_INIT): a lookup of the address alone, not of a stack walk.
  if (!depth || !api.queryInlineTrace(process, address, 0, address, address, &context, &frameIndex)) return false;
  const auto lineOf = [&](DWORD frame) {
    IMAGEHLP_LINEW64 line{};
    line.SizeOfStruct = sizeof line;
    DWORD displacement = 0;
    if (!api.lineFromInlineContext(process, address, context + frame, 0, &displacement, &line) || !line.FileName)
      return Line{};
    return Line{toUtf8(line.FileName), line.LineNumber};
  };
  for (DWORD frame = 0; frame < depth; ++frame) {
    SymbolBuffer buffer;
    DWORD64 displacement = 0;
    InlineFrame inlined;
    if (api.fromInlineContext(process, address, context + frame, &displacement, &buffer.info))
      inlined.function = buffer.symbol().name;
    Line line = lineOf(frame);
    inlined.file = std::move(line.file);
    inlined.line = line.line;
    info.inlined.push_back(std::move(inlined));
  }
  Line outer = lineOf(depth);
  info.file = std::move(outer.file);
  info.line = outer.line;
  return true;
}

}  // namespace

void describe(Session& session, LoadedModule& module, uint64_t address, SymbolInfo& info) {
  if (!module.symbols) return;
  const std::optional<Symbol> function = functionAt(session, module, address);
  if (!function) return;
  info.function = function->name;
  info.offset = address - function->address;
  info.exact = true;
  info.source = sourceOf(session, module, *function);
  if (inlineFrames(session.process(), address, info)) return;
  Line line = lineAt(session.process(), address);
  info.file = std::move(line.file);
  info.line = line.line;
}

}  // namespace snapscope::win::symbols

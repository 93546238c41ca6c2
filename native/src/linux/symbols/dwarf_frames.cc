#include "dwarf_frames.h"

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <cstdlib>
#include <memory>

#include "demangle.h"

namespace snapscope::procfs::symbols {
namespace {

// A relative source path completed with its compilation directory, as eu-addr2line -A prints it.
std::string absolute(const char* file, const char* compDir) {
  if (file == nullptr) return "";
  if (file[0] == '/' || compDir == nullptr || compDir[0] == '\0') return file;
  return std::string(compDir) + "/" + file;
}

// The linkage name (demangled) when there is one, else the plain name, following abstract origins
// and specifications: an inlined instance or an out-of-line copy names itself only through them.
std::string dieName(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  const char* name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
  if (name == nullptr) name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
  if (name == nullptr) name = dwarf_diename(die);
  return name == nullptr ? "" : demangle(name);
}

bool isFunction(Dwarf_Die* die) {
  const int tag = dwarf_tag(die);
  return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_entry_point;
}

// Where an inlined instance was called from.
InlineFrame callSite(Dwarf_Die* inlined, Dwarf_Die* cu) {
  InlineFrame site;
  Dwarf_Attribute attr;
  Dwarf_Word value;
  Dwarf_Files* files;
  size_t count;
  if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_file, &attr), &value) == 0 &&
      dwarf_getsrcfiles(cu, &files, &count) == 0) {
    site.file = absolute(dwarf_filesrc(files, value, nullptr, nullptr),
                         dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &attr)));
  }
  if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_line, &attr), &value) == 0) site.line = static_cast<uint32_t>(value);
  return site;
}

using Scopes = std::unique_ptr<Dwarf_Die, decltype(&std::free)>;

// The scopes holding `pc`, innermost first; empty when none (or libdw cannot read their ranges).
std::vector<Dwarf_Die> scopesAt(Dwarf_Die* cu, Dwarf_Addr pc) {
  Dwarf_Die* raw = nullptr;
  const int found = dwarf_getscopes(cu, pc, &raw);
  Scopes owned(raw, &std::free);
  return found > 0 ? std::vector<Dwarf_Die>(raw, raw + found) : std::vector<Dwarf_Die>();
}

// The physical nesting of `die` up to its CU: dwarf_getscopes goes on from an inlined instance into
// its abstract definition's scopes, while the chain of calls is this one.
std::vector<Dwarf_Die> nestingOf(Dwfl_Module* module, const Dwarf_Die& innermost) {
  Dwarf_Addr bias;
  Dwarf_Die die;
  Dwarf* dwarf = dwfl_module_getdwarf(module, &bias);
  if (dwarf == nullptr || dwarf_offdie(dwarf, dwarf_dieoffset(const_cast<Dwarf_Die*>(&innermost)), &die) == nullptr) return {};
  Dwarf_Die* raw = nullptr;
  const int depth = dwarf_getscopes_die(&die, &raw);
  Scopes owned(raw, &std::free);
  return depth > 0 ? std::vector<Dwarf_Die>(raw, raw + depth) : std::vector<Dwarf_Die>();
}

}  // namespace

void dwarfFrames(Dwfl_Module* module, Dwarf_Addr address, DwarfFrames& out) {
  std::string lineFile;
  uint32_t lineNumber = 0;
  Dwarf_Addr rowAddress = address;
  if (Dwfl_Line* line = dwfl_module_getsrc(module, address)) {
    int number = 0;
    lineFile = absolute(dwfl_lineinfo(line, &rowAddress, &number, nullptr, nullptr, nullptr), dwfl_line_comp_dir(line));
    lineNumber = number > 0 ? static_cast<uint32_t>(number) : 0;
  }
  out.file = lineFile;
  out.line = lineNumber;

  Dwarf_Addr bias = 0;
  Dwarf_Die* cu = dwfl_module_addrdie(module, address, &bias);
  if (cu == nullptr) return;
  // As eu-addr2line -i: the innermost function is named at the address itself, the chain of calls
  // taken at the start of the address's line-table row (libdw can fail to read an inlined instance's
  // ranges at some addresses inside the row; the row is one statement, so one inlining context).
  const std::vector<Dwarf_Die> atAddress = scopesAt(cu, address - bias);
  std::vector<Dwarf_Die> chain = rowAddress == address ? atAddress : scopesAt(cu, rowAddress - bias);
  if (chain.empty()) chain = atAddress;
  if (chain.empty()) return;
  std::vector<Dwarf_Die> nesting = nestingOf(module, chain[0]);
  if (!nesting.empty()) chain = std::move(nesting);
  std::vector<Dwarf_Die*> functions;
  for (Dwarf_Die& scope : chain) {
    if (isFunction(&scope)) functions.push_back(&scope);
  }
  if (functions.empty()) return;

  std::string innermost;
  for (const Dwarf_Die& scope : atAddress) {
    Dwarf_Die die = scope;
    if (!isFunction(&die)) continue;
    innermost = dieName(&die);
    break;
  }
  // Frames innermost first: the innermost function at the line table's place, then for each inlined
  // instance its caller at the call site.
  std::vector<InlineFrame> frames;
  frames.push_back({std::move(innermost), lineFile, lineNumber});
  for (size_t i = 0; i + 1 < functions.size(); ++i) {
    if (dwarf_tag(functions[i]) != DW_TAG_inlined_subroutine) continue;
    InlineFrame caller = callSite(functions[i], cu);
    caller.function = dieName(functions[i + 1]);
    frames.push_back(std::move(caller));
  }
  InlineFrame& outer = frames.back();
  out.function = std::move(outer.function);
  out.file = std::move(outer.file);
  out.line = outer.line;
  frames.pop_back();
  out.inlined = std::move(frames);
  Dwarf_Addr entry;
  if (dwarf_tag(functions.back()) == DW_TAG_subprogram && dwarf_entrypc(functions.back(), &entry) == 0) {
    out.hasStart = true;
    out.start = entry + bias;
  }
}

}  // namespace snapscope::procfs::symbols

// The one-pass view of another process's heaps: RtlQueryProcessDebugInformation with
// RTL_QUERY_PROCESS_HEAP_SUMMARY | RTL_QUERY_PROCESS_HEAP_ENTRIES. It is what Heap32First and
// Heap32Next call internally -- once per block, each time re-reading the whole target -- so asking
// once and walking the answer here turns their O(n^2) walk into O(n). Layouts as in ntdll (phnt).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "heap_blocks.h"
#include "win32.h"

namespace snapscope::win::rtl {

constexpr ULONG kQueryHeapSummary = 0x04;  // RTL_QUERY_PROCESS_HEAP_SUMMARY
constexpr ULONG kQueryHeapEntries = 0x10;  // RTL_QUERY_PROCESS_HEAP_ENTRIES

// RTL_HEAP_ENTRY flags
constexpr USHORT kBusy = 0x0001;
constexpr USHORT kSegment = 0x0002;
constexpr USHORT kSettableFlag1 = 0x0020;  // HEAP_SETTABLE_USER_FLAG1: kernel32 marks movable blocks with it
constexpr USHORT kUncommittedRange = 0x0100;

struct HeapEntry {  // RTL_HEAP_ENTRY
  SIZE_T size;      // the whole block, header included (a segment's: its size; a range's: its length)
  USHORT flags;
  USHORT allocatorBackTraceIndex;
  union {
    struct {
      SIZE_T settable;
      ULONG tag;
    } block;
    struct {
      SIZE_T committedSize;
      PVOID firstBlock;  // header of the segment's first block
    } segment;
  };
};

struct HeapInformation {  // RTL_HEAP_INFORMATION
  PVOID baseAddress;
  ULONG flags;
  USHORT entryOverhead;   // header bytes before the address the program holds
  USHORT creatorBackTraceIndex;
  SIZE_T bytesAllocated;
  SIZE_T bytesCommitted;
  ULONG numberOfTags;
  ULONG numberOfEntries;
  ULONG numberOfPseudoTags;
  ULONG pseudoTagGranularity;
  ULONG reserved[5];
  PVOID tags;
  HeapEntry* entries;
};

struct ProcessHeaps {  // RTL_PROCESS_HEAPS
  ULONG numberOfHeaps;
  HeapInformation heaps[1];
};

struct DebugInformation {  // RTL_DEBUG_INFORMATION, up to the heap pointer
  HANDLE sectionHandleClient;
  PVOID viewBaseClient;
  PVOID viewBaseTarget;
  ULONG_PTR viewBaseDelta;
  HANDLE eventPairClient;
  HANDLE eventPairTarget;
  HANDLE targetProcessId;
  HANDLE targetThreadHandle;
  ULONG flags;
  SIZE_T offsetFree;
  SIZE_T commitSize;
  SIZE_T viewSize;
  PVOID modules;
  PVOID backTraces;
  ProcessHeaps* heaps;  // pointers in the answer are already rebased into the caller's view
};

#ifdef _WIN64
static_assert(sizeof(HeapEntry) == 32, "RTL_HEAP_ENTRY is 32 bytes on x64");
static_assert(sizeof(HeapInformation) == 88, "RTL_HEAP_INFORMATION is 88 bytes on x64");
static_assert(offsetof(HeapInformation, entries) == 80, "RTL_HEAP_INFORMATION.Entries at 0x50 on x64");
static_assert(offsetof(ProcessHeaps, heaps) == 8, "RTL_PROCESS_HEAPS.Heaps at 8 on x64");
static_assert(offsetof(DebugInformation, heaps) == 0x70, "RTL_DEBUG_INFORMATION.Heaps at 0x70 on x64");
#endif

// Pure: the blocks that `count` entries of one heap describe, appended to `out`. The entries
// carry no block addresses: as in Heap32Next, a segment entry restarts the address at its
// FirstBlock, and every other entry (blocks and uncommitted ranges) advances it by its size.
void appendHeapBlocks(const HeapEntry* entries, size_t count, unsigned entryOverhead, std::vector<RawBlock>& out);

}  // namespace snapscope::win::rtl

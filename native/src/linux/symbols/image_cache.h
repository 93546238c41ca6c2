// The images of every process inspected, kept across calls: a file is opened in libdwfl once, and a
// second process mapping the same file (or another file with the same build-id) finds it here.
#pragma once

#include <memory>
#include <string>

#include "../fd.h"
#include "image.h"

namespace snapscope::procfs::symbols {

// The image open at `fd` (consumed). Looked up by the file's identity (device, inode, size, mtime)
// first, then by build-id; nullptr when it is no ELF file (remembered too). At most a fixed number
// of images stay cached; the least recently used go first.
std::shared_ptr<Image> cachedImage(Fd fd, const std::string& fileName, const std::string& root);

// The image of an ELF file that exists only in memory (the vdso): looked up by its build-id, opened
// from `bytes` on a miss; nullptr when it has no build-id or is no ELF file.
std::shared_ptr<Image> cachedMemoryImage(const std::string& bytes, const std::string& name);

}  // namespace snapscope::procfs::symbols

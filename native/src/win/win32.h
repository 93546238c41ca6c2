// The Windows headers, included one way everywhere: every source in src/win includes this first,
// so the build needs no -D flags (the same sources build with mingw-w64 here and with MSVC).
#pragma once

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX  // std::min / std::max, not the macros
#endif
#ifndef UNICODE
#define UNICODE  // the W functions: paths and names are UTF-16, converted to UTF-8 once, in text.cc
#endif
#ifndef _UNICODE
#define _UNICODE
#endif
// PSAPI version 2: the K32* entry points in kernel32 (Windows 7+), no psapi.dll at run time.
#ifndef PSAPI_VERSION
#define PSAPI_VERSION 2
#endif

#include <windows.h>
// Tool Help and PSAPI need windows.h first.
#include <psapi.h>
#include <tlhelp32.h>

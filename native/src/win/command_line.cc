#include "command_line.h"

#include "text.h"

namespace snapscope::win {
namespace {

bool isBlank(wchar_t c) { return c == L' ' || c == L'\t'; }

}  // namespace

// The rules of "Parsing C++ command-line arguments" (Microsoft C runtime):
// - argv[0] is the program name: up to the closing quote when it starts with one (no escapes),
//   else up to the first blank;
// - after it, blanks separate arguments, except inside quotes;
// - 2n backslashes + quote -> n backslashes and the quote opens/closes quoting;
//   2n+1 backslashes + quote -> n backslashes and a literal quote;
//   backslashes before anything else are literal;
// - inside quotes, "" is a literal quote.
std::vector<std::string> splitCommandLine(std::wstring_view line) {
  std::vector<std::string> args;
  const size_t n = line.size();
  size_t i = 0;
  std::wstring arg;
  if (n == 0) return args;

  if (line[0] == L'"') {
    size_t close = line.find(L'"', 1);
    if (close == std::wstring_view::npos) close = n;
    arg.assign(line.substr(1, close - 1));
    i = close < n ? close + 1 : n;
  } else {
    while (i < n && !isBlank(line[i])) arg += line[i++];
  }
  args.push_back(toUtf8(arg));

  for (;;) {
    while (i < n && isBlank(line[i])) ++i;
    if (i >= n) break;
    arg.clear();
    bool quoted = false;
    while (i < n && (quoted || !isBlank(line[i]))) {
      const wchar_t c = line[i];
      if (c == L'\\') {
        size_t slashes = 0;
        while (i < n && line[i] == L'\\') ++slashes, ++i;
        if (i < n && line[i] == L'"') {
          arg.append(slashes / 2, L'\\');
          if (slashes % 2 == 1) arg += line[i++];  // escaped quote; an unescaped one is read next
        } else {
          arg.append(slashes, L'\\');
        }
      } else if (c == L'"') {
        if (quoted && i + 1 < n && line[i + 1] == L'"') {
          arg += L'"';
          i += 2;
        } else {
          quoted = !quoted;
          ++i;
        }
      } else {
        arg += c;
        ++i;
      }
    }
    args.push_back(toUtf8(arg));
  }
  return args;
}

}  // namespace snapscope::win

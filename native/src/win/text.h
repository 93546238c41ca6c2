// Text at the boundary: Windows gives UTF-16, the data contract is UTF-8 with "0x…" addresses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace snapscope::win {

// UTF-16 -> UTF-8. Unpaired surrogates (possible in Windows names) become U+FFFD.
std::string toUtf8(std::wstring_view text);

// "0x…" in lowercase hex, as the data contract writes addresses and heap ids.
std::string hexAddress(uint64_t value);

// The inverse for ids that came from hexAddress; false when `text` is not "0x" + hex digits.
bool parseHexAddress(std::string_view text, uint64_t& value);

}  // namespace snapscope::win

#include "rust_demangle.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

namespace snapscope::procfs::symbols {
namespace {

constexpr int kMaxDepth = 256;
constexpr size_t kMaxOutput = 64 * 1024;

const char* basicType(char tag) {
  switch (tag) {
    case 'a': return "i8";
    case 'b': return "bool";
    case 'c': return "char";
    case 'd': return "f64";
    case 'e': return "str";
    case 'f': return "f32";
    case 'h': return "u8";
    case 'i': return "isize";
    case 'j': return "usize";
    case 'l': return "i32";
    case 'm': return "u32";
    case 'n': return "i128";
    case 'o': return "u128";
    case 's': return "i16";
    case 't': return "u16";
    case 'u': return "()";
    case 'v': return "...";
    case 'x': return "i64";
    case 'y': return "u64";
    case 'z': return "!";
    case 'p': return "_";
    default: return nullptr;
  }
}

struct Invalid {};

// A recursive-descent reader of the v0 grammar (doc.rust-lang.org/rustc/symbol-mangling/v0.html)
// that prints as it reads. Backrefs are positions in `symbol` (the text after "_R").
class V0 {
 public:
  explicit V0(std::string_view symbol) : s_(symbol) {}

  std::string run() {
    if (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') throw Invalid{};  // an encoding version we do not know
    path(true);
    // What follows (the instantiating crate, a vendor suffix such as .llvm.123) is not printed.
    return std::move(out_);
  }

 private:
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  char next() {
    if (pos_ >= s_.size()) throw Invalid{};
    return s_[pos_++];
  }
  bool eat(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  void print(std::string_view text) {
    out_.append(text);
    if (out_.size() > kMaxOutput) throw Invalid{};
  }

  struct Deeper {
    explicit Deeper(int& depth) : depth_(depth) {
      if (++depth_ > kMaxDepth) throw Invalid{};
    }
    ~Deeper() { --depth_; }
    int& depth_;
  };

  // <base-62-number>: "_" is 0, "<digits>_" is their value + 1.
  uint64_t base62() {
    if (eat('_')) return 0;
    uint64_t value = 0;
    for (char c; (c = next()) != '_';) {
      const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10 : c >= 'A' && c <= 'Z' ? c - 'A' + 36 : -1;
      if (digit < 0 || value > (UINT64_MAX - 61) / 62) throw Invalid{};
      value = value * 62 + static_cast<uint64_t>(digit);
    }
    return value + 1;
  }
  uint64_t optionalBase62(char tag) { return eat(tag) ? base62() + 1 : 0; }

  uint64_t decimal() {
    const char first = next();
    if (first < '0' || first > '9') throw Invalid{};
    uint64_t value = static_cast<uint64_t>(first - '0');
    if (first == '0') return 0;
    while (peek() >= '0' && peek() <= '9') {
      if (value > UINT64_MAX / 10 - 1) throw Invalid{};
      value = value * 10 + static_cast<uint64_t>(next() - '0');
    }
    return value;
  }

  // <undisambiguated-identifier>; a punycode one ("u" prefix) is printed as it is encoded.
  std::string_view identifierText() {
    eat('u');
    const uint64_t length = decimal();
    eat('_');
    if (length > s_.size() - pos_) throw Invalid{};
    std::string_view text = s_.substr(pos_, length);
    pos_ += length;
    return text;
  }

  // Reads what a backref points at with `read`, then goes on after the backref.
  template <typename Read>
  void backref(Read read) {
    const size_t at = pos_ - 1;
    const uint64_t target = base62();
    if (target >= at) throw Invalid{};
    const size_t resume = pos_;
    pos_ = static_cast<size_t>(target);
    read();
    pos_ = resume;
  }

  void lifetime(uint64_t index) {
    if (index == 0) {
      print("'_");
      return;
    }
    if (index > boundLifetimes_) throw Invalid{};
    const uint64_t depth = boundLifetimes_ - index;
    if (depth < 26) {
      print("'");
      out_.push_back(static_cast<char>('a' + depth));
    } else {
      print("'_" + std::to_string(depth));
    }
  }

  // "G<n>": n more lifetimes bound from here; printed as for<'a, …>.
  uint64_t binder() {
    if (!eat('G')) return 0;
    const uint64_t count = base62() + 1;
    print("for<");
    for (uint64_t i = 0; i < count; ++i) {
      if (i > 0) print(", ");
      ++boundLifetimes_;
      lifetime(1);
    }
    print("> ");
    return count;
  }

  void path(bool inValue) {
    Deeper deeper(depth_);
    const char tag = next();
    switch (tag) {
      case 'C': {
        optionalBase62('s');
        print(identifierText());
        return;
      }
      case 'M': {
        skipImplPath();
        print("<");
        type();
        print(">");
        return;
      }
      case 'X':
      case 'Y': {
        if (tag == 'X') skipImplPath();
        print("<");
        type();
        print(" as ");
        path(false);
        print(">");
        return;
      }
      case 'N': {
        const char ns = next();
        path(inValue);
        const uint64_t disambiguator = optionalBase62('s');
        const std::string_view name = identifierText();
        if (ns >= 'A' && ns <= 'Z') {
          print("::{");
          print(ns == 'C' ? "closure" : ns == 'S' ? "shim" : std::string(1, ns));
          if (!name.empty()) {
            print(":");
            print(name);
          }
          print("#" + std::to_string(disambiguator) + "}");
        } else if (!name.empty()) {
          print("::");
          print(name);
        }
        return;
      }
      case 'I': {
        path(inValue);
        print(inValue ? "::<" : "<");
        for (bool first = true; !eat('E'); first = false) {
          if (!first) print(", ");
          genericArg();
        }
        print(">");
        return;
      }
      case 'B':
        backref([&] { path(inValue); });
        return;
      default:
        throw Invalid{};
    }
  }

  // An impl's own path is not printed (rustc-demangle shows only its type).
  void skipImplPath() {
    optionalBase62('s');
    const size_t mark = out_.size();
    path(false);
    out_.resize(mark);
  }

  void genericArg() {
    if (eat('L')) {
      lifetime(base62());
    } else if (eat('K')) {
      constant();
    } else {
      type();
    }
  }

  void type() {
    Deeper deeper(depth_);
    const char tag = next();
    if (const char* basic = basicType(tag)) {
      print(basic);
      return;
    }
    switch (tag) {
      case 'A':
      case 'S':
        print("[");
        type();
        if (tag == 'A') {
          print("; ");
          constant();
        }
        print("]");
        return;
      case 'T': {
        print("(");
        size_t count = 0;
        for (; !eat('E'); ++count) {
          if (count > 0) print(", ");
          type();
        }
        print(count == 1 ? ",)" : ")");
        return;
      }
      case 'R':
      case 'Q':
        print("&");
        if (eat('L')) {
          const uint64_t index = base62();
          if (index != 0) {
            lifetime(index);
            print(" ");
          }
        }
        if (tag == 'Q') print("mut ");
        type();
        return;
      case 'P':
        print("*const ");
        type();
        return;
      case 'O':
        print("*mut ");
        type();
        return;
      case 'F':
        functionSignature();
        return;
      case 'D':
        dynBounds();
        return;
      case 'B':
        backref([&] { type(); });
        return;
      default:
        --pos_;
        path(false);
    }
  }

  void functionSignature() {
    const uint64_t bound = binder();
    if (eat('U')) print("unsafe ");
    if (eat('K')) {
      print("extern \"");
      if (eat('C')) {
        print("C");
      } else {
        std::string abi(identifierText());
        for (char& c : abi) c = c == '_' ? '-' : c;
        print(abi);
      }
      print("\" ");
    }
    print("fn(");
    for (bool first = true; !eat('E'); first = false) {
      if (!first) print(", ");
      type();
    }
    print(")");
    if (eat('u')) {
      // returns (): nothing to print
    } else {
      print(" -> ");
      type();
    }
    boundLifetimes_ -= bound;
  }

  void dynBounds() {
    print("dyn ");
    const uint64_t bound = binder();
    for (bool first = true; !eat('E'); first = false) {
      if (!first) print(" + ");
      path(false);
      for (bool firstBinding = true; eat('p'); firstBinding = false) {
        if (firstBinding) {
          if (!out_.empty() && out_.back() == '>') {
            out_.pop_back();
            print(", ");
          } else {
            print("<");
          }
        } else {
          print(", ");
        }
        print(identifierText());
        print(" = ");
        type();
        if (peek() != 'p') print(">");
      }
    }
    boundLifetimes_ -= bound;
    if (!eat('L')) throw Invalid{};
    const uint64_t index = base62();
    if (index != 0) {
      print(" + ");
      lifetime(index);
    }
  }

  void constant() {
    Deeper deeper(depth_);
    if (eat('p')) {
      print("_");
      return;
    }
    if (eat('B')) {
      backref([&] { constant(); });
      return;
    }
    const char tag = next();
    const bool negative = (tag == 'a' || tag == 's' || tag == 'l' || tag == 'x' || tag == 'n' || tag == 'i') && eat('n');
    std::string_view hex;
    const size_t start = pos_;
    while (peek() != '_') {
      const char c = next();
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) throw Invalid{};
    }
    hex = s_.substr(start, pos_ - start);
    ++pos_;  // the '_'
    if (hex.size() > 16) {
      print("0x");
      print(hex);
      return;
    }
    uint64_t value = 0;
    for (char c : hex) value = value * 16 + static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
    switch (tag) {
      case 'b':
        if (value > 1) throw Invalid{};
        print(value ? "true" : "false");
        return;
      case 'c':
        if (value >= 0x20 && value < 0x7f && value != '\'' && value != '\\') {
          print("'");
          out_.push_back(static_cast<char>(value));
          print("'");
        } else {
          char text[16];
          std::snprintf(text, sizeof text, "'\\u{%llx}'", static_cast<unsigned long long>(value));
          print(text);
        }
        return;
      case 'a': case 's': case 'l': case 'x': case 'n': case 'i':
      case 'h': case 't': case 'm': case 'y': case 'o': case 'j':
        // With its type, as c++filt (libiberty) prints it: <10: usize>.
        print((negative ? "-" : "") + std::to_string(value) + ": " + basicType(tag));
        return;
      default:
        throw Invalid{};
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string out_;
  int depth_ = 0;
  uint64_t boundLifetimes_ = 0;
};

bool isHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// "$LT$" and friends, as rustc escapes them in legacy symbols.
const char* legacyEscape(std::string_view code) {
  static constexpr std::pair<std::string_view, const char*> kEscapes[] = {
      {"SP", "@"}, {"BP", "*"}, {"RF", "&"}, {"LT", "<"}, {"GT", ">"}, {"LP", "("}, {"RP", ")"}, {"C", ","}};
  for (const auto& [name, text] : kEscapes) {
    if (code == name) return text;
  }
  return nullptr;
}

}  // namespace

std::optional<std::string> demangleRustV0(const std::string& name) {
  if (name.compare(0, 2, "_R") != 0) return std::nullopt;
  try {
    return V0(std::string_view(name).substr(2)).run();
  } catch (const Invalid&) {
    return std::nullopt;
  }
}

std::optional<std::string> cleanRustLegacy(const std::string& demangled) {
  constexpr size_t kHash = 3 + 16;  // "::h" + 16 hex digits
  if (demangled.size() <= kHash || demangled.compare(demangled.size() - kHash, 3, "::h") != 0) return std::nullopt;
  for (size_t i = demangled.size() - 16; i < demangled.size(); ++i) {
    if (!isHex(demangled[i])) return std::nullopt;
  }
  const std::string_view text(demangled.data(), demangled.size() - kHash);
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const bool componentStart = i == 0 || (i >= 2 && text.compare(i - 2, 2, "::") == 0);
    if (componentStart && text.compare(i, 2, "_$") == 0) {
      ++i;  // a component that starts with an escape is prefixed with '_'
      continue;
    }
    if (text[i] == '$') {
      const size_t end = text.find('$', i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      const std::string_view code = text.substr(i + 1, end - i - 1);
      if (const char* plain = legacyEscape(code)) {
        out += plain;
      } else if (code.size() > 1 && code[0] == 'u') {
        const unsigned long value = std::strtoul(std::string(code.substr(1)).c_str(), nullptr, 16);
        if (value == 0 || value > 0x7f) return std::nullopt;  // non-ASCII: left to the raw name
        out.push_back(static_cast<char>(value));
      } else {
        return std::nullopt;
      }
      i = end + 1;
    } else if (text.compare(i, 2, "..") == 0) {
      out += "::";
      i += 2;
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

}  // namespace snapscope::procfs::symbols

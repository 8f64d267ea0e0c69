#include "common/untrusted_text.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/absl_compat.h"

namespace cambrian {
namespace {

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// The length of the valid UTF-8 sequence at text[i] and its code point, or
// length 0 if the bytes there are not one (overlong forms, surrogates and
// values past U+10FFFF included).
struct Decoded {
  size_t length;
  uint32_t code_point;
};
Decoded DecodeAt(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return {1, lead};
  size_t length = lead >= 0xC2 && lead <= 0xDF   ? 2
                  : lead >= 0xE0 && lead <= 0xEF ? 3
                  : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                 : 0;
  if (length == 0 || i + length > text.size()) return {0, 0};
  uint32_t code = lead & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) {
    if (!IsContinuation(byte(k))) return {0, 0};
    code = (code << 6) | (byte(k) & 0x3F);
  }
  const uint32_t smallest = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
  if (code < smallest || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return {0, 0};
  return {length, code};
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t length = DecodeAt(text, i).length;
    if (length == 0) return false;
    i += length;
  }
  return true;
}

namespace {

bool ActsOnATerminal(uint32_t code_point, bool keep_layout) {
  if (code_point == '\n' || code_point == '\t') return !keep_layout;
  return code_point < 0x20 || code_point == 0x7F || (code_point >= 0x80 && code_point <= 0x9F) ||
         (code_point >= 0x202A && code_point <= 0x202E) ||
         (code_point >= 0x2066 && code_point <= 0x2069);
}

std::string Escape(std::string_view text, bool keep_layout) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    Decoded next = DecodeAt(text, i);
    if (next.length == 0) {
      absl::StrAppendFormat(&out, "\\x%02x", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    if (!ActsOnATerminal(next.code_point, keep_layout)) {
      out.append(text.data() + i, next.length);
    } else if (next.code_point == '\n') {
      out += "\\n";
    } else if (next.code_point == '\t') {
      out += "\\t";
    } else {
      absl::StrAppendFormat(&out, "\\u%04x", next.code_point);
    }
    i += next.length;
  }
  return out;
}

}  // namespace

size_t Utf8CutPoint(std::string_view text, size_t max_bytes) {
  const size_t at = max_bytes;
  if (at >= text.size()) return at;
  size_t cut = at;
  while (cut > 0 && at - cut < 3 && IsContinuation(static_cast<unsigned char>(text[cut]))) --cut;
  if (cut < at && DecodeAt(text, cut).length > at - cut) return cut;
  return at;
}

std::string TruncateWithMark(std::string_view text, size_t max_bytes, std::string_view what) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = Utf8CutPoint(text, max_bytes);
  return absl::StrCat(Sv(text.substr(0, cut)), "\n[... ", text.size() - cut, " more bytes of ",
                      Sv(what), " cut]");
}

std::string TruncateFrontWithMark(std::string_view text, size_t max_bytes, std::string_view what) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t start = text.size() - max_bytes;
  while (start < text.size() && IsContinuation(static_cast<unsigned char>(text[start]))) ++start;
  return absl::StrCat("[... ", start, " bytes of ", Sv(what), " cut]\n", Sv(text.substr(start)));
}

std::string EscapeControl(std::string_view text) { return Escape(text, /*keep_layout=*/true); }

std::string QuoteForNote(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return Escape(text, /*keep_layout=*/false);
  size_t cut = Utf8CutPoint(text, max_bytes);
  return absl::StrCat(Escape(text.substr(0, cut), /*keep_layout=*/false), "... (", text.size(),
                      " bytes)");
}

std::string ShellQuote(std::string_view text) {
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("-_./:=@%+,").find(c) != std::string_view::npos;
  });
  if (plain) return std::string(text);
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace cambrian

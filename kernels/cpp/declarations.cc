#include "declarations.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace cambrian::kernels {
namespace {

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }

bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9') || c == '.'; }

}  // namespace

bool IsDeclarationName(std::string_view name) {
  if (name.empty() || name.size() > kMaxDeclarationName || !IsNameStart(name[0])) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

bool IsDeclarationValue(std::string_view value) {
  if (value.size() > kMaxDeclarationValue) return false;
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

std::optional<std::string> Declarations::Find(std::string_view name) const {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->first == name) return it->second;
  }
  return std::nullopt;
}

std::optional<double> Declarations::FindNumber(std::string_view name, bool* bad) const {
  std::optional<std::string> text = Find(name);
  if (!text) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text->c_str(), &end);
  if (text->empty() || end != text->c_str() + text->size() || errno == ERANGE ||
      !std::isfinite(value)) {
    if (bad) *bad = true;
    return std::nullopt;
  }
  return value;
}

bool Declarations::Add(std::string_view name, std::string_view value) {
  if (entries_.size() >= kMaxDeclarations || !IsDeclarationName(name) ||
      !IsDeclarationValue(value)) {
    return false;
  }
  entries_.emplace_back(std::string(name), std::string(value));
  return true;
}

std::optional<Declarations> ParseDeclarations(std::string_view payload, std::string* error) {
  Declarations out;
  int line = 0;
  while (!payload.empty()) {
    ++line;
    const size_t end = payload.find('\n');
    const std::string at = "declaration line " + std::to_string(line) + ": ";
    if (end == std::string_view::npos) {
      *error = at + "not terminated by a newline";
      return std::nullopt;
    }
    if (line > kMaxDeclarations) {
      *error = "more than " + std::to_string(kMaxDeclarations) + " declarations";
      return std::nullopt;
    }
    const std::string_view text = payload.substr(0, end);
    payload.remove_prefix(end + 1);
    const size_t space = text.find(' ');
    if (space == std::string_view::npos || !IsDeclarationName(text.substr(0, space))) {
      *error = at + "not NAME VALUE with a valid name";
      return std::nullopt;
    }
    if (!out.Add(text.substr(0, space), text.substr(space + 1))) {
      *error = at + "value not printable ASCII of at most 256 characters";
      return std::nullopt;
    }
  }
  return out;
}

std::string FormatDeclarations(const Declarations& declarations) {
  std::string out;
  for (const auto& [name, value] : declarations.entries()) out += name + " " + value + "\n";
  return out;
}

}  // namespace cambrian::kernels

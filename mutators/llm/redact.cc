#include "mutators/llm/redact.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_replace.h"
#include "common/absl_compat.h"

namespace cambrian::mutators {
namespace {

// Percent-encodes every byte outside RFC 3986's unreserved set.
std::string UrlEncode(std::string_view text, bool upper_hex) {
  const char* digits = upper_hex ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 0xF];
    }
  }
  return out;
}

// The forms of `secret` to look for; the longest first, so a form that
// contains another is replaced whole.
std::vector<std::string> Forms(const std::string& secret) {
  std::vector<std::string> forms = {
      secret,
      absl::CEscape(secret),  // JSON and C escapes agree on the characters keys use
      UrlEncode(secret, true),
      UrlEncode(secret, false),
      absl::Base64Escape(secret),
  };
  std::sort(forms.begin(), forms.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return forms;
}

}  // namespace

std::string Redact(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (const std::string& form : Forms(secret)) {
      absl::StrReplaceAll({{form, kRedacted}}, &text);
    }
  }
  return text;
}

absl::Status RedactStatus(const absl::Status& status, const std::vector<std::string>& secrets) {
  if (status.ok()) return status;
  absl::Status redacted(status.code(), Redact(std::string(status.message()), secrets));
  status.ForEachPayload([&redacted](absl::string_view url, const absl::Cord& payload) {
    redacted.SetPayload(url, payload);
  });
  return redacted;
}

}  // namespace cambrian::mutators

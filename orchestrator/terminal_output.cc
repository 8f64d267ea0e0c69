#include "orchestrator/terminal_output.h"

#include "common/untrusted_text.h"

namespace cambrian::orchestrator {

EscapingStreambuf::int_type EscapingStreambuf::overflow(int_type ch) {
  if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
  pending_.push_back(traits_type::to_char_type(ch));
  if (ch == '\n' && !Drain(false)) return traits_type::eof();
  return ch;
}

std::streamsize EscapingStreambuf::xsputn(const char* text, std::streamsize count) {
  pending_.append(text, static_cast<size_t>(count));
  return Drain(false) ? count : 0;
}

int EscapingStreambuf::sync() {
  if (!Drain(true)) return -1;
  return sink_->pubsync();
}

bool EscapingStreambuf::Drain(bool all) {
  // Whole lines only (unless flushing), so a UTF-8 sequence is never split
  // between two escapes.
  size_t end = all ? pending_.size() : pending_.rfind('\n');
  if (end == std::string::npos) return true;
  if (!all) ++end;
  std::string escaped = EscapeControl(std::string_view(pending_).substr(0, end));
  pending_.erase(0, end);
  const auto size = static_cast<std::streamsize>(escaped.size());
  return sink_->sputn(escaped.data(), size) == size;
}

ScopedEscaping::ScopedEscaping(std::ostream& stream)
    : stream_(stream), original_(stream.rdbuf()), escaping_(original_) {
  stream_.rdbuf(&escaping_);
}

ScopedEscaping::~ScopedEscaping() {
  escaping_.pubsync();
  stream_.rdbuf(original_);
}

}  // namespace cambrian::orchestrator

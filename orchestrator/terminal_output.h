// What the commands print passes through here: candidates control much of
// it (descriptions, feedback, output tails, file contents), and none of it
// may steer the operator's terminal (clear it, retitle it, write the
// clipboard, forge lines).
#ifndef CAMBRIAN_ORCHESTRATOR_TERMINAL_OUTPUT_H_
#define CAMBRIAN_ORCHESTRATOR_TERMINAL_OUTPUT_H_

#include <ostream>
#include <streambuf>
#include <string>

namespace cambrian::orchestrator {

// A stream buffer that escapes control characters (EscapeControl: all but
// newline and tab) in everything written through it, line by line, before
// passing it on to `sink`.
class EscapingStreambuf : public std::streambuf {
 public:
  explicit EscapingStreambuf(std::streambuf* sink) : sink_(sink) {}
  ~EscapingStreambuf() override { sync(); }

 protected:
  int_type overflow(int_type ch) override;
  std::streamsize xsputn(const char* text, std::streamsize count) override;
  int sync() override;

 private:
  // Passes on the complete lines of pending_ (everything, if `all`).
  bool Drain(bool all);

  std::streambuf* sink_;
  std::string pending_;
};

// Installs an EscapingStreambuf on `stream` for its lifetime.
class ScopedEscaping {
 public:
  explicit ScopedEscaping(std::ostream& stream);
  ~ScopedEscaping();
  ScopedEscaping(const ScopedEscaping&) = delete;
  ScopedEscaping& operator=(const ScopedEscaping&) = delete;

 private:
  std::ostream& stream_;
  std::streambuf* original_;
  EscapingStreambuf escaping_;
};

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_TERMINAL_OUTPUT_H_

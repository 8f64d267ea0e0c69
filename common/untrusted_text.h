// Text a candidate controls (its output, feedback, metric names, files),
// made safe to store, quote and print: bounded in size with a visible mark
// where it was cut, and with the control characters that steer a terminal
// escaped.
#ifndef CAMBRIAN_COMMON_UNTRUSTED_TEXT_H_
#define CAMBRIAN_COMMON_UNTRUSTED_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace cambrian {

// Where to cut `text` to keep at most its first `max_bytes` bytes without
// ending inside a UTF-8 sequence (max_bytes itself if that splits none).
size_t Utf8CutPoint(std::string_view text, size_t max_bytes);

// Whether `text` is valid UTF-8 (no overlong forms, surrogates or values
// past U+10FFFF).
bool IsValidUtf8(std::string_view text);

// The first bytes of `text`, at most `max_bytes` of them and never ending
// inside a UTF-8 sequence, followed by "\n[... N more bytes of WHAT cut]"
// when anything was cut. `text` itself when it fits.
std::string TruncateWithMark(std::string_view text, size_t max_bytes, std::string_view what);

// The same, keeping the end instead ("[... N bytes of WHAT cut]\n" first).
std::string TruncateFrontWithMark(std::string_view text, size_t max_bytes, std::string_view what);

// `text` with every byte or character that can act on a terminal written as
// a visible escape: C0 controls other than newline and tab (ESC, CR, BEL,
// backspace, ...), DEL, C1 controls (U+0080..U+009F) and the bidirectional
// overrides and isolates (U+202A..U+202E, U+2066..U+2069) as \uNNNN (the
// form JSON uses, so escaped JSON stays JSON), and bytes that are not valid
// UTF-8 as \xNN. A backslash stays a backslash. Printable text, newlines and
// tabs pass unchanged.
std::string EscapeControl(std::string_view text);

// For one-line notes: the first `max_bytes` of `text` (a mark if cut), with
// newlines and tabs escaped too, so a quoted value stays on its line.
std::string QuoteForNote(std::string_view text, size_t max_bytes = 80);

// `text` as one word for a POSIX shell: as is when it holds only letters,
// digits and -_./:=@%+,; otherwise in single quotes (a ' as '\'').
std::string ShellQuote(std::string_view text);

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_UNTRUSTED_TEXT_H_

#include "mutators/knob_literal.h"

#include <cctype>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace cambrian::mutators::internal {
namespace {

bool IsQuote(char c) { return c == '"' || c == '\'' || c == '`'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

// Index of the quote closing the one at `open`, honouring backslash escapes.
size_t ClosingQuote(const std::string& text, size_t open) {
  for (size_t i = open + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == text[open]) {
      return i;
    }
  }
  return std::string::npos;
}

// The operator the literal follows: the last assignment '=' outside quotes
// (not part of ==, !=, <=, >=, +=, =>, ...), else the last ':' outside quotes.
size_t FindOperator(const std::string& code) {
  size_t last_eq = std::string::npos, last_colon = std::string::npos;
  for (size_t i = 0; i < code.size(); ++i) {
    if (IsQuote(code[i])) {
      size_t close = ClosingQuote(code, i);
      if (close == std::string::npos) break;
      i = close;
    } else if (code[i] == '=') {
      char prev = i > 0 ? code[i - 1] : ' ';
      char next = i + 1 < code.size() ? code[i + 1] : ' ';
      bool compound = std::string_view("=!<>+-*/%&|^~").find(prev) != std::string_view::npos;
      if (!compound && next != '=' && next != '>') last_eq = i;
    } else if (code[i] == ':') {
      last_colon = i;
    }
  }
  if (last_eq != std::string::npos) {
    // Go's and Pascal's ":=" is one operator; the name ends before the ':'.
    return (last_eq > 0 && code[last_eq - 1] == ':') ? last_eq - 1 : last_eq;
  }
  return last_colon;
}

// The identifier ending before `end`, skipping quotes (dict keys) and index
// brackets ("kOrder[]"); for "x: int = 4" the name is x, not the type.
std::string NameBefore(const std::string& code, size_t end) {
  size_t i = end;
  auto skip_noise = [&] {
    while (i > 0 && (IsSpace(code[i - 1]) || IsQuote(code[i - 1]))) --i;
    while (i > 0 && code[i - 1] == ']') {
      size_t open = code.rfind('[', i - 1);
      if (open == std::string::npos) break;
      i = open;
      while (i > 0 && IsSpace(code[i - 1])) --i;
    }
  };
  skip_noise();
  size_t name_end = i;
  while (i > 0 && IsNameChar(code[i - 1])) --i;
  std::string name = code.substr(i, name_end - i);
  size_t before = i;
  while (before > 0 && IsSpace(code[before - 1])) --before;
  bool annotated = before > 0 && code[before - 1] == ':' && (before < 2 || code[before - 2] != ':');
  if (annotated && code[end] == '=') {
    std::string outer = NameBefore(code, before - 1);
    if (!outer.empty()) return outer;
  }
  size_t first = name.find_first_not_of(".-");
  return first == std::string::npos ? "" : name.substr(first);
}

// For "#define NAME VALUE" (C, C++, CUDA), the start of VALUE and the name;
// npos for any other line.
size_t DefineValue(const std::string& code, std::string* name) {
  size_t hash = code.find_first_not_of(" \t");
  if (hash == std::string::npos || code[hash] != '#') return std::string::npos;
  size_t word = code.find_first_not_of(" \t", hash + 1);
  if (word == std::string::npos || code.compare(word, 6, "define") != 0) return std::string::npos;
  size_t name_begin = code.find_first_not_of(" \t", word + 6);
  if (name_begin == word + 6 || name_begin == std::string::npos) return std::string::npos;
  size_t name_end = code.find_first_of(" \t(", name_begin);
  if (name_end == std::string::npos || code[name_end] == '(') return std::string::npos;
  *name = code.substr(name_begin, name_end - name_begin);
  return code.find_first_not_of(" \t", name_end);
}

// Index of the bracket closing the one at `open`, skipping quoted text.
size_t ClosingBracket(const std::string& text, size_t open) {
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    char c = text[i];
    if (IsQuote(c)) {
      i = ClosingQuote(text, i);
      if (i == std::string::npos) return i;
    } else if (c == '[' || c == '{' || c == '(') {
      ++depth;
    } else if ((c == ']' || c == '}' || c == ')') && --depth == 0) {
      return i;
    }
  }
  return std::string::npos;
}

std::string Unquote(const std::string& text, char* quote) {
  if (text.size() >= 2 && IsQuote(text[0]) && text.back() == text[0]) {
    *quote = text[0];
    return text.substr(1, text.size() - 2);
  }
  *quote = 0;
  return text;
}

// Splits the inside of a list literal into its elements and records the
// list's layout (padding, separator, trailing comma, element quoting).
absl::Status ReadElements(const std::string& inner, Knob* knob) {
  std::vector<std::string> pieces;
  size_t start = 0;
  for (size_t i = 0; i <= inner.size(); ++i) {
    if (i < inner.size() && IsQuote(inner[i])) {
      i = ClosingQuote(inner, i);
      if (i == std::string::npos) return absl::InvalidArgumentError("unclosed quote in the list");
    } else if (i == inner.size() || inner[i] == ',') {
      if (i < inner.size() && knob->separator.empty()) {
        size_t next = inner.find_first_not_of(" \t", i + 1);
        knob->separator = inner.substr(i, (next == std::string::npos ? inner.size() : next) - i);
      }
      pieces.push_back(inner.substr(start, i - start));
      start = i + 1;
    }
  }
  if (knob->separator.empty()) knob->separator = ", ";
  size_t lead = inner.find_first_not_of(" \t");
  if (lead == std::string::npos) return absl::OkStatus();  // an empty list
  knob->open += inner.substr(0, lead);
  size_t trail = inner.find_last_not_of(" \t");
  knob->close.insert(0, inner.substr(trail + 1));
  for (size_t k = 0; k < pieces.size(); ++k) {
    std::string piece(absl::StripAsciiWhitespace(pieces[k]));
    if (piece.empty() && k + 1 == pieces.size() && k > 0) {
      knob->trailing_comma = true;
      continue;
    }
    if (piece.empty()) return absl::InvalidArgumentError("empty element in the list");
    char quote = 0;
    knob->elements.push_back(Unquote(piece, &quote));
    if (k == 0) knob->quote = quote;
  }
  knob->value = absl::StrJoin(knob->elements, ",");
  return absl::OkStatus();
}

absl::Status ReadSequence(const std::string& code, size_t begin, Knob* knob) {
  if (std::string_view("[{(").find(code[begin]) == std::string_view::npos) {
    return absl::InvalidArgumentError("@knob-seq needs a list literal ([...], {...} or (...))");
  }
  size_t close = ClosingBracket(code, begin);
  if (close == std::string::npos) {
    return absl::InvalidArgumentError("the list literal does not close on this line");
  }
  knob->value_begin = begin;
  knob->value_end = close + 1;
  knob->open = code.substr(begin, 1);
  knob->close = code.substr(close, 1);
  return ReadElements(code.substr(begin + 1, close - begin - 1), knob);
}

absl::Status ReadScalar(const std::string& code, size_t begin, Knob* knob) {
  size_t end;
  if (IsQuote(code[begin])) {
    size_t close = ClosingQuote(code, begin);
    if (close == std::string::npos) return absl::InvalidArgumentError("unclosed quote in value");
    end = close + 1;
  } else {
    end = code.find_first_of(";,)]}", begin);
    if (end == std::string::npos) end = code.size();
    while (end > begin && IsSpace(code[end - 1])) --end;
  }
  knob->value_begin = begin;
  knob->value_end = end;
  knob->value = Unquote(code.substr(begin, end - begin), &knob->quote);
  // Type suffixes of C-like languages (8u, 1.5f) stay as they are.
  std::string_view suffixes = knob->kind == KnobKind::kIntRange    ? "uUlLzZ"
                              : knob->kind == KnobKind::kRealRange ? "fFlL"
                                                                   : "";
  size_t keep = knob->value.size();
  while (keep > 1 && suffixes.find(knob->value[keep - 1]) != std::string_view::npos) --keep;
  knob->suffix = knob->value.substr(keep);
  knob->value.resize(keep);
  return absl::OkStatus();
}

}  // namespace

absl::Status ReadLiteral(const std::string& code, bool sequence, Knob* knob) {
  size_t begin = DefineValue(code, &knob->name);
  if (begin == std::string::npos) {
    size_t op = FindOperator(code);
    if (op == std::string::npos) {
      return absl::InvalidArgumentError("no '=' or ':' before the annotation to find a value by");
    }
    knob->name = NameBefore(code, op);
    begin = code.find_first_not_of(" \t", code[op] == ':' && code[op + 1] == '=' ? op + 2 : op + 1);
    if (begin == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("no value after '", code.substr(op, 1), "'"));
    }
  }
  absl::Status status = sequence ? ReadSequence(code, begin, knob) : ReadScalar(code, begin, knob);
  if (!status.ok()) return status;
  knob->literal = code.substr(knob->value_begin, knob->value_end - knob->value_begin);
  return absl::OkStatus();
}

std::string WriteLiteral(const Knob& knob, const std::string& value) {
  std::string quote = knob.quote ? std::string(1, knob.quote) : "";
  if (knob.kind != KnobKind::kSequence) return absl::StrCat(quote, value, knob.suffix, quote);
  std::vector<std::string> elements;
  if (!value.empty()) elements = absl::StrSplit(value, ',');
  for (std::string& element : elements) element = absl::StrCat(quote, element, quote);
  // A one-element Python tuple needs its comma: ("attn",).
  bool comma =
      !elements.empty() && (knob.trailing_comma || (knob.open[0] == '(' && elements.size() == 1));
  std::string open = elements.empty() ? knob.open.substr(0, 1) : knob.open;
  std::string close = elements.empty() ? knob.close.substr(knob.close.size() - 1) : knob.close;
  return absl::StrCat(open, absl::StrJoin(elements, knob.separator), comma ? "," : "", close);
}

}  // namespace cambrian::mutators::internal

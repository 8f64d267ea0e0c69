#include "mutators/llm/edit_grammar.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mutators/llm/edit_format.h"

namespace cambrian::mutators {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The value of a GBNF literal as edit_grammar.cc writes them.
std::string Unquote(absl::string_view literal) {
  EXPECT_TRUE(absl::ConsumePrefix(&literal, "\"") && absl::ConsumeSuffix(&literal, "\""));
  std::string out;
  for (size_t i = 0; i < literal.size(); ++i) {
    if (literal[i] != '\\') {
      out += literal[i];
      continue;
    }
    const char c = literal[++i];
    if (c == 'n') out += '\n';
    if (c == 't') out += '\t';
    if (c == 'r') out += '\r';
    if (c == '"' || c == '\\') out += c;
    if (c == 'x') {
      out += static_cast<char>(std::stoi(std::string(literal.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    }
  }
  return out;
}

// The grammar's rules by name, each as its right-hand side.
std::map<std::string, std::string> Rules(const std::string& grammar) {
  std::map<std::string, std::string> rules;
  for (absl::string_view line : absl::StrSplit(grammar, '\n', absl::SkipEmpty())) {
    std::vector<std::string> parts = absl::StrSplit(line, absl::MaxSplits(" ::= ", 1));
    EXPECT_EQ(parts.size(), 2u) << line;
    EXPECT_TRUE(rules.emplace(parts[0], parts[1]).second) << "rule defined twice: " << parts[0];
  }
  return rules;
}

// Every SEARCH the grammar admits for file rule `file` (from each anchor,
// `length` lines where the chain is that long), as the reply that uses it.
std::vector<std::string> Replies(const std::map<std::string, std::string>& rules,
                                 const std::string& file, int length, const std::string& body) {
  const std::string& block = rules.at(file);
  const std::string header = Unquote(block.substr(0, block.find("\" ") + 1));
  std::vector<std::string> replies;
  for (absl::string_view anchor : absl::StrSplit(rules.at(file + "-a"), " | ")) {
    std::string search, rule(anchor);
    // A line rule is "TEXT_RULE" or "TEXT_RULE NEXT?".
    for (int i = 0; i < length && !rule.empty(); ++i) {
      const std::string& rhs = rules.at(rule);
      const size_t space = rhs.find(' ');
      search += Unquote(rules.at(rhs.substr(0, space)));
      rule = space == std::string::npos ? "" : rhs.substr(space + 1, rhs.size() - space - 2);
    }
    replies.push_back(header + search + "=======\n" + body + ">>>>>>> REPLACE\n");
  }
  return replies;
}

// Whether the grammar's `line` rule (a right-linear automaton whose
// alternatives are "\n", [^...] RULE or "C" RULE) admits `text` + "\n".
bool LineAdmits(const std::map<std::string, std::string>& rules, const std::string& text) {
  std::string rule = "line";
  for (char c : text + "\n") {
    if (rule.empty()) return false;  // the line already ended
    std::string next;
    bool matched = false;
    for (absl::string_view alternative : absl::StrSplit(rules.at(rule), " | ")) {
      if (alternative == "\"\\n\"") {
        if (c == '\n') matched = true;
        continue;
      }
      const size_t space = alternative.rfind(' ');
      const std::string head(alternative.substr(0, space));
      const std::string target(alternative.substr(space + 1));
      bool takes = false;
      if (absl::StartsWith(head, "[^")) {
        const std::string excluded = Unquote("\"" + head.substr(2, head.size() - 3) + "\"");
        takes = excluded.find(c) == std::string::npos;
      } else if (absl::StartsWith(head, "[")) {
        const std::string included = Unquote("\"" + head.substr(1, head.size() - 2) + "\"");
        takes = included.find(c) != std::string::npos;
      } else {
        takes = Unquote(head) == std::string(1, c);
      }
      if (takes) {
        matched = true;
        next = target;
      }
    }
    if (!matched) return false;
    rule = next;
  }
  return rule.empty();
}

TEST(EditGrammarTest, NewLinesCannotStartAMarkerOrHoldEvolve) {
  const std::map<std::string, std::string> rules =
      Rules(*DiffGrammar({{"a.py", "x = 1\n"}}, {"*"}));
  for (const std::string ok : {"", "    y = 2  # EVOLV", "EVE", "EEVOLV E", "x = 'EVOLUTION'",
                               "#pragma unroll", "  x <<<<<<< not first", "\t  ", "  E"}) {
    EXPECT_TRUE(LineAdmits(rules, ok)) << ok;
  }
  for (const std::string bad :
       {"# EVOLVE-BLOCK-START", "EVOLVE", "EEVOLVE", "EVEVOLVE", "x = 1 # EVOLVE-BLOCK-END",
        "<<<<<<< SEARCH", "=======", ">>>>>>> REPLACE", "two\nlines",
        "    =======", "\t>>>>>>> REPLACE", "  EVOLVE"}) {
    EXPECT_FALSE(LineAdmits(rules, bad)) << bad;
  }
  EXPECT_EQ(rules.at("body"), "line{0,16}");
}

TEST(EditGrammarTest, LiteralsEscapeQuotesBackslashesAndControls) {
  EXPECT_EQ(GbnfLiteral("a\"b\\c\n\t\x01"), "\"a\\\"b\\\\c\\n\\t\\x01\"");
  EXPECT_EQ(Unquote(GbnfLiteral("printf(\"%d\\n\", x);\n")), "printf(\"%d\\n\", x);\n");
}

TEST(EditGrammarTest, EveryAnchorIsAUniqueLineAndEveryAdmittedEditApplies) {
  const Program parent = {{"mm.py",
                           "def f(x):\n"
                           "    y = x + 1\n"
                           "\n"
                           "    return y\n"
                           "\n"
                           "    return y\n"
                           "print(\"done\\n\")\n"},
                          {"data.txt", "not editable\n"}};
  std::optional<std::string> grammar = DiffGrammar(parent, {"*.py"});
  ASSERT_TRUE(grammar.has_value());
  EXPECT_THAT(*grammar, Not(HasSubstr("not editable")));
  const std::map<std::string, std::string> rules = Rules(*grammar);
  EXPECT_EQ(rules.at("root"), "f0");
  // Blank and repeated lines continue a SEARCH but never start one.
  EXPECT_EQ(rules.at("f0-a"), "f0-l0-1 | f0-l1-1 | f0-l6-1");
  for (int length : {1, 2, 4, 9}) {
    for (const std::string& reply : Replies(rules, "f0", length, "    z = 2\n")) {
      absl::StatusOr<EditResult> edit = ApplyEdits(EditMode::kDiff, reply, parent, {"*.py"});
      EXPECT_TRUE(edit.ok()) << reply << "\n" << edit.status();
    }
  }
}

TEST(EditGrammarTest, SearchesStayInsideEvolveBlocks) {
  const Program parent = {{"k.cpp",
                           "#include <x>\n"
                           "// EVOLVE-BLOCK-START\n"
                           "int a = 1;\n"
                           "int b = 2;\n"
                           "// EVOLVE-BLOCK-END\n"
                           "int main() {}\n"
                           "// EVOLVE-BLOCK-START\n"
                           "int c = 3;\n"
                           "// EVOLVE-BLOCK-END\n"}};
  std::optional<std::string> grammar = DiffGrammar(parent, {"*"});
  ASSERT_TRUE(grammar.has_value());
  const std::map<std::string, std::string> rules = Rules(*grammar);
  EXPECT_EQ(rules.at("f0-a"), "f0-l2-1 | f0-l3-1 | f0-l7-1");
  EXPECT_EQ(rules.at("f0-l3-1"), "f0-t3");  // no step over the END marker
  EXPECT_EQ(rules.at("f0-t3"), "\"int b = 2;\\n\"");
  EXPECT_THAT(*grammar, Not(HasSubstr("int main")));
  EXPECT_THAT(*grammar, Not(HasSubstr("#include")));
  for (const std::string& reply : Replies(rules, "f0", 3, "int a = 7;\n")) {
    absl::StatusOr<EditResult> edit = ApplyEdits(EditMode::kDiff, reply, parent, {"*"});
    EXPECT_TRUE(edit.ok()) << reply << "\n" << edit.status();
  }
}

TEST(EditGrammarTest, ASearchCopiesAtMostEightLines) {
  std::string content;
  for (int i = 0; i < 20; ++i)
    content += "x" + std::to_string(i) + " = " + std::to_string(i) + "\n";
  const Program parent = {{"a.py", content}};
  const std::map<std::string, std::string> rules = Rules(*DiffGrammar(parent, {"*"}));
  EXPECT_EQ(rules.at("f0-l0-1"), "f0-t0 f0-l1-2?");
  EXPECT_EQ(rules.at("f0-l7-8"), "f0-t7");  // the 8th line of a SEARCH ends it
  EXPECT_EQ(rules.at("f0-l7-7"), "f0-t7 f0-l8-8?");
  EXPECT_EQ(rules.count("f0-l0-2"), 0u);  // line 0 is never a second line
  for (const std::string& reply : Replies(rules, "f0", 12, "y = 1\n")) {
    const size_t lines = std::count(reply.begin(), reply.end(), '\n');
    EXPECT_LE(lines, 1 + 3 + 8 + 1) << reply;  // path, 3 markers, 8 SEARCH lines, 1 new line
    EXPECT_TRUE(ApplyEdits(EditMode::kDiff, reply, parent, {"*"}).ok()) << reply;
  }
}

TEST(EditGrammarTest, SeveralFilesAreAlternatives) {
  const Program parent = {{"a.py", "x = 1\n"}, {"b.py", "y = 2\n"}};
  std::optional<std::string> grammar = DiffGrammar(parent, {"*.py"});
  ASSERT_TRUE(grammar.has_value());
  const std::map<std::string, std::string> rules = Rules(*grammar);
  EXPECT_EQ(rules.at("root"), "f0 | f1");
  EXPECT_TRUE(absl::StartsWith(rules.at("f1"), "\"b.py\\n<<<<<<< SEARCH\\n\" f1-a"));
  EXPECT_EQ(rules.count("body"), 1u);
}

TEST(EditGrammarTest, FileLinesThatLookLikeMarkersAreNeverCopied) {
  const Program parent = {{"doc.py", "def f():\n    \"\"\"Title\n    =======\n    \"\"\"\n"}};
  const std::optional<std::string> grammar = DiffGrammar(parent, {"*"});
  ASSERT_TRUE(grammar.has_value());
  const std::map<std::string, std::string> rules = Rules(*grammar);
  EXPECT_EQ(rules.count("f0-t2"), 0u);      // the underline has no text rule
  EXPECT_EQ(rules.at("f0-l1-2"), "f0-t1");  // a SEARCH stops before it
}

TEST(EditGrammarTest, NoGrammarWithoutALineToAnchorOn) {
  EXPECT_FALSE(DiffGrammar({{"a.py", "\n\n"}}, {"*.py"}).has_value());
  EXPECT_FALSE(DiffGrammar({{"a.py", "x = 1\nx = 1\n"}}, {"*.py"}).has_value());
  EXPECT_FALSE(DiffGrammar({{"a.py", "x = 1\n"}}, {"*.cpp"}).has_value());
  EXPECT_FALSE(DiffGrammar({{"a.py", "no newline at the end"}}, {"*.py"}).has_value());
  EXPECT_FALSE(DiffGrammar({{"a.py", "bad \xff byte\n"}}, {"*.py"}).has_value());
}

}  // namespace
}  // namespace cambrian::mutators

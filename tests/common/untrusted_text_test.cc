#include "common/untrusted_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/log.h"

namespace cambrian {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(TruncateWithMarkTest, ShortTextIsUnchanged) {
  EXPECT_EQ(TruncateWithMark("hello", 5, "feedback"), "hello");
  EXPECT_EQ(TruncateFrontWithMark("hello", 5, "output"), "hello");
}

TEST(TruncateWithMarkTest, LongTextIsCutWithAVisibleMark) {
  std::string text(100, 'a');
  std::string cut = TruncateWithMark(text, 10, "feedback");
  EXPECT_EQ(cut, std::string(10, 'a') + "\n[... 90 more bytes of feedback cut]");
  std::string back = TruncateFrontWithMark(text, 10, "output");
  EXPECT_EQ(back, "[... 90 bytes of output cut]\n" + std::string(10, 'a'));
}

TEST(TruncateWithMarkTest, NeverSplitsAUtf8Sequence) {
  std::string text =
      "ab\xe2\x82\xac"
      "cd";  // "ab€cd"
  EXPECT_EQ(TruncateWithMark(text, 3, "x"), "ab\n[... 5 more bytes of x cut]");
  EXPECT_EQ(TruncateWithMark(text, 4, "x"), "ab\n[... 5 more bytes of x cut]");
  EXPECT_EQ(TruncateWithMark(text, 5, "x"), "ab\xe2\x82\xac\n[... 2 more bytes of x cut]");
  EXPECT_EQ(TruncateFrontWithMark(text, 4, "x"), "[... 5 bytes of x cut]\ncd");
  EXPECT_EQ(TruncateWithMark("\x80\x80\x80\x80\x80", 2, "x"),
            "\x80\x80\n[... 3 more bytes of x cut]");
  // Not a sequence at all (cut short): bytes like any other.
  EXPECT_EQ(TruncateWithMark("\xe2\x82", 1, "x"), "\xe2\n[... 1 more bytes of x cut]");
}

TEST(EscapeControlTest, PrintableTextNewlinesAndTabsPass) {
  std::string text = "rank 1\t#6 fitness 3.3\nünïcödé € 数学 \xf0\x9f\x98\x80 back\\slash";
  EXPECT_EQ(EscapeControl(text), text);
}

TEST(EscapeControlTest, TerminalControlsAreEscaped) {
  EXPECT_EQ(EscapeControl("\x1b[2J\x1b]0;pwned\x07"), "\\u001b[2J\\u001b]0;pwned\\u0007");
  EXPECT_EQ(EscapeControl("a\rb\bc\x7f"
                          "d"),
            "a\\u000db\\u0008c\\u007fd");
  EXPECT_EQ(EscapeControl(std::string("nul\0x", 5)), "nul\\u0000x");
  // OSC 52 (clipboard write) in its 8-bit form: C1 controls, in UTF-8 or raw.
  EXPECT_EQ(EscapeControl("\xc2\x9d"
                          "52;c;Zm9v\xc2\x9c"),
            "\\u009d52;c;Zm9v\\u009c");
  EXPECT_EQ(EscapeControl("\x9b"
                          "2J"),
            "\\x9b2J");
  // Bidirectional overrides reorder what is shown (Trojan Source).
  EXPECT_EQ(EscapeControl("a\xe2\x80\xae"
                          "b\xe2\x81\xa6"
                          "c"),
            "a\\u202eb\\u2066c");
}

TEST(EscapeControlTest, InvalidUtf8IsEscapedBytewise) {
  EXPECT_EQ(EscapeControl("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
  EXPECT_EQ(EscapeControl("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // a surrogate
  EXPECT_EQ(EscapeControl("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
  EXPECT_EQ(EscapeControl("ok\xe2\x82"), "ok\\xe2\\x82");                // cut short
}

TEST(QuoteForNoteTest, OneLineAndBounded) {
  EXPECT_EQ(QuoteForNote("two\nlines\t!"), "two\\nlines\\t!");
  std::string quoted = QuoteForNote(std::string(1 << 20, '['), 80);
  EXPECT_THAT(quoted, StartsWith(std::string(80, '[')));
  EXPECT_THAT(quoted, EndsWith("... (1048576 bytes)"));
  EXPECT_LT(quoted.size(), 120u);
  EXPECT_THAT(QuoteForNote("\x1b[31mred", 4), HasSubstr("\\u001b[31"));
}

TEST(LogRecordTextTest, EscapedAndContinuationLinesIndented) {
  EXPECT_EQ(LogRecordText("#3 ok"), "#3 ok");
  EXPECT_EQ(LogRecordText("note: \x1b[2J\n2026-12-07 00:00:00 [info] #9 ok fitness 1e9 (new best)"),
            "note: \\u001b[2J\n    2026-12-07 00:00:00 [info] #9 ok fitness 1e9 (new best)");
}

TEST(ShellQuoteTest, PlainWordsAsIsTheRestSingleQuoted) {
  EXPECT_EQ(ShellQuote("runs/matmul-cpu-20261207-083000"), "runs/matmul-cpu-20261207-083000");
  EXPECT_EQ(ShellQuote("my runs/a"), "'my runs/a'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote("$(rm -rf ~)"), "'$(rm -rf ~)'");
  EXPECT_EQ(ShellQuote(""), "''");
}

}  // namespace
}  // namespace cambrian

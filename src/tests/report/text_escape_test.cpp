#include "report/text_escape.hpp"

#include <gtest/gtest.h>

#include "sample_run.hpp"
#include "test_support.hpp"

namespace pop3::report {
namespace {

using testing::hostile_text;
using testing::is_clean_utf8;

TEST(TextEscape, KeepsValidUtf8AndWhitespace) {
    const std::string text = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7\ttab\r\nline";
    EXPECT_EQ(sanitize_utf8(text), text);
}

TEST(TextEscape, EscapesControlsAndInvalidBytes) {
    EXPECT_EQ(sanitize_utf8(std::string("a\0b", 3)), "a\\x00b");
    EXPECT_EQ(sanitize_utf8("\x07\x1b\x7f"), "\\x07\\x1B\\x7F");
    EXPECT_EQ(sanitize_utf8("\xc2\x85"), "\\u0085");                       // C1 NEL
    EXPECT_EQ(sanitize_utf8("\xff"), "\\xFF");                             // never valid
    EXPECT_EQ(sanitize_utf8("\xc0\xaf"), "\\xC0\\xAF");                    // overlong '/'
    EXPECT_EQ(sanitize_utf8("\xed\xa0\x80"), "\\xED\\xA0\\x80");           // UTF-16 surrogate
    EXPECT_EQ(sanitize_utf8("\xe2\x82"), "\\xE2\\x82");                    // truncated sequence at the end
    EXPECT_EQ(sanitize_utf8("\xe2\x82x"), "\\xE2\\x82x");                  // truncated sequence before ASCII
    EXPECT_EQ(sanitize_utf8("\xf4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80");  // above U+10FFFF
    EXPECT_EQ(sanitize_utf8("\xef\xbf\xbe"), "\\uFFFE");                   // XML forbids the noncharacter
}

TEST(TextEscape, EveryByteValueGivesCleanOutput) {
    std::string all;
    for (int i = 0; i < 256; ++i)
        all += static_cast<char>(i);
    EXPECT_TRUE(is_clean_utf8(sanitize_utf8(all)));
    EXPECT_TRUE(is_clean_utf8(escape_markup(all)));
    EXPECT_TRUE(is_clean_utf8(escape_attribute(all)));
    EXPECT_TRUE(is_clean_utf8(escape_markdown(all, 10000)));
    EXPECT_TRUE(is_clean_utf8(escape_markup(hostile_text())));
}

TEST(TextEscape, MarkupEntities) {
    EXPECT_EQ(escape_markup("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    EXPECT_EQ(escape_markup("a\nb"), "a\nb");
    EXPECT_EQ(escape_attribute("a\tb\nc\rd"), "a&#9;b&#10;c&#13;d");
    const auto out = escape_markup(hostile_text());
    EXPECT_EQ(out.find("</script"), std::string::npos);
    EXPECT_EQ(out.find('<'), std::string::npos);
}

TEST(TextEscape, MarkdownNeutralisesSyntax) {
    EXPECT_EQ(escape_markdown("a|b"), "a\\|b");
    EXPECT_EQ(escape_markdown("[x](http://e) <img>"), "\\[x\\](http://e) &lt;img&gt;");
    EXPECT_EQ(escape_markdown("one\r\ntwo"), "one  two");
    EXPECT_EQ(escape_markdown("*_`#"), "\\*\\_\\`\\#");
}

TEST(TextEscape, TruncatesAtCharacterBoundary) {
    EXPECT_EQ(truncate_utf8("abc", 3), "abc");
    EXPECT_EQ(truncate_utf8("abcd", 3), "abc…");
    // "é" is two bytes: cutting after its first byte must drop it whole.
    EXPECT_EQ(truncate_utf8("a\xc3\xa9z", 2), "a…");
    EXPECT_TRUE(is_clean_utf8(escape_markdown(std::string(50, '\xe2') + "\xe2\x82\xac\xe2\x82\xac", 5)));
    EXPECT_EQ(escape_markdown("\xe2\x82\xac\xe2\x82\xac", 4), "\xe2\x82\xac…");
}

}  // namespace
}  // namespace pop3::report

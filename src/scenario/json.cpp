#include "scenario/json.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>

namespace pop3::scenario::json {

bool Value::as_bool() const {
    if (const auto* b = std::get_if<bool>(&v_)) return *b;
    throw Error("expected a boolean");
}
std::int64_t Value::as_int() const {
    if (const auto* i = std::get_if<std::int64_t>(&v_)) return *i;
    if (const auto* d = std::get_if<double>(&v_)) return static_cast<std::int64_t>(*d);
    throw Error("expected a number");
}
double Value::as_double() const {
    if (const auto* d = std::get_if<double>(&v_)) return *d;
    if (const auto* i = std::get_if<std::int64_t>(&v_)) return static_cast<double>(*i);
    throw Error("expected a number");
}
const std::string& Value::as_string() const {
    if (const auto* s = std::get_if<std::string>(&v_)) return *s;
    throw Error("expected a string");
}
const Array& Value::as_array() const {
    if (const auto* a = std::get_if<std::shared_ptr<Array>>(&v_)) return **a;
    throw Error("expected an array");
}
const Object& Value::as_object() const {
    if (const auto* o = std::get_if<std::shared_ptr<Object>>(&v_)) return **o;
    throw Error("expected an object");
}
const Value* Value::find(std::string_view key) const {
    if (!is_object()) return nullptr;
    for (const auto& [k, v] : as_object())
        if (k == key) return &v;
    return nullptr;
}
const Value& Value::at(std::string_view key) const {
    const auto* v = find(key);
    if (!v) throw Error(fmt::format("missing member '{}'", key));
    return *v;
}

namespace {

// Length of the well-formed UTF-8 sequence at the start of s (RFC 3629 §4's table), or 0 if there is none.
std::size_t utf8_sequence_length(std::string_view s) {
    if (s.empty()) return 0;
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(0);
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;  // overlong
        if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;  // overlong
        if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
        return 0;
    }
    if (s.size() < len || b(1) < lo || b(1) > hi) return 0;
    for (std::size_t k = 2; k < len; ++k)
        if ((b(k) & 0xC0) != 0x80) return 0;
    return len;
}

}  // namespace

std::string escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        switch (c) {
            case '"':
                out += "\\\"";
                continue;
            case '\\':
                out += "\\\\";
                continue;
            case '\n':
                out += "\\n";
                continue;
            case '\r':
                out += "\\r";
                continue;
            case '\t':
                out += "\\t";
                continue;
            default:
                break;
        }
        if (c < 0x20 || c == 0x7f) {
            out += fmt::format("\\u{:04x}", c);
            continue;
        }
        if (c < 0x80) {
            out += static_cast<char>(c);
            continue;
        }
        // Copy a well-formed UTF-8 sequence as it is (RFC 3629 §4: no overlong forms, no surrogates, nothing above
        // U+10FFFF); replace any other byte so the document stays valid UTF-8.
        const std::size_t len = utf8_sequence_length(s.substr(i));
        if (len > 0) {
            out.append(s.substr(i, len));
            i += len - 1;
        } else {
            out += "\\ufffd";  // a stray byte: the document must stay valid UTF-8 (transcripts are escaped already)
        }
    }
    return out;
}

void Value::write(std::string& out, int indent, int depth) const {
    auto newline = [&](int d) {
        if (indent < 0) return;
        out += '\n';
        out.append(static_cast<std::size_t>(indent * d), ' ');
    };
    switch (v_.index()) {
        case 0:
            out += "null";
            break;
        case 1:
            out += std::get<bool>(v_) ? "true" : "false";
            break;
        case 2:
            out += std::to_string(std::get<std::int64_t>(v_));
            break;
        case 3: {
            double d = std::get<double>(v_);
            out += std::isfinite(d) ? fmt::format("{}", d) : "null";
            break;
        }
        case 4:
            out += '"';
            out += escape(std::get<std::string>(v_));
            out += '"';
            break;
        case 5: {
            const auto& a = as_array();
            if (a.empty()) {
                out += "[]";
                break;
            }
            out += '[';
            for (std::size_t i = 0; i < a.size(); ++i) {
                if (i) out += ',';
                newline(depth + 1);
                a[i].write(out, indent, depth + 1);
            }
            newline(depth);
            out += ']';
            break;
        }
        default: {
            const auto& o = as_object();
            if (o.empty()) {
                out += "{}";
                break;
            }
            out += '{';
            for (std::size_t i = 0; i < o.size(); ++i) {
                if (i) out += ',';
                newline(depth + 1);
                out += '"';
                out += escape(o[i].first);
                out += indent < 0 ? "\":" : "\": ";
                o[i].second.write(out, indent, depth + 1);
            }
            newline(depth);
            out += '}';
        }
    }
}

std::string Value::dump(int indent) const {
    std::string out;
    write(out, indent, 0);
    return out;
}

namespace {

class Parser {
  public:
    explicit Parser(std::string_view t) : t_(t) {}

    Value document() {
        Value v = value(0);
        ws();
        if (pos_ != t_.size()) fail("trailing characters");
        return v;
    }

  private:
    [[noreturn]] void fail(const std::string& what) const {
        throw Error(fmt::format("JSON: {} at offset {}", what, pos_));
    }
    void ws() {
        while (pos_ < t_.size() && (t_[pos_] == ' ' || t_[pos_] == '\n' || t_[pos_] == '\r' || t_[pos_] == '\t'))
            ++pos_;
    }
    bool lit(std::string_view w) {
        if (t_.substr(pos_, w.size()) == w) {
            pos_ += w.size();
            return true;
        }
        return false;
    }
    Value value(int depth) {
        if (depth > 200) fail("nesting too deep");
        ws();
        if (pos_ >= t_.size()) fail("unexpected end");
        char c = t_[pos_];
        if (c == '{') {
            ++pos_;
            Object o;
            ws();
            if (lit("}")) return o;
            for (;;) {
                ws();
                if (pos_ >= t_.size() || t_[pos_] != '"') fail("expected a key");
                std::string k = string();
                ws();
                if (!lit(":")) fail("expected ':'");
                o.emplace_back(std::move(k), value(depth + 1));
                ws();
                if (lit("}")) return o;
                if (!lit(",")) fail("expected ',' or '}'");
            }
        }
        if (c == '[') {
            ++pos_;
            Array a;
            ws();
            if (lit("]")) return a;
            for (;;) {
                a.push_back(value(depth + 1));
                ws();
                if (lit("]")) return a;
                if (!lit(",")) fail("expected ',' or ']'");
            }
        }
        if (c == '"') return string();
        if (lit("true")) return true;
        if (lit("false")) return false;
        if (lit("null")) return nullptr;
        return number();
    }
    Value number() {
        std::size_t start = pos_;
        bool is_double = false;
        if (pos_ < t_.size() && t_[pos_] == '-') ++pos_;
        while (pos_ < t_.size()) {
            char c = t_[pos_];
            if (c >= '0' && c <= '9') {
                ++pos_;
            } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                is_double = true;
                ++pos_;
            } else {
                break;
            }
        }
        std::string text(t_.substr(start, pos_ - start));
        if (text.empty() || text == "-") fail("expected a value");
        try {
            if (!is_double) return static_cast<std::int64_t>(std::stoll(text));
            return std::stod(text);
        } catch (const std::exception&) {
            fail("bad number");
        }
    }
    static void utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
    unsigned hex4() {
        if (pos_ + 4 > t_.size()) fail("short \\u escape");
        unsigned v = 0;
        for (int i = 0; i < 4; ++i) {
            char c = t_[pos_++];
            v <<= 4;
            if (c >= '0' && c <= '9') {
                v |= static_cast<unsigned>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                v |= static_cast<unsigned>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                v |= static_cast<unsigned>(c - 'A' + 10);
            } else {
                fail("bad \\u escape");
            }
        }
        return v;
    }
    std::string string() {
        ++pos_;  // opening quote
        std::string out;
        while (pos_ < t_.size()) {
            char c = t_[pos_++];
            if (c == '"') return out;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= t_.size()) break;
            char e = t_[pos_++];
            switch (e) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    unsigned cp = hex4();
                    if (cp >= 0xD800 && cp < 0xDC00 && t_.substr(pos_, 2) == "\\u") {
                        pos_ += 2;
                        unsigned lo = hex4();
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    }
                    utf8(out, cp);
                    break;
                }
                default:
                    fail("bad escape");
            }
        }
        fail("unterminated string");
    }

    std::string_view t_;
    std::size_t pos_ = 0;
};

}  // namespace

Value parse(std::string_view text) {
    return Parser(text).document();
}

}  // namespace pop3::scenario::json

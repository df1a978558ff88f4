#include "scenario/expression.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

namespace pop3::scenario {
namespace {

std::optional<std::int64_t> to_int(const Value& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
    if (const auto* s = std::get_if<std::string>(&v)) {
        std::int64_t out = 0;
        const auto* first = s->data();
        const auto* last = s->data() + s->size();
        auto [ptr, ec] = std::from_chars(first, last, out);
        if (ec == std::errc{} && ptr == last && !s->empty()) return out;
    }
    return std::nullopt;
}

std::string upper(std::string_view s) {
    std::string out;
    for (char c : s)
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

const char* type_name(const Value& v) {
    switch (v.index()) {
        case 0:
            return "nothing";
        case 1:
            return "boolean";
        case 2:
            return "number";
        case 3:
            return "string";
        case 4:
            return "listing";
        default:
            return "lines";
    }
}

bool values_equal(const Value& a, const Value& b) {
    if (a.index() == b.index()) return a == b;
    auto ia = to_int(a), ib = to_int(b);
    if (ia && ib) return *ia == *ib;
    return false;
}

class Literal final : public Expression {
  public:
    Literal(Value v, std::string text) : value_(std::move(v)), text_(std::move(text)) {}
    Value evaluate(const Captures&, std::string&) const override { return value_; }
    std::string text() const override { return text_; }

  private:
    Value value_;
    std::string text_;
};

class Name final : public Expression {
  public:
    explicit Name(std::string n) : name_(std::move(n)) {}
    Value evaluate(const Captures& captures, std::string& error) const override {
        auto it = captures.find(name_);
        if (it == captures.end()) {
            error = fmt::format("'{}' was never captured", name_);
            return {};
        }
        return it->second;
    }
    std::string text() const override { return name_; }

  private:
    std::string name_;
};

using Ptr = std::shared_ptr<const Expression>;

class Index final : public Expression {
  public:
    Index(Ptr base, Ptr index) : base_(std::move(base)), index_(std::move(index)) {}
    Value evaluate(const Captures& c, std::string& error) const override {
        Value b = base_->evaluate(c, error);
        if (!error.empty()) return {};
        Value i = index_->evaluate(c, error);
        if (!error.empty()) return {};
        auto n = to_int(i);
        if (!n) {
            error = fmt::format("index {} is not a number", index_->text());
            return {};
        }
        if (const auto* l = std::get_if<Listing>(&b)) {
            // A listing is indexed by message number, not by position (RFC 1939 §5: numbers never change).
            for (const auto& [num, val] : *l)
                if (num == *n) return val;
            error = fmt::format("{} has no message {}", base_->text(), *n);
            return {};
        }
        if (const auto* lines = std::get_if<Lines>(&b)) {
            if (*n < 1 || static_cast<std::size_t>(*n) > lines->size()) {
                error = fmt::format("{} has no line {}", base_->text(), *n);
                return {};
            }
            return (*lines)[static_cast<std::size_t>(*n - 1)];
        }
        error = fmt::format("{} is a {}, not a listing", base_->text(), type_name(b));
        return {};
    }
    std::string text() const override { return base_->text() + "[" + index_->text() + "]"; }

  private:
    Ptr base_, index_;
};

class Call final : public Expression {
  public:
    Call(std::string fn, std::vector<Ptr> args) : fn_(std::move(fn)), args_(std::move(args)) {}

    Value evaluate(const Captures& c, std::string& error) const override {
        std::vector<Value> v;
        for (const auto& a : args_) {
            v.push_back(a->evaluate(c, error));
            if (!error.empty()) return {};
        }
        static const Value none;
        // Named operands (instead of v[0], v[1]) keep GCC's -Wnull-dereference quiet at -O2.
        const Value& a0 = v.size() > 0 ? v.front() : none;
        const Value& a1 = v.size() > 1 ? v[1] : none;
        auto want = [&](std::size_t n) {
            if (v.size() != n) error = fmt::format("{}() takes {} argument(s)", fn_, n);
            return v.size() == n;
        };
        if (fn_ == "sum") {
            if (!want(1)) return {};
            const auto* l = std::get_if<Listing>(&a0);
            if (!l) return fail(error, "sum() needs a listing");
            std::int64_t total = 0;
            for (const auto& [num, val] : *l) {
                auto i = to_int(val);
                if (!i) return fail(error, fmt::format("sum(): '{}' of message {} is not a number", val, num));
                total += *i;
            }
            return total;
        }
        if (fn_ == "count" || fn_ == "len") {
            if (!want(1)) return {};
            if (const auto* l = std::get_if<Listing>(&a0)) return static_cast<std::int64_t>(l->size());
            if (const auto* l = std::get_if<Lines>(&a0)) return static_cast<std::int64_t>(l->size());
            if (const auto* s = std::get_if<std::string>(&a0)) return static_cast<std::int64_t>(s->size());
            return fail(error, fmt::format("{}() needs a listing, lines or a string", fn_));
        }
        if (fn_ == "prefix") {
            if (!want(2)) return {};
            const auto* a = std::get_if<Lines>(&a0);
            const auto* b = std::get_if<Lines>(&a1);
            if (a && b) {
                if (a->size() > b->size()) return false;
                for (std::size_t i = 0; i < a->size(); ++i)
                    if ((*a)[i] != (*b)[i]) return false;
                return true;
            }
            const auto* sa = std::get_if<std::string>(&a0);
            const auto* sb = std::get_if<std::string>(&a1);
            if (sa && sb) return sb->compare(0, sa->size(), *sa) == 0;
            return fail(error, "prefix() needs two bodies or two strings");
        }
        if (fn_ == "unique") {
            if (!want(1)) return {};
            std::set<std::string> seen;
            if (const auto* l = std::get_if<Listing>(&a0)) {
                for (const auto& e : *l)
                    if (!seen.insert(e.second).second) return false;
                return true;
            }
            if (const auto* l = std::get_if<Lines>(&a0)) {
                for (const auto& e : *l)
                    if (!seen.insert(e).second) return false;
                return true;
            }
            return fail(error, "unique() needs a listing or lines");
        }
        if (fn_ == "values" || fn_ == "numbers") {
            if (!want(1)) return {};
            const auto* l = std::get_if<Listing>(&a0);
            if (!l) return fail(error, fmt::format("{}() needs a listing", fn_));
            Lines out;
            for (const auto& [num, val] : *l)
                out.push_back(fn_ == "values" ? val : std::to_string(num));
            return out;
        }
        if (fn_ == "without") {
            if (!want(2)) return {};
            if (const auto* lines = std::get_if<Lines>(&a0)) {
                // without(lines, "STLS"): the lines other than this one (e.g. a tag set minus STLS).
                const auto* drop = std::get_if<std::string>(&a1);
                if (!drop) return fail(error, "without() on lines needs a string to drop");
                Lines out;
                for (const auto& e : *lines)
                    if (e != *drop) out.push_back(e);
                return out;
            }
            const auto* l = std::get_if<Listing>(&a0);
            auto n = to_int(a1);
            if (!l || !n) return fail(error, "without() needs a listing and a message number");
            Listing out;
            for (const auto& e : *l)
                if (e.first != *n) out.push_back(e);
            return out;
        }
        if (fn_ == "has") {
            if (!want(2)) return {};
            if (const auto* l = std::get_if<Listing>(&a0)) {
                auto n = to_int(a1);
                if (!n) return fail(error, "has() needs a message number");
                return std::any_of(l->begin(), l->end(), [&](const auto& e) { return e.first == *n; });
            }
            return fail(error, "has() needs a listing");
        }
        if (fn_ == "contains") {
            if (!want(2)) return {};
            const auto* s = std::get_if<std::string>(&a1);
            if (!s) return fail(error, "contains() needs a string to look for");
            if (const auto* l = std::get_if<Listing>(&a0))
                return std::any_of(l->begin(), l->end(), [&](const auto& e) { return e.second == *s; });
            if (const auto* l = std::get_if<Lines>(&a0)) return std::find(l->begin(), l->end(), *s) != l->end();
            if (const auto* str = std::get_if<std::string>(&a0)) return str->find(*s) != std::string::npos;
            return fail(error, "contains() needs a listing, lines or a string");
        }
        if (fn_ == "tags") {
            // tags(capa): the capability tags of CAPA body lines, upper-cased (RFC 2449 §5: case-insensitive).
            if (!want(1)) return {};
            const auto* lines = std::get_if<Lines>(&a0);
            if (!lines) return fail(error, "tags() needs lines (a captured CAPA body)");
            Lines out;
            for (const auto& e : *lines)
                out.push_back(upper(e.substr(0, e.find(' '))));
            return out;
        }
        if (fn_ == "subset") {
            // subset(a, b): every line of a is also a line of b.
            if (!want(2)) return {};
            const auto* a = std::get_if<Lines>(&a0);
            const auto* b = std::get_if<Lines>(&a1);
            if (!a || !b) return fail(error, "subset() needs two lines values");
            return std::all_of(a->begin(), a->end(),
                               [&](const std::string& e) { return std::find(b->begin(), b->end(), e) != b->end(); });
        }
        if (fn_ == "arg") {
            // arg(capa, "EXPIRE", k): the k-th (1-based) argument of that capability, "" if absent (RFC 2449 §5).
            if (!want(3)) return {};
            const auto* lines = std::get_if<Lines>(&a0);
            const auto* tag = std::get_if<std::string>(&a1);
            const Value& a2 = v.size() > 2 ? v[2] : none;
            auto k = to_int(a2);
            if (!lines || !tag || !k || *k < 1) return fail(error, "arg() needs lines, a tag and a position >= 1");
            for (const auto& e : *lines) {
                std::vector<std::string> words;
                std::size_t at = 0;
                while (at <= e.size()) {
                    auto sp = e.find(' ', at);
                    if (sp == std::string::npos) sp = e.size();
                    if (sp > at) words.push_back(e.substr(at, sp - at));
                    at = sp + 1;
                }
                if (words.empty() || upper(words[0]) != upper(*tag)) continue;
                return static_cast<std::size_t>(*k) < words.size() ? words[static_cast<std::size_t>(*k)]
                                                                   : std::string();
            }
            return std::string();
        }
        if (fn_ == "int") {
            if (!want(1)) return {};
            auto i = to_int(a0);
            if (!i) return fail(error, fmt::format("int(): {} is not a number", describe(a0)));
            return *i;
        }
        return fail(error, fmt::format("unknown function {}()", fn_));
    }

    std::string text() const override {
        std::string out = fn_ + "(";
        for (std::size_t i = 0; i < args_.size(); ++i)
            out += (i ? ", " : "") + args_[i]->text();
        return out + ")";
    }

  private:
    static Value fail(std::string& error, std::string message) {
        error = std::move(message);
        return {};
    }
    std::string fn_;
    std::vector<Ptr> args_;
};

class Unary final : public Expression {
  public:
    explicit Unary(Ptr e) : e_(std::move(e)) {}
    Value evaluate(const Captures& c, std::string& error) const override {
        Value v = e_->evaluate(c, error);
        if (!error.empty()) return {};
        if (const auto* b = std::get_if<bool>(&v)) return !*b;
        error = fmt::format("'!' needs a boolean, {} is a {}", e_->text(), type_name(v));
        return {};
    }
    std::string text() const override { return "!" + e_->text(); }

  private:
    Ptr e_;
};

/// Binary operators; evaluate_check looks at them so that a failed comparison can show both sides.
class Binary final : public Expression {
  public:
    Binary(std::string op, Ptr l, Ptr r) : op_(std::move(op)), l_(std::move(l)), r_(std::move(r)) {}
    const std::string& op() const { return op_; }
    const Expression& left() const { return *l_; }
    const Expression& right() const { return *r_; }

    Value evaluate(const Captures& c, std::string& error) const override {
        Value a = l_->evaluate(c, error);
        if (!error.empty()) return {};
        if (op_ == "&&" || op_ == "||") {
            const auto* ba = std::get_if<bool>(&a);
            if (!ba) return fail(error, fmt::format("'{}' needs booleans", op_));
            if (op_ == "&&" && !*ba) return false;
            if (op_ == "||" && *ba) return true;
            Value b = r_->evaluate(c, error);
            if (!error.empty()) return {};
            const auto* bb = std::get_if<bool>(&b);
            if (!bb) return fail(error, fmt::format("'{}' needs booleans", op_));
            return *bb;
        }
        Value b = r_->evaluate(c, error);
        if (!error.empty()) return {};
        if (op_ == "==") return values_equal(a, b);
        if (op_ == "!=") return !values_equal(a, b);
        auto ia = to_int(a), ib = to_int(b);
        if (!ia || !ib)
            return fail(error, fmt::format("'{}' needs numbers: {} is {}, {} is {}", op_, l_->text(), describe(a),
                                           r_->text(), describe(b)));
        if (op_ == "+") return *ia + *ib;
        if (op_ == "-") return *ia - *ib;
        if (op_ == "<") return *ia < *ib;
        if (op_ == "<=") return *ia <= *ib;
        if (op_ == ">") return *ia > *ib;
        if (op_ == ">=") return *ia >= *ib;
        return fail(error, "unknown operator " + op_);
    }
    std::string text() const override { return l_->text() + " " + op_ + " " + r_->text(); }

  private:
    static Value fail(std::string& error, std::string message) {
        error = std::move(message);
        return {};
    }
    std::string op_;
    Ptr l_, r_;
};

class Parser {
  public:
    explicit Parser(std::string_view t) : t_(t) {}

    Ptr parse_all(std::string& error) {
        Ptr e = parse_or();
        skip();
        if (!error_.empty() || pos_ != t_.size()) {
            if (error_.empty()) error_ = "unexpected text";
            error = fmt::format("{} at offset {} of '{}'", error_, pos_, t_);
            return nullptr;
        }
        return e;
    }

  private:
    void skip() {
        while (pos_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[pos_])))
            ++pos_;
    }
    bool eat(std::string_view tok) {
        skip();
        if (t_.substr(pos_, tok.size()) == tok) {
            pos_ += tok.size();
            return true;
        }
        return false;
    }
    Ptr fail(std::string message) {
        if (error_.empty()) error_ = std::move(message);
        return nullptr;
    }

    Ptr parse_or() {
        Ptr l = parse_and();
        while (l && eat("||")) {
            Ptr r = parse_and();
            if (!r) return nullptr;
            l = std::make_shared<Binary>("||", l, r);
        }
        return l;
    }
    Ptr parse_and() {
        Ptr l = parse_cmp();
        while (l && eat("&&")) {
            Ptr r = parse_cmp();
            if (!r) return nullptr;
            l = std::make_shared<Binary>("&&", l, r);
        }
        return l;
    }
    Ptr parse_cmp() {
        Ptr l = parse_sum();
        if (!l) return nullptr;
        for (std::string_view op : {"==", "!=", "<=", ">=", "<", ">"}) {
            if (eat(op)) {
                Ptr r = parse_sum();
                if (!r) return nullptr;
                return std::make_shared<Binary>(std::string(op), l, r);
            }
        }
        return l;
    }
    Ptr parse_sum() {
        Ptr l = parse_unary();
        while (l) {
            skip();
            if (pos_ < t_.size() && (t_[pos_] == '+' || t_[pos_] == '-')) {
                std::string op(1, t_[pos_++]);
                Ptr r = parse_unary();
                if (!r) return nullptr;
                l = std::make_shared<Binary>(op, l, r);
            } else {
                break;
            }
        }
        return l;
    }
    Ptr parse_unary() {
        skip();
        if (pos_ < t_.size() && t_[pos_] == '!' && t_.substr(pos_, 2) != "!=") {
            ++pos_;
            Ptr e = parse_unary();
            return e ? std::make_shared<Unary>(e) : nullptr;
        }
        return parse_postfix();
    }
    Ptr parse_postfix() {
        Ptr e = parse_primary();
        while (e && eat("[")) {
            Ptr i = parse_sum();
            if (!i) return nullptr;
            if (!eat("]")) return fail("expected ']'");
            e = std::make_shared<Index>(e, i);
        }
        return e;
    }
    Ptr parse_primary() {
        skip();
        if (pos_ >= t_.size()) return fail("unexpected end");
        char ch = t_[pos_];
        if (ch == '(') {
            ++pos_;
            Ptr e = parse_or();
            if (!e) return nullptr;
            if (!eat(")")) return fail("expected ')'");
            return e;
        }
        if (std::isdigit(static_cast<unsigned char>(ch))) {
            std::size_t start = pos_;
            while (pos_ < t_.size() && std::isdigit(static_cast<unsigned char>(t_[pos_])))
                ++pos_;
            std::int64_t v = 0;
            auto [p, ec] = std::from_chars(t_.data() + start, t_.data() + pos_, v);
            if (ec != std::errc{}) return fail("number too large");
            (void)p;
            return std::make_shared<Literal>(v, std::string(t_.substr(start, pos_ - start)));
        }
        if (ch == '"' || ch == '\'') {
            std::size_t start = pos_++;
            std::string s;
            while (pos_ < t_.size() && t_[pos_] != ch)
                s += t_[pos_++];
            if (pos_ >= t_.size()) return fail("unterminated string");
            ++pos_;
            return std::make_shared<Literal>(s, std::string(t_.substr(start, pos_ - start)));
        }
        if (std::isalpha(static_cast<unsigned char>(ch)) || ch == '_') {
            std::size_t start = pos_;
            while (pos_ < t_.size() &&
                   (std::isalnum(static_cast<unsigned char>(t_[pos_])) || t_[pos_] == '_' || t_[pos_] == '.'))
                ++pos_;
            std::string name(t_.substr(start, pos_ - start));
            if (name == "true") return std::make_shared<Literal>(true, name);
            if (name == "false") return std::make_shared<Literal>(false, name);
            if (eat("(")) {
                std::vector<Ptr> args;
                if (!eat(")")) {
                    do {
                        Ptr a = parse_or();
                        if (!a) return nullptr;
                        args.push_back(a);
                    } while (eat(","));
                    if (!eat(")")) return fail("expected ')' after arguments");
                }
                return std::make_shared<Call>(name, std::move(args));
            }
            return std::make_shared<Name>(name);
        }
        return fail(fmt::format("unexpected '{}'", ch));
    }

    std::string_view t_;
    std::size_t pos_ = 0;
    std::string error_;
};

}  // namespace

std::string describe(const Value& value) {
    struct V {
        std::string operator()(std::monostate) const { return "nothing"; }
        std::string operator()(bool b) const { return b ? "true" : "false"; }
        std::string operator()(std::int64_t i) const { return std::to_string(i); }
        std::string operator()(const std::string& s) const { return "\"" + s + "\""; }
        std::string operator()(const Listing& l) const {
            std::string out = "[";
            for (std::size_t i = 0; i < l.size() && i < 5; ++i)
                out += (i ? ", " : "") + std::to_string(l[i].first) + " " + l[i].second;
            if (l.size() > 5) out += fmt::format(", … ({} entries)", l.size());
            return out + "]";
        }
        std::string operator()(const Lines& l) const { return fmt::format("{} line(s)", l.size()); }
    };
    return std::visit(V{}, value);
}

std::shared_ptr<const Expression> Expression::parse(std::string_view text, std::string& error) {
    Parser p(text);
    return p.parse_all(error);
}

bool evaluate_check(const Expression& expr, const Captures& captures, std::string& reason, bool& eval_error) {
    eval_error = false;
    std::string error;
    Value v = expr.evaluate(captures, error);
    if (!error.empty()) {
        eval_error = true;
        reason = fmt::format("cannot evaluate '{}': {}", expr.text(), error);
        return false;
    }
    const auto* b = std::get_if<bool>(&v);
    if (!b) {
        eval_error = true;
        reason = fmt::format("'{}' is {}, not a comparison", expr.text(), describe(v));
        return false;
    }
    if (*b) return true;
    if (const auto* bin = dynamic_cast<const Binary*>(&expr); bin && bin->op() != "&&" && bin->op() != "||") {
        std::string e1, e2;
        Value l = bin->left().evaluate(captures, e1);
        Value r = bin->right().evaluate(captures, e2);
        reason = fmt::format("'{}' does not hold: {} is {}, {} is {}", expr.text(), bin->left().text(), describe(l),
                             bin->right().text(), describe(r));
    } else {
        reason = fmt::format("'{}' does not hold", expr.text());
    }
    return false;
}

}  // namespace pop3::scenario

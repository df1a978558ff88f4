#include "scenario/loader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "scenario/expression.hpp"

namespace pop3::scenario {

LoadError::LoadError(std::string file, int line, int column, std::string key, std::string message)
    : std::runtime_error(fmt::format("{}:{}:{}: {}{}", file, line, column,
                                     key.empty() ? std::string() : fmt::format("'{}': ", key), message)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      key_(std::move(key)),
      message_(std::move(message)) {}

std::optional<Level> parse_level(std::string_view text) {
    std::string up;
    for (char c : text)
        up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (up == "MUST" || up == "MUST*" || up == "MUST NOT") return Level::must;
    if (up == "SHOULD" || up == "SHOULD NOT") return Level::should;
    if (up == "MAY") return Level::may;
    if (up == "INFO") return Level::info;
    if (up == "IMPLIED") return Level::implied;
    return std::nullopt;
}

std::string_view to_string(Level level) {
    switch (level) {
        case Level::must:
            return "MUST";
        case Level::should:
            return "SHOULD";
        case Level::may:
            return "MAY";
        case Level::info:
            return "INFO";
        case Level::implied:
            return "IMPLIED";
    }
    return "MUST";
}

Duration parse_duration(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
        ++i;
    if (i == 0) throw std::invalid_argument(fmt::format("'{}' is not a duration (e.g. 500ms, 5s, 2m)", text));
    double value = 0;
    try {
        value = std::stod(std::string(text.substr(0, i)));
    } catch (const std::exception&) {
        throw std::invalid_argument(fmt::format("'{}' is not a duration", text));
    }
    std::string_view unit = text.substr(i);
    double ms = 0;
    if (unit.empty() || unit == "s") {
        ms = value * 1000;
    } else if (unit == "ms") {
        ms = value;
    } else if (unit == "m" || unit == "min") {
        ms = value * 60000;
    } else {
        throw std::invalid_argument(fmt::format("'{}': unknown unit '{}' (ms, s, m)", text, unit));
    }
    // A bound before the conversion: "1e130s" or 200 digits would not fit Duration's integer (undefined behaviour,
    // found by fuzz_scenario_loader), and no step of a test waits a day.
    constexpr double max_ms = 24.0 * 60 * 60 * 1000;
    if (!(ms <= max_ms)) throw std::invalid_argument(fmt::format("'{}' is longer than 24 hours", text));
    return Duration(static_cast<Duration::rep>(ms));
}

std::string decode_escapes(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\') {
            out += text[i];
            continue;
        }
        if (++i >= text.size()) throw std::invalid_argument("a '\\' ends the string");
        switch (text[i]) {
            case 'r':
                out += '\r';
                break;
            case 'n':
                out += '\n';
                break;
            case 't':
                out += '\t';
                break;
            case '0':
                out += '\0';
                break;
            case '\\':
                out += '\\';
                break;
            case 'x': {
                if (i + 2 >= text.size()) throw std::invalid_argument("\\x needs two hex digits");
                unsigned v = 0;
                auto hex = text.substr(i + 1, 2);
                auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
                if (ec != std::errc{} || p != hex.data() + 2 || hex.size() != 2)
                    throw std::invalid_argument("\\x needs two hex digits");
                out += static_cast<char>(v);
                i += 2;
                break;
            }
            default:
                throw std::invalid_argument(fmt::format("unknown escape '\\{}'", text[i]));
        }
    }
    return out;
}

namespace {

// libstdc++'s std::regex compiler accumulates a repetition count ("a{n}") or a back-reference number ("\\n") in a
// signed long without a bound: "{99999999999999999999}" is signed overflow (undefined behaviour, found by
// fuzz_scenario_loader), and a large count builds that many copies of the sub-pattern. No scenario needs more than
// this, so a larger number is refused before the pattern reaches std::regex.
constexpr std::uint64_t max_regex_number = 1000;

// Why `pattern` is refused before compiling, or "" when it may be compiled. Conservative: a '{' inside a bracket
// expression is checked too.
std::string regex_number_problem(std::string_view pattern) {
    const auto digits_at = [&](std::size_t at) {
        std::size_t end = at;
        while (end < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[end])))
            ++end;
        return end;
    };
    const auto too_big = [&](std::size_t from, std::size_t to) {
        if (to - from > 4) return true;  // more digits than max_regex_number has
        std::uint64_t value = 0;
        for (std::size_t i = from; i < to; ++i)
            value = value * 10 + static_cast<std::uint64_t>(pattern[i] - '0');
        return value > max_regex_number;
    };
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '\\') {
            if (i + 1 < pattern.size() && pattern[i + 1] >= '1' && pattern[i + 1] <= '9') {
                const std::size_t end = digits_at(i + 1);
                if (too_big(i + 1, end)) return fmt::format("back-reference number over {}", max_regex_number);
                i = end - 1;
            } else {
                ++i;  // an escaped character: not a '{' or a '\\'
            }
        } else if (pattern[i] == '{') {
            std::size_t end = digits_at(i + 1);
            if (too_big(i + 1, end)) return fmt::format("repetition count over {}", max_regex_number);
            if (end < pattern.size() && pattern[end] == ',') {
                const std::size_t from = end + 1;
                end = digits_at(from);
                if (too_big(from, end)) return fmt::format("repetition count over {}", max_regex_number);
            }
        }
    }
    return {};
}

// Compiles a scenario's pattern (ECMAScript, optionally case-insensitive); std::regex_error on a bad one, and
// std::invalid_argument on one regex_number_problem() refuses.
std::regex compile_regex(const std::string& pattern, bool icase) {
    if (auto problem = regex_number_problem(pattern); !problem.empty()) throw std::invalid_argument(problem);
    auto flags = std::regex::ECMAScript;
    if (icase) flags |= std::regex::icase;
    return std::regex(pattern, flags);
}

// Reads one YAML document into the model, naming file, line, column and key on every error.
class Reader {
  public:
    explicit Reader(std::string file) : file_(std::move(file)) {}

    [[noreturn]] void fail(const YAML::Node& at, const std::string& key, const std::string& message) const {
        auto m = at.Mark();
        int line = m.line >= 0 ? m.line + 1 : last_line_;
        int col = m.column >= 0 ? m.column + 1 : last_col_;
        throw LoadError(file_, line, col, key, message);
    }

    void touch(const YAML::Node& n) {
        auto m = n.Mark();
        if (m.line >= 0) {
            last_line_ = m.line + 1;
            last_col_ = m.column + 1;
        }
    }

    SourceLocation where(const YAML::Node& n) const {
        auto m = n.Mark();
        if (m.line < 0) return {last_line_, last_col_};
        return {m.line + 1, m.column + 1};
    }

    // Every key of `map` must be one of `allowed`: unknown keys are errors (typos must not pass silently).
    void check_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed, const std::string& what) {
        for (const auto& kv : map) {
            const YAML::Node k = kv.first;
            touch(k);
            if (!k.IsScalar()) fail(k, "", fmt::format("{}: keys must be plain words", what));
            auto key = k.Scalar();
            if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
                std::string list;
                for (auto a : allowed)
                    list += (list.empty() ? "" : ", ") + std::string(a);
                fail(k, key, fmt::format("unknown key in {} (allowed: {})", what, list));
            }
        }
    }

    std::string scalar(const YAML::Node& n, const std::string& key) {
        touch(n);
        if (!n.IsScalar()) fail(n, key, "expected a plain value");
        return n.Scalar();
    }

    std::vector<std::string> string_list(const YAML::Node& n, const std::string& key) {
        touch(n);
        std::vector<std::string> out;
        if (n.IsScalar()) {
            out.push_back(n.Scalar());
        } else if (n.IsSequence()) {
            for (const auto& e : n)
                out.push_back(scalar(e, key));
        } else {
            fail(n, key, "expected a string or a list of strings");
        }
        return out;
    }

    bool boolean(const YAML::Node& n, const std::string& key) {
        auto s = scalar(n, key);
        if (s == "true" || s == "yes") return true;
        if (s == "false" || s == "no") return false;
        fail(n, key, fmt::format("'{}' is not true or false", s));
    }

    // An integer in [min, max]; int fields pass int's max, so a narrowing cast never changes the value.
    std::int64_t integer(const YAML::Node& n, const std::string& key, std::int64_t min,
                         std::int64_t max = std::numeric_limits<int>::max()) {
        auto s = scalar(n, key);
        std::int64_t v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc{} || p != s.data() + s.size()) fail(n, key, fmt::format("'{}' is not a number", s));
        if (v < min) fail(n, key, fmt::format("{} is below the minimum {}", v, min));
        if (v > max) fail(n, key, fmt::format("{} is above the maximum {}", v, max));
        return v;
    }

    Duration duration(const YAML::Node& n, const std::string& key) {
        auto s = scalar(n, key);
        try {
            return parse_duration(s);
        } catch (const std::invalid_argument& e) {
            fail(n, key, e.what());
        }
    }

    std::shared_ptr<const std::regex> regex(const YAML::Node& n, const std::string& key, bool icase) {
        auto s = scalar(n, key);
        try {
            return std::make_shared<const std::regex>(compile_regex(s, icase));
        } catch (const std::exception& e) {  // std::regex_error, std::invalid_argument
            fail(n, key, fmt::format("bad regular expression '{}': {}", s, e.what()));
        }
    }

    Scenario scenario(const YAML::Node& doc) {
        touch(doc);
        if (!doc.IsMap()) fail(doc, "", "a scenario is a mapping with id, title, level, steps");
        check_keys(doc, {"id", "title", "refs", "level", "tags", "needs", "steps", "description", "timeout"},
                   "scenario");
        Scenario s;
        s.file = file_;
        s.where = where(doc);
        for (const char* required : {"id", "title", "steps"})
            if (!doc[required]) fail(doc, required, "missing required key");
        s.id = scalar(doc["id"], "id");
        static const std::regex id_form("^[a-z0-9][a-z0-9._-]*$");
        if (!std::regex_match(s.id, id_form))
            fail(doc["id"], "id", fmt::format("'{}': ids are lower-case words joined by '.', '-' or '_'", s.id));
        s.title = scalar(doc["title"], "title");
        if (doc["refs"]) s.refs = string_list(doc["refs"], "refs");
        static const std::regex ref_form("^R[0-9]{4}-[A-Z0-9]+(-[A-Z0-9]+)*$");
        for (const auto& r : s.refs)
            if (!std::regex_match(r, ref_form))
                fail(doc["refs"], "refs", fmt::format("'{}' is not a requirement id like R1939-STAT-1", r));
        if (doc["level"]) {
            auto l = parse_level(scalar(doc["level"], "level"));
            if (!l) fail(doc["level"], "level", "expected MUST, SHOULD, MAY, INFO or IMPLIED");
            s.level = *l;
        }
        if (doc["tags"]) s.tags = string_list(doc["tags"], "tags");
        if (doc["timeout"]) s.timeout = duration(doc["timeout"], "timeout");
        if (doc["needs"]) needs(doc["needs"], s.needs);
        const auto& steps = doc["steps"];
        touch(steps);
        if (!steps.IsSequence() || steps.size() == 0) fail(steps, "steps", "expected a non-empty list of steps");
        int index = 0;
        for (const auto& st : steps)
            s.steps.push_back(step(st, ++index));
        return s;
    }

    void needs(const YAML::Node& n, Needs& out) {
        static const std::regex capa_form("^[A-Za-z0-9][A-Za-z0-9-]*( [A-Za-z0-9*=-]+)*$");
        for (const auto& raw : string_list(n, "needs")) {
            if (raw == "seeded") {
                out.seeded = true;
            } else if (raw == "second-account") {
                out.second_account = true;
            } else if (raw == "empty-account") {
                out.empty_account = true;
            } else if (raw == "destructive") {
                out.destructive = true;
                out.seeded = true;  // a destructive scenario always runs on freshly seeded content
            } else if (raw == "starttls") {
                out.starttls = true;
            } else if (raw == "implicit-tls") {
                out.implicit_tls = true;
            } else if (raw == "plaintext") {
                out.plaintext = true;
            } else if (raw == "APOP" || raw == "apop") {
                out.apop = true;
            } else if (!raw.empty() && raw[0] == '!' && std::regex_match(raw.substr(1), capa_form)) {
                out.not_capabilities.push_back(raw.substr(1));
            } else if (std::regex_match(raw, capa_form) &&
                       std::none_of(raw.begin(), raw.end(), [](char c) { return std::islower(c) != 0; })) {
                out.capabilities.push_back(raw);
            } else {
                fail(n, "needs",
                     fmt::format("'{}' is neither a capability (upper case, e.g. TOP, \"SASL PLAIN\", !TOP) nor one of "
                                 "seeded, second-account, empty-account, destructive, starttls, implicit-tls, "
                                 "plaintext, APOP",
                                 raw));
            }
        }
    }

    static constexpr std::array<std::string_view, 13> actions = {"connect", "login", "cmd",        "send", "raw",
                                                                 "expect",  "check", "disconnect", "quit", "reconnect",
                                                                 "tls",     "stls",  "sleep"};

    Step step(const YAML::Node& n, int index) {
        touch(n);
        Step st;
        st.where = where(n);
        std::string action;
        YAML::Node value;
        if (n.IsScalar()) {
            action = n.Scalar();
            if (std::find(actions.begin(), actions.end(), action) == actions.end() || action == "cmd" ||
                action == "send" || action == "raw" || action == "check" || action == "sleep")
                fail(n, action,
                     "a step written as one word must be connect, login, expect, disconnect, quit, "
                     "reconnect, tls or stls");
        } else if (n.IsMap()) {
            check_keys(n,
                       {"connect", "login", "cmd", "send", "raw", "expect", "check", "disconnect", "quit", "reconnect",
                        "tls", "stls", "sleep", "session", "timeout", "level", "note", "if_open"},
                       fmt::format("step {}", index));
            for (const auto& kv : n) {
                auto key = kv.first.Scalar();
                if (key == "expect" || std::find(actions.begin(), actions.end(), key) == actions.end()) continue;
                if (!action.empty())
                    fail(kv.first, key, fmt::format("step {} has two actions: '{}' and '{}'", index, action, key));
                action = key;
                value = kv.second;
            }
            if (action.empty()) {
                if (!n["expect"]) fail(n, "", fmt::format("step {} has no action (cmd, send, expect, ...)", index));
                action = "expect";
                value = n["expect"];
            }
            if (n["session"]) st.session = scalar(n["session"], "session");
            if (n["if_open"]) st.if_open = boolean(n["if_open"], "if_open");
            if (n["timeout"]) st.timeout = duration(n["timeout"], "timeout");
            if (n["level"]) {
                auto l = parse_level(scalar(n["level"], "level"));
                if (!l) fail(n["level"], "level", "expected MUST, SHOULD, MAY, INFO or IMPLIED");
                st.level = l;
            }
            if (action != "expect" && n["expect"]) {
                if (action == "send" || action == "raw" || action == "check" || action == "sleep" ||
                    action == "disconnect" || action == "tls" || action == "reconnect")
                    fail(n["expect"], "expect",
                         fmt::format("'{}' reads no reply: put the expectation in its own step", action));
                st.expect = expectation(n["expect"], "expect");
            }
        } else {
            fail(n, "", fmt::format("step {} must be a word or a mapping", index));
        }
        fill(st, action, value, index);
        return st;
    }

    void session_settings(const YAML::Node& v, Step& st, std::initializer_list<std::string_view> keys,
                          const std::string& what) {
        check_keys(v, keys, what);
        if (v["session"]) st.session = scalar(v["session"], "session");
        if (v["tls"]) {
            auto t = scalar(v["tls"], "tls");
            if (t == "plain" || t == "none") {
                st.tls = TlsMode::plain;
            } else if (t == "starttls") {
                st.tls = TlsMode::starttls;
            } else if (t == "implicit") {
                st.tls = TlsMode::implicit;
            } else {
                fail(v["tls"], "tls", "expected plain, starttls or implicit");
            }
        }
        if (v["mech"]) st.mech = mech(v["mech"]);
        if (v["account"]) {
            auto a = scalar(v["account"], "account");
            if (a == "primary") {
                st.account = Account::primary;
            } else if (a == "secondary") {
                st.account = Account::secondary;
            } else if (a == "empty") {
                st.account = Account::empty;
            } else {
                fail(v["account"], "account", "expected primary, secondary or empty");
            }
        }
    }

    LoginMech mech(const YAML::Node& n) {
        auto m = scalar(n, "mech");
        if (m == "user") return LoginMech::user_pass;
        if (m == "apop") return LoginMech::apop;
        if (m == "auth-plain") return LoginMech::auth_plain;
        if (m == "auth-plain-continuation") return LoginMech::auth_plain_continuation;
        fail(n, "mech", "expected user, apop, auth-plain or auth-plain-continuation");
    }

    void fill(Step& st, const std::string& action, const YAML::Node& v, int index) {
        auto null = !v || v.IsNull();
        if (action == "connect" || action == "reconnect") {
            st.kind = action == "connect" ? StepKind::connect : StepKind::reconnect;
            if (!null && v.IsScalar()) {
                auto t = v.Scalar();
                if (t == "plain" || t == "none") {
                    st.tls = TlsMode::plain;
                } else if (t == "starttls") {
                    st.tls = TlsMode::starttls;
                } else if (t == "implicit") {
                    st.tls = TlsMode::implicit;
                } else {
                    fail(v, action, "expected plain, starttls, implicit or a mapping");
                }
            } else if (!null && v.IsMap()) {
                if (action == "connect") {
                    session_settings(v, st, {"tls", "session", "greeting", "handshake"}, "connect");
                    if (v["greeting"]) st.read_greeting = boolean(v["greeting"], "greeting");
                    if (v["handshake"]) {
                        st.handshake = boolean(v["handshake"], "handshake");
                        if (!st.handshake && st.tls != TlsMode::implicit)
                            fail(v["handshake"], "handshake", "handshake: false is for tls: implicit");
                        if (!st.handshake) st.read_greeting = false;  // no TLS, so no greeting can be read
                    }
                    if (!st.read_greeting && st.tls == TlsMode::starttls)
                        fail(v["greeting"], "greeting", "starttls needs the greeting");
                    if (!st.read_greeting && st.expect)
                        fail(v, "greeting", "a connect without the greeting has no reply to expect");
                } else {
                    session_settings(v, st, {"tls", "session", "mech", "account"}, "reconnect");
                }
            } else if (!null) {
                fail(v, action, "expected nothing, a TLS mode or a mapping");
            }
            st.describe = action;
        } else if (action == "login") {
            st.kind = StepKind::login;
            if (!null && v.IsScalar()) {
                st.mech = mech(v);
            } else if (!null && v.IsMap()) {
                session_settings(v, st, {"mech", "account", "session"}, "login");
            } else if (!null) {
                fail(v, action, "expected nothing, a mechanism or a mapping");
            }
            st.describe = "login";
        } else if (action == "cmd") {
            st.kind = StepKind::command;
            st.lines = {scalar(v, "cmd")};
            check_line(v, st.lines[0]);
            st.describe = "cmd " + redact(st.lines[0]);
        } else if (action == "send") {
            st.kind = StepKind::send;
            st.lines = string_list(v, "send");
            if (st.lines.empty()) fail(v, "send", "nothing to send");
            for (const auto& l : st.lines)
                check_line(v, l);
            st.describe = st.lines.size() == 1 ? "send " + redact(st.lines[0])
                                               : fmt::format("send {} pipelined lines", st.lines.size());
        } else if (action == "raw") {
            st.kind = StepKind::raw;
            try {
                st.raw = decode_escapes(scalar(v, "raw"));
            } catch (const std::invalid_argument& e) {
                fail(v, "raw", e.what());
            }
            if (st.raw.empty()) fail(v, "raw", "nothing to send");
            st.describe = fmt::format("raw ({} bytes)", st.raw.size());
        } else if (action == "expect") {
            st.kind = StepKind::expect;
            st.expect = null ? Expectation{} : expectation(v, "expect");
            st.describe = "expect";
        } else if (action == "check") {
            st.kind = StepKind::check;
            st.check = scalar(v, "check");
            std::string error;
            if (!Expression::parse(st.check, error)) fail(v, "check", error);
            st.describe = "check " + st.check;
        } else if (action == "disconnect" || action == "quit" || action == "tls" || action == "stls") {
            st.kind = action == "disconnect" ? StepKind::disconnect : action == "quit" ? StepKind::quit : StepKind::tls;
            if (action == "stls") {
                st.kind = StepKind::tls;
                st.lines = {"STLS"};  // STLS, +OK, then the handshake (RFC 2595 §4)
            }
            bool handshake = action == "tls" || action == "stls";
            if (!null && v.IsMap()) {
                if (handshake) {
                    session_settings(v, st, {"session", "abort_ok"}, action);
                    if (v["abort_ok"]) st.abort_ok = boolean(v["abort_ok"], "abort_ok");
                } else {
                    session_settings(v, st, {"session"}, action);
                }
            } else if (!null) {
                fail(v, action,
                     handshake ? "expected nothing or a mapping with session, abort_ok"
                               : "expected nothing or a mapping with session");
            }
            st.describe = action;
        } else if (action == "sleep") {
            st.kind = StepKind::sleep;
            if (!null && v.IsMap()) {
                // A number of seconds computed from captures (e.g. LOGIN-DELAY's argument, RFC 2449 §6.5): a `check`
                // expression, bounded by the scenario's time when run.
                check_keys(v, {"seconds"}, "sleep");
                if (!v["seconds"]) fail(v, "sleep", "expected a duration or {seconds: EXPRESSION}");
                st.sleep_seconds = scalar(v["seconds"], "seconds");
                std::string error;
                if (!Expression::parse(st.sleep_seconds, error)) fail(v["seconds"], "seconds", error);
                st.describe = "sleep (" + st.sleep_seconds + ") s";
            } else {
                st.sleep = duration(v, "sleep");
                if (st.sleep > Duration(std::chrono::minutes(15))) fail(v, "sleep", "at most 15m");
                st.describe = "sleep " + v.Scalar();
            }
        } else {
            fail(v, action, fmt::format("step {}: unknown action", index));
        }
    }

    void check_line(const YAML::Node& at, const std::string& line) {
        // A command line carries no line end of its own: the runner appends CRLF. Raw bytes go through `raw`.
        if (line.find_first_of("\r\n") != std::string::npos)
            fail(at, "cmd", "a command line cannot contain CR or LF; use `raw` for bytes on the wire");
    }

    static std::string redact(const std::string& line) {
        // Keep secrets out of step descriptions too (they end up in reasons and reports).
        std::string up;
        for (char c : line.substr(0, 5))
            up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (up.rfind("PASS ", 0) == 0) return line.substr(0, 5) + "***";
        if (up.rfind("APOP ", 0) == 0) {
            auto sp = line.find(' ', 5);
            return sp == std::string::npos ? line : line.substr(0, sp) + " ***";
        }
        return line;
    }

    Expectation expectation(const YAML::Node& n, const std::string& key) {
        touch(n);
        Expectation e;
        e.where = where(n);
        if (n.IsNull()) return e;
        if (n.IsScalar()) {
            auto s = n.Scalar();
            if (s == "ok") {
                e.status = ExpectedStatus::ok;
            } else if (s == "err") {
                e.status = ExpectedStatus::err;
            } else if (s == "continuation") {
                e.status = ExpectedStatus::continuation;
            } else if (s == "closed") {
                e.closed = true;
            } else if (s == "any") {
                e.status = ExpectedStatus::any;
            } else {
                fail(n, key, fmt::format("'{}': expected ok, err, continuation, closed, any or a mapping", s));
            }
            return e;
        }
        if (!n.IsMap()) fail(n, key, "expected ok, err, continuation, closed, any or a mapping");
        check_keys(n,
                   {"status", "code", "code_strict", "line", "body", "tolerate", "capture", "closed", "silence",
                    "any_of", "multiline"},
                   key);
        if (n["status"]) {
            auto s = scalar(n["status"], "status");
            if (s == "ok") {
                e.status = ExpectedStatus::ok;
            } else if (s == "err") {
                e.status = ExpectedStatus::err;
            } else if (s == "continuation") {
                e.status = ExpectedStatus::continuation;
            } else if (s == "any") {
                e.status = ExpectedStatus::any;
            } else {
                fail(n["status"], "status", "expected ok, err, continuation or any");
            }
        }
        if (n["code"]) {
            e.code = scalar(n["code"], "code");
            static const std::regex code_form(
                "^[\\x21-\\x2E\\x30-\\x5C\\x5E-\\x7E]+(/[\\x21-\\x2E\\x30-\\x5C\\x5E-\\x7E]+)*$");
            if (!std::regex_match(*e.code, code_form))
                fail(n["code"], "code", "a response code is written without brackets, e.g. IN-USE or SYS/TEMP");
        }
        if (n["code_strict"]) e.code_strict = boolean(n["code_strict"], "code_strict");
        if (n["line"]) {
            e.line_src = scalar(n["line"], "line");
            e.line = regex(n["line"], "line", false);
        }
        if (n["closed"]) e.closed = boolean(n["closed"], "closed");
        if (n["silence"]) e.silence = duration(n["silence"], "silence");
        if (n["multiline"]) e.multiline = boolean(n["multiline"], "multiline");
        if (n["body"]) e.body = body(n["body"]);
        if (n["tolerate"]) {
            static const std::set<std::string, std::less<>> known = {"bare_lf",
                                                                     "bare_cr",
                                                                     "nul_byte",
                                                                     "status_line_too_long",
                                                                     "body_line_too_long",
                                                                     "non_canonical_status",
                                                                     "no_space_after_status",
                                                                     "bad_response_code"};
            e.tolerate = string_list(n["tolerate"], "tolerate");
            for (const auto& t : e.tolerate)
                if (!known.count(t)) fail(n["tolerate"], "tolerate", fmt::format("'{}' is not a violation name", t));
        }
        if (n["capture"]) captures(n["capture"], e.captures);
        if (n["any_of"]) {
            const auto& alts = n["any_of"];
            if (!alts.IsSequence() || alts.size() < 2)
                fail(alts, "any_of", "expected a list of at least two alternative expectations");
            for (const auto& a : alts) {
                auto alt = expectation(a, "any_of");
                if (alt.silence) fail(a, "any_of", "silence cannot be an alternative");
                e.any_of.push_back(std::move(alt));
            }
        }
        int modes = (e.closed ? 1 : 0) + (e.silence ? 1 : 0) + (e.any_of.empty() ? 0 : 1);
        if (modes > 1) fail(n, key, "closed, silence and any_of exclude each other");
        if ((e.closed || e.silence) && (n["status"] || e.code || e.line || e.body || !e.captures.empty()))
            fail(n, key, "closed and silence take no reply expectations");
        return e;
    }

    BodyExpectation body(const YAML::Node& n) {
        touch(n);
        if (!n.IsMap()) fail(n, "body", "expected a mapping (lines, count, fixture, top, each, contains, ...)");
        check_keys(n, {"lines", "count", "fixture", "top", "each", "contains", "not_contains", "icase"}, "body");
        BodyExpectation b;
        if (n["icase"]) b.icase = boolean(n["icase"], "icase");
        if (n["lines"]) {
            if (!n["lines"].IsSequence()) fail(n["lines"], "lines", "expected a list of lines");
            b.lines = string_list(n["lines"], "lines");
        }
        if (n["count"]) b.count = static_cast<std::size_t>(integer(n["count"], "count", 0));
        if (n["fixture"]) b.fixture = static_cast<int>(integer(n["fixture"], "fixture", 1));
        if (n["top"]) {
            if (!b.fixture) fail(n["top"], "top", "top needs fixture");
            b.top = static_cast<int>(integer(n["top"], "top", 0));
        }
        auto regexes = [&](const char* key, std::vector<std::string>& src, std::vector<std::regex>& out) {
            if (!n[key]) return;
            src = string_list(n[key], key);
            for (const auto& s : src) {
                try {
                    out.push_back(compile_regex(s, b.icase));
                } catch (const std::exception& e) {  // std::regex_error, std::invalid_argument
                    fail(n[key], key, fmt::format("bad regular expression '{}': {}", s, e.what()));
                }
            }
        };
        regexes("each", b.each_src, b.each);
        regexes("contains", b.contains_src, b.contains);
        regexes("not_contains", b.not_contains_src, b.not_contains);
        return b;
    }

    void captures(const YAML::Node& n, std::vector<Capture>& out) {
        touch(n);
        if (!n.IsMap()) fail(n, "capture", "expected a mapping of name: source");
        static const std::map<std::string, CaptureSource, std::less<>> sources = {
            {"count", CaptureSource::stat_count},    {"size", CaptureSource::stat_size},
            {"listing", CaptureSource::listing},     {"number", CaptureSource::scan_number},
            {"value", CaptureSource::scan_value},    {"body", CaptureSource::body},
            {"text", CaptureSource::text},           {"line", CaptureSource::line},
            {"timestamp", CaptureSource::timestamp}, {"latency", CaptureSource::latency}};
        static const std::regex name_form("^[A-Za-z_][A-Za-z0-9_]*$");
        for (const auto& kv : n) {
            Capture c;
            c.name = scalar(kv.first, "capture");
            if (!std::regex_match(c.name, name_form))
                fail(kv.first, c.name, "capture names are identifiers (letters, digits, _)");
            const YAML::Node v = kv.second;
            if (v.IsScalar()) {
                auto found = sources.find(v.Scalar());
                if (found == sources.end())
                    fail(v, c.name,
                         fmt::format("unknown source '{}' (count, size, listing, number, value, body, text, line, "
                                     "timestamp, latency, or {{regex, group}})",
                                     v.Scalar()));
                c.source = found->second;
            } else if (v.IsMap()) {
                check_keys(v, {"regex", "group"}, "capture " + c.name);
                if (!v["regex"]) fail(v, c.name, "missing regex");
                c.source = CaptureSource::regex;
                c.pattern = scalar(v["regex"], "regex");
                c.regex = regex(v["regex"], "regex", false);
                if (v["group"]) c.group = static_cast<int>(integer(v["group"], "group", 0));
                if (static_cast<std::size_t>(c.group) > c.regex->mark_count())
                    fail(v, "group", fmt::format("the regex has only {} group(s)", c.regex->mark_count()));
            } else {
                fail(v, c.name, "expected a source name or {regex, group}");
            }
            out.push_back(std::move(c));
        }
    }

  private:
    std::string file_;
    int last_line_ = 1;
    int last_col_ = 1;
};

}  // namespace

namespace {

// Splits a YAML stream into its documents at `---` lines (a document marker at column 0 can only start a document)
// and parses each with YAML::Load. yaml-cpp 0.7's YAML::LoadAll never returns on some malformed streams ("- a\n, b\n"
// loops forever, allocating a null document per turn: jbeder/yaml-cpp#1040, fixed after 0.8.0; Debian 12 ships 0.7),
// which the scenario_loader fuzzer found. Each document is padded with the newlines of the lines before it, so every
// mark yaml-cpp reports keeps its line number in the file.
std::vector<YAML::Node> load_documents(std::string_view text) {
    std::vector<std::size_t> starts{0};
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t end = text.find('\n', pos);
        const std::size_t next = end == std::string_view::npos ? text.size() : end + 1;
        const std::string_view line = text.substr(pos, next - pos);
        const bool marker = line.starts_with("---") && (line.size() == 3 || line[3] == ' ' || line[3] == '\t' ||
                                                        line[3] == '\r' || line[3] == '\n');
        if (marker && pos != 0) starts.push_back(pos);
        pos = next;
    }
    std::vector<YAML::Node> docs;
    std::size_t lines_before = 0;
    for (std::size_t i = 0; i < starts.size(); ++i) {
        const std::size_t begin = starts[i];
        const std::size_t stop = i + 1 < starts.size() ? starts[i + 1] : text.size();
        const std::string_view chunk = text.substr(begin, stop - begin);
        std::string padded(lines_before, '\n');
        padded.append(chunk);
        docs.push_back(YAML::Load(padded));
        lines_before += static_cast<std::size_t>(std::count(chunk.begin(), chunk.end(), '\n'));
    }
    return docs;
}

}  // namespace

std::vector<Scenario> load_scenarios(std::string_view text, const std::string& file) {
    std::vector<YAML::Node> docs;
    try {
        docs = load_documents(text);
    } catch (const YAML::Exception& e) {
        throw LoadError(file, e.mark.line + 1, e.mark.column + 1, "", e.msg);
    }
    std::vector<Scenario> out;
    Reader reader(file);
    for (const auto& doc : docs) {
        if (doc.IsNull()) continue;
        try {
            out.push_back(reader.scenario(doc));
        } catch (const YAML::Exception& e) {
            throw LoadError(file, e.mark.line + 1, e.mark.column + 1, "", e.msg);
        }
    }
    return out;
}

std::vector<Scenario> load_scenario_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw LoadError(path.string(), 0, 0, "", "cannot open the file");
    std::ostringstream buf;
    buf << in.rdbuf();
    return load_scenarios(buf.str(), path.string());
}

std::vector<Scenario> load_scenarios_from(const std::vector<std::filesystem::path>& paths) {
    namespace fs = std::filesystem;
    std::vector<fs::path> files;
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            std::vector<fs::path> found;
            for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator();
                 it.increment(ec)) {
                const auto& e = *it;
                auto name = e.path().filename().string();
                if (e.is_directory() && (name == "fixtures" || name == "baselines" || name.starts_with("."))) {
                    it.disable_recursion_pending();
                    continue;
                }
                auto ext = e.path().extension().string();
                if (!e.is_regular_file() || (ext != ".yaml" && ext != ".yml")) continue;
                if (name == "requirements.yaml" || name == "fixtures.yaml") continue;
                found.push_back(e.path());
            }
            std::sort(found.begin(), found.end());
            files.insert(files.end(), found.begin(), found.end());
        } else if (fs::exists(p, ec)) {
            files.push_back(p);
        } else {
            throw LoadError(p.string(), 0, 0, "", "no such file or directory");
        }
    }
    std::vector<Scenario> all;
    std::map<std::string, std::string> seen;
    // Scenario files are named relative to the working directory when they lie under it, so results and reports
    // say "scenarios/rfc1939/apop.yaml" rather than a path that only exists on the machine that ran them.
    std::error_code cwd_error;
    const fs::path cwd = fs::current_path(cwd_error);
    for (const auto& f : files) {
        fs::path shown = f;
        if (!cwd_error && f.is_absolute()) {
            const fs::path proximate = f.lexically_proximate(cwd);
            if (!proximate.empty() && *proximate.begin() != "..") shown = proximate;
        }
        for (auto& s : load_scenario_file(shown)) {
            auto [it, fresh] = seen.emplace(s.id, fmt::format("{}:{}", s.file, s.where.line));
            if (!fresh)
                throw LoadError(s.file, s.where.line, s.where.column, "id",
                                fmt::format("duplicate id '{}' (first defined at {})", s.id, it->second));
            all.push_back(std::move(s));
        }
    }
    return all;
}

}  // namespace pop3::scenario

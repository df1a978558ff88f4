// The session harnesses' shared parts: fixtures, the deterministic server setup, a grammar-aware encoding of client
// conversations, the driver of pop3::server::Session, and a small executable model of RFC 1939 (plus RFC 2449 CAPA,
// RFC 2595 STLS, RFC 5034 AUTH PLAIN, RFC 3206 codes) that predicts the outcome of every command and checks the
// engine's output against it.
//
// What the checker asserts on every run:
// - every reply is well formed: +OK / -ERR / "+ " then SP or CRLF, at most 512 octets with CRLF (RFC 2449 §4), no
//   bare LF or NUL; multi-line replies are terminated and every line starting with '.' is stuffed (RFC 1939 §3);
// - differential: state, verb and outcome (+OK, -ERR, continuation, close) of each command agree with the model;
//   STAT, LIST n and UIDL n texts, LIST and UIDL listings and RETR/TOP bodies are exactly the model's (so STAT agrees
//   with LIST and numbering is stable within the session, RFC 1939 §5);
// - failed authentications carry [AUTH] (RFC 3206 §6), a held maildrop [IN-USE] (RFC 2449 §8.1.1);
// - CAPA lists USER / SASL / STLS only when they work, never STLS after login or under TLS (RFC 2595 §4);
// - nothing pipelined after STLS is executed (RFC 2595 §4);
// - the output buffer stays within the configured stream chunk; the engine never spins (bounded steps);
// - after the session, a message is gone only if DELE'd and QUIT from TRANSACTION (RFC 1939 §6), and the lock is
//   released.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "engine/session.hpp"
#include "fuzz_input.hpp"
#include "pop3/apop.hpp"
#include "pop3/base64.hpp"
#include "pop3/command_parser.hpp"
#include "pop3/sasl_plain.hpp"
#include "store/fault_store.hpp"
#include "store/memory_store.hpp"

namespace pop3::fuzz {

/// The stored message as RETR must send it, unstuffed: line ends CRLF, a final CRLF added (RFC 1939 §3, §11).
inline std::string as_sent(std::string_view content) {
    std::string out;
    char prev = '\0';
    for (char c : content) {
        if (c == '\n' && prev != '\r') out += '\r';
        out += c;
        prev = c;
    }
    if (!out.empty() && !out.ends_with('\n')) out += "\r\n";
    return out;
}

// ---- fixtures ----------------------------------------------------------------------------------------------------

struct FixtureMessage {
    std::string content;  // as stored
    std::string uid;      // empty: the store assigns m<n>
    std::string sent;     // as_sent(content), computed once (the model needs it for every STAT, LIST and RETR)
};

struct FixtureUser {
    std::string name;
    std::string secret;
    std::vector<FixtureMessage> messages;
};

/// The accounts every session harness starts from (alice has the odd messages, bob an empty maildrop, carol one
/// message and a password with a space).
inline const std::vector<FixtureUser>& fixture_users() {
    static const std::vector<FixtureUser> users = [] {
        std::string big;
        for (int i = 0; i < 120; ++i) {
            big += (i % 7 == 0 ? "." : "") + std::string("line ") + std::to_string(i) + " of a longer message\r\n";
        }
        const auto m = [](std::string content, std::string uid = {}) {
            std::string sent = as_sent(content);
            return FixtureMessage{std::move(content), std::move(uid), std::move(sent)};
        };
        return std::vector<FixtureUser>{
            {"alice",
             "wonderland",
             {m("Subject: one\r\n\r\nHello\r\n"), m(".leading dot\r\n..two dots\r\n.\r\nend"),
              m("Subject: lf\n\nbody with bare LF\n.\nlast\n"), m(""),
              m("Subject: cr\r\n\r\nlone\rCR\r\nno final newline"), m("Subject: big\r\n\r\n" + big)}},
            {"bob", "builder", {}},
            // Maildir-style ids with dots (a server truncating them at the dot would give both the same id) and an
            // 8-bit body (a 7-bit transport would clear the high bits).
            {"carol",
             "c4r0l pass",
             {m("Subject: c\r\n\r\nhi\r\n", "1700000000.M1P42.fuzz"),
              m("Subject: 8bit\r\nContent-Type: text/plain; charset=utf-8\r\n\r\ncaf\xc3\xa9 \xe2\x82\xac\r\n",
                "1700000000.M2P42.fuzz")}},
        };
    }();
    return users;
}

inline const FixtureUser* find_fixture(std::string_view name) {
    for (const auto& u : fixture_users())
        if (u.name == name) return &u;
    return nullptr;
}

/// TOP n k of a stored message given as sent (RFC 1939 §7): the header, the blank line, then at most k body lines.
/// It is always a prefix of `sent`.
inline std::string_view top_of(std::string_view sent, std::uint64_t k) {
    std::size_t length = 0;
    bool in_body = false;
    std::uint64_t body_lines = 0;
    for (std::size_t start = 0; start < sent.size();) {
        const std::size_t end = sent.find("\r\n", start);
        // A lone CR inside a line is content; the line ends at the CRLF that as_sent() guarantees.
        const std::size_t next = end == std::string::npos ? sent.size() : end + 2;
        const std::string_view line(sent.data() + start, next - start);
        if (in_body) {
            if (body_lines == k) break;
            ++body_lines;
        } else if (line == "\r\n") {
            in_body = true;
        }
        length = next;
        start = next;
    }
    return sent.substr(0, length);
}

/// The harnesses' fixed clock (determinism, issue 7).
inline std::chrono::system_clock::time_point fixed_now() {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
}

// ---- setup -------------------------------------------------------------------------------------------------------

/// The deterministic server configuration a session harness runs under, read from two fuzz bytes.
struct SessionSetup {
    bool allow_plaintext = true;
    bool apop_enabled = true;
    bool tls_available = false;
    bool implicit_tls = false;
    bool auth_delay = false;
    bool carol_locked = false;  // another session holds carol's maildrop: [IN-USE]
    bool grammar = false;       // the conversation is grammar-encoded (else raw bytes)
    bool pipelined = false;     // the conversation arrives in one chunk (else one per command)
    unsigned max_failed_auths = 3;
    unsigned max_bad_commands = 20;
    std::size_t stream_chunk = 64 * 1024;
    std::uint64_t max_message_size = 0;
    bool bare_config = false;  // no EXPIRE, no IMPLEMENTATION; LOGIN-DELAY 900 s with bob's last login "now"

    static SessionSetup read(FuzzInput& in) {
        SessionSetup s;
        const std::uint8_t a = in.byte();
        const std::uint8_t b = in.byte();
        s.allow_plaintext = (a & 1U) == 0;
        s.apop_enabled = (a & 2U) == 0;
        s.tls_available = (a & 4U) != 0;
        s.implicit_tls = (a & 8U) != 0;
        s.auth_delay = (a & 16U) != 0;
        s.carol_locked = (a & 32U) != 0;
        s.grammar = (a & 64U) == 0;
        s.pipelined = (a & 128U) != 0;
        s.max_failed_auths = b & 3U;
        static constexpr unsigned bad_limits[] = {0, 2, 5, 20};
        s.max_bad_commands = bad_limits[(b >> 2U) & 3U];
        static constexpr std::size_t chunks[] = {64 * 1024, 1, 17, 512};
        s.stream_chunk = chunks[(b >> 4U) & 3U];
        s.max_message_size = (b & 64U) != 0 ? 100 : 0;
        s.bare_config = (b & 128U) != 0;
        return s;
    }

    std::shared_ptr<pop3::server::SessionConfig> config() const {
        auto c = std::make_shared<pop3::server::SessionConfig>();
        c->hostname = "fuzz.example";
        c->pid = 4242;
        for (const auto& u : fixture_users())
            c->users.emplace(u.name, u.secret);
        c->allow_plaintext_auth = allow_plaintext;
        c->apop_enabled = apop_enabled;
        c->tls_available = tls_available;
        c->max_failed_auths = max_failed_auths;
        c->failed_auth_delay = std::chrono::milliseconds(auth_delay ? 1000 : 0);
        c->max_bad_commands = max_bad_commands;
        c->max_message_size = max_message_size;
        c->stream_chunk = stream_chunk;
        if (bare_config) {
            c->expire.clear();
            c->implementation.clear();
            // RFC 2449 §6.5, §8.1.2: bob logged in a moment ago, so his login now gets [LOGIN-DELAY].
            c->login_delay = std::chrono::seconds(900);
            c->login_history = std::make_shared<pop3::server::LoginHistory>();
            (void)c->login_history->try_login("bob", fixed_now(), c->login_delay);
        }
        // POP3SPEC_FUZZ_SESSION_FAULTS=<decimal>: run against the engine's test-only mutants (SessionFault bits), to
        // see which the properties catch (fuzz/check_mutants.sh). Never set in normal fuzzing or replay.
        static const std::uint64_t mutants = [] {
            const char* v = std::getenv("POP3SPEC_FUZZ_SESSION_FAULTS");
            return v == nullptr ? std::uint64_t{0} : std::strtoull(v, nullptr, 10);
        }();
        c->faults = mutants;
        // Determinism (issue 7): fixed clock, fixed APOP counter, no log.
        c->clock = [] { return fixed_now(); };
        // A counter per configuration, from 7: deterministic for each input, yet every greeting of one server is
        // different (RFC 1939 §7), which drive() checks with a second session.
        c->next_id = [counter = std::make_shared<std::uint64_t>(6)] { return ++*counter; };
        return c;
    }
};

/// The greeting's APOP timestamp under this setup (deterministic), or "" when APOP is off.
inline std::string greeting_timestamp(const SessionSetup& setup) {
    pop3::server::MemoryStore store;
    pop3::server::Session session(setup.config(), store);
    session.start();
    const std::string_view greeting = session.pending_output();
    const std::size_t open = greeting.find('<');
    const std::size_t close = greeting.find('>', open == std::string_view::npos ? 0 : open);
    if (open == std::string_view::npos || close == std::string_view::npos) return {};
    return std::string(greeting.substr(open, close - open + 1));
}

// ---- conversations -----------------------------------------------------------------------------------------------

/// One step of a client conversation, applied by the driver when the engine asks for input (Next::read), i.e. after
/// everything before it was processed.
struct ConversationStep {
    enum class Kind {
        bytes,    ///< client bytes (one read)
        faults,   ///< from now on the store fails: lock, open, commit (0 none, 1 temporary, 2 permanent), read
        timeout,  ///< the idle timer fires: RFC 1939 §3 autologout (the conversation ends)
    };
    Kind kind = Kind::bytes;
    std::string bytes;
    std::uint8_t lock_fault = 0;
    std::uint8_t open_fault = 0;
    std::uint8_t commit_fault = 0;
    bool read_fault = false;  // a message opens but its first read fails (mid-body: the engine cuts the connection)
};
using Conversation = std::vector<ConversationStep>;

/// The client bytes of a conversation, concatenated (faults and timeouts dropped).
inline std::string conversation_bytes(const Conversation& c) {
    std::string out;
    for (const auto& step : c)
        if (step.kind == ConversationStep::Kind::bytes) out += step.bytes;
    return out;
}

/// A conversation of client bytes only, cut into the given chunks.
inline Conversation bytes_conversation(const std::vector<std::string_view>& chunks) {
    Conversation c;
    c.reserve(chunks.size());  // byte-by-byte runs have hundreds of steps (each short enough for SSO)
    for (std::string_view chunk : chunks)
        c.emplace_back().bytes.assign(chunk);
    return c;
}

// ---- the grammar-aware encoding ----------------------------------------------------------------------------------

/// Turns fuzz bytes into a client conversation: each op byte picks a command with plausible arguments (valid and
/// invalid credentials, APOP digests computed from the real timestamp, message numbers in and out of range, odd
/// numbers), raw lines, raw bytes, over-long lines, bare-LF line ends, case changes and chunk boundaries. Deep states
/// (TRANSACTION after a valid login, DELE then QUIT) are a few bytes away instead of a dictionary hit away.
inline Conversation encode_conversation(FuzzInput& in, const SessionSetup& setup, const std::string& timestamp) {
    static const char* const names[] = {"alice", "bob", "carol", "mallory", "ALICE", "a"};
    const auto name = [&] { return std::string(names[in.byte() % 6]); };
    const auto secret_of = [](const std::string& n) {
        const FixtureUser* u = find_fixture(n);
        return u ? u->secret : std::string("nope");
    };
    const auto number = [&]() -> std::string {
        const std::uint8_t b = in.byte();
        if (b < 224) return std::to_string(b % 9);
        static const char* const odd[] = {
            "0",          "-1", "01", "18446744073709551617",    "18446744073709551615",
            "4294967297", "1x", "+1", "99999999999999999999999", "00000000000000000000001",
            "7",          "6"};
        return odd[b % 12];
    };
    const auto plain = [&](std::uint8_t variant) -> std::string {
        const std::string n = name();
        switch (variant % 6) {
            case 0:
                return pop3::sasl_plain_encode({"", n, secret_of(n)});
            case 1:
                return pop3::sasl_plain_encode({n, n, secret_of(n)});
            case 2:
                return pop3::sasl_plain_encode({"bob", n, secret_of(n)});
            case 3:
                return pop3::sasl_plain_encode({"", n, "wrong"});
            case 4:
                return "=";
            default:
                return "not@base64";
        }
    };

    Conversation steps(1);
    steps.reserve(std::min<std::size_t>(in.remaining(), 256) + 2);  // at most one step per op (256 ops)
    // The bytes step being written (a new one after a fault or a chunk boundary).
    const auto chunk = [&steps]() -> std::string& {
        if (steps.back().kind != ConversationStep::Kind::bytes) steps.emplace_back();
        return steps.back().bytes;
    };
    bool timed_out = false;
    bool bare_lf_next = false;
    bool lower_next = false;
    const auto line = [&](std::string text) {
        if (lower_next) {
            std::transform(text.begin(), text.end(), text.begin(),
                           [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
            lower_next = false;
        }
        chunk() += text;
        chunk() += bare_lf_next ? "\n" : "\r\n";
        bare_lf_next = false;
        if (!setup.pipelined) steps.emplace_back();
    };
    for (int ops = 0; !in.empty() && ops < 256 && !timed_out; ++ops) {
        const std::uint8_t op = in.byte();
        switch (op % 28) {
            case 0:
                line("USER " + name());
                break;
            case 1: {
                const std::string n = name();
                line("PASS " + (in.flag() ? secret_of(n) : std::string("wrong pass")));
                break;
            }
            case 2: {
                const std::string n = name();
                const std::uint8_t v = in.byte() % 4;
                std::string digest = pop3::apop_digest(timestamp, secret_of(n));
                if (v == 1) digest = pop3::apop_digest(timestamp, "wrong");
                if (v == 2)
                    std::transform(digest.begin(), digest.end(), digest.begin(),
                                   [](char c) { return c >= 'a' && c <= 'f' ? static_cast<char>(c - 'a' + 'A') : c; });
                if (v == 3) digest = digest.substr(0, 31);
                line("APOP " + n + " " + digest);
                break;
            }
            case 3:
                line("AUTH PLAIN " + plain(in.byte()));
                break;
            case 4: {
                line(in.flag() ? "AUTH PLAIN" : "AUTH plain");
                const std::uint8_t v = in.byte();
                line(v % 8 == 6 ? std::string("*") : plain(v));
                break;
            }
            case 5:
                line("STLS");
                break;
            case 6:
                line("CAPA");
                break;
            case 7:
                line("STAT");
                break;
            case 8:
                line(in.flag() ? "LIST" : "LIST " + number());
                break;
            case 9:
                line(in.flag() ? "UIDL" : "UIDL " + number());
                break;
            case 10:
                line("RETR " + number());
                break;
            case 11: {
                const std::string n = number();
                line("TOP " + n + " " + number());
                break;
            }
            case 12:
            case 13:
                line("DELE " + number());
                break;
            case 14:
                line("RSET");
                break;
            case 15:
                line("NOOP");
                break;
            case 16:
                line("QUIT");
                break;
            case 17:
                line(std::string(in.short_string(64)));
                break;
            case 18:
                chunk() += in.short_string(64);
                break;
            case 19:
                if (!chunk().empty()) steps.emplace_back();
                break;
            case 20:
                lower_next = true;
                break;
            case 21:
                bare_lf_next = true;
                break;
            case 22:
                line(std::string(200 + in.below(9000), 'A'));
                break;
            case 23:
                line(in.flag() ? "AUTH" : "AUTH LOGIN");
                break;
            case 24: {
                static const char* const extra[] = {"NOOP x", "STAT 1",   "QUIT now", "RSET 1", "CAPA x",
                                                    "STLS x", "LIST 1 2", "RETR",     "TOP 1",  "USER a b"};
                line(extra[in.byte() % 10]);
                break;
            }
            case 25:
                line("PASS " + std::string(in.short_string(48)));
                break;
            case 26: {
                const std::uint8_t f = in.byte();
                ConversationStep step;
                step.kind = ConversationStep::Kind::faults;
                step.lock_fault = static_cast<std::uint8_t>((f & 3U) % 3);
                step.open_fault = static_cast<std::uint8_t>(((f >> 2U) & 3U) % 3);
                step.commit_fault = static_cast<std::uint8_t>(((f >> 4U) & 3U) % 3);
                step.read_fault = (f & 64U) != 0;  // bit 7 has no meaning yet
                steps.push_back(step);
                break;
            }
            default: {
                ConversationStep step;
                step.kind = ConversationStep::Kind::timeout;
                steps.push_back(step);
                timed_out = true;
                break;
            }
        }
    }
    std::erase_if(steps,
                  [](const ConversationStep& c) { return c.kind == ConversationStep::Kind::bytes && c.bytes.empty(); });
    return steps;
}

/// Raw mode: the bytes as they are, in one chunk (pipelined) or one chunk per LF-terminated line.
inline Conversation raw_conversation(std::string_view bytes, const SessionSetup& setup) {
    std::vector<std::string_view> chunks;
    if (setup.pipelined) {
        if (!bytes.empty()) chunks.push_back(bytes);
        return bytes_conversation(chunks);
    }
    while (!bytes.empty()) {
        const std::size_t lf = bytes.find('\n');
        const std::size_t n = lf == std::string_view::npos ? bytes.size() : lf + 1;
        chunks.push_back(bytes.substr(0, n));
        bytes.remove_prefix(n);
    }
    return bytes_conversation(chunks);
}

// ---- the (state, command, outcome) triples -----------------------------------------------------------------------

/// The coverage goal for the session engine: every (state, command, outcome) triple the model allows must be
/// reached by the corpus (ctest fuzz.session.triples). A triple is packed into 16 bits; the model tags each reply
/// (and the end of the conversation) with one, and the checker fails if the model ever produces a triple that the
/// table below calls impossible, so the table and the model's rules cannot drift apart silently.
namespace triples {

enum class State : std::uint8_t { connect, authorization, transaction, count };
enum class Verb : std::uint8_t {
    greeting,
    too_long,   // a line over the framer's limit: no command runs
    malformed,  // parse_command() refused the line
    unknown,    // a well-formed keyword the server does not know
    user,
    pass,
    apop,
    auth,
    stls,
    capa,
    quit,
    stat,
    list,
    uidl,
    retr,
    top,
    dele,
    noop,
    rset,
    auth_response,  // the line after "AUTH PLAIN" answered by "+ "
    bad_limit,      // the extra -ERR when the bad-command limit is reached
    idle_timeout,   // RFC 1939 §3 autologout (no reply)
    disconnect,     // the client went away (no reply)
    count
};
/// What a reply was; `none` for the events without a reply (autologout, disconnect).
enum class Outcome : std::uint8_t {
    ok,
    err,
    cont,
    err_auth,
    err_in_use,
    err_login_delay,
    err_sys_temp,
    err_sys_perm,
    none,
    count
};

inline constexpr const char* state_names[] = {"CONNECT", "AUTHORIZATION", "TRANSACTION"};
inline constexpr const char* verb_names[] = {"<greeting>",  "<too-long>",     "<malformed>", "<unknown>",
                                             "USER",        "PASS",           "APOP",        "AUTH",
                                             "STLS",        "CAPA",           "QUIT",        "STAT",
                                             "LIST",        "UIDL",           "RETR",        "TOP",
                                             "DELE",        "NOOP",           "RSET",        "<AUTH-response>",
                                             "<bad-limit>", "<idle-timeout>", "<disconnect>"};
inline constexpr const char* outcome_names[] = {
    "+OK", "-ERR", "+", "-ERR [AUTH]", "-ERR [IN-USE]", "-ERR [LOGIN-DELAY]", "-ERR [SYS/TEMP]", "-ERR [SYS/PERM]",
    "-"};
/// The response code an outcome's text starts with (RFC 3206, RFC 2449 §8.1), or "".
inline constexpr std::string_view outcome_codes[] = {
    "", "", "", "[AUTH]", "[IN-USE]", "[LOGIN-DELAY]", "[SYS/TEMP]", "[SYS/PERM]", ""};

constexpr std::size_t verb_count = static_cast<std::size_t>(Verb::count);

/// The verb of a parsed (upper-cased) keyword: USER to RSET, else unknown. Keywords are packed into an integer and
/// compared as such (no string compare per command: under ASan every memcmp is intercepted).
inline Verb verb_of(std::string_view keyword) {
    const auto pack = [](std::string_view k) {
        std::uint32_t v = 0;
        for (const char c : k)
            v = (v << 8U) | static_cast<unsigned char>(c);
        return v;
    };
    static const std::array<std::uint32_t, verb_count> packed = [&] {
        std::array<std::uint32_t, verb_count> p{};
        for (std::size_t v = static_cast<std::size_t>(Verb::user); v <= static_cast<std::size_t>(Verb::rset); ++v)
            p[v] = pack(verb_names[v]);
        return p;
    }();
    if (keyword.size() < 3 || keyword.size() > 4) return Verb::unknown;
    const std::uint32_t key = pack(keyword);
    for (std::size_t v = static_cast<std::size_t>(Verb::user); v <= static_cast<std::size_t>(Verb::rset); ++v)
        if (packed[v] == key) return static_cast<Verb>(v);
    return Verb::unknown;
}
constexpr std::size_t outcome_count = static_cast<std::size_t>(Outcome::count);
/// Packed: state, verb, "+args" (the command had arguments), outcome, "close" (the server closes after it).
constexpr std::uint16_t id(State s, Verb v, bool args, Outcome o, bool close = false) {
    return static_cast<std::uint16_t>(
        ((((static_cast<std::size_t>(s) * verb_count + static_cast<std::size_t>(v)) * 2 + (args ? 1 : 0)) *
              outcome_count +
          static_cast<std::size_t>(o)) *
             2 +
         (close ? 1 : 0)));
}
constexpr std::size_t id_count = static_cast<std::size_t>(State::count) * verb_count * 2 * outcome_count * 2;
constexpr std::uint16_t with_close(std::uint16_t t) {
    return static_cast<std::uint16_t>(t | 1U);
}

inline std::string name(std::uint16_t t) {
    const bool close = (t & 1U) != 0;
    std::size_t rest = t / 2;
    const std::size_t o = rest % outcome_count;
    rest /= outcome_count;
    const bool args = (rest & 1U) != 0;
    rest /= 2;
    const std::size_t v = rest % verb_count;
    const std::size_t s = rest / verb_count;
    return std::string(state_names[s]) + " " + verb_names[v] + (args ? "+args" : "") + " " + outcome_names[o] +
           (close ? " close" : "");
}

/// One bit per (outcome, close) pair, for the table.
constexpr std::uint32_t oc(Outcome o, bool close = false) {
    return 1U << (static_cast<unsigned>(o) * 2 + (close ? 1U : 0U));
}

/// What the model allows for one (state, verb, args): the outcomes it can produce, and why no other can.
struct Rule {
    State state;
    Verb verb;
    bool args;
    std::uint32_t outcomes;
    const char* why_not;  // the model's reason for every outcome not listed
};

/// The universe, read off the model's rules (SessionModel::command and friends), state by state. Combinations with no
/// row are impossible: CONNECT has only the greeting; the pseudo-verbs (<too-long>, <malformed>, <AUTH-response>,
/// <bad-limit>, <idle-timeout>, <disconnect>, <greeting>) never carry "+args"; <AUTH-response> exists only in
/// AUTHORIZATION (AUTH is refused after login); "+" only answers AUTH PLAIN without an initial response; the
/// timeout and the disconnect never reply.
inline const std::vector<Rule>& rules() {
    using O = Outcome;
    using V = Verb;
    constexpr State A = State::authorization;
    constexpr State T = State::transaction;
    const std::uint32_t login = oc(O::ok) | oc(O::err) | oc(O::err_auth) | oc(O::err_auth, true) | oc(O::err_in_use) |
                                oc(O::err_login_delay) | oc(O::err_sys_temp) | oc(O::err_sys_perm);
    const char* const err_only = "-ERR only: the model answers this with bad() whatever the configuration";
    static const std::vector<Rule> table = [&] {
        std::vector<Rule> r = {
            {State::connect, V::greeting, false, oc(O::ok), "the engine never refuses a connection"},
            // AUTHORIZATION
            {A, V::too_long, false, oc(O::err), "an over-long line is never run as a command (R2449-LEN-3)"},
            {A, V::malformed, false, oc(O::err), "a malformed line is never run"},
            {A, V::unknown, false, oc(O::err), "unknown commands are -ERR (RFC 1939 §3)"},
            {A, V::unknown, true, oc(O::err), "unknown commands are -ERR (RFC 1939 §3)"},
            {A, V::user, false, oc(O::err), "USER needs exactly one argument"},
            {A, V::user, true, oc(O::ok) | oc(O::err),
             "USER never checks the name (RFC 1939 §13): no [AUTH], no store access"},
            {A, V::pass, false, oc(O::err), "PASS without a password is refused before any check"},
            {A, V::pass, true, login, "a login is one reply, never '+'"},
            {A, V::apop, false, oc(O::err), "APOP needs a name and a digest"},
            {A, V::apop, true, login, "a login is one reply, never '+'"},
            {A, V::auth, false, oc(O::err), "a bare AUTH is not defined by RFC 5034 (D19)"},
            {A, V::auth, true, login | oc(O::cont), "PLAIN is the only mechanism; its result is one reply"},
            {A, V::auth_response, false, login, "PLAIN is one step: no second '+'"},
            {A, V::stls, false, oc(O::ok) | oc(O::err), "STLS touches no store: no response code"},
            {A, V::stls, true, oc(O::err), "STLS takes no arguments"},
            {A, V::capa, false, oc(O::ok), "CAPA always works without arguments"},
            {A, V::capa, true, oc(O::err), "CAPA takes no arguments"},
            {A, V::quit, false, oc(O::ok, true), "QUIT in AUTHORIZATION closes without UPDATE: no commit to fail"},
            {A, V::quit, true, oc(O::err), "QUIT takes no arguments"},
            {A, V::bad_limit, false, oc(O::err, true), "this reply exists only to close"},
            {A, V::idle_timeout, false, oc(O::none, true), "autologout sends nothing and closes"},
            {A, V::disconnect, false, oc(O::none), "the client closed; the model sends nothing"},
            // TRANSACTION
            {T, V::too_long, false, oc(O::err), "an over-long line is never run as a command (R2449-LEN-3)"},
            {T, V::malformed, false, oc(O::err), "a malformed line is never run"},
            {T, V::unknown, false, oc(O::err), "unknown commands are -ERR (RFC 1939 §3)"},
            {T, V::unknown, true, oc(O::err), "unknown commands are -ERR (RFC 1939 §3)"},
            {T, V::capa, false, oc(O::ok), "CAPA always works without arguments"},
            {T, V::capa, true, oc(O::err), "CAPA takes no arguments"},
            {T, V::quit, false, oc(O::ok, true) | oc(O::err_sys_temp, true),
             "UPDATE either commits or fails with [SYS/TEMP] (the client may retry, RFC 3206 §4); always closes"},
            {T, V::quit, true, oc(O::err), "QUIT takes no arguments"},
            {T, V::stat, false, oc(O::ok), "STAT reads only the maildrop listing taken at login"},
            {T, V::stat, true, oc(O::err), "STAT takes no arguments"},
            {T, V::list, false, oc(O::ok), "the whole listing cannot fail"},
            {T, V::list, true, oc(O::ok) | oc(O::err), "LIST n reads no message: no store error"},
            {T, V::uidl, false, oc(O::ok), "the whole listing cannot fail"},
            {T, V::uidl, true, oc(O::ok) | oc(O::err), "UIDL n reads no message: no store error"},
            {T, V::retr, false, oc(O::err), "RETR needs a message number"},
            {T, V::retr, true, oc(O::ok) | oc(O::ok, true) | oc(O::err) | oc(O::err_sys_temp) | oc(O::err_sys_perm),
             "only the size limit, opening or reading the message can fail (a read failure after +OK closes)"},
            {T, V::top, false, oc(O::err), "TOP needs a message number and a line count"},
            {T, V::top, true, oc(O::ok) | oc(O::ok, true) | oc(O::err) | oc(O::err_sys_temp) | oc(O::err_sys_perm),
             "only the size limit, opening or reading the message can fail (a read failure after +OK closes)"},
            {T, V::dele, false, oc(O::err), "DELE needs a message number"},
            {T, V::dele, true, oc(O::ok) | oc(O::err), "DELE only marks: the store is touched at UPDATE"},
            {T, V::noop, false, oc(O::ok), "NOOP cannot fail"},
            {T, V::noop, true, oc(O::err), "NOOP takes no arguments"},
            {T, V::rset, false, oc(O::ok), "RSET cannot fail"},
            {T, V::rset, true, oc(O::err), "RSET takes no arguments"},
            {T, V::bad_limit, false, oc(O::err, true), "this reply exists only to close"},
            {T, V::idle_timeout, false, oc(O::none, true), "autologout sends nothing and closes"},
            {T, V::disconnect, false, oc(O::none), "the client closed; the model sends nothing"},
        };
        // TRANSACTION commands before login (RFC 1939 §4), AUTHORIZATION commands after it (§7, RFC 5034 §4,
        // RFC 2595 §4): -ERR, with and without arguments.
        for (const V v : {V::stat, V::list, V::uidl, V::retr, V::top, V::dele, V::noop, V::rset}) {
            r.push_back({A, v, false, oc(O::err), err_only});
            r.push_back({A, v, true, oc(O::err), err_only});
        }
        for (const V v : {V::user, V::pass, V::apop, V::auth, V::stls}) {
            r.push_back({T, v, false, oc(O::err), err_only});
            r.push_back({T, v, true, oc(O::err), err_only});
        }
        return r;
    }();
    return table;
}

/// Whether the model allows triple `t` (a lookup table built from rules()).
inline bool possible(std::uint16_t t) {
    static const std::vector<bool> table = [] {
        std::vector<bool> p(id_count, false);
        for (const Rule& r : rules())
            for (std::size_t o = 0; o < outcome_count; ++o)
                for (const bool close : {false, true})
                    if ((r.outcomes & oc(static_cast<Outcome>(o), close)) != 0)
                        p[id(r.state, r.verb, r.args, static_cast<Outcome>(o), close)] = true;
        return p;
    }();
    return t < table.size() && table[t];
}

/// Every triple the model allows, in id order.
inline const std::vector<std::uint16_t>& universe() {
    static const std::vector<std::uint16_t> all = [] {
        std::vector<std::uint16_t> u;
        for (std::size_t t = 0; t < id_count; ++t)
            if (possible(static_cast<std::uint16_t>(t))) u.push_back(static_cast<std::uint16_t>(t));
        return u;
    }();
    return all;
}

}  // namespace triples

// ---- the model ---------------------------------------------------------------------------------------------------

/// What the model expects as one reply.
struct Expectation {
    enum class Status { ok, err, continuation };
    enum class Body { none, capa, list, uidl, message };
    Status status = Status::ok;
    Body body = Body::none;
    std::optional<std::string> exact;   // the whole status line, when RFC 1939 fixes its form
    std::string_view text_prefix;       // e.g. "[AUTH]", "[IN-USE]": what the text must start with (a literal)
    std::string expected_body;          // unstuffed, for list / uidl
    std::string_view expected_message;  // unstuffed, for message: a prefix of a fixture's `sent` (static)
    bool capa_auth_state = false;       // the state CAPA ran in
    bool capa_plaintext_ok = false;
    bool capa_stls = false;
    std::string command;       // the command line as sent (at most 60 octets), for failure messages only
    std::uint16_t triple = 0;  // the (state, command, outcome) triple of this reply (triples::name)
};

/// A small executable model of the session, fed with exactly the bytes the engine accepted.
class SessionModel {
  public:
    SessionModel(const SessionSetup& setup, std::string timestamp)
        : setup_(setup), timestamp_(std::move(timestamp)), tls_(setup.implicit_tls) {
        expected_.reserve(16);  // most conversations get fewer replies; longer ones grow it a few times
        expect(Expectation::Status::ok, "greeting");
    }

    void feed(std::string_view bytes) {
        if (closed_) return;
        if (buffer_pos_ == buffer_.size()) {
            buffer_.clear();
            buffer_pos_ = 0;
        }
        buffer_.append(bytes);
        process();
    }
    void tls_started() {
        tls_ = true;
        discard_buffer();
    }
    void set_faults(const ConversationStep& f) {
        lock_fault_ = f.lock_fault;
        open_fault_ = f.open_fault;
        commit_fault_ = f.commit_fault;
        read_fault_ = f.read_fault;
    }
    /// RFC 1939 §3 autologout: closed without a reply and without UPDATE.
    void timed_out() {
        end_triple_ = triples::id(tstate(), triples::Verb::idle_timeout, false, triples::Outcome::none, true);
        close();
        timed_out_ = true;
    }
    /// The client went away (EOF): no reply, no UPDATE; the server did not close.
    void disconnected() {
        end_triple_ = triples::id(tstate(), triples::Verb::disconnect, false, triples::Outcome::none);
    }
    /// The triple of how the conversation ended without a reply (autologout, disconnect), if it did.
    std::optional<std::uint16_t> end_triple() const noexcept { return end_triple_; }
    /// Whether the server itself ended the session (QUIT, too many failures); not an autologout.
    bool server_closed() const noexcept { return closed_ && !timed_out_; }
    bool in_transaction() const noexcept { return transaction_ && !closed_; }

    bool closed() const noexcept { return closed_; }
    bool updated() const noexcept { return updated_; }
    const std::string& user() const noexcept { return user_; }
    const std::vector<bool>& deleted() const noexcept { return deleted_; }
    const std::vector<Expectation>& expectations() const noexcept { return expected_; }

  private:
    using S = Expectation::Status;

    // The engine's framer: lines end at LF; one longer than the larger of the command and AUTH limits is skipped to
    // its LF and answered once (R2449-LEN-3).
    void process() {
        const std::size_t frame_limit = std::max<std::size_t>(255, 8192);
        while (!closed_) {
            const std::size_t lf = buffer_.find('\n', buffer_pos_);
            if (lf == std::string::npos) return;
            const std::size_t wire = lf + 1 - buffer_pos_;
            std::string_view text(buffer_.data() + buffer_pos_, lf - buffer_pos_);
            if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
            buffer_pos_ = lf + 1;  // `text` stays valid: the buffer only grows in feed()
            const bool too_long = wire > frame_limit;
            if (sasl_) {
                sasl_response(text, too_long || wire > 8192);
            } else {
                command(text, too_long || wire > 255);
            }
        }
    }

    triples::State tstate() const noexcept {
        return transaction_ ? triples::State::transaction : triples::State::authorization;
    }

    Expectation& expect(S status, std::string_view command, std::string_view prefix = {}) {
        using O = triples::Outcome;
        O outcome = status == S::ok ? O::ok : status == S::continuation ? O::cont : O::err;
        if (!prefix.empty()) {
            for (std::size_t o = 0; o < triples::outcome_count; ++o)
                if (triples::outcome_codes[o] == prefix) outcome = static_cast<O>(o);
        }
        Expectation& e = expected_.emplace_back();
        e.status = status;
        e.command.assign(command.substr(0, 60));
        e.text_prefix = prefix;
        e.triple = triples::id(state_, verb_, args_, outcome);
        if (status == S::ok) bad_ = 0;  // the engine resets its bad-command count on every +OK
        return e;
    }
    void bad(std::string_view cmd) {
        expect(S::err, cmd);
        ++bad_;
        if (setup_.max_bad_commands != 0 && bad_ >= setup_.max_bad_commands) {
            verb_ = triples::Verb::bad_limit;
            args_ = false;
            expect(S::err, "(too many bad commands)");
            close_after_reply();
        }
    }
    void discard_buffer() {
        buffer_.clear();
        buffer_pos_ = 0;
    }
    void close() {
        closed_ = true;
        discard_buffer();
    }
    // The server closes right after the reply just expected (its triple gets "close").
    void close_after_reply() {
        expected_.back().triple = triples::with_close(expected_.back().triple);
        close();
    }
    bool plaintext_ok() const { return tls_ || setup_.allow_plaintext; }

    void auth_failed(std::string_view cmd) {
        ++failed_;
        expect(S::err, cmd, "[AUTH]");  // RFC 3206 §6
        if (setup_.max_failed_auths != 0 && failed_ >= setup_.max_failed_auths) close_after_reply();
    }

    static const char* fault_code(std::uint8_t f) { return f == 2 ? "[SYS/PERM]" : "[SYS/TEMP]"; }

    void login(const std::string& name, std::string_view cmd) {
        if (lock_fault_ != 0) {
            expect(S::err, cmd, fault_code(lock_fault_));  // RFC 3206 §4, §5
            return;
        }
        if (name == "carol" && setup_.carol_locked) {
            expect(S::err, cmd, "[IN-USE]");  // RFC 2449 §8.1.1
            return;
        }
        if (name == "bob" && setup_.bare_config) {
            expect(S::err, cmd, "[LOGIN-DELAY]");  // RFC 2449 §8.1.2
            return;
        }
        const FixtureUser* u = find_fixture(name);
        user_ = name;
        deleted_.assign(u ? u->messages.size() : 0, false);
        transaction_ = true;
        expect(S::ok, cmd);
    }

    const std::vector<FixtureMessage>& messages() const {
        static const std::vector<FixtureMessage> none;
        const FixtureUser* u = find_fixture(user_);
        return u ? u->messages : none;
    }
    std::string uid(std::size_t i) const {
        const auto& m = messages()[i];
        return m.uid.empty() ? "m" + std::to_string(i + 1) : m.uid;
    }

    static std::optional<std::uint64_t> decimal(std::string_view t) {
        if (t.empty() || t.size() > 20) return std::nullopt;
        std::uint64_t v = 0;
        for (char c : t) {
            if (c < '0' || c > '9') return std::nullopt;
            const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
            if (v > (UINT64_MAX - d) / 10) return std::nullopt;
            v = v * 10 + d;
        }
        return v;
    }
    // RFC 1939 §5: an existing message not marked deleted.
    std::optional<std::size_t> message(std::string_view arg, std::string_view cmd) {
        const auto n = decimal(arg);
        if (!n || *n == 0 || *n > messages().size() || deleted_[*n - 1]) {
            bad(cmd);
            return std::nullopt;
        }
        return static_cast<std::size_t>(*n);
    }

    void sasl_response(std::string_view text, bool too_long) {
        sasl_ = false;
        state_ = triples::State::authorization;
        verb_ = triples::Verb::auth_response;
        args_ = false;
        if (too_long) return bad("<AUTH response>");
        if (text == "*") {
            expect(S::err, "AUTH *");  // RFC 5034 §4: cancelled
            return;
        }
        sasl_plain(text, "<AUTH response>");
    }

    void sasl_plain(std::string_view response, std::string_view cmd) {
        const auto creds = pop3::sasl_plain_decode(response == "=" ? std::string_view() : response);
        if (!creds) {
            if (creds.error() == pop3::SaslPlainError::bad_base64) return bad(cmd);
            return auth_failed(cmd);
        }
        if (!creds->authzid.empty() && creds->authzid != creds->authcid) return auth_failed(cmd);
        const FixtureUser* u = find_fixture(creds->authcid);
        if (!u || u->secret != creds->password) return auth_failed(cmd);
        login(u->name, cmd);
    }

    void command(std::string_view text, bool too_long) {
        const bool after_user = user_accepted_;
        user_accepted_ = false;
        const std::string_view cmd = text;  // printed only when a property fails
        state_ = tstate();
        verb_ = triples::Verb::too_long;
        args_ = false;
        if (too_long) return bad("<line too long>");
        pop3::CommandLimits limits;
        limits.allow_8bit = false;  // the engine offers no RFC 6856 UTF8: 8-bit command lines are malformed
        const auto parsed = pop3::parse_command(text, limits);
        verb_ = triples::Verb::malformed;
        if (!parsed) return bad(cmd);
        const pop3::Command& c = *parsed;
        using V = triples::Verb;
        verb_ = triples::verb_of(c.keyword);
        const V k = verb_;
        args_ = !c.args.empty() || !c.rest.empty();
        const bool no_args = !args_;

        if (k == V::capa) {
            if (!no_args) return bad(cmd);
            Expectation& e = expect(S::ok, cmd);
            e.body = Expectation::Body::capa;
            e.capa_auth_state = !transaction_;
            e.capa_plaintext_ok = plaintext_ok();
            e.capa_stls = !transaction_ && setup_.tls_available && !tls_;
            return;
        }
        if (k == V::quit) {
            if (!no_args) return bad(cmd);
            if (transaction_) {
                // RFC 1939 §6: UPDATE. A store that cannot apply the deletions answers -ERR and removes nothing.
                const bool any = std::find(deleted_.begin(), deleted_.end(), true) != deleted_.end();
                if (any && commit_fault_ != 0) {
                    expect(S::err, cmd, "[SYS/TEMP]");
                    return close_after_reply();
                }
                updated_ = true;
            }
            expect(S::ok, cmd);
            return close_after_reply();
        }
        if (!transaction_) {
            if (k == V::user) {
                if (!plaintext_ok() || c.args.size() != 1) return bad(cmd);
                pending_user_ = c.args[0];
                user_accepted_ = true;
                expect(S::ok, cmd);
                return;
            }
            if (k == V::pass) {
                if (!plaintext_ok() || !after_user || c.rest.empty()) return bad(cmd);
                const FixtureUser* u = find_fixture(pending_user_);
                if (!u || u->secret != c.rest) return auth_failed(cmd);
                return login(u->name, cmd);
            }
            if (k == V::apop) {
                // RFC 1939 §7: APOP only after the greeting or an unsuccessful USER or PASS.
                if (after_user) return bad(cmd);
                if (!setup_.apop_enabled) return bad(cmd);
                if (!plaintext_ok()) return bad(cmd);  // RFC 2595 §4: no cleartext login of any kind before TLS
                if (c.args.size() != 2) return bad(cmd);
                const std::string& digest = c.args[1];
                const bool syntax = digest.size() == 32 && std::all_of(digest.begin(), digest.end(), [](char ch) {
                                        return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
                                    });
                const FixtureUser* u = find_fixture(c.args[0]);
                if (!syntax || !u || pop3::apop_digest(timestamp_, u->secret) != digest) return auth_failed(cmd);
                return login(u->name, cmd);
            }
            if (k == V::auth) {
                if (c.args.empty() || c.args.size() > 2) return bad(cmd);
                std::string mech = c.args[0];
                std::transform(mech.begin(), mech.end(), mech.begin(),
                               [](char ch) { return ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 32) : ch; });
                if (mech != "PLAIN" || !plaintext_ok()) return bad(cmd);
                if (c.args.size() == 2) return sasl_plain(c.args[1], cmd);
                Expectation& e = expect(S::continuation, cmd);
                e.exact = "+ ";  // RFC 5034 §4: an empty challenge
                sasl_ = true;
                return;
            }
            if (k == V::stls) {
                if (!no_args || tls_ || !setup_.tls_available) return bad(cmd);
                expect(S::ok, cmd);
                discard_buffer();  // RFC 2595 §4: whatever was pipelined after STLS is never executed
                pending_user_.clear();
                return;
            }
            return bad(cmd);
        }
        // TRANSACTION
        const auto& msgs = messages();
        if (k == V::stat) {
            if (!no_args) return bad(cmd);
            std::size_t count = 0;
            std::uint64_t octets = 0;
            for (std::size_t i = 0; i < msgs.size(); ++i) {
                if (deleted_[i]) continue;
                ++count;
                octets += msgs[i].sent.size();
            }
            expect(S::ok, cmd).exact = "+OK " + std::to_string(count) + " " + std::to_string(octets);
            return;
        }
        if (k == V::list || k == V::uidl) {
            const bool list = k == V::list;
            if (c.args.size() > 1) return bad(cmd);
            const auto entry = [&](std::size_t i) {
                return std::to_string(i + 1) + " " + (list ? std::to_string(msgs[i].sent.size()) : uid(i));
            };
            if (c.args.size() == 1) {
                const auto n = message(c.args[0], cmd);
                if (!n) return;
                expect(S::ok, cmd).exact = "+OK " + entry(*n - 1);
                return;
            }
            Expectation& e = expect(S::ok, cmd);
            e.body = list ? Expectation::Body::list : Expectation::Body::uidl;
            for (std::size_t i = 0; i < msgs.size(); ++i)
                if (!deleted_[i]) e.expected_body += entry(i) + "\r\n";
            return;
        }
        if (k == V::retr || k == V::top) {
            const bool retr = k == V::retr;
            if (c.args.size() != (retr ? 1U : 2U)) return bad(cmd);
            std::uint64_t lines = UINT64_MAX;
            if (!retr) {
                const std::string& l = c.args[1];
                if (l.empty() || !std::all_of(l.begin(), l.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
                    return bad(cmd);
                }
                lines = decimal(l).value_or(UINT64_MAX);
            }
            const auto n = message(c.args[0], cmd);
            if (!n) return;
            const std::string& sent = msgs[*n - 1].sent;
            if (setup_.max_message_size != 0 && sent.size() > setup_.max_message_size) {
                expect(S::err, cmd, "[SYS/PERM]");
                return;
            }
            if (open_fault_ != 0) {
                expect(S::err, cmd, fault_code(open_fault_));
                return;
            }
            if (read_fault_) {
                // +OK went out before the body could be read: no -ERR is possible mid-reply, so the engine closes
                // without a terminator (and without UPDATE); nothing of the body, nothing after it.
                expect(S::ok, cmd);
                return close_after_reply();
            }
            Expectation& e = expect(S::ok, cmd);
            e.body = Expectation::Body::message;
            e.expected_message = retr ? std::string_view(sent) : top_of(sent, lines);
            return;
        }
        if (k == V::dele) {
            if (c.args.size() != 1) return bad(cmd);
            const auto n = message(c.args[0], cmd);
            if (!n) return;
            deleted_[*n - 1] = true;
            expect(S::ok, cmd);
            return;
        }
        if (k == V::noop) return no_args ? void(expect(S::ok, cmd)) : bad(cmd);
        if (k == V::rset) {
            if (!no_args) return bad(cmd);
            std::fill(deleted_.begin(), deleted_.end(), false);
            expect(S::ok, cmd);
            return;
        }
        return bad(cmd);  // unknown, or an AUTHORIZATION command after login
    }

    SessionSetup setup_;
    std::string timestamp_;
    std::string buffer_;
    std::vector<Expectation> expected_;  // no reference into it is kept across expect() calls
    bool tls_ = false;
    bool closed_ = false;
    bool transaction_ = false;
    bool updated_ = false;
    bool sasl_ = false;
    bool user_accepted_ = false;
    std::string pending_user_;
    std::string user_;
    std::vector<bool> deleted_;
    std::size_t buffer_pos_ = 0;  // buffer_[0, buffer_pos_) is processed
    triples::State state_ = triples::State::connect;
    triples::Verb verb_ = triples::Verb::greeting;
    bool args_ = false;
    std::optional<std::uint16_t> end_triple_;
    unsigned failed_ = 0;
    unsigned bad_ = 0;
    std::uint8_t lock_fault_ = 0;
    std::uint8_t open_fault_ = 0;
    std::uint8_t commit_fault_ = 0;
    bool read_fault_ = false;
    bool timed_out_ = false;
};

// ---- the driver --------------------------------------------------------------------------------------------------

/// What one session produced.
struct SessionRun {
    std::string output;
    bool closed_by_server = false;
    std::vector<std::string> final_contents[3];  // per fixture user, after the session
};

/// The engine's log must never show a secret (STYLE: secrets redacted in every log): PASS and AUTH responses are
/// "<redacted>", APOP's digest too, and no fixture's PLAIN blob or password after PASS appears anywhere.
POP3_FUZZ_UNINSTRUMENTED inline void check_log_line(std::string_view line) {
    static const std::vector<std::string> blobs = [] {
        std::vector<std::string> b;
        for (const auto& u : fixture_users()) {
            b.push_back(pop3::sasl_plain_encode({"", u.name, u.secret}));
            b.push_back(pop3::sasl_plain_encode({u.name, u.name, u.secret}));
            b.push_back(pop3::sasl_plain_encode({"bob", u.name, u.secret}));
            b.push_back("PASS " + u.secret);
        }
        return b;
    }();
    // Only where a secret is due: the engine logs what a client typed elsewhere (an unknown command's arguments, a
    // mechanism name) as sent, so a secret typed there shows; that is not a PASS, APOP or AUTH secret.
    if (line.size() < 4 || line[0] != 'C' || line[1] != ':') return;  // replies ("S: ...") and events carry none
    if (line.starts_with("C: <")) {
        for (const auto& blob : blobs)
            POP3_FUZZ_CHECK(line.find(blob) == std::string_view::npos, "secret in the log: " + printable(line));
    }
    if (line.starts_with("C: AUTH ") && line.find(' ', 8) != std::string_view::npos) {
        POP3_FUZZ_CHECK(line.ends_with(" <redacted>"), "AUTH initial response in the log: " + printable(line));
    }
    if (line.starts_with("C: PASS")) POP3_FUZZ_CHECK(line == "C: PASS <redacted>", printable(line));
    if (line.starts_with("C: APOP ")) POP3_FUZZ_CHECK(line.ends_with(" <redacted>"), printable(line));
}

/// Drives a Session as the transport does: writes (all of pending output, or pieces from `writes`), reads (the next
/// bytes step; at the end, disconnected()), waits, TLS; applies fault and timeout steps when the engine asks for
/// input. Feeds the model exactly what the engine accepted and checks the engine's state against it at every read.
inline SessionRun drive(const SessionSetup& setup, const Conversation& conversation, SessionModel* model,
                        const std::vector<std::size_t>& writes = {}) {
    pop3::server::MemoryStore memory;
    for (const auto& u : fixture_users())
        for (const auto& m : u.messages)
            memory.add(u.name, m.content, m.uid);
    pop3::server::FaultStore store(memory);
    std::unique_ptr<pop3::server::Maildrop> held;
    if (setup.carol_locked) {
        std::error_code ec;
        held = memory.lock("carol", ec);
        POP3_FUZZ_CHECK(held != nullptr, "cannot hold carol's lock");
    }
    const auto fault = [](std::uint8_t f) -> std::error_code {
        if (f == 1) return pop3::server::StoreErrc::temporary;
        if (f == 2) return pop3::server::StoreErrc::permanent;
        return {};
    };
    SessionRun run;
    const std::shared_ptr<pop3::server::SessionConfig> config = setup.config();
    config->log = [](std::string_view line) { check_log_line(line); };
    {
        pop3::server::SessionOptions options;
        options.tls_active = setup.implicit_tls;
        pop3::server::Session session(config, store, options);
        session.start();
        std::size_t next_step = 0;
        std::string_view current;
        std::size_t write_index = 0;
        const std::size_t output_bound = 2 * std::max<std::size_t>(setup.stream_chunk, 512) + 1024;
        bool done = false;
        for (std::size_t steps = 0; !done; ++steps) {
            POP3_FUZZ_CHECK(steps < 4'000'000, "the session does not progress");
            switch (session.next()) {
                case pop3::server::Session::Next::write: {
                    const std::string_view out = session.pending_output();
                    POP3_FUZZ_CHECK(!out.empty(), "write with nothing to send");
                    POP3_FUZZ_CHECK(out.size() <= output_bound, "output buffer " + std::to_string(out.size()));
                    std::size_t n = out.size();
                    if (!writes.empty()) n = std::min(n, writes[write_index++ % writes.size()]);
                    run.output.append(out.substr(0, n));
                    session.consume_output(n);
                    break;
                }
                case pop3::server::Session::Next::read: {
                    if (model != nullptr) {
                        // Everything fed so far is processed on both sides: the states must agree.
                        const bool transaction = session.state() == pop3::server::SessionState::transaction;
                        POP3_FUZZ_CHECK(transaction == model->in_transaction(), "engine and model states differ");
                        if (transaction) POP3_FUZZ_CHECK(session.user() == model->user(), session.user());
                        const auto timeout = transaction ? config->transaction_timeout : config->authorization_timeout;
                        POP3_FUZZ_CHECK(session.idle_timeout() == timeout, "idle timeout for the wrong state");
                        // RFC 1939 §3: the autologout timer is at least 10 minutes.
                        if (transaction) POP3_FUZZ_CHECK(session.idle_timeout() >= std::chrono::minutes(10), "timer");
                    }
                    while (current.empty() && next_step < conversation.size() &&
                           conversation[next_step].kind != ConversationStep::Kind::bytes) {
                        const ConversationStep& step = conversation[next_step++];
                        if (step.kind == ConversationStep::Kind::timeout) {
                            session.timed_out();  // RFC 1939 §3 autologout: no reply, no UPDATE
                            if (model != nullptr) model->timed_out();
                            POP3_FUZZ_CHECK(session.next() == pop3::server::Session::Next::close,
                                            "no close after timed_out()");
                            POP3_FUZZ_CHECK(session.pending_output().empty(), "output after timed_out()");
                            done = true;
                            break;
                        }
                        store.faults.lock_error = fault(step.lock_fault);
                        store.faults.open_error = fault(step.open_fault);
                        store.faults.commit_error = fault(step.commit_fault);
                        store.faults.read_fail_after = step.read_fault ? 0 : std::numeric_limits<std::uint64_t>::max();
                        if (model != nullptr) model->set_faults(step);
                    }
                    if (done) break;
                    if (current.empty()) {
                        if (next_step == conversation.size()) {
                            session.disconnected();  // EOF: no UPDATE (RFC 1939 §6)
                            if (model != nullptr) model->disconnected();
                            POP3_FUZZ_CHECK(session.next() == pop3::server::Session::Next::close,
                                            "no close after disconnected()");
                            done = true;
                            break;
                        }
                        current = conversation[next_step++].bytes;
                    }
                    const std::size_t n = session.feed(current);
                    POP3_FUZZ_CHECK(n <= current.size() && n <= session.max_input_buffer(), "feed() took too much");
                    POP3_FUZZ_CHECK(n > 0, "feed() took nothing on Next::read");
                    if (model != nullptr) model->feed(current.substr(0, n));
                    current.remove_prefix(n);
                    break;
                }
                case pop3::server::Session::Next::wait:
                    POP3_FUZZ_CHECK(session.wait_duration().count() > 0, "wait without a duration");
                    session.resume();
                    break;
                case pop3::server::Session::Next::start_tls:
                    // Plaintext that reaches the engine before the handshake is swallowed, never run (RFC 2595 §4);
                    // the model sees none of it, so a reply to it would be output the model did not expect.
                    POP3_FUZZ_CHECK(session.feed("NOOP\r\n") == 6, "plaintext before the TLS handshake not taken");
                    // The transport would discard whatever the client sent in plaintext before the handshake.
                    session.tls_started();
                    if (model != nullptr) model->tls_started();
                    POP3_FUZZ_CHECK(session.tls_active(), "TLS not active after tls_started()");
                    break;
                case pop3::server::Session::Next::close:
                    run.closed_by_server = true;
                    POP3_FUZZ_CHECK(session.state() == pop3::server::SessionState::closed, "close but not closed");
                    // Input after the close is taken and ignored: no reply, still closed.
                    POP3_FUZZ_CHECK(
                        session.feed("NOOP\r\n") == 6 && session.next() == pop3::server::Session::Next::close,
                        "input after close not ignored");
                    done = true;
                    break;
            }
        }
    }
    if (setup.apop_enabled) {
        // RFC 1939 §7: the timestamp "MUST be different each time the POP3 server issues a banner greeting".
        pop3::server::MemoryStore empty;
        pop3::server::Session second(config, empty);
        second.start();
        const std::string_view greeting = second.pending_output();
        const std::string_view first = std::string_view(run.output).substr(0, run.output.find("\r\n"));
        const auto stamp = [](std::string_view line) { return line.substr(std::min(line.find('<'), line.size())); };
        POP3_FUZZ_CHECK(!stamp(first).empty() && stamp(greeting.substr(0, greeting.find("\r\n"))) != stamp(first),
                        "the same APOP timestamp in two greetings: " + printable(first));
    }
    for (std::size_t i = 0; i < fixture_users().size() && i < 3; ++i) {
        const std::string& name = fixture_users()[i].name;
        run.final_contents[i] = memory.contents(name);
        // The session is gone: only the harness's own lock may remain.
        POP3_FUZZ_CHECK(!memory.locked(name) || (name == "carol" && setup.carol_locked), name + " still locked");
    }
    return run;
}

// ---- the checker -------------------------------------------------------------------------------------------------

/// Reads the engine's output reply by reply against the model's expectations (see the top of this file).
POP3_FUZZ_UNINSTRUMENTED inline void check_session(const SessionRun& run, const SessionModel& model,
                                                   const SessionSetup& setup) {
    const std::string& out = run.output;
    std::size_t pos = 0;
    std::size_t index = 0;
    const auto where = [&](const Expectation& e) {
        return "reply " + std::to_string(index) + " to \"" + printable(e.command) + "\" at offset " +
               std::to_string(pos) + ": ..." + printable(std::string_view(out).substr(pos, 120));
    };
    const auto read_line = [&](const Expectation& e, bool status_line) -> std::string_view {
        const std::size_t end = out.find("\r\n", pos);
        POP3_FUZZ_CHECK(end != std::string::npos, "missing reply or CRLF: " + where(e));
        const std::string_view line(out.data() + pos, end - pos);
        POP3_FUZZ_CHECK(line.find('\n') == std::string_view::npos, "bare LF: " + where(e));
        if (status_line) {
            POP3_FUZZ_CHECK(line.size() + 2 <= 512, "status line over 512 octets: " + where(e));  // RFC 2449 §4
            POP3_FUZZ_CHECK(line.find('\0') == std::string_view::npos, "NUL in a status line: " + where(e));
            POP3_FUZZ_CHECK(line.find('\r') == std::string_view::npos, "CR in a status line: " + where(e));
        }
        pos = end + 2;
        return line;
    };
    for (const Expectation& e : model.expectations()) {
        const std::string_view status = read_line(e, true);
        using S = Expectation::Status;
        const bool is_ok = status == "+OK" || status.starts_with("+OK ");
        const bool is_err = status == "-ERR" || status.starts_with("-ERR ");
        const bool is_cont = status == "+" || status.starts_with("+ ");
        POP3_FUZZ_CHECK(is_ok || is_err || is_cont, "not a POP3 reply: " + where(e));
        const char* const names[] = {"+OK", "-ERR", "+ "};
        const S got = is_ok ? S::ok : is_err ? S::err : S::continuation;
        POP3_FUZZ_CHECK(got == e.status, std::string("expected ") + names[static_cast<int>(e.status)] + ", " +
                                             where(e) + " got: " + printable(status));
        if (e.exact) POP3_FUZZ_CHECK(status == *e.exact, "expected \"" + *e.exact + "\", " + where(e));
        if (!e.text_prefix.empty()) {
            const std::string_view text = status.substr(is_ok ? 3 : 4);
            POP3_FUZZ_CHECK(text.starts_with(' ') && text.substr(1).starts_with(e.text_prefix),
                            "expected " + std::string(e.text_prefix) + ", " + where(e));
        }
        POP3_FUZZ_CHECK(triples::possible(e.triple), "the model produced a triple its table calls impossible: " +
                                                         triples::name(e.triple) + ", " + where(e));
        if (e.body == Expectation::Body::list || e.body == Expectation::Body::uidl ||
            e.body == Expectation::Body::message) {
            // Compared line by line against the model's body, without copying it.
            const std::string_view expected =
                e.body == Expectation::Body::message ? e.expected_message : std::string_view(e.expected_body);
            std::size_t at = 0;
            bool same = true;
            for (;;) {
                std::string_view l = read_line(e, false);
                if (l == ".") break;
                if (l.starts_with('.')) {
                    POP3_FUZZ_CHECK(l.starts_with(".."), "unstuffed line: " + where(e));  // RFC 1939 §3
                    l.remove_prefix(1);
                }
                same = same && expected.substr(at, l.size()) == l && expected.substr(at + l.size(), 2) == "\r\n";
                at += l.size() + 2;
            }
            POP3_FUZZ_CHECK(same && at == expected.size(),
                            "body differs from the model: " + where(e) + "\n  expected " + printable(expected));
        } else if (e.body == Expectation::Body::capa) {
            std::string body;
            for (;;) {
                const std::string_view l = read_line(e, false);
                if (l == ".") break;
                if (l.starts_with('.')) {
                    POP3_FUZZ_CHECK(l.starts_with(".."), "unstuffed line: " + where(e));  // RFC 1939 §3
                    body.append(l.substr(1));
                } else {
                    body.append(l);
                }
                body += "\r\n";
            }
            {
                std::vector<std::string> tags;
                for (std::size_t s = 0; s < body.size();) {
                    const std::size_t end = body.find("\r\n", s);
                    const std::string l = body.substr(s, end - s);
                    tags.push_back(l.substr(0, l.find(' ')));
                    s = end + 2;
                }
                const auto has = [&](const std::string& t) {
                    return std::find(tags.begin(), tags.end(), t) != tags.end();
                };
                auto sorted = tags;
                std::sort(sorted.begin(), sorted.end());
                POP3_FUZZ_CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(),
                                "duplicate CAPA tag: " + printable(body));
                POP3_FUZZ_CHECK(has("TOP") && has("UIDL") && has("PIPELINING") && has("RESP-CODES"), printable(body));
                // In AUTHORIZATION, USER and SASL are listed exactly when they work (RFC 2449 §6.3, §6.8, RFC 2595 §4);
                // after login a server may list them or not (RFC 2449 §5: the list may differ by state).
                if (e.capa_auth_state) {
                    const bool works = e.capa_plaintext_ok;
                    POP3_FUZZ_CHECK(has("USER") == works && has("SASL") == works, "USER/SASL: " + printable(body));
                }
                POP3_FUZZ_CHECK(has("STLS") == e.capa_stls, "STLS in CAPA: " + printable(body));  // RFC 2595 §4
                if (e.capa_auth_state) {
                    POP3_FUZZ_CHECK(!has("IMPLEMENTATION"), "IMPLEMENTATION before login: " + printable(body));
                }
            }
        }
        ++index;
    }
    if (model.end_triple()) {
        POP3_FUZZ_CHECK(
            triples::possible(*model.end_triple()),
            "the model produced a triple its table calls impossible: " + triples::name(*model.end_triple()));
    }
    POP3_FUZZ_CHECK(pos == out.size(), "output the model did not expect: " + printable(out.substr(pos, 200)));
    POP3_FUZZ_CHECK(run.closed_by_server == model.server_closed(),
                    std::string("server ") + (run.closed_by_server ? "closed" : "did not close") + " but the model " +
                        (model.server_closed() ? "did" : "did not"));

    // RFC 1939 §6: a message is gone only if marked deleted and QUIT came from TRANSACTION.
    for (std::size_t i = 0; i < fixture_users().size() && i < 3; ++i) {
        const FixtureUser& u = fixture_users()[i];
        std::vector<std::string> expected;
        for (std::size_t m = 0; m < u.messages.size(); ++m) {
            const bool gone = model.updated() && model.user() == u.name && model.deleted()[m];
            if (!gone) expected.push_back(u.messages[m].content);
        }
        POP3_FUZZ_CHECK(run.final_contents[i] == expected,
                        u.name + "'s maildrop differs from the model after the session");
    }
    (void)setup;
}

}  // namespace pop3::fuzz

#include "engine/session.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <optional>
#include <vector>

#include "pop3/apop.hpp"
#include "pop3/command_parser.hpp"
#include "pop3/dot_stuffing.hpp"
#include "pop3/sasl_plain.hpp"

namespace pop3::server {

bool LoginHistory::try_login(const std::string& user, std::chrono::system_clock::time_point now,
                             std::chrono::seconds delay) {
    std::lock_guard lock(mutex_);
    auto it = last_.find(user);
    if (it != last_.end() && now - it->second < delay) return false;
    last_[user] = now;
    return true;
}

namespace {

// RFC 2449 §4: the first line of a reply is at most 512 octets with CRLF; texts we build from config are cut so that
// no configuration can break that.
constexpr std::size_t max_reply_line = 512;
// Input bytes the engine holds before feed() pushes back (see Session::max_input_buffer).
constexpr std::size_t input_capacity = 64 * 1024;

std::atomic<std::uint64_t> global_counter{0};

// RFC 1939 §5: a message-number is a decimal number. Digits only: no sign, no space, no trailing junk; a value that
// does not fit 64 bits fails instead of wrapping (so 2^32+1 can never alias 1).
std::optional<std::uint64_t> parse_decimal(std::string_view text) {
    if (text.empty() || text.size() > 20) return std::nullopt;
    if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
    std::uint64_t value = 0;
    const auto [ptr, err] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (err != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
    return value;
}

std::string cut(std::string_view text, std::size_t max) {
    return std::string(text.substr(0, max));
}

// Test-only (SessionFault::number_atoi): C's atoi() reading of a message number, leading digits and nothing else
// checked, as the UCB popper did (requirements D3).
std::optional<std::uint64_t> atoi_number(std::string_view text) {
    std::uint64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') break;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return value;
}

// Test-only (SessionFault::lock_kept_after_disconnect): maildrops whose lock a faulty session never releases. Never
// freed: the mutant's point is a lock that outlives its session.
void leak_maildrop(std::unique_ptr<Maildrop> drop) {
    static std::mutex mutex;
    static auto* leaked = new std::vector<std::unique_ptr<Maildrop>>();
    std::lock_guard lock(mutex);
    leaked->push_back(std::move(drop));
}

}  // namespace

struct Session::Impl {
    enum class AfterFlush { none, close, start_tls, wait };
    enum class Stream { none, message, list, uidl, capa };

    std::shared_ptr<const SessionConfig> config;
    Store* store = nullptr;
    bool tls = false;
    // Test-only SessionFault bits (zero in the shipped server); see fault().
    std::uint64_t faults = 0;

    SessionState state = SessionState::authorization;
    AfterFlush after_flush = AfterFlush::none;

    // Input: bytes fed but not yet framed, and the framer holding at most one line.
    std::string input;
    std::size_t input_pos = 0;  // input[0, input_pos) is framed already; compacted on feed, never per line
    pop3::CommandFramer framer;

    // Output: bytes to send from out[out_pos].
    std::string out;
    std::size_t out_pos = 0;

    // A multi-line reply in progress.
    Stream stream = Stream::none;
    std::unique_ptr<MessageReader> reader;
    pop3::DotStuffer stuffer;
    std::optional<pop3::TopLimiter> top;
    std::unique_ptr<char[]> chunk;  // read buffer while a body streams (uninitialised: no memset per refill)
    std::size_t chunk_size = 0;
    std::size_t list_cursor = 0;

    // Test-only state of the mutants (docs/mutation-testing.md); untouched when faults == 0.
    bool raw_line_start = true;           // no_byte_stuffing*: the unstuffed output is at a line start
    char last_body_octet = '\n';          // no_final_crlf: the last octet of the body sent so far
    std::string held_reply;               // pipelined_reordered: a reply held back behind the next one
    std::vector<std::uint64_t> lf_sizes;  // sizes_with_lf: sizes with LF line ends
    std::uint64_t uid_epoch = 0;          // uidl_unstable: differs in every session

    // AUTHORIZATION.
    std::string apop_timestamp;
    std::string pending_user;    // the name of the last successful USER
    bool user_accepted = false;  // the previous command was a successful USER (RFC 1939 §7 PASS)
    bool sasl_continuation = false;
    unsigned failed_auths = 0;
    unsigned bad_commands = 0;

    // TRANSACTION.
    std::string user;
    std::unique_ptr<Maildrop> maildrop;
    std::vector<bool> deleted;
    std::size_t deleted_count = 0;
    std::uint64_t deleted_octets = 0;
    std::uint64_t total_octets = 0;  // of every listed message, deleted or not

    Impl(std::shared_ptr<const SessionConfig> c, Store& s, SessionOptions o)
        : config(std::move(c)),
          store(&s),
          tls(o.tls_active),
          faults(config->faults),
          framer(std::max(config->max_command_line, config->max_auth_line)) {}

    // Readers may refer to their maildrop: close them first, whatever the member order.
    ~Impl() { release_maildrop(); }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    const SessionConfig& cfg() const { return *config; }

    // Test-only: whether a mutant is switched on. One bit test; false for every fault in the shipped server.
    bool fault(SessionFault f) const { return (faults & fault_bit(f)) != 0; }

    void log(std::string_view event) const {
        if (cfg().log) cfg().log(event);
    }

    // ---- output --------------------------------------------------------------------------------------------------

    void reply_line(std::string_view line) {
        std::string_view text = line.substr(0, max_reply_line - 2);
        if (fault(SessionFault::reply_over_512)) text = line;
        out.append(text);
        out.append(fault(SessionFault::lf_line_ends) ? "\n" : "\r\n");
        if (cfg().log) log("S: " + std::string(text));
    }
    void ok(std::string_view text = {}) {
        const std::size_t at = out.size();
        reply_line(text.empty() ? std::string("+OK") : "+OK " + std::string(text));
        if (fault(SessionFault::status_lower_case)) out.replace(at, 3, "+ok");
        bad_commands = 0;
    }
    void err(std::string_view text) { reply_line("-ERR " + std::string(text)); }

    // A protocol error by the client (unknown command, wrong state, bad arguments): RFC 1939 §3 -ERR, and after
    // too many in a row the connection is closed (abuse).
    void bad(std::string_view text) {
        err(text);
        ++bad_commands;
        if (cfg().max_bad_commands != 0 && bad_commands >= cfg().max_bad_commands) {
            reply_line("-ERR too many bad commands, closing");
            close_after_flush();
        }
    }

    void close_after_flush() {
        after_flush = AfterFlush::close;
        release_maildrop();
    }

    void release_maildrop() {
        reader.reset();
        chunk.reset();
        maildrop.reset();  // releases the lock; nothing is applied (RFC 1939 §6: only QUIT enters UPDATE)
    }

    // ---- greeting ------------------------------------------------------------------------------------------------

    void start() {
        std::string greeting = "POP3 server ready";
        if (cfg().apop_enabled) {
            // RFC 1939 §7 APOP: a msg-id style timestamp, different in every greeting: pid, a process-wide counter
            // and the time make it unique.
            const std::uint64_t counter = cfg().next_id ? cfg().next_id() : ++global_counter;
            const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(cfg().clock().time_since_epoch());
            std::string host = cut(cfg().hostname, 255);
            std::replace_if(
                host.begin(), host.end(),
                [](char c) { return c == '<' || c == '>' || static_cast<unsigned char>(c) <= 0x20 || c == 0x7F; }, '_');
            if (host.empty()) host = "localhost";
            apop_timestamp = "<" + std::to_string(cfg().pid) + "." + std::to_string(counter) + "." +
                             std::to_string(seconds.count()) + "@" + host + ">";
            if (fault(SessionFault::apop_timestamp_reused)) apop_timestamp = "<1.1@" + host + ">";
            greeting += " " + apop_timestamp;
        }
        ok(greeting);
    }

    // ---- the main loop -------------------------------------------------------------------------------------------

    Session::Next next() {
        for (;;) {
            if (out_pos < out.size()) return Next::write;
            if (stream != Stream::none) {
                refill();
                continue;
            }
            switch (after_flush) {
                case AfterFlush::close:
                    state = SessionState::closed;
                    return Next::close;
                case AfterFlush::start_tls:
                    return Next::start_tls;
                case AfterFlush::wait:
                    return Next::wait;
                case AfterFlush::none:
                    break;
            }
            if (state == SessionState::closed) return Next::close;
            if (!process_one()) {
                if (fault(SessionFault::pipelined_reordered) && !held_reply.empty()) {
                    out += held_reply;
                    held_reply.clear();
                    continue;
                }
                return Next::read;
            }
        }
    }

    // Frames and executes at most one command; false when no complete line is buffered.
    bool process_one() {
        if (!framer.has_line()) {
            input_pos += framer.feed(std::string_view(input).substr(input_pos));
            if (input_pos == input.size()) {
                input.clear();
                input_pos = 0;
            }
            if (!framer.has_line()) {
                if (input.empty() && input.capacity() > 4096) std::string().swap(input);
                return false;
            }
        }
        std::optional<pop3::FramedLine> line = framer.next();
        if (!line) return false;
        const std::size_t reply_start = out.size();
        if (sasl_continuation) {
            sasl_response(*line);
        } else {
            command(*line);
        }
        if (fault(SessionFault::pipelined_dropped)) discard_input();
        if (fault(SessionFault::pipelined_reordered)) reorder_reply(reply_start);
        return true;
    }

    // Test-only (SessionFault::pipelined_reordered): a single-line reply with another command already buffered is
    // held back and sent after that command's reply.
    void reorder_reply(std::size_t reply_start) {
        if (!held_reply.empty()) {
            if (stream == Stream::none) {
                out += held_reply;
                held_reply.clear();
            }
            return;
        }
        const bool more = framer.has_line() || input.find('\n', input_pos) != std::string::npos;
        if (more && stream == Stream::none && after_flush == AfterFlush::none && reply_start <= out.size()) {
            held_reply = out.substr(reply_start);
            out.resize(reply_start);
        }
    }

    // ---- commands ------------------------------------------------------------------------------------------------

    void command(const pop3::FramedLine& line) {
        const bool was_user_accepted = user_accepted;
        user_accepted = false;
        // R2449-LEN-3: an over-long line gets one -ERR; its overflow was skipped by the framer, never run as a command.
        if (line.error || line.wire_octets > cfg().max_command_line) {
            if (fault(SessionFault::overlong_line_split)) return split_overlong(line);
            log("C: <line too long>");
            if (fault(SessionFault::reply_over_512)) return bad("line too long: " + line.text);
            bad("line too long");
            return;
        }
        pop3::CommandLimits limits;
        limits.max_line = cfg().max_command_line;
        // RFC 1939 §3: commands are printable ASCII; 8-bit user names and passwords need RFC 6856 UTF8, which this
        // server does not offer (R1939-CMD-8).
        limits.allow_8bit = false;
        pop3::Result<pop3::Command> parsed = pop3::parse_command(line.text, limits);
        if (!parsed) {
            log("C: <malformed command>");
            bad("malformed command");
            return;
        }
        const pop3::Command& cmd = *parsed;
        log_command(cmd);
        const std::string& k = cmd.keyword;
        if (fault(SessionFault::keywords_case_sensitive) && line.text.compare(0, k.size(), k) != 0) {
            return bad("unknown command");
        }

        if (k == "CAPA") return capa(cmd);
        if (k == "QUIT") return quit(cmd);
        if (state == SessionState::authorization) {
            if (k == "USER") return user_command(cmd);
            if (k == "PASS") return pass_command(cmd, was_user_accepted);
            // RFC 1939 §7: APOP only right after the greeting or a failed USER/PASS, not after a successful USER.
            if (k == "APOP") {
                if (fault(SessionFault::apop_after_user)) return apop_command(cmd);
                return was_user_accepted ? bad("APOP not allowed after USER") : apop_command(cmd);
            }
            if (k == "AUTH") return auth_command(cmd);
            if (k == "STLS") return stls_command(cmd);
            if (fault(SessionFault::transaction_commands_before_login) && (k == "NOOP" || k == "STAT" || k == "RSET")) {
                return ok(k == "STAT" ? "0 0" : "");
            }
            if (is_transaction_command(k)) return bad("command not valid before login");
            if (fault(SessionFault::unknown_command_ok)) return ok();
            return bad("unknown command");
        }
        // TRANSACTION
        if (k == "STAT") return stat_command(cmd);
        if (k == "LIST") return list_command(cmd, Stream::list);
        if (k == "UIDL") return list_command(cmd, Stream::uidl);
        if (k == "RETR") return retr_command(cmd);
        if (k == "TOP") return top_command(cmd);
        if (k == "DELE") return dele_command(cmd);
        if (k == "NOOP") return no_args(cmd) ? ok() : bad("NOOP takes no arguments");
        if (k == "RSET") return rset_command(cmd);
        if (k == "STLS" && fault(SessionFault::stls_in_transaction)) return stls_command(cmd);
        if (k == "USER" || k == "PASS" || k == "APOP" || k == "AUTH" || k == "STLS") {
            if (fault(SessionFault::login_commands_after_login) && k != "STLS") return ok("already logged in");
            // RFC 1939 §7, RFC 5034 §4, RFC 2595 §4: only in AUTHORIZATION.
            return bad("already authenticated");
        }
        if (fault(SessionFault::unknown_command_ok)) return ok();
        return bad("unknown command");
    }

    // Test-only (SessionFault::overlong_line_split): a fixed 255-octet read buffer runs an over-long line as two
    // commands, the overflow being the second (requirements D6: loss of sync).
    void split_overlong(const pop3::FramedLine& line) {
        const std::size_t first = cfg().max_command_line - 2;
        pop3::FramedLine head;
        head.text = line.text.substr(0, first);
        head.wire_octets = head.text.size() + 2;
        pop3::FramedLine tail;
        tail.text = line.text.substr(std::min(first, line.text.size()));
        tail.wire_octets = std::min<std::uint64_t>(tail.text.size() + 2, cfg().max_command_line);
        tail.text.resize(std::min(tail.text.size(), first));
        command(head);
        if (!tail.text.empty()) command(tail);
    }

    static bool is_transaction_command(std::string_view k) {
        return k == "STAT" || k == "LIST" || k == "RETR" || k == "DELE" || k == "NOOP" || k == "RSET" || k == "TOP" ||
               k == "UIDL";
    }

    static bool no_args(const pop3::Command& cmd) { return cmd.args.empty() && cmd.rest.empty(); }

    void log_command(const pop3::Command& cmd) const {
        if (!cfg().log) return;
        // Secrets never reach a log: PASS, APOP's digest and AUTH's response are redacted.
        if (cmd.keyword == "PASS") return log("C: PASS <redacted>");
        if (cmd.keyword == "APOP") {
            return log("C: APOP " + (cmd.args.empty() ? std::string() : cmd.args.front()) + " <redacted>");
        }
        if (cmd.keyword == "AUTH" && cmd.args.size() > 1) return log("C: AUTH " + cmd.args.front() + " <redacted>");
        // Only the arguments of commands known to carry no secret are logged: a password typed after a mistyped
        // keyword ("PAS secret", "PASS" sent in the wrong state as "pass  secret") must not reach the log either.
        static constexpr std::string_view public_arguments[] = {
            "USER", "LIST", "RETR", "DELE", "TOP",  "UIDL", "STAT",
            "NOOP", "RSET", "QUIT", "CAPA", "STLS", "AUTH" /* only the mechanism is left */};
        const bool is_public = std::find(std::begin(public_arguments), std::end(public_arguments), cmd.keyword) !=
                               std::end(public_arguments);
        if (cmd.rest.empty() || is_public) {
            log("C: " + cmd.keyword + (cmd.rest.empty() ? std::string() : " " + cmd.rest));
        } else {
            log("C: " + cmd.keyword + " <" + std::to_string(cmd.rest.size()) + " octets of arguments redacted>");
        }
    }

    // RFC 2449 §5 CAPA, valid in both states; lists exactly what works in the current state.
    void capa(const pop3::Command& cmd) {
        if (!no_args(cmd)) return bad("CAPA takes no arguments");
        ok("Capability list follows");
        stream = Stream::capa;
    }

    bool plaintext_ok() const { return tls || cfg().allow_plaintext_auth; }

    std::string capa_body() const {
        std::string body;
        const auto line = [&](std::string_view l) {
            body.append(l.substr(0, max_reply_line - 2));
            body.append("\r\n");
        };
        line("TOP");
        line("UIDL");
        line("RESP-CODES");
        line("AUTH-RESP-CODE");
        line("PIPELINING");
        // RFC 2449 §5, §6.3, §6.8: USER and SASL are announced in both states, identically (they describe
        // AUTHORIZATION, and the plaintext policy cannot change after login).
        if (plaintext_ok()) {
            line("USER");
            line("SASL PLAIN");
        }
        // RFC 2595 §4 (and its §8 registration): STLS is announced in AUTHORIZATION only, while TLS is not active.
        if (state == SessionState::authorization && cfg().tls_available && !tls) {
            line("STLS");
        } else if (fault(SessionFault::capa_stls_always) && cfg().tls_available) {
            line("STLS");
        }
        if (!cfg().expire.empty()) line("EXPIRE " + cfg().expire);
        if (cfg().login_delay.count() > 0) line("LOGIN-DELAY " + std::to_string(cfg().login_delay.count()));
        // RFC 2449 §6.9: IMPLEMENTATION SHOULD NOT be given before login (it helps attackers).
        if (state == SessionState::transaction && !cfg().implementation.empty()) {
            line("IMPLEMENTATION " + cfg().implementation);
        }
        body.append(".\r\n");
        return body;
    }

    void quit(const pop3::Command& cmd) {
        if (!no_args(cmd)) return bad("QUIT takes no arguments");
        if (state == SessionState::transaction) {
            // RFC 1939 §6: QUIT from TRANSACTION enters UPDATE and removes the messages marked deleted.
            state = SessionState::update;
            std::size_t removed = 0;
            std::error_code ec = apply_deletions(removed);
            if (ec) {
                log("update failed: " + ec.message());
                // RFC 1939 §6 and RFC 3206 §4: the deletions could not all be applied; the client may retry later.
                err("[SYS/TEMP] some deleted messages not removed");
            } else {
                ok("bye (" + std::to_string(removed) + " messages deleted)");
            }
        } else if (fault(SessionFault::quit_authorization_update)) {
            // The mutant runs UPDATE with no maildrop open, and reports its failure.
            err("[SYS/TEMP] some deleted messages not removed");
        } else {
            // RFC 1939 §4: QUIT in AUTHORIZATION closes without UPDATE.
            ok("bye");
        }
        close_after_flush();
    }

    // RFC 1939 §6 UPDATE: removes the messages marked deleted, atomically (the store's commit).
    std::error_code apply_deletions(std::size_t& removed) {
        std::vector<std::size_t> numbers;
        numbers.reserve(deleted_count);
        for (std::size_t i = 0; i < deleted.size(); ++i) {
            if (deleted[i]) numbers.push_back(i + 1);
        }
        removed = numbers.size();
        return numbers.empty() || !maildrop ? std::error_code() : maildrop->commit(numbers);
    }

    void user_command(const pop3::Command& cmd) {
        if (!plaintext_ok()) return bad("plaintext login not allowed without TLS, use STLS");
        if (cmd.args.size() != 1) return bad("USER takes one argument");
        if (fault(SessionFault::auth_code_on_user) && !cfg().users.contains(cmd.args.front())) {
            return err("[AUTH] no such user");
        }
        pending_user = cmd.args.front();
        user_accepted = true;
        // RFC 1939 §7 and §13: +OK whether or not the mailbox exists, so USER reveals nothing; never [AUTH] here
        // (RFC 3206 §6).
        ok("send PASS");
    }

    void pass_command(const pop3::Command& cmd, bool after_user) {
        if (!plaintext_ok()) return bad("plaintext login not allowed without TLS, use STLS");
        // RFC 1939 §7: PASS only immediately after a successful USER.
        if (!after_user && !fault(SessionFault::pass_without_user)) return bad("PASS must follow a successful USER");
        // RFC 1939 §7: the password is the rest of the line (it may contain spaces).
        if (cmd.rest.empty()) return bad("PASS takes one argument");
        const std::string name = pending_user;
        const auto it = cfg().users.find(name);
        const bool good = it != cfg().users.end() &&
                          (fault(SessionFault::any_password_accepted) || pop3::secure_equals(cmd.rest, it->second));
        if (!good) return auth_failed();
        login(name);
    }

    void apop_command(const pop3::Command& cmd) {
        if (!cfg().apop_enabled || apop_timestamp.empty()) return bad("APOP not available");
        // RFC 2595 §4 (R2595-STLS-8): "no cleartext login" covers APOP too.
        if (!plaintext_ok()) return bad("login not allowed without TLS, use STLS");
        if (cmd.args.size() != 2) return bad("APOP takes a name and a digest");
        const std::string& name = cmd.args[0];
        const std::string& digest = cmd.args[1];
        if (!pop3::is_apop_digest_syntax(digest)) return auth_failed();
        const auto it = cfg().users.find(name);
        if (it == cfg().users.end()) return auth_failed();
        const std::string expected = pop3::apop_digest(apop_timestamp, it->second);
        if (expected.empty()) {
            err("[SYS/TEMP] digest unavailable");
            return;
        }
        if (!pop3::secure_equals(digest, expected) && !fault(SessionFault::apop_any_digest)) return auth_failed();
        login(name);
    }

    void auth_command(const pop3::Command& cmd) {
        // RFC 5034 §4: AUTH mechanism [initial-response]. A bare AUTH is not defined there (D19): -ERR.
        if (cmd.args.empty() || cmd.args.size() > 2) return bad("AUTH takes a mechanism and an optional response");
        std::string mechanism = cmd.args[0];
        std::transform(mechanism.begin(), mechanism.end(), mechanism.begin(),
                       [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; });
        if (mechanism != "PLAIN") return bad("unsupported SASL mechanism");
        // RFC 5034 §6 / RFC 2595 §6: PLAIN exposes the password, so it follows the plaintext policy.
        if (!plaintext_ok()) return bad("PLAIN not allowed without TLS, use STLS");
        if (cmd.args.size() == 2) {
            sasl_plain(cmd.args[1]);
            return;
        }
        // RFC 5034 §4: an empty challenge is "+" followed by exactly one space.
        reply_line("+ ");
        sasl_continuation = true;
    }

    void sasl_response(const pop3::FramedLine& line) {
        sasl_continuation = false;
        if (line.error || line.wire_octets > cfg().max_auth_line) {
            log("C: <SASL response too long>");
            return bad("SASL response too long");
        }
        log("C: <SASL response redacted>");
        // RFC 5034 §4: "*" cancels the exchange, and the server answers -ERR.
        if (line.text == "*") {
            if (fault(SessionFault::auth_cancel_ignored)) {
                reply_line("+ ");
                sasl_continuation = true;
                return;
            }
            err("authentication cancelled");
            return;
        }
        sasl_plain(line.text);
    }

    // RFC 4616 §2 and RFC 5034 §4: "=" is an empty response; bad base64 or a malformed message fails.
    void sasl_plain(std::string_view response) {
        const std::string_view text = response == "=" ? std::string_view() : response;
        pop3::Result<pop3::SaslPlainCredentials> credentials = pop3::sasl_plain_decode(text);
        if (!credentials) {
            if (credentials.error() == pop3::SaslPlainError::bad_base64) return bad("invalid base64");
            return auth_failed();
        }
        // RFC 4616 §2: we act for no one else, so the authorization identity must be empty or the user itself.
        if (!credentials->authzid.empty() && credentials->authzid != credentials->authcid) return auth_failed();
        const auto it = cfg().users.find(credentials->authcid);
        if (it == cfg().users.end() || !pop3::secure_equals(credentials->password, it->second)) return auth_failed();
        login(credentials->authcid);
    }

    void stls_command(const pop3::Command& cmd) {
        if (!no_args(cmd)) return bad("STLS takes no arguments");
        if (tls) return bad("TLS already active");
        if (!cfg().tls_available) return bad("TLS not available");
        ok("begin TLS negotiation");
        // RFC 2595 §4 (and CVE-2011-0411): whatever the client pipelined after STLS in plaintext is thrown away,
        // never executed after the handshake.
        if (!fault(SessionFault::stls_injection)) discard_input();
        pending_user.clear();
        after_flush = AfterFlush::start_tls;
    }

    void discard_input() {
        framer.discard_buffered();
        std::string().swap(input);
        input_pos = 0;
    }

    // RFC 3206 §6: [AUTH] on every failure caused by the credentials themselves.
    void auth_failed() {
        ++failed_auths;
        err(fault(SessionFault::no_auth_code) ? "authentication failed" : "[AUTH] authentication failed");
        if (cfg().max_failed_auths != 0 && failed_auths >= cfg().max_failed_auths) {
            close_after_flush();  // RFC 1939 §4 permits closing after a failed authentication
        } else if (cfg().failed_auth_delay.count() > 0) {
            after_flush = AfterFlush::wait;
        }
    }

    // Credentials are good: take the maildrop lock (RFC 1939 §4) and enter TRANSACTION.
    void login(const std::string& name) {
        std::error_code ec;
        std::unique_ptr<Maildrop> drop = store->lock(name, ec);
        if (!drop) {
            log("lock " + name + ": " + ec.message());
            if (ec == StoreErrc::in_use) {
                if (fault(SessionFault::in_use_without_code)) return err("maildrop already locked");
                return err("[IN-USE] maildrop already locked");
            }
            if (ec == StoreErrc::permanent) return err("[SYS/PERM] maildrop unavailable");
            return err("[SYS/TEMP] maildrop unavailable, try later");
        }
        if (cfg().login_delay.count() > 0 && cfg().login_history &&
            !cfg().login_history->try_login(name, cfg().clock(), cfg().login_delay)) {
            // RFC 2449 §8.1.2: too soon after the last login.
            return err("[LOGIN-DELAY] wait before logging in again");
        }
        maildrop = std::move(drop);
        user = name;
        deleted.assign(maildrop->messages().size(), false);
        total_octets = 0;
        for (const auto& m : maildrop->messages())
            total_octets += m.size;
        if (fault(SessionFault::sizes_with_lf)) count_lf_sizes();
        if (fault(SessionFault::uidl_unstable)) uid_epoch = ++global_counter;
        deleted_count = 0;
        deleted_octets = 0;
        state = SessionState::transaction;
        pending_user.clear();
        log("login " + name);
        ok("maildrop has " + std::to_string(live_count()) + " messages (" + std::to_string(live_octets()) + " octets)");
    }

    // ---- TRANSACTION ---------------------------------------------------------------------------------------------

    const std::vector<MessageInfo>& messages() const { return maildrop->messages(); }
    std::size_t live_count() const { return messages().size() - deleted_count; }
    std::uint64_t live_octets() const { return total_octets - deleted_octets; }

    // The size LIST, STAT and RETR report for message index i (RFC 1939 §5: octets as sent, CRLF counted).
    std::uint64_t size_of(std::size_t i) const {
        if (fault(SessionFault::sizes_with_lf)) return lf_sizes[i];
        return messages()[i].size;
    }

    // The unique-id UIDL reports for message index i (RFC 1939 §7).
    std::string uid_of(std::size_t i) const {
        const std::string& uid = messages()[i].uid;
        if (faults == 0) return uid;
        if (fault(SessionFault::uidl_unstable)) return uid.substr(0, 40) + "-" + std::to_string(uid_epoch);
        if (fault(SessionFault::uidl_duplicate)) return uid.substr(0, uid.find('.'));
        if (fault(SessionFault::uidl_forbidden_chars)) return uid.substr(0, 40) + "\xC3\xBC";
        if (fault(SessionFault::uidl_too_long)) return uid + "-" + std::string(71, 'x');
        return uid;
    }

    // Test-only (SessionFault::sizes_with_lf): each message's size with LF line ends, as stored on many Unix servers.
    void count_lf_sizes() {
        lf_sizes.assign(messages().size(), 0);
        std::vector<char> buffer(64 * 1024);
        for (std::size_t i = 0; i < messages().size(); ++i) {
            std::uint64_t line_ends = 0;
            std::error_code ec;
            if (auto r = maildrop->open(i + 1, ec)) {
                while (const std::size_t got = r->read(std::span<char>(buffer.data(), buffer.size()), ec)) {
                    line_ends += static_cast<std::uint64_t>(std::count(buffer.begin(), buffer.begin() + got, '\n'));
                }
            }
            lf_sizes[i] = messages()[i].size - std::min(line_ends, messages()[i].size);
        }
        total_octets = 0;
        for (const std::uint64_t size : lf_sizes)
            total_octets += size;
    }

    // RFC 1939 §5: a message number names an existing message not marked deleted; anything else is -ERR.
    // `for_dele`: the caller is DELE (only its own mutant lets a deleted message through).
    std::optional<std::size_t> message_number(std::string_view arg, bool for_dele = false) {
        auto n = parse_decimal(arg);
        if (faults != 0) n = faulty_number(arg, n);
        if (!n || *n == 0 || *n > messages().size()) {
            bad("no such message");
            return std::nullopt;
        }
        if (deleted[*n - 1] &&
            !fault(for_dele ? SessionFault::dele_twice_accepted : SessionFault::deleted_still_served)) {
            bad("message already deleted");
            return std::nullopt;
        }
        return static_cast<std::size_t>(*n);
    }

    // Test-only: the message-number mutants (requirements D3 and D1).
    std::optional<std::uint64_t> faulty_number(std::string_view arg, std::optional<std::uint64_t> n) const {
        if (fault(SessionFault::number_atoi)) n = atoi_number(arg);
        if (fault(SessionFault::number_wraps_32bit) && n) n = *n & 0xFFFFFFFFULL;
        if (fault(SessionFault::number_zero_is_first) && n == 0ULL) n = 1;
        if (fault(SessionFault::numbers_off_by_one) && n) n = *n + 1;
        if (fault(SessionFault::renumber_after_dele) && n && *n > 0) {
            // The n-th message not marked deleted, as if DELE had removed the message from the list.
            std::uint64_t seen = 0;
            for (std::size_t i = 0; i < deleted.size(); ++i) {
                if (!deleted[i] && ++seen == *n) return i + 1;
            }
            return messages().size() + 1;
        }
        return n;
    }

    void stat_command(const pop3::Command& cmd) {
        if (!no_args(cmd)) return bad("STAT takes no arguments");
        if (fault(SessionFault::stat_counts_deleted)) {
            std::uint64_t all = 0;
            for (std::size_t i = 0; i < messages().size(); ++i)
                all += size_of(i);
            return ok(std::to_string(messages().size()) + " " + std::to_string(all));
        }
        // RFC 1939 §5: deleted messages are not counted.
        ok(std::to_string(live_count()) + " " + std::to_string(live_octets()));
    }

    void list_command(const pop3::Command& cmd, Stream kind) {
        if (cmd.args.size() > 1) return bad("too many arguments");
        if (cmd.args.size() == 1 && kind == Stream::list && fault(SessionFault::list_n_multiline)) {
            // The mutant ignores the argument: it answers with the whole listing.
        } else if (cmd.args.size() == 1) {
            const auto n = message_number(cmd.args[0]);
            if (!n) return;
            if (kind == Stream::uidl && fault(SessionFault::uidl_n_without_number)) return ok(uid_of(*n - 1));
            ok(std::to_string(*n) + " " + (kind == Stream::list ? std::to_string(size_of(*n - 1)) : uid_of(*n - 1)));
            return;
        }
        if (kind == Stream::list) {
            ok(std::to_string(live_count()) + " messages (" + std::to_string(live_octets()) + " octets)");
        } else {
            ok("unique-id listing follows");
        }
        stream = kind;
        list_cursor = 0;
    }

    std::optional<std::size_t> servable(std::string_view arg) {
        const auto n = message_number(arg);
        if (!n) return std::nullopt;
        if (cfg().max_message_size != 0 && messages()[*n - 1].size > cfg().max_message_size) {
            err("[SYS/PERM] message too large to serve");
            return std::nullopt;
        }
        return n;
    }

    bool open_message(std::size_t n) {
        std::error_code ec;
        reader = maildrop->open(n, ec);
        if (!reader) {
            log("open message " + std::to_string(n) + ": " + ec.message());
            err(ec == StoreErrc::permanent ? "[SYS/PERM] message unavailable" : "[SYS/TEMP] message unavailable");
            return false;
        }
        stuffer = pop3::DotStuffer();
        raw_line_start = true;
        last_body_octet = '\n';
        // A small message gets a small buffer: stored octets never exceed the size as sent, so size + 1 reads it
        // whole and the next read reports the end.
        chunk_size = static_cast<std::size_t>(
            std::min<std::uint64_t>(std::max<std::size_t>(cfg().stream_chunk, 512), messages()[n - 1].size + 1));
        chunk = std::make_unique_for_overwrite<char[]>(chunk_size);
        return true;
    }

    void retr_command(const pop3::Command& cmd) {
        if (cmd.args.size() != 1) return bad("RETR takes one argument");
        const auto n = servable(cmd.args[0]);
        if (!n || !open_message(*n)) return;
        top.reset();
        ok(std::to_string(size_of(*n - 1)) + " octets");
        stream = Stream::message;
    }

    void top_command(const pop3::Command& cmd) {
        if (fault(SessionFault::top_advertised_missing)) return bad("TOP not implemented");
        if (cmd.args.size() != 2) return bad("TOP takes a message number and a line count");
        // RFC 1939 §7: the line count is a non-negative number; a count too large for 64 bits means "all".
        const std::string& lines = cmd.args[1];
        if (lines.empty() || !std::all_of(lines.begin(), lines.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return bad("invalid line count");
        }
        std::uint64_t k = parse_decimal(lines).value_or(UINT64_MAX);
        if (fault(SessionFault::top_zero_sends_body) && k == 0) k = UINT64_MAX;
        if (fault(SessionFault::top_counts_separator) && k > 0) --k;
        const auto n = servable(cmd.args[0]);
        if (!n || !open_message(*n)) return;
        top.emplace(k);
        ok("top of message follows");
        stream = Stream::message;
    }

    void dele_command(const pop3::Command& cmd) {
        if (cmd.args.size() != 1) return bad("DELE takes one argument");
        const auto n = message_number(cmd.args[0], true);
        if (!n) return;
        deleted[*n - 1] = true;
        ++deleted_count;
        deleted_octets += size_of(*n - 1);
        ok("message " + std::to_string(*n) + " deleted");
    }

    void rset_command(const pop3::Command& cmd) {
        if (!no_args(cmd)) return bad("RSET takes no arguments");
        if (fault(SessionFault::rset_keeps_deletions)) return ok("maildrop reset");
        std::fill(deleted.begin(), deleted.end(), false);
        if (fault(SessionFault::rset_keeps_counters)) return ok("maildrop reset");
        deleted_count = 0;
        deleted_octets = 0;
        ok("maildrop has " + std::to_string(live_count()) + " messages (" + std::to_string(live_octets()) + " octets)");
    }

    // ---- streaming multi-line bodies -----------------------------------------------------------------------------

    void refill() {
        switch (stream) {
            case Stream::none:
                return;
            case Stream::capa:
                out += capa_body();
                stream = Stream::none;
                return;
            case Stream::list:
            case Stream::uidl:
                refill_listing();
                return;
            case Stream::message:
                refill_message();
                return;
        }
    }

    // Scan listings are produced a chunk at a time too: 100,000 messages never become one 2 MB string.
    void refill_listing() {
        const auto& list = messages();
        while (list_cursor < list.size() && out.size() < cfg().stream_chunk) {
            const std::size_t i = list_cursor++;
            // RFC 1939 §5: deleted messages are not listed
            if (deleted[i] &&
                !fault(stream == Stream::list ? SessionFault::list_shows_deleted : SessionFault::uidl_shows_deleted)) {
                continue;
            }
            out += std::to_string(i + 1);
            out += ' ';
            out += stream == Stream::list ? std::to_string(size_of(i)) : uid_of(i);
            out += "\r\n";
        }
        if (list_cursor >= list.size()) {
            if (!(fault(SessionFault::empty_listing_unterminated) && live_count() == 0)) out += ".\r\n";
            stream = Stream::none;
            if (fault(SessionFault::pipelined_reordered) && !held_reply.empty()) {
                out += held_reply;
                held_reply.clear();
            }
        }
    }

    void refill_message() {
        std::error_code ec;
        const std::size_t got = reader->read(std::span<char>(chunk.get(), chunk_size), ec);
        if (ec) {
            // Mid-body there is no way to send -ERR: cut the connection so the client sees a missing terminator
            // rather than a short message it could take for the whole.
            log("read failed: " + ec.message());
            stream = Stream::none;
            reader.reset();
            chunk.reset();
            discard_input();
            close_after_flush();
            return;
        }
        std::string_view data(chunk.get(), got);
        bool finished = got == 0;
        if (top) {
            data = data.substr(0, top->accept(data));
            finished = finished || top->done();
        }
        const std::size_t body_start = out.size();
        stuffer.encode(data, out);
        if (faults != 0) mutate_body(body_start, data);
        if (finished) {
            if (fault(SessionFault::no_final_crlf) && last_body_octet != '\n') {
                out += ".\r\n";  // the terminator glued to the last line: the client never sees it
                stuffer = pop3::DotStuffer();
            } else {
                stuffer.finish(out);  // RFC 1939 §3: CRLF if missing, then ".CRLF"
            }
            reader.reset();
            chunk.reset();
            top.reset();
            stream = Stream::none;
            if (fault(SessionFault::pipelined_reordered) && !held_reply.empty()) {
                out += held_reply;
                held_reply.clear();
            }
        }
    }

    // Test-only: the body mutants rewrite what the stuffer appended from out[start].
    void mutate_body(std::size_t start, std::string_view data) {
        if (!data.empty()) last_body_octet = data.back();
        if (fault(SessionFault::no_byte_stuffing) || (top && fault(SessionFault::no_byte_stuffing_top))) {
            // Undo the stuffing: the stuffer doubled every "." at a line start, in the same call.
            std::string plain;
            plain.reserve(out.size() - start);
            bool at_start = raw_line_start;
            for (std::size_t i = start; i < out.size(); ++i) {
                if (at_start && out[i] == '.' && i + 1 < out.size() && out[i + 1] == '.') ++i;
                plain += out[i];
                at_start = out[i] == '\n';
            }
            raw_line_start = at_start;
            out.resize(start);
            out += plain;
        }
        if (fault(SessionFault::eight_bit_stripped)) {
            for (std::size_t i = start; i < out.size(); ++i)
                out[i] = static_cast<char>(static_cast<unsigned char>(out[i]) & 0x7F);
        }
    }
};

Session::Session(std::shared_ptr<const SessionConfig> config, Store& store, SessionOptions options)
    : impl_(std::make_unique<Impl>(std::move(config), store, options)) {}

Session::~Session() = default;

void Session::start() {
    impl_->start();
}

std::size_t Session::feed(std::string_view bytes) {
    auto& s = *impl_;
    if (s.after_flush == Impl::AfterFlush::start_tls || s.after_flush == Impl::AfterFlush::close ||
        s.state == SessionState::closed) {
        return bytes.size();  // RFC 2595 §4: plaintext after STLS is discarded; after close, nothing matters
    }
    // One compaction per feed (not per framed line) keeps pipelined input linear in its size.
    if (s.input_pos > 0) {
        s.input.erase(0, s.input_pos);
        s.input_pos = 0;
    }
    const std::size_t room = s.input.size() >= input_capacity ? 0 : input_capacity - s.input.size();
    const std::size_t n = std::min(room, bytes.size());
    s.input.append(bytes.substr(0, n));
    return n;
}

Session::Next Session::next() {
    return impl_->next();
}

std::string_view Session::pending_output() {
    return std::string_view(impl_->out).substr(impl_->out_pos);
}

void Session::consume_output(std::size_t n) {
    auto& s = *impl_;
    s.out_pos = std::min(s.out.size(), s.out_pos + n);
    if (s.out_pos == s.out.size()) {
        s.out.clear();
        s.out_pos = 0;
        // Idle sessions keep little memory: a buffer grown by a streamed body is given back.
        if (s.stream == Impl::Stream::none && s.out.capacity() > 4096) std::string().swap(s.out);
    }
}

void Session::resume() {
    if (impl_->after_flush == Impl::AfterFlush::wait) impl_->after_flush = Impl::AfterFlush::none;
}

void Session::tls_started() {
    auto& s = *impl_;
    s.tls = true;
    if (!s.fault(SessionFault::stls_injection)) s.discard_input();
    if (s.after_flush == Impl::AfterFlush::start_tls) s.after_flush = Impl::AfterFlush::none;
    s.log("TLS started");
}

void Session::timed_out() {
    auto& s = *impl_;
    // RFC 1939 §3: autologout closes without UPDATE and (here) without a reply.
    s.log("autologout");
    if (s.fault(SessionFault::update_on_autologout) && s.state == SessionState::transaction) {
        std::size_t removed = 0;
        (void)s.apply_deletions(removed);
    }
    s.out.clear();
    s.out_pos = 0;
    s.stream = Impl::Stream::none;
    s.close_after_flush();
    s.state = SessionState::closed;
}

void Session::disconnected() {
    auto& s = *impl_;
    s.log("disconnected");
    if (s.fault(SessionFault::update_on_disconnect) && s.state == SessionState::transaction) {
        std::size_t removed = 0;
        (void)s.apply_deletions(removed);
    }
    if (s.fault(SessionFault::lock_kept_after_disconnect) && s.maildrop) {
        s.reader.reset();
        leak_maildrop(std::move(s.maildrop));
    }
    s.out.clear();
    s.out_pos = 0;
    s.stream = Impl::Stream::none;
    s.close_after_flush();
    s.state = SessionState::closed;
}

std::chrono::milliseconds Session::idle_timeout() const noexcept {
    return impl_->state == SessionState::transaction ? impl_->config->transaction_timeout
                                                     : impl_->config->authorization_timeout;
}

std::chrono::milliseconds Session::wait_duration() const noexcept {
    return impl_->config->failed_auth_delay;
}

SessionState Session::state() const noexcept {
    return impl_->state;
}

const std::string& Session::user() const noexcept {
    return impl_->user;
}

bool Session::tls_active() const noexcept {
    return impl_->tls;
}

std::size_t Session::max_input_buffer() const noexcept {
    return input_capacity;
}

}  // namespace pop3::server

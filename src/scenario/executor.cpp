#include "scenario/executor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <asio/error.hpp>
#include <asio/ssl/error.hpp>
#include <deque>
#include <map>
#include <thread>

#include "pop3/apop.hpp"
#include "pop3/sasl_plain.hpp"
#include "scenario/expression.hpp"
#include "scenario/matcher.hpp"

namespace pop3::scenario {

namespace client = pop3::client;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

std::string upper(std::string_view s) {
    std::string o;
    for (char c : s)
        o += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return o;
}

bool has_arguments(const pop3::Capability& c, const std::vector<std::string>& args) {
    for (const auto& a : args) {
        bool found = std::any_of(c.arguments.begin(), c.arguments.end(),
                                 [&](const std::string& have) { return upper(have) == upper(a); });
        if (!found) return false;
    }
    return true;
}

}  // namespace

bool ServerFacts::advertises(std::string_view tag_and_args) const {
    std::vector<std::string> words;
    std::string_view rest = tag_and_args;
    while (!rest.empty()) {
        auto sp = rest.find(' ');
        words.emplace_back(rest.substr(0, sp));
        rest.remove_prefix(sp == std::string_view::npos ? rest.size() : sp + 1);
    }
    if (words.empty()) return false;
    // `needs: [CAPA]`: the server implements CAPA itself (RFC 2449 §5: -ERR means it does not); CAPA is no tag.
    if (words.size() == 1 && upper(words[0]) == "CAPA") return capa_ok;
    std::vector<std::string> args(words.begin() + 1, words.end());
    for (const auto* caps : {&capabilities, &capabilities_after_login})
        for (const auto& c : caps->entries())
            if (upper(c.tag) == upper(words[0]) && has_arguments(c, args)) return true;
    return false;
}

pop3::ReplyKind reply_kind_for(std::string_view line) {
    auto sp = line.find(' ');
    auto keyword = upper(line.substr(0, sp));
    bool args = sp != std::string_view::npos && line.find_first_not_of(' ', sp) != std::string_view::npos;
    // RFC 1939 §5/§7: RETR and TOP are multi-line; LIST and UIDL only without an argument. RFC 2449 §5: CAPA.
    // RFC 6856 §3: LANG without an argument. RFC 5034 §4: AUTH may answer with continuations.
    if (keyword == "RETR" || keyword == "TOP" || keyword == "CAPA") return pop3::ReplyKind::multi_line_if_ok;
    if ((keyword == "LIST" || keyword == "UIDL" || keyword == "LANG") && !args)
        return pop3::ReplyKind::multi_line_if_ok;
    if (keyword == "AUTH") return pop3::ReplyKind::sasl;
    return pop3::ReplyKind::single_line;
}

std::optional<std::string> skip_reason(const Scenario& s, const ExecutionConfig& config) {
    const ServerFacts empty_facts;
    const ServerFacts& f = config.facts ? *config.facts : empty_facts;
    for (const auto& cap : s.needs.capabilities)
        if (!f.advertises(cap))
            return f.capa_ok ? fmt::format("{} is not advertised in CAPA", cap)
                             : fmt::format("needs {}, but the server has no CAPA (RFC 2449) to advertise it", cap);
    for (const auto& cap : s.needs.not_capabilities)
        if (f.advertises(cap)) return fmt::format("only for servers that do not advertise {}", cap);
    if (s.needs.apop && !f.apop_timestamp) return std::string("no APOP timestamp in the greeting (APOP not offered)");
    if (s.needs.destructive && !config.can_seed)
        return std::string("destructive: never run without seeding (--seed-maildir, --seed-mbox or --seed-cmd)");
    if (s.needs.seeded && !config.seeded)
        return std::string(
            "needs the fixture messages in the maildrop (seed with --seed-maildir, --seed-mbox or "
            "--seed-cmd)");
    if (s.needs.second_account && !config.accounts.secondary)
        return std::string("needs a second account (--user2/--pass2)");
    if (s.needs.empty_account && !config.accounts.empty)
        return std::string("needs an account with an empty maildrop (--empty-user/--empty-pass)");
    bool implicit = config.tls == client::TlsMode::implicit;
    if (s.needs.starttls) {
        if (implicit) return std::string("needs STLS on a plaintext port; the run uses implicit TLS");
        if (!f.advertises("STLS")) return std::string("STLS is not advertised in CAPA");
    }
    if (s.needs.implicit_tls && !implicit && !config.implicit_endpoint)
        return std::string("needs the implicit TLS port (--tls implicit or --implicit-target)");
    if (s.needs.plaintext && config.tls != client::TlsMode::none)
        return std::string("needs a plaintext session (--tls none)");
    for (const auto& st : s.steps) {
        if ((st.kind == StepKind::connect || st.kind == StepKind::reconnect) && st.tls != TlsMode::target_default) {
            if (st.tls == TlsMode::implicit && !implicit && !config.implicit_endpoint)
                return std::string("needs the implicit TLS port (--implicit-target)");
            if (st.tls != TlsMode::implicit && implicit) return std::string("needs a plaintext port");
            if (st.tls == TlsMode::starttls && !f.advertises("STLS")) return std::string("STLS is not advertised");
        }
        if (st.kind == StepKind::login || st.kind == StepKind::reconnect) {
            if (st.account == Account::secondary && !config.accounts.secondary)
                return std::string("needs a second account (--user2/--pass2)");
            if (st.account == Account::empty && !config.accounts.empty)
                return std::string("needs an account with an empty maildrop");
            if (st.mech == LoginMech::apop && !f.apop_timestamp) return std::string("APOP is not offered");
            if ((st.mech == LoginMech::auth_plain || st.mech == LoginMech::auth_plain_continuation) &&
                !f.advertises("SASL PLAIN"))
                return std::string("SASL PLAIN is not advertised in CAPA");
        }
    }
    return std::nullopt;
}

namespace {

struct Pending {
    pop3::ReplyKind kind = pop3::ReplyKind::single_line;
    ReplyOrigin origin;
};

struct Session {
    std::optional<client::Connection> conn;
    std::uint32_t number = 0;
    std::deque<Pending> pending;
    std::optional<std::string> timestamp;
    TlsMode tls = TlsMode::target_default;
    LoginMech mech = LoginMech::target_default;
    Account account = Account::primary;
    bool in_sasl = false;            // the last reply was a continuation: the next line answers it (RFC 5034 §4)
    bool greeted = false;            // connected and greeted once: a missing conn afterwards means the server closed it
    bool logged_in = false;          // a login was accepted: the session may hold the maildrop lock (RFC 1939 §8)
    Clock::time_point sent_at = {};  // end of the last write, for `capture: {t: latency}`
};

enum class StepStatus { ok, failed, error };

struct StepOutcome {
    StepStatus status = StepStatus::ok;
    std::string expected;
    std::string received;
    std::string message;         // used instead of expected/received when set
    bool stop = false;           // the session is out of sync: the scenario cannot go on
    bool end = false;            // with status ok: the scenario ends here with its verdict so far (notes say why)
    bool skip = false;           // with end: the scenario is skipped, `message` says why
    bool peer_closed = false;    // failed because the server had closed the connection (nothing of a reply came)
    std::optional<Level> level;  // overrides the step's level (e.g. a broken implicit login is a MUST)

    static StepOutcome fail(std::string expected, std::string received, bool stop = false) {
        StepOutcome o;
        o.status = StepStatus::failed;
        o.expected = std::move(expected);
        o.received = std::move(received);
        o.stop = stop;
        return o;
    }
    static StepOutcome error(std::string message) {
        StepOutcome o;
        o.status = StepStatus::error;
        o.message = std::move(message);
        o.stop = true;
        return o;
    }
};

// A step's bound covers the whole reply and the silence before it: a step that allows 25 s for a reply must not be
// cut short by the inactivity limit of the connect step that opened the session.
client::ReadOptions read_options(milliseconds timeout) {
    client::ReadOptions o;
    o.timeout = timeout;
    o.inactivity_timeout = timeout;
    return o;
}

const char* step_name(StepKind k) {
    switch (k) {
        case StepKind::connect:
            return "connect";
        case StepKind::login:
            return "login";
        case StepKind::command:
            return "cmd";
        case StepKind::send:
            return "send";
        case StepKind::raw:
            return "raw";
        case StepKind::expect:
            return "expect";
        case StepKind::check:
            return "check";
        case StepKind::disconnect:
            return "disconnect";
        case StepKind::quit:
            return "quit";
        case StepKind::reconnect:
            return "reconnect";
        case StepKind::tls:
            return "tls";
        case StepKind::sleep:
            return "sleep";
    }
    return "step";
}

class Run {
  public:
    Run(const Scenario& s, const ExecutionConfig& c) : s_(s), c_(c) {
        static const ServerFacts no_facts;
        facts_ = c.facts ? c.facts : &no_facts;
        started_ = Clock::now();
        deadline_ = std::min(c.deadline, started_ + c.scenario_timeout);
        for (const auto* a : {&c.accounts.primary, &c.accounts.secondary, &c.accounts.empty}) {
            if (!*a) continue;
            // RFC 1939 §13 and the brief: passwords never reach a transcript, nor their PLAIN encoding.
            add_secret((*a)->pass);
            add_secret(pop3::sasl_plain_encode({"", (*a)->user, (*a)->pass}));
        }
    }

    ScenarioResult go() {
        ScenarioResult r;
        r.id = s_.id;
        r.title = s_.title;
        r.file = s_.file;
        r.refs = s_.refs;
        r.tags = s_.tags;
        r.level = std::string(to_string(s_.level));
        if (auto why = skip_reason(s_, c_)) {
            r.outcome = Outcome::skip;
            r.reason = *why;
            return r;
        }
        for (std::size_t i = 0; i < s_.steps.size(); ++i) {
            const Step& st = s_.steps[i];
            int number = static_cast<int>(i) + 1;
            StepOutcome o;
            if (left() <= milliseconds(0)) {
                o = StepOutcome::error(
                    c_.deadline <= started_ + c_.scenario_timeout
                        ? "the run's global deadline passed"
                        : fmt::format("the scenario's time limit ({} ms) ran out", c_.scenario_timeout.count()));
            } else if (st.if_open && !open(st.session)) {
                // RFC 1939 §7: a server MAY close after a failed PASS/APOP; steps for the still-open case skip.
                notes_.push_back(fmt::format("step {} `{}` (line {}) not run: the server had closed the session",
                                             number, st.describe, st.where.line));
                continue;
            } else {
                o = run_step(st);
                if (st.if_open && o.status != StepStatus::ok && o.peer_closed) {
                    // The server closed after its last reply (e.g. -ERR to PASS, then close): as if_open says.
                    if (auto it = sessions_.find(st.session); it != sessions_.end()) {
                        if (it->second.conn) it->second.conn->close();
                        it->second.conn.reset();
                        it->second.pending.clear();
                    }
                    notes_.push_back(fmt::format("step {} `{}` (line {}) not run: the server had closed the session",
                                                 number, st.describe, st.where.line));
                    continue;
                }
            }
            if (o.status == StepStatus::ok && o.skip) {
                // The rest cannot run: a skip, unless an earlier step already warned (that verdict stands).
                auto why = fmt::format("step {} `{}` (line {}): {}", number, st.describe, st.where.line, o.message);
                if (r.outcome == Outcome::pass) {
                    r.outcome = Outcome::skip;
                    r.reason = why;
                } else {
                    r.notes.push_back("the rest not run: " + why);
                }
                break;
            }
            if (o.status == StepStatus::ok && o.end) break;
            if (o.status == StepStatus::ok) continue;
            std::string reason = o.message.empty() ? fmt::format("step {} `{}` (line {}): expected {}, got {}", number,
                                                                 st.describe, st.where.line, o.expected, o.received)
                                                   : fmt::format("step {} `{}` (line {}): {}", number, st.describe,
                                                                 st.where.line, o.message);
            auto set_reason = [&](Outcome out) {
                r.outcome = out;
                r.reason = reason;
                r.step = number;
                r.line = st.where.line;
                r.expected = o.message.empty() ? o.expected : "";
                r.received = o.message.empty() ? o.received : o.message;
            };
            if (o.status == StepStatus::error) {
                set_reason(Outcome::error);
                break;
            }
            Level level = o.level ? *o.level : st.level ? *st.level : s_.level;
            bool fails = level == Level::must || (c_.strict && (level == Level::should || level == Level::implied));
            bool warns = !fails && (level == Level::should || level == Level::implied);
            if (fails) {
                set_reason(Outcome::fail);
                break;
            }
            if (warns) {
                if (r.outcome == Outcome::pass)
                    set_reason(Outcome::warn);
                else
                    r.notes.push_back(reason);
            } else {
                r.notes.push_back("recorded (" + std::string(to_string(level)) + "): " + reason);
            }
            if (o.stop) break;
        }
        for (auto& [name, sess] : sessions_)
            close_politely(sess);
        r.notes.insert(r.notes.end(), notes_.begin(), notes_.end());
        // A server may echo a secret back (e.g. in an error text): reasons and notes are scrubbed like transcripts.
        for (auto* text : {&r.reason, &r.expected, &r.received})
            scrub(*text);
        for (auto& n : r.notes)
            scrub(n);
        r.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
        fill_transcript(r);
        return r;
    }

  private:
    bool open(const std::string& name) const {
        auto it = sessions_.find(name);
        return it != sessions_.end() && it->second.conn && it->second.conn->is_open();
    }

    // A session still open when the scenario ends (it stopped early, or did not QUIT) and logged in may hold the
    // maildrop lock (RFC 1939 §8); a plain close leaves a slow server releasing it while the next scenario logs in
    // ([IN-USE], RFC 2449 §8.1.1). RSET first so that nothing marked is deleted (RFC 1939 §6: no UPDATE state was
    // meant), then QUIT; each reply bounded by 1 s, and neither graded. Scenarios about disconnects use an explicit
    // `disconnect` step, which leaves nothing open here.
    void close_politely(Session& sess) {
        if (!sess.conn) return;
        if (sess.logged_in && !sess.in_sasl && sess.conn->is_open() && left() > -std::chrono::seconds(5)) {
            auto opts = read_options(milliseconds(1000));
            for (const char* line : {"RSET", "QUIT"}) {
                if (!sess.conn->send_line(line, client::Secret::none)) break;
                if (!sess.conn->read_reply(pop3::ReplyKind::single_line, opts)) break;
            }
        }
        sess.conn->close();
        sess.conn.reset();
    }

    void add_secret(const std::string& secret) {
        if (secret.empty()) return;
        transcript_.add_secret(secret);
        secrets_.push_back(secret);
    }

    void scrub(std::string& text) const {
        for (const auto& s : secrets_)
            for (std::size_t pos; (pos = text.find(s)) != std::string::npos;)
                text.replace(pos, s.size(), client::Transcript::redacted);
    }

    milliseconds left() const { return std::chrono::duration_cast<milliseconds>(deadline_ - Clock::now()); }
    milliseconds bound(const Step& st) const {
        milliseconds b = st.timeout ? *st.timeout : c_.step_timeout;
        return std::max(milliseconds(1), std::min(b, left()));
    }

    Session& session(const std::string& name) {
        auto [it, fresh] = sessions_.try_emplace(name);
        if (fresh) {
            it->second.number = next_session_++;
            session_names_[it->second.number] = name;
        }
        return it->second;
    }

    const Credentials* credentials(Account a) const {
        const auto& opt = a == Account::primary     ? c_.accounts.primary
                          : a == Account::secondary ? c_.accounts.secondary
                                                    : c_.accounts.empty;
        return opt ? &*opt : nullptr;
    }

    // `${name}`: account fields, ${apop_digest}, ${plain} and ${plain_self} (authzid = user) of the primary account,
    // and captured values.
    bool expand(const std::string& in, const Session& sess, std::string& out, std::string& error) {
        out.clear();
        for (std::size_t i = 0; i < in.size(); ++i) {
            if (in[i] != '$' || i + 1 >= in.size() || in[i + 1] != '{') {
                out += in[i];
                continue;
            }
            auto end = in.find('}', i + 2);
            if (end == std::string::npos) {
                error = "unterminated ${ in '" + in + "'";
                return false;
            }
            std::string name = in.substr(i + 2, end - i - 2);
            i = end;
            // ${apop_digest:NAME} / ${apop_digest_upper:NAME}: the digest over a captured timestamp (a replay).
            std::string over;
            if (auto colon = name.find(':'); colon != std::string::npos) {
                over = name.substr(colon + 1);
                name.resize(colon);
            }
            const Credentials* p = credentials(Account::primary);
            const Credentials* s2 = credentials(Account::secondary);
            const Credentials* e = credentials(Account::empty);
            if (name == "user" && p) {
                out += p->user;
            } else if (name == "pass" && p) {
                out += p->pass;
            } else if (name == "user2" && s2) {
                out += s2->user;
            } else if (name == "pass2" && s2) {
                out += s2->pass;
            } else if (name == "empty_user" && e) {
                out += e->user;
            } else if (name == "empty_pass" && e) {
                out += e->pass;
            } else if ((name == "apop_digest" || name == "apop_digest_upper") && p) {
                std::string ts;
                if (!over.empty()) {
                    auto it = captures_.find(over);
                    const auto* sv = it == captures_.end() ? nullptr : std::get_if<std::string>(&it->second);
                    if (!sv) {
                        error = fmt::format("${{{}:{}}}: no captured timestamp named {}", name, over, over);
                        return false;
                    }
                    ts = *sv;
                } else if (sess.timestamp) {
                    ts = *sess.timestamp;
                } else {
                    error = fmt::format("${{{}}}: the session's greeting had no APOP timestamp", name);
                    return false;
                }
                // RFC 1939 §7: the digest is lower-case hex; ${apop_digest_upper} probes tolerance (R1939-APOP-8).
                auto d = pop3::apop_digest(ts, p->pass);
                if (name == "apop_digest_upper") d = upper(d);
                add_secret(d);
                out += d;
            } else if (name == "plain" && p) {
                out += pop3::sasl_plain_encode({"", p->user, p->pass});
            } else if (name == "plain_self" && p) {
                // RFC 4616 §2: an authorization identity equal to the authentication identity.
                auto b64 = pop3::sasl_plain_encode({p->user, p->user, p->pass});
                add_secret(b64);
                out += b64;
            } else if (!over.empty()) {
                error = fmt::format("${{{}:{}}}: only apop_digest and apop_digest_upper take a timestamp", name, over);
                return false;
            } else if (auto it = captures_.find(name); it != captures_.end()) {
                if (const auto* iv = std::get_if<std::int64_t>(&it->second)) {
                    out += std::to_string(*iv);
                } else if (const auto* sv = std::get_if<std::string>(&it->second)) {
                    out += *sv;
                } else {
                    error = fmt::format("${{{}}} is a {}, not a word", name, describe(it->second));
                    return false;
                }
            } else {
                error = fmt::format("${{{}}} is neither a configured account field nor a captured value", name);
                return false;
            }
        }
        return true;
    }

    client::ClientOptions options(const Step& st, std::uint32_t number) const {
        auto o = c_.client_options;
        auto b = bound(st);
        o.connect_timeout = std::min(o.connect_timeout, b);
        o.io_timeout = b;
        o.reply_timeout = b;
        o.overall_deadline = std::max(milliseconds(1), left());
        o.session = number;
        return o;
    }

    static ReplyOrigin origin_of(std::string_view line) {
        auto sp = line.find(' ');
        return ReplyOrigin{upper(line.substr(0, sp)),
                           sp != std::string_view::npos && line.find_first_not_of(' ', sp) != std::string_view::npos};
    }

    static client::Secret mask_for(std::string_view line, bool in_sasl) {
        if (in_sasl) return client::Secret::whole_line;  // a SASL response (RFC 5034 §4)
        auto k = upper(line.substr(0, line.find(' ')));
        if (k == "PASS") return client::Secret::pass_argument;
        if (k == "APOP") return client::Secret::apop_digest;
        if (k == "AUTH") return client::Secret::auth_payload;
        return client::Secret::none;
    }

    static bool allows_closed(const Expectation& e) {
        if (e.closed) return true;
        return std::any_of(e.any_of.begin(), e.any_of.end(), [](const Expectation& a) { return a.closed; });
    }

    MatchContext match_context() {
        MatchContext m;
        m.captures = &captures_;
        m.fixtures = c_.fixtures;
        m.capabilities = &facts_->capabilities;
        m.notes = &notes_;
        return m;
    }

    // Reads one reply and checks it: the common tail of cmd, expect, login and quit.
    StepOutcome read_and_match(Session& sess, const Step& st, pop3::ReplyKind kind, const ReplyOrigin& origin,
                               const Expectation& e, pop3::Reply* out = nullptr) {
        if (!sess.conn) return StepOutcome::error("the session is not connected");
        auto r = sess.conn->read_reply(kind, read_options(bound(st)));
        if (!r) {
            const auto& err = r.error();
            if (err.kind == client::Errc::closed_by_peer && err.received == 0 && allows_closed(e)) {
                sess.conn.reset();
                return {};
            }
            if (err.kind == client::Errc::io_error || err.kind == client::Errc::not_connected) {
                auto o = StepOutcome::error(fmt::format("{} (while reading a reply)", err.to_string()));
                o.peer_closed = err.received == 0;
                return o;
            }
            std::string got = err.to_string();
            if (!err.partial.empty()) got += fmt::format(" after '{}'", escape_for_reason(err.partial, 120));
            if (err.kind == client::Errc::closed_by_peer) sess.conn.reset();
            auto o = StepOutcome::fail(describe(e), got, /*stop=*/true);
            o.peer_closed = err.kind == client::Errc::closed_by_peer && err.received == 0;
            return o;
        }
        pop3::Reply& reply = r.value();
        sess.in_sasl = reply.status == pop3::Status::continuation;
        if (reply.status == pop3::Status::ok &&
            (origin.keyword == "PASS" || origin.keyword == "APOP" || origin.keyword == "AUTH"))
            sess.logged_in = true;
        auto ctx = match_context();
        ctx.latency_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - sess.sent_at).count();
        auto m = match_reply(e, reply, origin, ctx);
        if (out) *out = reply;
        if (m) return StepOutcome::fail(m->expected, m->received, static_cast<bool>(reply.error));
        return {};
    }

    StepOutcome send_line(Session& sess, const std::string& line) {
        auto mask = mask_for(line, sess.in_sasl);
        auto r = sess.conn->send_line(line, mask);
        if (!r) {
            auto o = StepOutcome::fail("to send a command", r.error().to_string(), true);
            o.peer_closed = true;
            return o;
        }
        sess.sent_at = Clock::now();
        return {};
    }

    StepOutcome connect(const Step& st, TlsMode mode) {
        Session& sess = session(st.session);
        if (sess.conn) sess.conn->close();
        sess.conn.reset();
        sess.pending.clear();
        sess.in_sasl = false;
        sess.greeted = false;
        sess.logged_in = false;
        sess.tls = mode;
        TlsMode effective = mode;
        if (effective == TlsMode::target_default)
            effective = c_.tls == client::TlsMode::implicit   ? TlsMode::implicit
                        : c_.tls == client::TlsMode::starttls ? TlsMode::starttls
                                                              : TlsMode::plain;
        // `handshake: false`: TCP to the TLS port and no ClientHello (R8314-1: nothing may come in cleartext).
        auto cmode = effective == TlsMode::implicit && st.handshake ? client::TlsMode::implicit : client::TlsMode::none;
        // An implicit-TLS connect on a plaintext run goes to the separate pops port when one is known.
        const client::Endpoint& where =
            effective == TlsMode::implicit && c_.tls != client::TlsMode::implicit && c_.implicit_endpoint
                ? *c_.implicit_endpoint
                : c_.endpoint;
        auto conn = client::Connection::connect(where, cmode, options(st, sess.number), transcript_);
        if (!conn)
            return StepOutcome::error(
                fmt::format("cannot connect to {}: {}", where.to_string(), conn.error().to_string()));
        sess.conn.emplace(std::move(conn.value()));
        sess.sent_at = Clock::now();
        if (!st.read_greeting || !st.handshake) {
            sess.greeted = true;  // open; a later `expect: {silence: ...}` checks that nothing comes
            return {};
        }
        auto g = sess.conn->read_greeting(read_options(bound(st)));
        if (!g) {
            // DESIGN.md: a timeout (or close) before the greeting is an error, not a verdict on the protocol.
            return StepOutcome::error(fmt::format("no greeting: {}", g.error().to_string()));
        }
        sess.greeted = true;
        sess.timestamp.reset();
        if (auto ts = pop3::find_apop_timestamp(g->text)) sess.timestamp = std::string(*ts);
        Expectation def;
        def.status = ExpectedStatus::ok;
        const Expectation& e = st.expect && st.kind == StepKind::connect ? *st.expect : def;
        auto ctx = match_context();
        ctx.latency_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - sess.sent_at).count();
        if (auto m = match_reply(e, g.value(), ReplyOrigin{}, ctx))
            return StepOutcome::fail(m->expected, m->received, true);
        if (effective == TlsMode::starttls) return starttls(sess, st, true);
        return {};
    }

    // STLS, +OK, handshake (RFC 2595 §4). Bytes after the +OK are discarded by the client and reported here.
    StepOutcome starttls(Session& sess, const Step& st, bool send_stls) {
        // A server that closed the connection instead of a handshake (e.g. after commands pipelined with STLS) gets
        // a verdict at the step's level; a session never opened is a scenario error.
        if (!sess.conn && sess.greeted) {
            if (st.abort_ok) return aborted(st, "the server had already closed the connection");
            return StepOutcome::fail("a TLS handshake after +OK to STLS", "the server had closed the connection", true);
        }
        if (!sess.conn) return StepOutcome::error("the session is not connected");
        if (send_stls) {
            if (auto o = send_line(sess, "STLS"); o.status != StepStatus::ok) return o;
            Expectation ok;
            ok.status = ExpectedStatus::ok;
            if (auto o = read_and_match(sess, st, pop3::ReplyKind::single_line, ReplyOrigin{"STLS", false}, ok);
                o.status != StepStatus::ok) {
                o.stop = true;
                return o;
            }
        }
        sess.pending.clear();  // commands pipelined with STLS must never be answered inside TLS (RFC 2595 §4)
        auto t = sess.conn->start_tls();
        if (!t && st.abort_ok && is_abort(t.error().cause)) {
            sess.conn->close();
            sess.conn.reset();
            return aborted(st, t.error().to_string());
        }
        if (!t) return StepOutcome::fail("a TLS handshake after +OK to STLS", t.error().to_string(), true);
        if (t->discarded_bytes > 0)
            return StepOutcome::fail("nothing after the +OK to STLS before the handshake",
                                     fmt::format("{} byte(s) (response injection, RFC 2595 §4)", t->discarded_bytes));
        return {};
    }

    // The peer closed or reset the connection: an abort, not a broken handshake (garbage, a timeout, bad records).
    static bool is_abort(const std::error_code& ec) {
        return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
               ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
               ec == asio::error::connection_aborted;
    }

    // `abort_ok`: RFC 2595 injection scenarios accept an abort as the alternative to a clean handshake.
    StepOutcome aborted(const Step& st, const std::string& what) {
        notes_.push_back(
            fmt::format("step `{}` (line {}): the server aborted the connection instead of the TLS "
                        "handshake ({}), an acceptable alternative; the scenario ends here",
                        st.describe, st.where.line, what));
        StepOutcome o;
        o.end = true;
        return o;
    }

    StepOutcome login(const Step& st, LoginMech mech_in, Account account) {
        Session& sess = session(st.session);
        if (!sess.conn) return StepOutcome::error("login on a session that is not connected");
        const Credentials* cred = credentials(account);
        if (!cred) return StepOutcome::error("no credentials for this account");
        LoginMech mech = mech_in == LoginMech::target_default ? facts_->default_mech : mech_in;
        sess.mech = mech_in;
        sess.account = account;
        bool implicit = !st.expect || st.kind != StepKind::login;
        Expectation def;
        def.status = ExpectedStatus::ok;
        const Expectation& e = implicit ? def : *st.expect;
        auto finish = [&](StepOutcome o) {
            // A refusal of the credentials that worked in the probe breaks RFC 1939 §4 (MUST); a transport failure
            // (the server closed or stalled, o.stop) keeps the step's own level.
            if (o.status == StepStatus::failed && implicit && !o.stop) {
                if (!facts_->login_ok)
                    return StepOutcome::error(
                        fmt::format("cannot log in as {}: {} ({})", cred->user, o.received, facts_->login_error));
                o.expected = fmt::format("login as {} to succeed", cred->user);
                o.level = Level::must;  // the same credentials worked in the probe (RFC 1939 §4)
                o.stop = true;
            }
            return o;
        };
        Expectation any;
        switch (mech) {
            case LoginMech::target_default:
            case LoginMech::user_pass: {
                if (auto o = send_line(sess, "USER " + cred->user); o.status != StepStatus::ok) return o;
                pop3::Reply reply;
                auto o = read_and_match(sess, st, pop3::ReplyKind::single_line, ReplyOrigin{"USER", true}, any, &reply);
                if (o.status != StepStatus::ok) return finish(o);
                if (reply.status != pop3::Status::ok) {
                    // The USER reply is the final one (an expected -ERR may come here already).
                    auto ctx = match_context();
                    if (auto m = match_reply(e, reply, ReplyOrigin{"USER", true}, ctx))
                        return finish(StepOutcome::fail(m->expected, m->received));
                    return {};
                }
                if (auto o2 = send_line(sess, "PASS " + cred->pass); o2.status != StepStatus::ok) return o2;
                return finish(read_and_match(sess, st, pop3::ReplyKind::single_line, ReplyOrigin{"PASS", true}, e));
            }
            case LoginMech::apop: {
                if (!sess.timestamp) return StepOutcome::error("APOP: the greeting had no timestamp");
                auto digest = pop3::apop_digest(*sess.timestamp, cred->pass);
                add_secret(digest);
                if (auto o = send_line(sess, "APOP " + cred->user + " " + digest); o.status != StepStatus::ok) return o;
                return finish(read_and_match(sess, st, pop3::ReplyKind::single_line, ReplyOrigin{"APOP", true}, e));
            }
            case LoginMech::auth_plain: {
                auto b64 = pop3::sasl_plain_encode({"", cred->user, cred->pass});
                if (auto o = send_line(sess, "AUTH PLAIN " + b64); o.status != StepStatus::ok) return o;
                return finish(read_and_match(sess, st, pop3::ReplyKind::sasl, ReplyOrigin{"AUTH", true}, e));
            }
            case LoginMech::auth_plain_continuation: {
                if (auto o = send_line(sess, "AUTH PLAIN"); o.status != StepStatus::ok) return o;
                Expectation cont;
                cont.status = ExpectedStatus::continuation;
                auto o = read_and_match(sess, st, pop3::ReplyKind::sasl, ReplyOrigin{"AUTH", false}, cont);
                if (o.status != StepStatus::ok) return finish(o);
                if (auto o2 = send_line(sess, pop3::sasl_plain_encode({"", cred->user, cred->pass}));
                    o2.status != StepStatus::ok)
                    return o2;
                return finish(read_and_match(sess, st, pop3::ReplyKind::sasl, ReplyOrigin{"AUTH", false}, e));
            }
        }
        return {};
    }

    StepOutcome wait_closed(Session& sess, const Step& st) {
        if (!sess.conn) return {};  // already closed by the peer
        auto w = sess.conn->wait_closed(bound(st));
        if (!w) return StepOutcome::fail("the connection closed", w.error().to_string(), true);
        if (!w->closed)
            return StepOutcome::fail("the connection closed", fmt::format("still open after {} ms", bound(st).count()),
                                     true);
        sess.conn.reset();
        if (w->bytes_received > 0)
            return StepOutcome::fail("the connection closed with nothing more sent",
                                     fmt::format("{} byte(s) before the close", w->bytes_received), true);
        return {};
    }

    StepOutcome run_step(const Step& st) {
        switch (st.kind) {
            case StepKind::connect:
                return connect(st, st.tls);
            case StepKind::login:
                return login(st, st.mech, st.account);
            case StepKind::reconnect: {
                Session& sess = session(st.session);
                TlsMode tls = st.tls != TlsMode::target_default ? st.tls : sess.tls;
                LoginMech mech = st.mech != LoginMech::target_default ? st.mech : sess.mech;
                Account account = st.account != Account::primary ? st.account : sess.account;
                if (auto o = connect(st, tls); o.status != StepStatus::ok) return o;
                return login(st, mech, account);
            }
            case StepKind::command: {
                Session& sess = session(st.session);
                if (!sess.conn) return StepOutcome::error("the session is not connected");
                std::string line, error;
                if (!expand(st.lines[0], sess, line, error)) return StepOutcome::error(error);
                auto kind = sess.in_sasl ? pop3::ReplyKind::sasl : reply_kind_for(line);
                auto origin = sess.in_sasl ? ReplyOrigin{"AUTH", false} : origin_of(line);
                if (!sess.pending.empty())
                    return StepOutcome::error("replies to earlier sends are still unread: add expect steps first");
                if (auto o = send_line(sess, line); o.status != StepStatus::ok) return o;
                Expectation any;
                return read_and_match(sess, st, kind, origin, st.expect ? *st.expect : any);
            }
            case StepKind::send: {
                Session& sess = session(st.session);
                if (!sess.conn) return StepOutcome::error("the session is not connected");
                std::string batch;
                for (const auto& l : st.lines) {
                    std::string line, error;
                    if (!expand(l, sess, line, error)) return StepOutcome::error(error);
                    batch += line + "\r\n";
                    sess.pending.push_back(Pending{reply_kind_for(line), origin_of(line)});
                }
                // RFC 2449 §6.6: a pipelined batch goes out in one write.
                auto r = st.lines.size() == 1
                             ? sess.conn->send_line(batch.substr(0, batch.size() - 2), mask_for(batch, false))
                             : sess.conn->send_raw(batch);
                if (!r) return StepOutcome::fail("to send", r.error().to_string(), true);
                sess.sent_at = Clock::now();
                return {};
            }
            case StepKind::raw: {
                Session& sess = session(st.session);
                if (!sess.conn) return StepOutcome::error("the session is not connected");
                std::string bytes, error;
                if (!expand(st.raw, sess, bytes, error)) return StepOutcome::error(error);
                auto r = sess.conn->send_raw(bytes);
                if (!r) return StepOutcome::fail("to send", r.error().to_string(), true);
                sess.sent_at = Clock::now();
                return {};
            }
            case StepKind::expect: {
                Session& sess = session(st.session);
                const Expectation& e = *st.expect;
                if (e.silence) {
                    if (!sess.conn) return StepOutcome::error("the session is not connected");
                    auto d = std::min(*e.silence, left());
                    auto r = sess.conn->expect_silence(d);
                    if (!r) return StepOutcome::fail(describe(e), r.error().to_string(), true);
                    if (!r->empty())
                        return StepOutcome::fail(describe(e), fmt::format("'{}'", escape_for_reason(*r)), true);
                    if (!sess.conn->is_open()) {
                        notes_.push_back(
                            fmt::format("step `{}`: the server closed the connection (no data)", st.describe));
                        sess.conn.reset();
                    }
                    return {};
                }
                if (e.closed) return wait_closed(sess, st);
                Pending p;
                if (!sess.pending.empty()) {
                    p = sess.pending.front();
                    sess.pending.pop_front();
                } else {
                    p.kind = sess.in_sasl                  ? pop3::ReplyKind::sasl
                             : e.multiline.value_or(false) ? pop3::ReplyKind::multi_line_if_ok
                                                           : pop3::ReplyKind::single_line;
                }
                if (!sess.conn) {
                    if (allows_closed(e)) return {};
                    return StepOutcome::fail(describe(e), "the connection is closed", true);
                }
                return read_and_match(sess, st, p.kind, p.origin, e);
            }
            case StepKind::check: {
                std::string error;
                auto expr = Expression::parse(st.check, error);
                if (!expr) return StepOutcome::error("bad check: " + error);
                std::string reason;
                bool eval_error = false;
                if (evaluate_check(*expr, captures_, reason, eval_error)) return {};
                if (eval_error) return StepOutcome::error(reason);
                StepOutcome o;
                o.status = StepStatus::failed;
                o.message = reason;
                return o;
            }
            case StepKind::disconnect: {
                Session& sess = session(st.session);
                if (sess.conn) sess.conn->close();  // RFC 1939 §6: no QUIT, so no UPDATE state
                sess.conn.reset();
                sess.pending.clear();
                return {};
            }
            case StepKind::quit: {
                Session& sess = session(st.session);
                if (!sess.conn) return StepOutcome::error("the session is not connected");
                if (auto o = send_line(sess, "QUIT"); o.status != StepStatus::ok) return o;
                Expectation def;
                def.status = ExpectedStatus::ok;
                auto o = read_and_match(sess, st, pop3::ReplyKind::single_line, ReplyOrigin{"QUIT", false},
                                        st.expect ? *st.expect : def);
                if (o.status != StepStatus::ok) return o;
                // RFC 1939 §6: the server closes the connection after its reply to QUIT.
                return wait_closed(sess, st);
            }
            case StepKind::tls: {
                Session& sess = session(st.session);
                return starttls(sess, st, !st.lines.empty());
            }
            case StepKind::sleep: {
                auto want = st.sleep;
                if (!st.sleep_seconds.empty()) {
                    std::string error;
                    auto expr = Expression::parse(st.sleep_seconds, error);
                    Value v = expr ? expr->evaluate(captures_, error) : Value{};
                    std::int64_t n = -1;
                    if (const auto* iv = std::get_if<std::int64_t>(&v)) {
                        n = *iv;
                    } else if (const auto* sv = std::get_if<std::string>(&v);
                               sv && !sv->empty() && sv->size() <= 9 &&
                               sv->find_first_not_of("0123456789") == std::string::npos) {
                        n = std::stoll(*sv);
                    }
                    if (n < 0)
                        return StepOutcome::error(fmt::format("sleep: `{}` is not a whole number of seconds{}",
                                                              st.sleep_seconds, error.empty() ? "" : ": " + error));
                    want = std::chrono::duration_cast<milliseconds>(std::chrono::seconds(n));
                    // Bounded by the scenario's time: a wait that cannot fit is a skip, not a cut-short verdict.
                    if (want >= left()) {
                        StepOutcome o;
                        o.end = o.skip = true;
                        o.message = fmt::format(
                            "waiting {} s does not fit in the {} ms left of the scenario's time "
                            "(raise --scenario-timeout)",
                            n, left().count());
                        return o;
                    }
                }
                auto d = std::min(want, left());
                if (d > milliseconds(0)) std::this_thread::sleep_for(d);
                return {};
            }
        }
        return StepOutcome::error(std::string("unknown step ") + step_name(st.kind));
    }

    void fill_transcript(ScenarioResult& r) const {
        r.transcript_truncated = transcript_.dropped_entries() > 0;
        for (const auto& e : transcript_.entries()) {
            if (e.truncated()) r.transcript_truncated = true;
            auto it = session_names_.find(e.session);
            r.transcript.push_back(TranscriptLine{e.at.count(), it != session_names_.end() ? it->second : "main",
                                                  client::to_string(e.direction), e.escaped()});
        }
    }

    const Scenario& s_;
    const ExecutionConfig& c_;
    const ServerFacts* facts_ = nullptr;
    Clock::time_point started_;
    Clock::time_point deadline_;
    client::Transcript transcript_;
    std::map<std::string, Session> sessions_;
    std::map<std::uint32_t, std::string> session_names_;
    std::uint32_t next_session_ = 0;
    Captures captures_;
    std::vector<std::string> notes_;
    std::vector<std::string> secrets_;
};

}  // namespace

ScenarioResult execute(const Scenario& scenario, const ExecutionConfig& config) {
    Run run(scenario, config);
    return run.go();
}

}  // namespace pop3::scenario

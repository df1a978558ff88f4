#include "netfuzz/session_runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string_view>

#include "pop3/payloads.hpp"
#include "pop3/sasl_plain.hpp"
#include "scenario/executor.hpp"

namespace pop3::netfuzz {

namespace {

using pop3::client::Errc;

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

// RFC 1939 §5-§7 (and RFC 1725's LAST): commands valid only in the TRANSACTION state.
bool transaction_only(std::string_view keyword) {
    static constexpr std::array<std::string_view, 9> k{"STAT", "LIST", "RETR", "DELE", "NOOP",
                                                       "RSET", "TOP",  "UIDL", "LAST"};
    return std::find(k.begin(), k.end(), keyword) != k.end();
}

// The keyword and the first argument of a well-formed command line (single spaces, RFC 1939 §3).
struct Parsed {
    std::string keyword;
    std::string arg1;
    std::size_t args = 0;
};
Parsed parse_line(std::string_view line) {
    Parsed p;
    auto sp = line.find(' ');
    p.keyword = upper(line.substr(0, sp));
    while (sp != std::string_view::npos) {
        const auto next = line.find(' ', sp + 1);
        const auto arg = line.substr(sp + 1, next == std::string_view::npos ? std::string_view::npos : next - sp - 1);
        if (p.args == 0) p.arg1 = std::string(arg);
        ++p.args;
        sp = next;
    }
    return p;
}

class SessionRun {
  public:
    SessionRun(const SessionPlan& plan, const SessionEnv& env, pop3::client::Transcript& transcript)
        : plan_(plan), env_(env), transcript_(transcript) {}

    SessionResult run() {
        transcript_.add_secret(env_.account.pass);
        transcript_.add_secret(pop3::sasl_plain_encode({"", env_.account.user, env_.account.pass}));
        pop3::client::ClientOptions options;
        options.connect_timeout = env_.connect_timeout;
        options.io_timeout = env_.reply_timeout;
        options.reply_timeout = env_.reply_timeout;
        options.overall_deadline = std::chrono::milliseconds(0);
        options.max_partial_bytes = 1024;
        auto connected =
            pop3::client::Connection::connect(env_.endpoint, pop3::client::TlsMode::none, options, transcript_);
        if (!connected) {
            result_.error = connected.error().to_string();
            return std::move(result_);
        }
        result_.connected = true;
        conn_.emplace(std::move(connected.value()));

        ReplyRecord greeting;
        if (read(greeting, [&](pop3::client::ReadOptions o) { return conn_->read_greeting(std::move(o)); })) {
            for (op_ = 0; op_ < plan_.ops.size() && !ended_; ++op_) {
                if (plan_.ops[op_].kind == OpKind::login) {
                    login();
                } else {
                    bytes(plan_.ops[op_]);
                }
            }
        }
        if (conn_ && conn_->is_open()) conn_->close();
        if (result_.login_count)
            result_.end_count =
                committed_ ? *result_.login_count - std::min<std::uint64_t>(*result_.login_count, deleted_.size())
                           : *result_.login_count;
        result_.logged_in = authed_;
        return std::move(result_);
    }

  private:
    void find(FindingKind kind, std::string key, std::string detail, std::optional<std::size_t> reply) {
        if (result_.finding) return;
        Finding f;
        f.kind = kind;
        f.key = std::move(key);
        f.detail = std::move(detail);
        f.reply = reply;
        result_.finding = std::move(f);
        ended_ = true;
    }

    // The connection ended while a reply was owed: a crash when the target is dead, else just the end.
    void ended_early(const std::string& why, std::size_t reply) {
        ended_ = true;
        result_.error = why;
        if (env_.liveness) {
            if (auto dead = env_.liveness()) find(FindingKind::crash, "crash", *dead + " (after " + why + ")", reply);
        }
    }

    // Reads one owed reply and applies the wire oracles; false when the session cannot go on.
    template <class ReadFn>
    bool read(ReplyRecord record, ReadFn&& read_fn, pop3::Reply* out = nullptr) {
        record.op = op_;
        const std::size_t index = result_.replies.size();
        pop3::client::ReadOptions ro;
        ro.timeout = env_.reply_timeout;
        ro.body_mode = pop3::BodyMode::store;
        auto r = read_fn(std::move(ro));
        if (!r) {
            record.missing = true;
            result_.replies.push_back(record);
            const auto& e = r.error();
            if (e.kind == Errc::timeout || e.kind == Errc::deadline_exceeded) {
                // Bytes of the reply arrived but not its end: an unterminated multi-line reply when a body began.
                if (e.received > 0 && record.kind == pop3::ReplyKind::multi_line_if_ok &&
                    e.partial.rfind("+OK", 0) == 0) {
                    find(FindingKind::state_violation, "unterminated-multiline",
                         fmt::format("multi-line reply to '{}' not terminated within {} ms (RFC 1939 §3)",
                                     pop3::client::Transcript::escape(record.command), env_.reply_timeout.count()),
                         index);
                } else {
                    find(FindingKind::hang, "hang",
                         fmt::format("no reply to '{}' within {} ms", pop3::client::Transcript::escape(record.command),
                                     env_.reply_timeout.count()),
                         index);
                }
                return false;
            }
            if (e.kind == Errc::closed_by_peer && e.received > 0) {
                ended_early("close in the middle of a reply", index);
                if (!result_.finding) {
                    const bool body = record.kind == pop3::ReplyKind::multi_line_if_ok &&
                                      e.partial.rfind("+OK", 0) == 0 && e.partial.find('\n') != std::string::npos;
                    if (body)
                        find(FindingKind::state_violation, "unterminated-multiline",
                             fmt::format("multi-line reply to '{}' cut by a close (RFC 1939 §3)",
                                         pop3::client::Transcript::escape(record.command)),
                             index);
                    else
                        find(FindingKind::malformed_reply, "eof_in_status_line",
                             fmt::format("status line of the reply to '{}' cut by a close",
                                         pop3::client::Transcript::escape(record.command)),
                             index);
                }
                return false;
            }
            ended_early(e.to_string(), index);
            return false;
        }
        const pop3::Reply& reply = r.value();
        record.continuation = reply.status == pop3::Status::continuation;
        result_.replies.push_back(record);
        for (auto v : reply.violations) {
            const std::string cmd = pop3::client::Transcript::escape(record.command);
            if (v == pop3::Violation::status_line_too_long) {
                find(FindingKind::state_violation, "reply-over-512",
                     fmt::format("status line of the reply to '{}' over 512 octets (RFC 2449 §4)", cmd), index);
            } else if (v == pop3::Violation::missing_terminator_at_eof) {
                find(FindingKind::state_violation, "unterminated-multiline",
                     fmt::format("multi-line reply to '{}' cut by a close (RFC 1939 §3)", cmd), index);
            } else if (v != pop3::Violation::body_too_large) {
                find(FindingKind::malformed_reply, std::string(pop3::to_string(v)),
                     fmt::format("{} in the reply to '{}'", pop3::to_string(v), cmd), index);
            }
            if (result_.finding) return false;
        }
        if (out) *out = std::move(r.value());
        return true;
    }

    void login() {
        ReplyRecord rec;
        rec.login = true;
        rec.command = "USER " + env_.account.user;
        if (auto s = conn_->send_line(rec.command); !s)
            return ended_early(s.error().to_string(), result_.replies.size());
        pop3::Reply reply;
        if (!read(
                rec, [&](pop3::client::ReadOptions o) { return conn_->read_reply(rec.kind, std::move(o)); }, &reply))
            return;
        rec.command = "PASS <redacted>";
        if (auto s = conn_->send_line("PASS " + env_.account.pass, pop3::client::Secret::pass_argument); !s)
            return ended_early(s.error().to_string(), result_.replies.size());
        if (!read(
                rec, [&](pop3::client::ReadOptions o) { return conn_->read_reply(rec.kind, std::move(o)); }, &reply))
            return;
        if (reply.status == pop3::Status::ok) authed_ = true;
    }

    void bytes(const Op& op) {
        std::size_t from = 0;
        auto splits = op.splits;
        splits.push_back(op.bytes.size());
        for (auto to : splits) {
            if (to <= from || to > op.bytes.size()) continue;
            if (auto s = conn_->send_raw(std::string_view(op.bytes).substr(from, to - from)); !s)
                return ended_early(s.error().to_string(), result_.replies.size());
            from = to;
        }
        // RFC 1939 §3 as the reference engine frames it: every LF ends a command line and owes one reply.
        carry_ += op.bytes;
        std::size_t start = 0;
        for (auto lf = carry_.find('\n'); lf != std::string::npos && !ended_; lf = carry_.find('\n', start)) {
            std::string line = carry_.substr(start, lf - start);
            start = lf + 1;
            if (!line.empty() && line.back() == '\r') line.pop_back();
            answer(line);
        }
        carry_.erase(0, start);
    }

    // Reads and checks the reply owed to one command line.
    void answer(const std::string& line) {
        const bool sasl = in_sasl_;
        ReplyRecord rec;
        rec.command = sasl ? std::string("<sasl response>") : line;
        const Parsed p = parse_line(line);
        if (!sasl && p.keyword == "PASS") rec.command = "PASS <redacted>";
        rec.kind = sasl ? pop3::ReplyKind::sasl : pop3::scenario::reply_kind_for(line);
        pop3::Reply reply;
        const std::size_t index = result_.replies.size();
        if (!read(
                rec, [&](pop3::client::ReadOptions o) { return conn_->read_reply(rec.kind, std::move(o)); }, &reply))
            return;
        const bool ok = reply.status == pop3::Status::ok;
        if (sasl) {
            in_sasl_ = reply.status == pop3::Status::continuation;
            if (ok) authed_ = true;
            return;
        }
        // RFC 1939 §3: TRANSACTION commands are only valid after a successful login.
        if (!authed_ && ok && transaction_only(p.keyword)) {
            return find(FindingKind::state_violation, "ok-before-login",
                        fmt::format("+OK to '{}' before login (RFC 1939 §3)", pop3::client::Transcript::escape(line)),
                        index);
        }
        const std::string& k = p.keyword;
        if (k == "AUTH") {
            in_sasl_ = reply.status == pop3::Status::continuation;
            if (ok) authed_ = true;
        } else if ((k == "PASS" || k == "APOP") && ok) {
            authed_ = true;
        } else if (k == "STLS" && ok) {
            ended_ = true;  // RFC 2595 §4: the handshake comes next; the fuzzer does not go on in TLS
        } else if (k == "QUIT" && ok) {
            committed_ = authed_;  // RFC 1939 §6: QUIT in TRANSACTION enters UPDATE
            ended_ = true;
        } else if (authed_ && ok) {
            transaction_reply(p, reply, index);
        }
    }

    void transaction_reply(const Parsed& p, const pop3::Reply& reply, std::size_t index) {
        const std::string& k = p.keyword;
        if (k == "DELE" && p.args == 1) {
            // Normalised, so "01" and "1" count once when the server accepts both.
            auto n = pop3::parse_decimal(p.arg1);
            deleted_.insert(n ? std::to_string(*n) : p.arg1);
            stat_clean_ = false;
        } else if (k == "RSET") {
            deleted_.clear();
            stat_clean_ = false;
        } else if (k == "STAT" && p.args == 0) {
            auto s = pop3::parse_stat(reply.text);
            if (!s) return;
            if (!result_.login_count && deleted_.empty()) {
                result_.login_count = s->message_count;
                // RFC 1939 §6: only a QUIT after DELE removes messages.
                if (env_.expected_count && s->message_count < *env_.expected_count) {
                    find(FindingKind::invariant, "message-gone",
                         fmt::format("{} messages at login, {} expected from the earlier sessions: a message gone "
                                     "without DELE+QUIT (RFC 1939 §6)",
                                     s->message_count, *env_.expected_count),
                         index);
                    result_.finding->captures.push_back({index, "count", "count"});
                    result_.finding->check = fmt::format("count >= {}", *env_.expected_count);
                    return;
                }
            }
            stat_ = s.value();
            stat_reply_ = index;
            stat_clean_ = true;
        } else if (k == "LIST" && reply.multi_line) {
            auto listing = pop3::parse_scan_list(reply.body);
            if (!listing.ok())
                return find(FindingKind::malformed_reply, "bad-scan-listing",
                            fmt::format("LIST body line {} is not a scan listing (RFC 1939 §5)", listing.bad_line),
                            index);
            if (stat_clean_) {
                std::uint64_t total = 0;
                for (const auto& e : listing.entries)
                    total += e.size;
                if (listing.entries.size() != stat_.message_count || total != stat_.maildrop_octets) {
                    find(FindingKind::invariant, "stat-vs-list",
                         fmt::format("STAT says {} messages, {} octets; LIST lists {} messages, {} octets (RFC 1939 "
                                     "§5)",
                                     stat_.message_count, stat_.maildrop_octets, listing.entries.size(), total),
                         index);
                    result_.finding->captures.push_back({stat_reply_, "count", "count"});
                    result_.finding->captures.push_back({stat_reply_, "total", "size"});
                    result_.finding->captures.push_back({index, "sizes", "listing"});
                    result_.finding->check = "count(sizes) == count && sum(sizes) == total";
                    return;
                }
            }
            for (const auto& e : listing.entries)
                check_size(e.message_number, std::to_string(e.size), index);
        } else if (k == "LIST" && p.args == 1) {
            if (auto s = pop3::parse_scan_listing(reply.text))
                check_size(s->message_number, std::to_string(s->size), index);
        } else if (k == "UIDL" && reply.multi_line) {
            auto listing = pop3::parse_uid_list(reply.body);
            if (!listing.ok()) return;
            for (const auto& e : listing.entries)
                check_uid(e.message_number, e.unique_id, index);
        } else if (k == "UIDL" && p.args == 1) {
            if (auto s = pop3::parse_uid_listing(reply.text)) check_uid(s->message_number, s->unique_id, index);
        }
    }

    // RFC 1939 §7: message numbers and sizes do not change within a session.
    void check_size(std::uint64_t n, const std::string& size, std::size_t index) {
        check_stable(sizes_, n, size, index, "size");
    }
    // RFC 1939 §7 UIDL: a message's unique-id does not change within a session (nor across).
    void check_uid(std::uint64_t n, const std::string& uid, std::size_t index) {
        check_stable(uids_, n, uid, index, "unique-id");
    }
    void check_stable(std::map<std::uint64_t, std::pair<std::string, std::size_t>>& seen, std::uint64_t n,
                      const std::string& value, std::size_t index, std::string_view what) {
        auto [it, fresh] = seen.try_emplace(n, value, index);
        if (fresh || it->second.first == value) return;
        find(FindingKind::invariant, "numbering",
             fmt::format("message {} changed its {} within the session: '{}' then '{}' (RFC 1939 §7)", n, what,
                         pop3::client::Transcript::escape(it->second.first), pop3::client::Transcript::escape(value)),
             index);
    }

    const SessionPlan& plan_;
    const SessionEnv& env_;
    pop3::client::Transcript& transcript_;
    std::optional<pop3::client::Connection> conn_;
    SessionResult result_;
    std::size_t op_ = 0;
    bool ended_ = false;
    bool authed_ = false;
    bool in_sasl_ = false;
    bool committed_ = false;
    std::string carry_;
    std::set<std::string> deleted_;
    pop3::StatInfo stat_;
    std::size_t stat_reply_ = 0;
    bool stat_clean_ = false;
    std::map<std::uint64_t, std::pair<std::string, std::size_t>> sizes_;
    std::map<std::uint64_t, std::pair<std::string, std::size_t>> uids_;
};

}  // namespace

SessionResult run_session(const SessionPlan& plan, const SessionEnv& env, pop3::client::Transcript& transcript) {
    return SessionRun(plan, env, transcript).run();
}

}  // namespace pop3::netfuzz

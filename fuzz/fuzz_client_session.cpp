// Fuzzes the runner's client (pop3::client::Connection) against a scripted, hostile server over the in-memory
// transport (MemoryStream, virtual time: a silent peer costs no wall-clock time).
//
// Input: [config][limit bytes x8][greeting script if config bit 7][count][count x (verb index, script)][ops...].
// A script is [kind][kind bytes...][flags][flag bytes...]: raw bytes, a single-line reply, a multi-line reply, an
// endless body, a huge line, a SASL continuation, silence or a canned well-formed reply; then extra pipelined bytes,
// a close (FIN or RST) after it, a truncation (close after N bytes), a split plan and a virtual delay per chunk.
// The server answers each command line by its VERB (USER, PASS, APOP, AUTH, CAPA, STLS, STAT, LIST, UIDL, RETR, TOP,
// DELE, RSET, NOOP, QUIT): every occurrence of a verb gets that verb's script, whatever its position.
// Ops: one command and its reply (the right ReplyKind, store/sink/discard), a pipelined batch then its replies, a
// bare read, STLS then start_tls, start_tls alone, wait_closed, expect_silence, read_greeting, close/reset, raw
// bytes, the clock moved on.
//
// Properties beyond "no crash" (every call returns: the op count is bounded and time is virtual):
// - memory: buffered_bytes() <= read_chunk after every call; a stored body <= max_body, a status line <=
//   max_status_line; Error::partial <= max_partial_bytes; expect_silence keeps <= read_chunk bytes;
// - every Error is typed: Errc in range (never resolve/connect failures over memory), a message, partial <= received;
// - differential: when the client is in sync with the server (nothing buffered, nothing queued, no partial reply,
//   no delays), the reply to a command equals what a standalone pop3::ReplyParser makes of the same server bytes:
//   the same Reply (status, line, text, violations, body or sink output, octets), or an Error whose kind matches the
//   parser's error (closed_by_peer / limit_exceeded / protocol_violation, cause == that violation), or a timeout
//   when the bytes end mid-reply; what is left over is exactly buffered + still queued;
// - a Reply without violations has a clean status line (+OK / -ERR / "+" in SASL, no NUL/CR/LF, within the limit);
// - STLS: after start_tls nothing is buffered, and discarded_bytes + the bytes still queued at the handshake ==
//   the bytes the script sent after the +OK line (R2595-CLI-1);
// - secrets sent with a Secret mask (PASS, APOP digest, AUTH PLAIN payload, SASL response) never reach the
//   transcript.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "client/connection.hpp"
#include "client/memory_stream.hpp"
#include "fuzz_input.hpp"
#include "pop3/reply_parser.hpp"

namespace {

using namespace std::chrono_literals;
using pop3::ReplyKind;
using pop3::client::Connection;
using pop3::client::Errc;
using pop3::client::MemoryStream;
using pop3::client::Secret;
using pop3::fuzz::FuzzInput;
using pop3::fuzz::printable;
using std::chrono::milliseconds;

constexpr std::size_t kVerbs = 15;
constexpr std::array<std::string_view, kVerbs> kVerbNames = {"USER", "PASS", "APOP", "AUTH", "CAPA",
                                                             "STLS", "STAT", "LIST", "UIDL", "RETR",
                                                             "TOP",  "DELE", "RSET", "NOOP", "QUIT"};
enum Verb : std::size_t { USER, PASS, APOP, AUTH, CAPA, STLS, STAT, LIST, UIDL, RETR, TOP, DELE, RSET, NOOP, QUIT };

constexpr std::array<std::string_view, 4> kPasswords = {"wonderland", "c4r0l pass", "s3cr3t\x01-bin", "x y  z"};
constexpr std::array<std::string_view, 2> kDigests = {"c4c9334bac560ecc979e58001b3e22fb",
                                                      "0123456789abcdef0123456789abcdef"};
constexpr std::array<std::string_view, 2> kPlain = {"AGFsaWNlAHdvbmRlcmxhbmQ=", "AGJvYgBidWlsZGVy"};

// What the server sends for one command.
struct Script {
    std::string bytes;
    std::vector<std::size_t> chunks;  // cycle of chunk sizes; empty: one segment
    milliseconds delay{0};            // before each chunk
    bool close = false;
    bool reset = false;
};

std::string line_end(std::uint8_t b) {
    switch (b % 6) {
        case 0:
        case 1:
            return "\r\n";
        case 2:
            return "\n";
        case 3:
            return "\r";
        case 4:
            return std::string("\0\r\n", 3);
        default:
            return "";
    }
}

std::string canned(std::uint8_t b) {
    static constexpr std::array<std::string_view, 12> replies = {
        "+OK\r\n",
        "-ERR no\r\n",
        "+OK 2 320\r\n",
        "+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n",
        "+OK\r\n1 m1\r\n2 m2\r\n.\r\n",
        "+OK\r\nUSER\r\nSASL PLAIN\r\nSTLS\r\nPIPELINING\r\nUIDL\r\nTOP\r\n.\r\n",
        "+OK 120 octets\r\nSubject: x\r\n\r\n..dot\r\nbody\r\n.\r\n",
        "-ERR [IN-USE] locked\r\n",
        "-ERR [AUTH] bad\r\n",
        "+ \r\n",
        "+OK Begin TLS\r\n",
        "+OK [SYS/TEMP] later\r\n",
    };
    return std::string(replies[b % replies.size()]);
}

Script read_script(FuzzInput& in) {
    Script s;
    const std::uint8_t kind = in.byte();
    switch (kind % 8) {
        case 0:  // raw bytes, short or long
            s.bytes = (kind & 8U) != 0 ? std::string(in.bytes(in.u16() % 4096)) : std::string(in.short_string());
            break;
        case 1: {  // a single-line reply with a chosen indicator, text and line end
            static constexpr std::array<std::string_view, 6> ind = {"+OK", "-ERR", "+", "+ok", "+OK [", ""};
            s.bytes = ind[in.byte() % ind.size()];  // each read in its own statement: operands are unsequenced
            s.bytes += ' ';
            s.bytes += in.short_string(64);
            s.bytes += line_end(in.byte());
            break;
        }
        case 2: {  // a multi-line reply: lines, stuffed or not, terminator or not
            s.bytes = "+OK\r\n";
            const std::size_t lines = in.below(8);
            const bool stuff = in.flag();
            for (std::size_t i = 0; i < lines; ++i) {
                std::string line(in.short_string(40));
                if (stuff && !line.empty() && line.front() == '.') line.insert(0, 1, '.');
                s.bytes += line + line_end(in.byte());
            }
            static constexpr std::array<std::string_view, 4> term = {".\r\n", ".\r\n", ".\n", ""};
            s.bytes += term[in.byte() % term.size()];
            break;
        }
        case 3: {  // an endless body (up to 64 KiB, never terminated)
            s.bytes = "+OK\r\n";
            std::string line(in.short_string(32));
            line += "\r\n";
            const std::size_t total = (std::size_t{in.byte()} + 1) * 256;
            while (s.bytes.size() < total)
                s.bytes += line;
            break;
        }
        case 4: {  // a huge line, with or without a line end
            s.bytes = "+OK ";
            s.bytes.append((std::size_t{in.byte()} + 1) * 64, 'x');
            if (in.flag()) s.bytes += "\r\n";
            break;
        }
        case 5:  // a SASL continuation
            s.bytes = "+ " + std::string(in.short_string(64)) + "\r\n";
            break;
        case 6:  // silence
            break;
        default:
            s.bytes = canned(in.byte());
            break;
    }
    const std::uint8_t flags = in.byte();
    if ((flags & 1U) != 0) s.bytes += std::string(in.short_string(64));  // pipelined extra bytes
    if ((flags & 2U) != 0) s.close = true;
    if ((flags & 4U) != 0) s.close = s.reset = true;
    if ((flags & 8U) != 0) {  // closing after N bytes
        s.bytes.resize(std::min<std::size_t>(s.bytes.size(), in.byte()));
        s.close = true;
    }
    if ((flags & 16U) != 0) s.chunks = pop3::fuzz::SplitPlan::read(in).sizes;
    if ((flags & 32U) != 0) s.delay = milliseconds(std::size_t{in.byte()} * 250);
    return s;
}

Script default_script(std::size_t verb, bool with_argument) {
    Script s;
    switch (verb) {
        case PASS:
        case APOP:
            s.bytes = "+OK maildrop ready\r\n";
            break;
        case CAPA:
            s.bytes = canned(5);
            break;
        case STLS:
            s.bytes = "+OK Begin TLS\r\n";
            break;
        case STAT:
            s.bytes = "+OK 2 320\r\n";
            break;
        case LIST:
            s.bytes = with_argument ? "+OK 1 120\r\n" : canned(3);
            break;
        case UIDL:
            s.bytes = with_argument ? "+OK 1 m1\r\n" : canned(4);
            break;
        case RETR:
        case TOP:
            s.bytes = canned(6);
            break;
        case QUIT:
            s.bytes = "+OK bye\r\n";
            s.close = true;
            break;
        default:
            s.bytes = "+OK\r\n";
            break;
    }
    return s;
}

// The scripted server: answers each complete command line by its verb.
struct Server {
    MemoryStream* stream = nullptr;
    std::array<std::optional<Script>, kVerbs> scripts;
    std::string line;         // partial command line
    bool closed = false;      // a close was queued
    bool delayed = false;     // the last response had delays
    std::string last;         // the last response's bytes
    bool last_close = false;  // ... and whether it closed
    std::size_t responses = 0;
    bool auth_pending = false;

    void send(const Script& s) {
        ++responses;
        last = s.bytes;
        last_close = s.close;
        delayed = s.delay.count() > 0;
        if (closed) {
            last.clear();
            last_close = true;
            return;
        }
        if (s.chunks.empty()) {
            stream->push(s.bytes, s.delay);
        } else {
            std::string_view rest = s.bytes;
            for (std::size_t i = 0; !rest.empty(); ++i) {
                const auto piece = rest.substr(0, s.chunks[i % s.chunks.size()]);
                stream->push(piece, s.delay);
                rest.remove_prefix(piece.size());
            }
        }
        if (s.close) {
            stream->push_close(s.reset, s.delay);
            closed = true;
        }
    }

    void on_line(std::string_view l) {
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        const std::string_view verb = l.substr(0, l.find(' '));
        const bool with_argument = verb.size() < l.size();
        for (std::size_t v = 0; v < kVerbs; ++v) {
            if (verb == kVerbNames[v]) {
                auth_pending = v == AUTH && !with_argument;
                send(scripts[v] ? *scripts[v] : default_script(v, with_argument));
                return;
            }
        }
        Script s;
        s.bytes = auth_pending ? "+OK authenticated\r\n" : "-ERR unknown command\r\n";
        auth_pending = false;
        send(s);
    }

    void on_write(std::string_view bytes) {
        for (char ch : bytes) {
            if (ch == '\n') {
                on_line(line);
                line.clear();
            } else if (line.size() < 4096) {
                line += ch;
            }
        }
    }
};

struct Limits {
    pop3::client::ClientOptions options;
    std::size_t chunk() const { return std::max<std::size_t>(options.read_chunk, 1); }
};

void check_error(const pop3::client::Error& e, const Limits& l, const char* what) {
    const int k = static_cast<int>(e.kind);
    const std::string desc = std::string(what) + ": " + e.to_string() + " partial=" + printable(e.partial);
    POP3_FUZZ_CHECK(k >= static_cast<int>(Errc::resolve_failed) && k <= static_cast<int>(Errc::bad_argument), desc);
    POP3_FUZZ_CHECK(e.kind != Errc::resolve_failed && e.kind != Errc::connect_failed, desc);
    POP3_FUZZ_CHECK(!e.message.empty(), desc);
    POP3_FUZZ_CHECK(std::string_view(pop3::client::to_string(e.kind)) != "?", desc);
    POP3_FUZZ_CHECK(e.partial.size() <= l.options.max_partial_bytes, desc);
    POP3_FUZZ_CHECK(e.partial.size() <= e.received, desc);
}

// `continued`: the read went on with a reply a timed-out read had started (its kind and body mode apply).
void check_reply(const pop3::Reply& r, const Limits& l, pop3::BodyMode mode, ReplyKind kind, bool continued) {
    const auto& lim = l.options.parser.limits;
    const std::string desc = "status_line=\"" + printable(r.status_line) + "\" body=" + printable(r.body);
    POP3_FUZZ_CHECK(!r.error, desc);
    POP3_FUZZ_CHECK(r.status_line.size() <= lim.max_status_line, desc);
    POP3_FUZZ_CHECK(r.body.size() <= lim.max_body, desc);
    if (!continued && mode != pop3::BodyMode::store) POP3_FUZZ_CHECK(r.body.empty(), desc);
    if (!continued && kind != ReplyKind::multi_line_if_ok) POP3_FUZZ_CHECK(!r.multi_line, desc);
    POP3_FUZZ_CHECK(std::is_sorted(r.violations.begin(), r.violations.end()), desc);
    for (auto v : r.violations) {
        const int value = static_cast<int>(v);
        POP3_FUZZ_CHECK(value >= 1 && value <= static_cast<int>(pop3::Violation::bad_response_code), desc);
    }
    if (l.options.parser.strictness == pop3::Strictness::strict) POP3_FUZZ_CHECK(r.violations.empty(), desc);
    if (r.violations.empty()) {
        // Never silently clean: the line must be a real status line.
        const std::string_view s = r.status_line;
        const bool indicator = s.starts_with("+OK") || s.starts_with("-ERR") ||
                               (s.starts_with("+") && r.status == pop3::Status::continuation);
        POP3_FUZZ_CHECK(indicator, desc);
        POP3_FUZZ_CHECK(s.find_first_of(std::string_view("\0\r\n", 3)) == std::string_view::npos, desc);
        POP3_FUZZ_CHECK(r.status != pop3::Status::invalid, desc);
    }
}

struct Harness {
    Limits l;
    pop3::client::Transcript transcript;
    MemoryStream* stream = nullptr;
    Server server;
    Connection c;
    bool mid_reply = false;  // the client holds a partial reply (a read timed out inside it)
    bool raw_secret = false;
    std::string secret_pass;
    std::string secret_digest;
    std::string secret_plain;
    // The sink's output; a member because a read that times out inside a body leaves its sink in use by the next
    // read_reply (which continues that reply).
    std::string sunk;
    // How many replies were compared with the standalone parser, and STLS discards checked exactly (verbose mode).
    std::size_t compared = 0;
    std::size_t stls_checked = 0;

    void check_common() {
        POP3_FUZZ_CHECK(c.buffered_bytes() <= l.chunk(),
                        std::to_string(c.buffered_bytes()) + " buffered > read_chunk " + std::to_string(l.chunk()));
    }

    bool in_sync() const {
        return c.is_open() && !server.closed && !mid_reply && c.buffered_bytes() == 0 && stream->pending_bytes() == 0;
    }

    void note_read(const pop3::client::Result<pop3::Reply>& r) {
        if (r) {
            mid_reply = false;
        } else if (r.error().kind == Errc::timeout || r.error().kind == Errc::deadline_exceeded) {
            mid_reply = r.error().received > 0;
        } else {
            mid_reply = false;  // the parser was reset
        }
    }

    bool secret_in(std::string_view bytes) const {
        for (const auto* s : {&secret_pass, &secret_digest, &secret_plain}) {
            if (!s->empty() && bytes.find(*s) != std::string_view::npos) return true;
        }
        return false;
    }

    void check_last_sent_redacted() {
        const auto& entries = transcript.entries();
        if (entries.empty()) return;
        const auto& e = entries.back();
        if (e.direction != pop3::client::Direction::client_to_server) return;
        POP3_FUZZ_CHECK(!secret_in(e.bytes()), "secret in transcript: " + printable(e.bytes()));
    }

    pop3::client::Result<void> send(std::string_view line, Secret mask) {
        auto r = c.send_line(line, mask);
        if (!r) check_error(r.error(), l, "send_line");
        if (mask != Secret::none) check_last_sent_redacted();
        return r;
    }

    // Reads one reply; when `expected` is set (the client was in sync and the response had no delays), compares
    // with a standalone parser fed the same server bytes.
    pop3::client::Result<pop3::Reply> read(ReplyKind kind, pop3::BodyMode mode, const std::string* expected,
                                           bool expected_close) {
        const bool continued = mid_reply;
        if (!continued) sunk.clear();
        pop3::client::ReadOptions ro;
        ro.body_mode = mode;
        if (mode == pop3::BodyMode::sink) ro.sink = [this](std::string_view chunk) { sunk.append(chunk); };
        auto r = c.read_reply(kind, ro);
        note_read(r);
        if (r) {
            check_reply(*r, l, mode, kind, continued);
        } else {
            check_error(r.error(), l, "read_reply");
        }
        check_common();
        if (expected != nullptr) compare(kind, mode, *expected, expected_close, r);
        return r;
    }

    void compare(ReplyKind kind, pop3::BodyMode mode, const std::string& bytes, bool close,
                 const pop3::client::Result<pop3::Reply>& got) {
        ++compared;
        pop3::ReplyParser p(l.options.parser);
        p.expect(kind);
        std::string model_sunk;
        if (mode == pop3::BodyMode::sink) {
            p.set_body_sink([&model_sunk](std::string_view chunk) { model_sunk.append(chunk); });
        } else {
            p.set_body_mode(mode);
        }
        auto fr = p.feed(bytes);
        std::size_t consumed = fr.consumed;
        if (!fr.reply_ready && close) fr = p.finish();
        const std::string desc = "server bytes \"" + printable(bytes, 400) + "\" close=" + std::to_string(close) +
                                 (got ? " client reply \"" + printable(got->status_line) + "\""
                                      : " client error " + got.error().to_string());
        if (!fr.reply_ready) {
            // The bytes end inside the reply (or before it): a timeout, or a close before any reply.
            POP3_FUZZ_CHECK(!got, desc);
            if (close) {
                POP3_FUZZ_CHECK(got.error().kind == Errc::closed_by_peer, desc);
            } else {
                POP3_FUZZ_CHECK(got.error().kind == Errc::timeout || got.error().kind == Errc::deadline_exceeded, desc);
                // Past the overall deadline a read takes only what one read finds (then the call ends).
                if (got.error().kind == Errc::timeout) POP3_FUZZ_CHECK(got.error().received == consumed, desc);
                POP3_FUZZ_CHECK(got.error().received <= consumed, desc);
            }
            return;
        }
        const pop3::Reply want = *p.take();
        if (want.error) {
            POP3_FUZZ_CHECK(!got, desc);
            const bool at_eof = want.error == pop3::Violation::missing_terminator_at_eof ||
                                want.error == pop3::Violation::eof_in_status_line;
            const bool limit = want.error == pop3::Violation::status_line_too_long ||
                               want.error == pop3::Violation::body_line_too_long ||
                               want.error == pop3::Violation::body_too_large;
            const Errc kind_of = at_eof  ? Errc::closed_by_peer
                                 : limit ? Errc::limit_exceeded
                                         : Errc::protocol_violation;
            POP3_FUZZ_CHECK(got.error().kind == kind_of, desc);
            POP3_FUZZ_CHECK(got.error().cause == want.error, desc + " want " + want.error.message());
            return;
        }
        POP3_FUZZ_CHECK(got, desc);
        const pop3::Reply& r = *got;
        POP3_FUZZ_CHECK(r.status == want.status && r.status_line == want.status_line && r.text == want.text, desc);
        POP3_FUZZ_CHECK(r.violations == want.violations, desc);
        POP3_FUZZ_CHECK(r.multi_line == want.multi_line && r.body == want.body, desc);
        POP3_FUZZ_CHECK(r.body_octets == want.body_octets && r.wire_octets == want.wire_octets, desc);
        POP3_FUZZ_CHECK(sunk == model_sunk, desc);
        // What follows the reply is exactly what the client buffered plus what is still queued.
        POP3_FUZZ_CHECK(c.buffered_bytes() + stream->pending_bytes() == bytes.size() - consumed,
                        desc + " buffered=" + std::to_string(c.buffered_bytes()) + " pending=" +
                            std::to_string(stream->pending_bytes()) + " consumed=" + std::to_string(consumed));
    }

    // The command line for a verb and the kind of its reply.
    std::string command(std::size_t verb, std::uint8_t p, ReplyKind& kind, Secret& mask) {
        kind = ReplyKind::single_line;
        mask = Secret::none;
        switch (verb) {
            case USER:
                return "USER alice";
            case PASS:
                mask = Secret::pass_argument;
                return "PASS " + secret_pass;
            case APOP:
                mask = Secret::apop_digest;
                return "APOP alice " + secret_digest;
            case AUTH:
                kind = ReplyKind::sasl;
                if ((p & 1U) != 0) return "AUTH PLAIN";
                mask = Secret::auth_payload;
                return "AUTH PLAIN " + secret_plain;
            case CAPA:
                kind = ReplyKind::multi_line_if_ok;
                return "CAPA";
            case LIST:
            case UIDL:
                if ((p & 1U) != 0) return std::string(kVerbNames[verb]) + " 1";
                kind = ReplyKind::multi_line_if_ok;
                return std::string(kVerbNames[verb]);
            case RETR:
                kind = ReplyKind::multi_line_if_ok;
                return "RETR 1";
            case TOP:
                kind = ReplyKind::multi_line_if_ok;
                return "TOP 1 " + std::to_string(p % 4);
            case DELE:
                return "DELE 1";
            default:
                return std::string(kVerbNames[verb]);
        }
    }

    static pop3::BodyMode mode_of(std::uint8_t p) {
        switch ((p >> 2U) % 3) {
            case 0:
                return pop3::BodyMode::store;
            case 1:
                return pop3::BodyMode::sink;
            default:
                return pop3::BodyMode::discard;
        }
    }

    void one_command(std::size_t verb, std::uint8_t p) {
        ReplyKind kind{};
        Secret mask{};
        const std::string line = command(verb, p, kind, mask);
        const bool sync = in_sync();
        const std::size_t before = server.responses;
        if (!send(line, mask)) return;
        const bool compare_it = sync && server.responses == before + 1 && !server.delayed;
        const std::string expected = server.last;
        auto r = read(kind, mode_of(p), compare_it ? &expected : nullptr, server.last_close);
        if (verb == AUTH && r && r->status == pop3::Status::continuation) {
            // The SASL response to the challenge (RFC 5034 §4): a whole-line secret.
            if (send(secret_plain, Secret::whole_line))
                (void)read(ReplyKind::sasl, pop3::BodyMode::store, nullptr, false);
        }
    }

    void stls_then_tls() {
        const bool sync = in_sync();
        const std::size_t before = server.responses;
        if (!send("STLS", Secret::none)) return;
        const bool exact = sync && server.responses == before + 1;
        const std::string sent = server.last;
        auto r = read(ReplyKind::single_line, pop3::BodyMode::store, exact && !server.delayed ? &sent : nullptr,
                      server.last_close);
        if (!r || r->status != pop3::Status::ok) return;
        const std::size_t buffered = c.buffered_bytes();
        const auto dropped0 = stream->dropped_at_handshake();
        const bool tls_before = c.tls_active();
        auto t = c.start_tls();
        if (!t) {
            check_error(t.error(), l, "start_tls");
            POP3_FUZZ_CHECK(t.error().kind == (tls_before ? Errc::bad_argument : Errc::tls_error),
                            t.error().to_string());
            if (!tls_before) POP3_FUZZ_CHECK(c.buffered_bytes() == 0, "buffer not empty after start_tls");
            return;
        }
        POP3_FUZZ_CHECK(!tls_before && c.tls_active(), "start_tls succeeded twice");
        POP3_FUZZ_CHECK(c.buffered_bytes() == 0, "buffer not empty after start_tls");
        POP3_FUZZ_CHECK(t->discarded_bytes >= buffered, "discarded fewer bytes than were buffered");
        if (exact) {
            ++stls_checked;
            const std::uint64_t injected = sent.size() - r->wire_octets;
            const std::uint64_t seen = t->discarded_bytes + (stream->dropped_at_handshake() - dropped0);
            POP3_FUZZ_CHECK(seen == injected, "STLS: discarded " + std::to_string(t->discarded_bytes) + " + dropped " +
                                                  std::to_string(stream->dropped_at_handshake() - dropped0) +
                                                  " != injected " + std::to_string(injected) + " after \"" +
                                                  printable(sent) + "\"");
        }
        mid_reply = false;
    }

    void run(FuzzInput& in);
};

void Harness::run(FuzzInput& in) {
    const std::uint8_t config = in.byte();
    std::array<std::uint8_t, 8> b{};
    for (auto& x : b)
        x = in.byte();
    auto& o = l.options;
    if ((config & 1U) != 0) o.parser.strictness = pop3::Strictness::strict;
    if ((config & 2U) != 0) {
        o.parser.limits.max_status_line = 8 + b[0];
        o.parser.limits.max_body_line = 8 + std::size_t{b[1]} * 4;
        o.parser.limits.max_body = std::size_t{b[2]} * 16;
        o.parser.limits.max_streamed_body = std::size_t{b[3]} * 64;
    }
    if ((config & 4U) != 0) o.read_chunk = b[4] % 64;  // 0 means 1 in the client
    if ((config & 8U) != 0) o.max_partial_bytes = b[5] % 32;
    if ((config & 16U) != 0) {
        o.io_timeout = milliseconds(100 * (std::size_t{b[6]} % 64 + 1));
        o.reply_timeout = milliseconds(300 * (std::size_t{b[6]} / 4 + 1));
        o.overall_deadline = milliseconds(2000 * (std::size_t{b[7]} % 32));  // 0: no overall bound
    }
    const bool tls_fails = (config & 64U) != 0;
    secret_pass = std::string(kPasswords[b[7] % kPasswords.size()]);
    secret_digest = std::string(kDigests[(b[7] >> 2U) % kDigests.size()]);
    secret_plain = std::string(kPlain[(b[7] >> 3U) % kPlain.size()]);

    auto owned = std::make_unique<MemoryStream>();
    stream = owned.get();
    server.stream = stream;
    stream->on_write = [this](std::string_view bytes) { server.on_write(bytes); };
    stream->on_start_tls = [tls_fails] { return !tls_fails; };
    if ((config & 128U) != 0) {
        server.send(read_script(in));
    } else {
        Script g;
        g.bytes = "+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n";
        server.send(g);
    }
    const std::string greeting = server.last;
    const bool greeting_close = server.last_close;
    const bool greeting_delayed = server.delayed;
    const std::size_t count = in.below(kVerbs + 1);
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t verb = in.below(kVerbs);
        server.scripts[verb] = read_script(in);
    }
    c = Connection::over(std::move(owned), o, transcript);
    // The first op is always the greeting, compared with the standalone parser.
    (void)read(ReplyKind::single_line, pop3::BodyMode::store, greeting_delayed ? nullptr : &greeting, greeting_close);

    for (std::size_t op_count = 0; op_count < 48 && !in.empty(); ++op_count) {
        const std::uint8_t op = in.byte();
        const std::uint8_t p = in.byte();
        switch (op % 12) {
            case 1: {  // a pipelined batch (RFC 2449 §6.6), then its replies
                const std::size_t n = 2 + p % 3;
                std::string batch;
                std::vector<ReplyKind> kinds;
                Secret batch_mask = Secret::none;
                for (std::size_t i = 0; i < n; ++i) {
                    ReplyKind kind{};
                    Secret mask{};
                    const std::size_t verb = in.below(kVerbs);
                    std::string line = command(verb, in.byte(), kind, mask);
                    if (mask != Secret::none && batch_mask != Secret::none && mask != batch_mask) {
                        // One send has one mask (the lines of its command are masked): a second kind of secret
                        // in the same batch is not something a caller can send safely, so it becomes a NOOP.
                        line = "NOOP";
                        kind = ReplyKind::single_line;
                    } else if (mask != Secret::none) {
                        batch_mask = mask;
                    }
                    batch += line + "\r\n";
                    kinds.push_back(kind);
                }
                auto s = c.send_raw(batch, batch_mask);
                if (batch_mask != Secret::none) check_last_sent_redacted();
                if (!s) {
                    check_error(s.error(), l, "send_raw");
                    break;
                }
                for (auto kind : kinds)
                    (void)read(kind, mode_of(p), nullptr, false);
                break;
            }
            case 2: {  // a bare read, any kind
                static constexpr std::array<ReplyKind, 3> kinds = {ReplyKind::single_line, ReplyKind::multi_line_if_ok,
                                                                   ReplyKind::sasl};
                (void)read(kinds[p % 3], mode_of(p), nullptr, false);
                break;
            }
            case 3:
                stls_then_tls();
                break;
            case 4: {  // start_tls without STLS
                const bool tls_before = c.tls_active();
                auto t = c.start_tls();
                if (!t) check_error(t.error(), l, "start_tls");
                if (!tls_before && (t || t.error().kind == Errc::tls_error)) {
                    POP3_FUZZ_CHECK(c.buffered_bytes() == 0, "buffer not empty after start_tls");
                    mid_reply = false;
                }
                break;
            }
            case 5: {
                auto w = c.wait_closed(milliseconds(std::size_t{p} * 100));
                if (!w) check_error(w.error(), l, "wait_closed");
                POP3_FUZZ_CHECK(c.buffered_bytes() == 0, "buffer not empty after wait_closed");
                mid_reply = false;
                break;
            }
            case 6: {
                auto s = c.expect_silence(milliseconds(std::size_t{p} * 100));
                if (s) {
                    const bool placeholder = s->starts_with("<") && s->ends_with(" bytes of a partial reply>");
                    POP3_FUZZ_CHECK(placeholder || s->size() <= l.chunk(),
                                    "expect_silence kept " + std::to_string(s->size()) + " bytes");
                } else {
                    check_error(s.error(), l, "expect_silence");
                }
                POP3_FUZZ_CHECK(c.buffered_bytes() == 0, "buffer not empty after expect_silence");
                mid_reply = false;
                break;
            }
            case 7:
                (void)read(ReplyKind::single_line, pop3::BodyMode::store, nullptr, false);
                break;
            case 8:
                if ((p & 1U) != 0) {
                    c.reset();
                } else {
                    c.close();
                }
                POP3_FUZZ_CHECK(!c.is_open(), "open after close");
                break;
            case 9: {  // raw client bytes (no mask)
                const std::string_view raw = in.short_string(64);
                raw_secret = raw_secret || secret_in(raw);
                auto s = c.send_raw(raw);
                if (!s) check_error(s.error(), l, "send_raw");
                break;
            }
            case 10:
                stream->advance(milliseconds(std::size_t{p} * 1000));
                break;
            default:
                one_command(p % kVerbs, in.byte());
                break;
        }
        check_common();
    }
    if (!raw_secret) {
        for (const auto& e : transcript.entries()) {
            if (e.direction == pop3::client::Direction::client_to_server) {
                POP3_FUZZ_CHECK(!secret_in(e.bytes()), "secret in transcript: " + printable(e.bytes()));
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    Harness h;
    h.run(in);
    static const bool verbose = std::getenv("POP3SPEC_FUZZ_VERBOSE") != nullptr;
    if (verbose) {
        std::fprintf(stderr, "%s-- %zu replies compared with the standalone parser, %zu STLS discards checked\n",
                     h.transcript.to_text().c_str(), h.compared, h.stls_checked);
    }
    return 0;
}

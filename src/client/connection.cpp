#include "client/connection.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/address.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/error.hpp>
#include <asio/ssl/host_name_verification.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/write.hpp>
#include <optional>
#include <utility>
#include <vector>

namespace pop3::client {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

bool is_ip_literal(const std::string& host) {
    std::error_code ec;
    (void)asio::ip::make_address(host, ec);
    return !ec;
}

long long ms_count(Clock::duration d) {
    return std::chrono::duration_cast<milliseconds>(d).count();
}

bool is_limit(std::error_code ec) {
    return ec == pop3::Violation::status_line_too_long || ec == pop3::Violation::body_line_too_long ||
           ec == pop3::Violation::body_too_large;
}

bool is_eof(std::error_code ec) {
    // A TLS peer that closes without close_notify gives stream_truncated: for POP3 it is still "closed".
    return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

bool is_reset(std::error_code ec) {
    return ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
           ec == asio::error::broken_pipe;
}

bool is_tls(std::error_code ec) {
    return ec.category() == asio::error::get_ssl_category() || ec.category() == asio::ssl::error::get_stream_category();
}

Error make_error(Errc kind, std::string message, std::error_code cause = {}) {
    Error e;
    e.kind = kind;
    e.cause = cause;
    e.message = std::move(message);
    return e;
}

}  // namespace

const char* to_string(TlsMode m) noexcept {
    switch (m) {
        case TlsMode::none:
            return "none";
        case TlsMode::starttls:
            return "starttls";
        case TlsMode::implicit:
            return "implicit";
    }
    return "?";
}

std::string Endpoint::to_string() const {
    if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
    return fmt::format("{}:{}", host, port);
}

struct Connection::Impl {
    Impl(const ClientOptions& o, Transcript& t) : opts(o), transcript(&t), parser(o.parser) {
        chunk.resize(std::max<std::size_t>(opts.read_chunk, 1));
    }

    asio::io_context io{1};
    asio::ssl::context ssl_ctx{asio::ssl::context::tls_client};
    std::optional<asio::ssl::stream<asio::ip::tcp::socket>> stream;
    ClientOptions opts;
    Transcript* transcript;
    pop3::ReplyParser parser;
    std::string buf;  // received, not yet consumed by the parser (at most read_chunk bytes)
    std::vector<char> chunk;
    Clock::time_point deadline = Clock::time_point::max();
    std::string peer;
    std::string sni;
    bool open = false;
    bool eof = false;
    bool peer_reset = false;
    bool tls = false;
    // The unfinished reply's bytes, for Error::partial.
    std::string partial;
    std::size_t partial_total = 0;

    asio::ip::tcp::socket& socket() { return stream->next_layer(); }
    void event(std::string_view text) { transcript->record_event(text, opts.session); }

    Clock::time_point bound(Clock::time_point until) const { return std::min(until, deadline); }

    // Runs the io_context until `done` or `until`; on expiry cancels the socket's operations and drains them.
    // Returns false on expiry.
    bool run_until(const bool& done, Clock::time_point until) {
        io.restart();
        while (!done) {
            auto now = Clock::now();
            if (now >= until) break;
            io.run_one_for(until - now);
            if (io.stopped() && !done) io.restart();
        }
        if (done) return true;
        std::error_code ignored;
        socket().cancel(ignored);
        io.restart();
        while (!done) {
            if (io.run_one() == 0) break;
        }
        return false;
    }

    // One bounded read into `chunk`. Returns bytes read, or sets ec (timeout as asio::error::timed_out).
    std::size_t read_some(Clock::time_point until, std::error_code& ec) {
        bool done = false;
        std::size_t n = 0;
        auto handler = [&](std::error_code e, std::size_t bytes) {
            ec = e;
            n = bytes;
            done = true;
        };
        if (tls) {
            stream->async_read_some(asio::buffer(chunk), handler);
        } else {
            socket().async_read_some(asio::buffer(chunk), handler);
        }
        if (!run_until(done, until)) {
            ec = asio::error::timed_out;
            return 0;
        }
        return n;
    }

    // Writes all of `bytes` in one write operation, bounded by io_timeout and the deadline.
    std::error_code write_all(std::string_view bytes) {
        bool done = false;
        std::error_code ec;
        auto handler = [&](std::error_code e, std::size_t) {
            ec = e;
            done = true;
        };
        if (tls) {
            asio::async_write(*stream, asio::buffer(bytes.data(), bytes.size()), handler);
        } else {
            asio::async_write(socket(), asio::buffer(bytes.data(), bytes.size()), handler);
        }
        if (!run_until(done, bound(Clock::now() + opts.io_timeout))) return asio::error::timed_out;
        return ec;
    }

    std::error_code handshake(Clock::time_point until) {
        SSL* ssl = stream->native_handle();
        if (!sni.empty()) {
            // SSL_set_tlsext_host_name is a macro with an old-style cast; call what it expands to.
            SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(sni.c_str()));
        }
        if (opts.verify_peer) {
            // RFC 2595 §2.4 / RFC 8314 §5: check the chain and the host name (RFC 6125 rules in OpenSSL).
            stream->set_verify_mode(asio::ssl::verify_peer);
            stream->set_verify_callback(asio::ssl::host_name_verification(sni.empty() ? peer_host() : sni));
        } else {
            stream->set_verify_mode(asio::ssl::verify_none);
        }
        bool done = false;
        std::error_code ec;
        stream->async_handshake(asio::ssl::stream_base::client, [&](std::error_code e) {
            ec = e;
            done = true;
        });
        if (!run_until(done, bound(until))) return asio::error::timed_out;
        if (!ec) tls = true;
        return ec;
    }

    std::string peer_host() const {
        auto colon = peer.rfind(':');
        std::string host = colon == std::string::npos ? peer : peer.substr(0, colon);
        if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
        return host;
    }

    std::string tls_version() {
        if (!tls) return {};
        const char* v = SSL_get_version(stream->native_handle());
        return v != nullptr ? v : "";
    }

    std::string tls_cipher() {
        if (!tls) return {};
        const SSL_CIPHER* c = SSL_get_current_cipher(stream->native_handle());
        const char* name = c != nullptr ? SSL_CIPHER_get_name(c) : nullptr;
        return name != nullptr ? name : "";
    }

    void note_partial(std::string_view bytes) {
        partial_total += bytes.size();
        if (partial.size() < opts.max_partial_bytes) {
            partial.append(bytes.substr(0, opts.max_partial_bytes - partial.size()));
        }
    }

    Error with_partial(Error e) {
        e.partial = partial;
        e.received = partial_total;
        return e;
    }

    // An error for an expired wait: the overall deadline or the local bound.
    Error expired(Clock::time_point local_until, std::string_view what) {
        if (deadline <= local_until && Clock::now() >= deadline) {
            event(fmt::format("deadline exceeded {}", what));
            return make_error(Errc::deadline_exceeded,
                              fmt::format("overall deadline of {} ms passed {}", opts.overall_deadline.count(), what));
        }
        event(fmt::format("timeout {}", what));
        return make_error(Errc::timeout, fmt::format("no progress {}", what));
    }

    Error io_failure(std::error_code ec, std::string_view what) {
        event(fmt::format("{} error {}: {}", is_tls(ec) ? "TLS" : "I/O", what, ec.message()));
        return make_error(is_tls(ec) ? Errc::tls_error : Errc::io_error, fmt::format("{}: {}", what, ec.message()), ec);
    }

    void mark_closed(std::error_code ec) {
        eof = true;
        open = false;
        peer_reset = is_reset(ec);
        event(peer_reset ? "connection reset by peer" : "closed by peer");
    }

    void close_socket() {
        if (!stream) return;
        std::error_code ignored;
        socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        socket().close(ignored);
        open = false;
    }
};

Connection::Connection() = default;
Connection::~Connection() {
    if (impl_) impl_->close_socket();
}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&& other) noexcept {
    if (this != &other) {
        if (impl_) impl_->close_socket();
        impl_ = std::move(other.impl_);
    }
    return *this;
}
Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<Connection> Connection::connect(const Endpoint& endpoint, TlsMode tls, const ClientOptions& options,
                                       Transcript& transcript) {
    transcript.start_clock();
    auto impl = std::make_unique<Impl>(options, transcript);
    Impl& c = *impl;
    const auto start = Clock::now();
    if (options.overall_deadline.count() > 0) c.deadline = start + options.overall_deadline;
    const auto connect_until = c.bound(start + options.connect_timeout);

    if (options.verify_peer) {
        std::error_code ec;
        if (options.ca_file.empty()) {
            c.ssl_ctx.set_default_verify_paths(ec);
        } else {
            c.ssl_ctx.load_verify_file(options.ca_file, ec);
        }
        if (ec) return make_error(Errc::tls_error, fmt::format("loading CA certificates: {}", ec.message()), ec);
    }
    c.stream.emplace(c.io, c.ssl_ctx);
    c.sni = !options.sni_host.empty() ? options.sni_host : (is_ip_literal(endpoint.host) ? "" : endpoint.host);

    // Resolve: IP literals directly (no resolver thread), names through the bounded async resolver.
    std::vector<asio::ip::tcp::endpoint> targets;
    std::error_code ec;
    auto address = asio::ip::make_address(endpoint.host, ec);
    if (!ec) {
        targets.emplace_back(address, endpoint.port);
    } else {
        asio::ip::tcp::resolver resolver(c.io);
        bool done = false;
        std::error_code rec;
        resolver.async_resolve(endpoint.host, std::to_string(endpoint.port),
                               [&](std::error_code e, asio::ip::tcp::resolver::results_type results) {
                                   rec = e;
                                   for (const auto& r : results)
                                       targets.push_back(r.endpoint());
                                   done = true;
                               });
        c.io.restart();
        while (!done && Clock::now() < connect_until)
            c.io.run_one_for(connect_until - Clock::now());
        if (!done) {
            resolver.cancel();
            c.io.restart();
            while (!done && c.io.run_one_for(milliseconds(1000)) > 0) {
            }
            transcript.record_event(fmt::format("timeout resolving {}", endpoint.host), options.session);
            return make_error(Errc::resolve_failed, fmt::format("resolving {} timed out", endpoint.host));
        }
        if (rec || targets.empty()) {
            transcript.record_event(fmt::format("cannot resolve {}: {}", endpoint.host, rec.message()),
                                    options.session);
            return make_error(Errc::resolve_failed, fmt::format("cannot resolve {}: {}", endpoint.host, rec.message()),
                              rec);
        }
    }

    bool done = false;
    std::error_code cec;
    asio::async_connect(c.socket(), targets, [&](std::error_code e, const asio::ip::tcp::endpoint&) {
        cec = e;
        done = true;
    });
    if (!c.run_until(done, connect_until)) {
        transcript.record_event(fmt::format("timeout connecting to {}", endpoint.to_string()), options.session);
        return make_error(Errc::connect_failed, fmt::format("connecting to {} timed out after {} ms",
                                                            endpoint.to_string(), ms_count(Clock::now() - start)));
    }
    if (cec) {
        transcript.record_event(fmt::format("cannot connect to {}: {}", endpoint.to_string(), cec.message()),
                                options.session);
        return make_error(Errc::connect_failed,
                          fmt::format("cannot connect to {}: {}", endpoint.to_string(), cec.message()), cec);
    }
    c.open = true;
    {
        std::error_code pec;
        auto remote = c.socket().remote_endpoint(pec);
        c.peer = pec ? endpoint.to_string() : Endpoint{remote.address().to_string(), remote.port()}.to_string();
        std::error_code nec;
        c.socket().set_option(asio::ip::tcp::no_delay(true), nec);
    }
    c.event(fmt::format("connected to {}", c.peer));

    if (tls == TlsMode::implicit) {
        // RFC 8314 §3.1: on pop3s the handshake starts at once; the greeting comes inside TLS.
        auto hec = c.handshake(connect_until);
        if (hec) {
            Error e = hec == asio::error::timed_out
                          ? make_error(Errc::tls_error, "TLS handshake timed out", hec)
                          : make_error(Errc::tls_error, fmt::format("TLS handshake failed: {}", hec.message()), hec);
            c.event(e.to_string());
            c.close_socket();
            return e;
        }
        c.event(fmt::format("TLS started ({}, {})", c.tls_version(), c.tls_cipher()));
    }
    return Connection(std::move(impl));
}

Result<pop3::Reply> Connection::read_greeting(ReadOptions read) {
    // RFC 1939 §4: the greeting is one +OK line (or -ERR, then the server closes).
    return read_reply(pop3::ReplyKind::single_line, std::move(read));
}

Result<void> Connection::send_line(std::string_view line, Secret mask) {
    std::string bytes;
    bytes.reserve(line.size() + 2);
    bytes.append(line);
    bytes.append("\r\n");
    return send_raw(bytes, mask);
}

Result<void> Connection::send_raw(std::string_view bytes, Secret mask) {
    if (!impl_) return make_error(Errc::not_connected, "no connection");
    Impl& c = *impl_;
    if (!c.stream || !c.socket().is_open()) return make_error(Errc::not_connected, "the connection is closed");
    c.transcript->record_sent(bytes, mask, c.opts.session);
    if (Clock::now() >= c.deadline) return c.expired(c.deadline, "before sending");
    auto ec = c.write_all(bytes);
    if (ec == asio::error::timed_out) return c.expired(c.bound(Clock::now()), "writing");
    if (ec) {
        if (is_reset(ec)) {
            // EPIPE / ECONNRESET: the peer is gone; say so in the same words as a read would.
            if (!c.eof) c.mark_closed(ec);
            return make_error(Errc::closed_by_peer,
                              fmt::format("connection closed by the peer while writing: {}", ec.message()), ec);
        }
        return c.io_failure(ec, "writing");
    }
    return {};
}

Result<pop3::Reply> Connection::read_reply(pop3::ReplyKind kind, ReadOptions read) {
    if (!impl_) return make_error(Errc::not_connected, "no connection");
    Impl& c = *impl_;
    auto& parser = c.parser;
    if (!parser.in_reply() && !parser.has_reply()) {
        // A new reply. An expectation left queued by a read that timed out before any byte of its reply came is
        // stale: drop it, or this reply would be parsed with the old kind.
        if (parser.pending_expectations() > 0) parser.reset();
        // Say what the reply is and where its body goes (takes effect at its status line).
        parser.expect(kind);
        if (read.sink) {
            parser.set_body_sink(read.sink);
        } else {
            parser.set_body_mode(read.body_mode == pop3::BodyMode::sink ? pop3::BodyMode::discard : read.body_mode);
        }
        c.partial.clear();
        c.partial_total = 0;
    }
    const auto reply_until = c.bound(Clock::now() + read.timeout.value_or(c.opts.reply_timeout));

    auto finish_reply = [&](pop3::Reply reply) -> Result<pop3::Reply> {
        if (reply.error) {
            // Strict mode (or EOF): the reply is incomplete and the stream is out of sync.
            const bool at_eof = reply.error == pop3::Violation::missing_terminator_at_eof ||
                                reply.error == pop3::Violation::eof_in_status_line;
            Errc kind_of = at_eof ? Errc::closed_by_peer
                                  : (is_limit(reply.error) ? Errc::limit_exceeded : Errc::protocol_violation);
            parser.reset();
            Error e = c.with_partial(make_error(
                kind_of,
                at_eof ? fmt::format("connection closed in the middle of a reply ({} bytes received)", c.partial_total)
                       : fmt::format("{} in reply: {}", reply.error.message(),
                                     Transcript::escape(std::string_view(reply.status_line).substr(0, 200))),
                reply.error));
            if (!at_eof) c.event(e.to_string());
            return e;
        }
        c.partial.clear();
        c.partial_total = 0;
        return reply;
    };

    for (;;) {
        if (!c.buf.empty()) {
            auto r = parser.feed(c.buf);
            c.note_partial(std::string_view(c.buf).substr(0, r.consumed));
            c.buf.erase(0, r.consumed);
            if (r.reply_ready) return finish_reply(*parser.take());
            if (r.consumed == 0 && !c.buf.empty()) {
                // The parser refuses input it should take: never buffer without bound.
                parser.reset();
                return c.with_partial(make_error(Errc::protocol_violation, "reply parser stalled"));
            }
        }
        if (c.eof) {
            auto r = parser.finish();
            if (r.reply_ready) return finish_reply(*parser.take());
            parser.reset();
            return c.with_partial(make_error(
                Errc::closed_by_peer,
                c.partial_total == 0
                    ? std::string("connection closed by the peer before a reply")
                    : fmt::format("connection closed in the middle of a reply ({} bytes received)", c.partial_total)));
        }
        if (!c.stream || !c.socket().is_open()) return make_error(Errc::not_connected, "the connection is closed");
        const auto inactivity = read.inactivity_timeout.value_or(c.opts.io_timeout);
        const auto read_until = std::min(reply_until, c.bound(Clock::now() + inactivity));
        std::error_code ec;
        std::size_t n = c.read_some(read_until, ec);
        if (n > 0) {
            std::string_view got(c.chunk.data(), n);
            c.transcript->record_received(got, c.opts.session);
            c.buf.append(got);
        }
        if (ec == asio::error::timed_out) {
            auto waited = fmt::format("waiting for a reply ({} bytes of it received)", c.partial_total);
            return c.with_partial(c.expired(read_until, waited));
        }
        if (ec) {
            if (is_eof(ec) || is_reset(ec)) {
                c.mark_closed(ec);
                continue;
            }
            return c.with_partial(c.io_failure(ec, "reading"));
        }
    }
}

Result<TlsStartInfo> Connection::start_tls() {
    if (!impl_) return make_error(Errc::not_connected, "no connection");
    Impl& c = *impl_;
    if (c.tls) return make_error(Errc::bad_argument, "TLS is already active");
    if (!c.stream || !c.socket().is_open()) return make_error(Errc::not_connected, "the connection is closed");
    // RFC 2595 §4 (R2595-CLI-1): nothing received after the +OK to STLS may be used: it could be a response
    // injected in plaintext. Drop it, and say how much there was.
    TlsStartInfo info;
    info.discarded_bytes = c.buf.size() + c.parser.discard_buffered();
    c.buf.clear();
    c.parser.reset();
    if (info.discarded_bytes > 0) {
        c.event(fmt::format("discarded {} bytes received after the +OK to STLS (possible response injection)",
                            info.discarded_bytes));
    }
    auto ec = c.handshake(Clock::now() + c.opts.io_timeout);
    if (ec) {
        Error e = ec == asio::error::timed_out
                      ? make_error(Errc::tls_error, "TLS handshake timed out", ec)
                      : make_error(Errc::tls_error, fmt::format("TLS handshake failed: {}", ec.message()), ec);
        c.event(e.to_string());
        return e;
    }
    info.version = c.tls_version();
    info.cipher = c.tls_cipher();
    c.event(fmt::format("TLS started ({}, {})", info.version, info.cipher));
    return info;
}

Result<CloseWait> Connection::wait_closed(std::chrono::milliseconds timeout) {
    if (!impl_) return make_error(Errc::not_connected, "no connection");
    Impl& c = *impl_;
    CloseWait out;
    out.bytes_received = c.buf.size() + c.parser.discard_buffered();
    c.buf.clear();
    c.parser.reset();
    const auto until = c.bound(Clock::now() + timeout);
    while (!c.eof) {
        if (!c.stream || !c.socket().is_open()) break;
        std::error_code ec;
        std::size_t n = c.read_some(until, ec);
        if (n > 0) {
            c.transcript->record_received(std::string_view(c.chunk.data(), n), c.opts.session);
            out.bytes_received += n;
        }
        if (ec == asio::error::timed_out) {
            c.event(fmt::format("still open after {} ms", timeout.count()));
            return out;
        }
        if (ec) {
            if (is_eof(ec) || is_reset(ec)) {
                c.mark_closed(ec);
                break;
            }
            return c.io_failure(ec, "waiting for the close");
        }
    }
    out.closed = true;
    out.reset = c.peer_reset;
    return out;
}

Result<std::string> Connection::expect_silence(std::chrono::milliseconds duration) {
    if (!impl_) return make_error(Errc::not_connected, "no connection");
    Impl& c = *impl_;
    std::string got = c.buf;
    std::size_t dropped = c.parser.discard_buffered();
    c.buf.clear();
    c.parser.reset();
    if (dropped > 0 && got.empty()) got = fmt::format("<{} bytes of a partial reply>", dropped);
    const auto until = c.bound(Clock::now() + duration);
    while (!c.eof && c.stream && c.socket().is_open()) {
        std::error_code ec;
        std::size_t n = c.read_some(until, ec);
        if (n > 0) {
            std::string_view piece(c.chunk.data(), n);
            c.transcript->record_received(piece, c.opts.session);
            if (got.size() < c.opts.read_chunk) got.append(piece.substr(0, c.opts.read_chunk - got.size()));
        }
        if (ec == asio::error::timed_out) break;
        if (ec) {
            if (is_eof(ec) || is_reset(ec)) {
                c.mark_closed(ec);
                break;
            }
            return c.io_failure(ec, "listening");
        }
    }
    if (got.empty()) c.event(fmt::format("silence for {} ms", duration.count()));
    return got;
}

void Connection::close() {
    if (!impl_ || !impl_->stream) return;
    if (impl_->socket().is_open()) impl_->event("closed by client (no QUIT)");
    impl_->close_socket();
}

void Connection::reset() {
    if (!impl_ || !impl_->stream) return;
    std::error_code ignored;
    if (impl_->socket().is_open()) {
        // SO_LINGER with a zero timeout: close() sends RST instead of FIN.
        impl_->socket().set_option(asio::socket_base::linger(true, 0), ignored);
        impl_->event("reset by client (RST, no QUIT)");
    }
    impl_->socket().close(ignored);
    impl_->open = false;
}

bool Connection::is_open() const noexcept {
    return impl_ && impl_->open && !impl_->eof;
}
std::string Connection::peer_address() const {
    return impl_ ? impl_->peer : std::string();
}
bool Connection::tls_active() const noexcept {
    return impl_ && impl_->tls;
}
std::string Connection::tls_version() const {
    return impl_ ? impl_->tls_version() : std::string();
}
std::string Connection::tls_cipher() const {
    return impl_ ? impl_->tls_cipher() : std::string();
}
std::size_t Connection::buffered_bytes() const noexcept {
    return impl_ ? impl_->buf.size() : 0;
}

std::chrono::milliseconds Connection::time_left() const {
    if (!impl_ || impl_->deadline == Clock::time_point::max()) return milliseconds::max();
    auto left = impl_->deadline - Clock::now();
    return left.count() > 0 ? std::chrono::duration_cast<milliseconds>(left) : milliseconds(0);
}

const ClientOptions& Connection::options() const {
    static const ClientOptions defaults;
    return impl_ ? impl_->opts : defaults;
}

Transcript& Connection::transcript() {
    return *impl_->transcript;
}

}  // namespace pop3::client

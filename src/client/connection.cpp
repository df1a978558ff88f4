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

namespace {

// The default transport: Asio TCP, with TLS (OpenSSL) on top once started. Its own io_context runs on the
// calling thread, so every call returns by its deadline.
class AsioStream final : public ByteStream {
  public:
    AsioStream() { stream.emplace(io, ssl_ctx); }
    ~AsioStream() override { close(); }

    asio::io_context io{1};
    asio::ssl::context ssl_ctx{asio::ssl::context::tls_client};
    std::optional<asio::ssl::stream<asio::ip::tcp::socket>> stream;
    std::string peer;
    std::string sni;
    bool verify_peer = false;
    bool tls = false;

    asio::ip::tcp::socket& socket() { return stream->next_layer(); }
    const asio::ip::tcp::socket& socket() const { return stream->next_layer(); }

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

    static StreamResult outcome(std::error_code ec, std::size_t n) {
        StreamResult r;
        r.bytes = n;
        r.error = ec;
        if (!ec) return r;
        r.status = is_eof(ec) ? StreamStatus::eof : is_reset(ec) ? StreamStatus::reset : StreamStatus::failed;
        r.tls = is_tls(ec);
        return r;
    }
    static StreamResult timed_out() {
        StreamResult r;
        r.status = StreamStatus::timed_out;
        r.error = asio::error::timed_out;
        return r;
    }

    Clock::time_point now() const override { return Clock::now(); }

    StreamResult read_some(std::span<char> buffer, Clock::time_point until) override {
        bool done = false;
        std::size_t n = 0;
        std::error_code ec;
        auto handler = [&](std::error_code e, std::size_t bytes) {
            ec = e;
            n = bytes;
            done = true;
        };
        if (tls) {
            stream->async_read_some(asio::buffer(buffer.data(), buffer.size()), handler);
        } else {
            socket().async_read_some(asio::buffer(buffer.data(), buffer.size()), handler);
        }
        if (!run_until(done, until)) {
            // The read may have taken bytes before it was cancelled (Asio reads speculatively when it starts):
            // they are out of the socket now, so hand them over (with the timeout) rather than lose them.
            StreamResult r = timed_out();
            if (done && n > 0) r.bytes = n;
            return r;
        }
        return outcome(ec, n);
    }

    StreamResult write(std::string_view bytes, Clock::time_point until) override {
        bool done = false;
        std::size_t n = 0;
        std::error_code ec;
        auto handler = [&](std::error_code e, std::size_t written) {
            ec = e;
            n = written;
            done = true;
        };
        if (tls) {
            asio::async_write(*stream, asio::buffer(bytes.data(), bytes.size()), handler);
        } else {
            asio::async_write(socket(), asio::buffer(bytes.data(), bytes.size()), handler);
        }
        if (!run_until(done, until)) return timed_out();
        return outcome(ec, n);
    }

    StreamResult start_tls(Clock::time_point until) override {
        SSL* ssl = stream->native_handle();
        if (!sni.empty()) {
            // SSL_set_tlsext_host_name is a macro with an old-style cast; call what it expands to.
            SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(sni.c_str()));
        }
        if (verify_peer) {
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
        if (!run_until(done, until)) return timed_out();
        if (!ec) tls = true;
        StreamResult r = outcome(ec, 0);
        if (ec) {
            r.status = StreamStatus::failed;
            r.tls = true;
        }
        return r;
    }

    std::string peer_host() const {
        auto colon = peer.rfind(':');
        std::string host = colon == std::string::npos ? peer : peer.substr(0, colon);
        if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
        return host;
    }

    bool tls_active() const override { return tls; }

    std::string tls_version() const override {
        if (!tls) return {};
        const char* v = SSL_get_version(const_cast<AsioStream*>(this)->stream->native_handle());
        return v != nullptr ? v : "";
    }

    std::string tls_cipher() const override {
        if (!tls) return {};
        const SSL_CIPHER* c = SSL_get_current_cipher(const_cast<AsioStream*>(this)->stream->native_handle());
        const char* name = c != nullptr ? SSL_CIPHER_get_name(c) : nullptr;
        return name != nullptr ? name : "";
    }

    bool is_open() const override { return stream && socket().is_open(); }

    void close() override {
        if (!stream) return;
        std::error_code ignored;
        socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        socket().close(ignored);
    }

    void reset() override {
        if (!stream) return;
        std::error_code ignored;
        // SO_LINGER with a zero timeout: close() sends RST instead of FIN.
        if (socket().is_open()) socket().set_option(asio::socket_base::linger(true, 0), ignored);
        socket().close(ignored);
    }

    std::string peer_address() const override { return peer; }
};

}  // namespace

struct Connection::Impl {
    Impl(std::unique_ptr<ByteStream> s, const ClientOptions& o, Transcript& t)
        : stream(std::move(s)), opts(o), transcript(&t), parser(o.parser) {
        chunk.resize(std::max<std::size_t>(opts.read_chunk, 1));
    }

    std::unique_ptr<ByteStream> stream;
    ClientOptions opts;
    Transcript* transcript;
    pop3::ReplyParser parser;
    std::string buf;  // received, not yet consumed by the parser (at most read_chunk bytes)
    std::vector<char> chunk;
    Clock::time_point deadline = Clock::time_point::max();
    std::string peer;
    bool open = false;
    bool eof = false;
    bool peer_reset = false;
    // The unfinished reply's bytes, for Error::partial.
    std::string partial;
    std::size_t partial_total = 0;

    Clock::time_point now() const { return stream->now(); }
    void event(std::string_view text) { transcript->record_event(text, opts.session); }
    bool stream_open() const { return stream && stream->is_open(); }

    Clock::time_point bound(Clock::time_point until) const { return std::min(until, deadline); }
    // now + d, saturating (a huge caller timeout means "no bound" rather than an overflow).
    Clock::time_point after(milliseconds d) const {
        const auto t = now();
        if (d.count() <= 0) return t;
        if (Clock::time_point::max() - t <= d) return Clock::time_point::max();
        return t + d;
    }

    // One bounded read into `chunk`.
    StreamResult read_some(Clock::time_point until) { return stream->read_some(std::span<char>(chunk), until); }

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
        if (deadline <= local_until && now() >= deadline) {
            event(fmt::format("deadline exceeded {}", what));
            return make_error(Errc::deadline_exceeded,
                              fmt::format("overall deadline of {} ms passed {}", opts.overall_deadline.count(), what));
        }
        event(fmt::format("timeout {}", what));
        return make_error(Errc::timeout, fmt::format("no progress {}", what));
    }

    Error io_failure(const StreamResult& r, std::string_view what) {
        std::string why = r.error ? r.error.message() : std::string("unknown error");
        event(fmt::format("{} error {}: {}", r.tls ? "TLS" : "I/O", what, why));
        return make_error(r.tls ? Errc::tls_error : Errc::io_error, fmt::format("{}: {}", what, why), r.error);
    }

    void mark_closed(const StreamResult& r) {
        eof = true;
        open = false;
        peer_reset = r.status == StreamStatus::reset;
        event(peer_reset ? "connection reset by peer" : "closed by peer");
    }

    void close_socket() {
        if (!stream) return;
        stream->close();
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
    auto owned = std::make_unique<AsioStream>();
    AsioStream& s = *owned;
    const auto start = Clock::now();
    const auto deadline =
        options.overall_deadline.count() > 0 ? start + options.overall_deadline : Clock::time_point::max();
    const auto connect_until = std::min(start + options.connect_timeout, deadline);

    if (options.verify_peer) {
        std::error_code ec;
        if (options.ca_file.empty()) {
            s.ssl_ctx.set_default_verify_paths(ec);
        } else {
            s.ssl_ctx.load_verify_file(options.ca_file, ec);
        }
        if (ec) return make_error(Errc::tls_error, fmt::format("loading CA certificates: {}", ec.message()), ec);
    }
    s.verify_peer = options.verify_peer;
    s.sni = !options.sni_host.empty() ? options.sni_host : (is_ip_literal(endpoint.host) ? "" : endpoint.host);

    // Resolve: IP literals directly (no resolver thread), names through the bounded async resolver.
    std::vector<asio::ip::tcp::endpoint> targets;
    std::error_code ec;
    auto address = asio::ip::make_address(endpoint.host, ec);
    if (!ec) {
        targets.emplace_back(address, endpoint.port);
    } else {
        asio::ip::tcp::resolver resolver(s.io);
        bool done = false;
        std::error_code rec;
        resolver.async_resolve(endpoint.host, std::to_string(endpoint.port),
                               [&](std::error_code e, asio::ip::tcp::resolver::results_type results) {
                                   rec = e;
                                   for (const auto& r : results)
                                       targets.push_back(r.endpoint());
                                   done = true;
                               });
        s.io.restart();
        while (!done && Clock::now() < connect_until)
            s.io.run_one_for(connect_until - Clock::now());
        if (!done) {
            resolver.cancel();
            s.io.restart();
            while (!done && s.io.run_one_for(milliseconds(1000)) > 0) {
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
    asio::async_connect(s.socket(), targets, [&](std::error_code e, const asio::ip::tcp::endpoint&) {
        cec = e;
        done = true;
    });
    if (!s.run_until(done, connect_until)) {
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
    {
        std::error_code pec;
        auto remote = s.socket().remote_endpoint(pec);
        s.peer = pec ? endpoint.to_string() : Endpoint{remote.address().to_string(), remote.port()}.to_string();
        std::error_code nec;
        s.socket().set_option(asio::ip::tcp::no_delay(true), nec);
    }
    auto impl = std::make_unique<Impl>(std::move(owned), options, transcript);
    Impl& c = *impl;
    c.deadline = deadline;
    c.open = true;
    c.peer = s.peer;
    c.event(fmt::format("connected to {}", c.peer));

    if (tls == TlsMode::implicit) {
        // RFC 8314 §3.1: on pop3s the handshake starts at once; the greeting comes inside TLS.
        auto hr = c.stream->start_tls(connect_until);
        if (hr.status != StreamStatus::ok) {
            Error e = hr.status == StreamStatus::timed_out
                          ? make_error(Errc::tls_error, "TLS handshake timed out", hr.error)
                          : make_error(Errc::tls_error, fmt::format("TLS handshake failed: {}", hr.error.message()),
                                       hr.error);
            c.event(e.to_string());
            c.close_socket();
            return e;
        }
        c.event(fmt::format("TLS started ({}, {})", c.stream->tls_version(), c.stream->tls_cipher()));
    }
    return Connection(std::move(impl));
}

Connection Connection::over(std::unique_ptr<ByteStream> stream, const ClientOptions& options, Transcript& transcript) {
    transcript.start_clock();
    auto impl = std::make_unique<Impl>(std::move(stream), options, transcript);
    Impl& c = *impl;
    if (options.overall_deadline.count() > 0) c.deadline = c.after(options.overall_deadline);
    c.open = c.stream_open();
    c.peer = c.stream->peer_address();
    c.event(fmt::format("connected to {}", c.peer));
    if (c.stream->tls_active()) {
        c.event(fmt::format("TLS started ({}, {})", c.stream->tls_version(), c.stream->tls_cipher()));
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
    if (!c.stream_open()) return make_error(Errc::not_connected, "the connection is closed");
    c.transcript->record_sent(bytes, mask, c.opts.session);
    if (c.now() >= c.deadline) return c.expired(c.deadline, "before sending");
    const auto until = c.bound(c.after(c.opts.io_timeout));
    auto r = c.stream->write(bytes, until);
    if (r.status == StreamStatus::timed_out) return c.expired(until, "writing");
    if (r.status == StreamStatus::eof || r.status == StreamStatus::reset) {
        // EPIPE / ECONNRESET: the peer is gone; say so in the same words as a read would.
        if (!c.eof) c.mark_closed(r);
        return make_error(Errc::closed_by_peer,
                          fmt::format("connection closed by the peer while writing: {}", r.error.message()), r.error);
    }
    if (r.status != StreamStatus::ok) return c.io_failure(r, "writing");
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
    const auto reply_until = c.bound(c.after(read.timeout.value_or(c.opts.reply_timeout)));

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

    // Set when a read timed out with bytes (taken before it was cancelled): they are parsed, then the read ends.
    std::optional<Clock::time_point> expired_at;
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
        if (expired_at) {
            auto waited = fmt::format("waiting for a reply ({} bytes of it received)", c.partial_total);
            return c.with_partial(c.expired(*expired_at, waited));
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
        if (!c.stream_open()) return make_error(Errc::not_connected, "the connection is closed");
        const auto inactivity = read.inactivity_timeout.value_or(c.opts.io_timeout);
        const auto read_until = std::min(reply_until, c.bound(c.after(inactivity)));
        auto r = c.read_some(read_until);
        if (r.bytes > 0) {
            std::string_view got(c.chunk.data(), r.bytes);
            c.transcript->record_received(got, c.opts.session);
            c.buf.append(got);
        }
        if (r.status == StreamStatus::timed_out) {
            if (r.bytes > 0) {
                expired_at = read_until;
                continue;
            }
            auto waited = fmt::format("waiting for a reply ({} bytes of it received)", c.partial_total);
            return c.with_partial(c.expired(read_until, waited));
        }
        if (r.status == StreamStatus::eof || r.status == StreamStatus::reset) {
            c.mark_closed(r);
            continue;
        }
        if (r.status != StreamStatus::ok) return c.with_partial(c.io_failure(r, "reading"));
    }
}

Result<TlsStartInfo> Connection::start_tls() {
    if (!impl_) return make_error(Errc::not_connected, "no connection");
    Impl& c = *impl_;
    if (c.stream->tls_active()) return make_error(Errc::bad_argument, "TLS is already active");
    if (!c.stream_open()) return make_error(Errc::not_connected, "the connection is closed");
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
    auto r = c.stream->start_tls(c.bound(c.after(c.opts.io_timeout)));
    if (r.status != StreamStatus::ok) {
        Error e =
            r.status == StreamStatus::timed_out
                ? make_error(Errc::tls_error, "TLS handshake timed out", r.error)
                : make_error(Errc::tls_error, fmt::format("TLS handshake failed: {}", r.error.message()), r.error);
        c.event(e.to_string());
        return e;
    }
    info.version = c.stream->tls_version();
    info.cipher = c.stream->tls_cipher();
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
    const auto until = c.bound(c.after(timeout));
    while (!c.eof) {
        if (!c.stream_open()) break;
        auto r = c.read_some(until);
        if (r.bytes > 0) {
            c.transcript->record_received(std::string_view(c.chunk.data(), r.bytes), c.opts.session);
            out.bytes_received += r.bytes;
        }
        if (r.status == StreamStatus::timed_out) {
            c.event(fmt::format("still open after {} ms", timeout.count()));
            return out;
        }
        if (r.status == StreamStatus::eof || r.status == StreamStatus::reset) {
            c.mark_closed(r);
            break;
        }
        if (r.status != StreamStatus::ok) return c.io_failure(r, "waiting for the close");
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
    const auto until = c.bound(c.after(duration));
    while (!c.eof && c.stream_open()) {
        auto r = c.read_some(until);
        if (r.bytes > 0) {
            std::string_view piece(c.chunk.data(), r.bytes);
            c.transcript->record_received(piece, c.opts.session);
            if (got.size() < c.opts.read_chunk) got.append(piece.substr(0, c.opts.read_chunk - got.size()));
        }
        if (r.status == StreamStatus::timed_out) break;
        if (r.status == StreamStatus::eof || r.status == StreamStatus::reset) {
            c.mark_closed(r);
            break;
        }
        if (r.status != StreamStatus::ok) return c.io_failure(r, "listening");
    }
    if (got.empty()) c.event(fmt::format("silence for {} ms", duration.count()));
    return got;
}

void Connection::close() {
    if (!impl_ || !impl_->stream) return;
    if (impl_->stream->is_open()) impl_->event("closed by client (no QUIT)");
    impl_->close_socket();
}

void Connection::reset() {
    if (!impl_ || !impl_->stream) return;
    if (impl_->stream->is_open()) impl_->event("reset by client (RST, no QUIT)");
    impl_->stream->reset();
    impl_->open = false;
}

bool Connection::is_open() const noexcept {
    return impl_ && impl_->open && !impl_->eof;
}
std::string Connection::peer_address() const {
    return impl_ ? impl_->peer : std::string();
}
bool Connection::tls_active() const noexcept {
    return impl_ && impl_->stream && impl_->stream->tls_active();
}
std::string Connection::tls_version() const {
    return impl_ && impl_->stream ? impl_->stream->tls_version() : std::string();
}
std::string Connection::tls_cipher() const {
    return impl_ && impl_->stream ? impl_->stream->tls_cipher() : std::string();
}
std::size_t Connection::buffered_bytes() const noexcept {
    return impl_ ? impl_->buf.size() : 0;
}
ByteStream* Connection::stream() noexcept {
    return impl_ ? impl_->stream.get() : nullptr;
}

std::chrono::milliseconds Connection::time_left() const {
    if (!impl_ || impl_->deadline == Clock::time_point::max()) return milliseconds::max();
    auto left = impl_->deadline - impl_->now();
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

// One POP3 client connection on Asio: plain TCP, STLS (RFC 2595) or implicit TLS (RFC 8314), with a blocking,
// deadline-driven API for the scenario runner. Every read is bounded and every wait has a timeout: a server that
// sends nothing, never ends a line, streams an endless body, drips a byte a second, sends NULs or a 100 MB line, or
// closes mid-reply yields a typed Error within the timeout, never a hang or unbounded memory.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "client/byte_stream.hpp"
#include "client/error.hpp"
#include "client/transcript.hpp"
#include "pop3/reply_parser.hpp"

namespace pop3::client {

/// Where to connect: a host name or an IP literal, and a port.
struct Endpoint {
    std::string host = "127.0.0.1";
    std::uint16_t port = 110;

    /// "host:port", or "[v6]:port" for an IPv6 literal.
    std::string to_string() const;
};

/// How TLS is used on a connection. `starttls` connects in plaintext; the caller sends STLS, reads the +OK and
/// calls start_tls() (so a scenario can probe every step). `implicit` handshakes right after TCP connect (RFC 8314
/// §3.1, port 995).
enum class TlsMode { none, starttls, implicit };

/// Short name: "none", "starttls", "implicit".
const char* to_string(TlsMode m) noexcept;

/// Everything a connection is bounded by. The defaults suit a test rig: generous but finite.
struct ClientOptions {
    /// TCP connect (all resolved addresses) plus, for implicit TLS, the handshake.
    std::chrono::milliseconds connect_timeout{5000};
    /// Inactivity bound: a single socket read (or write) that makes no progress for this long is a timeout.
    std::chrono::milliseconds io_timeout{10000};
    /// Default bound for one whole reply (read_reply without an explicit timeout). A server dripping one byte a
    /// second never trips io_timeout; this bound (and overall_deadline) stops it.
    std::chrono::milliseconds reply_timeout{30000};
    /// Bound for the whole connection from connect(); every operation ends by then. Zero: no overall bound.
    std::chrono::milliseconds overall_deadline{120000};

    /// Size limits and strict/tolerant mode of the reply parser (pop3/reply_parser.hpp). Tolerant by default:
    /// violations are listed on each Reply; strict: the first one ends the read with an Error.
    pop3::ReplyParserOptions parser{};
    /// Bytes per socket read. The client never holds more than this many received-but-unparsed bytes.
    std::size_t read_chunk = 16 * 1024;
    /// At most this many bytes of a partial reply are kept for Error::partial.
    std::size_t max_partial_bytes = 4096;

    /// Verify the server certificate chain and host name (RFC 2595 §2.4, RFC 8314 §5). Off by default because test
    /// rigs use self-signed certificates; a verified connection is the only one to treat as confidential.
    bool verify_peer = false;
    /// PEM CA bundle for verify_peer; empty means the system's default paths.
    std::string ca_file;
    /// Server name for SNI and host name verification; empty means Endpoint::host when it is a name (not an IP).
    std::string sni_host;

    /// Tag for this connection's transcript entries (several sessions of one scenario share a transcript).
    std::uint32_t session = 0;
};

/// Per-call options of read_reply.
struct ReadOptions {
    /// Bound for the whole reply; unset means ClientOptions::reply_timeout. Always also bounded by io_timeout of
    /// inactivity and by the overall deadline.
    std::optional<std::chrono::milliseconds> timeout;
    /// Bound on inactivity (no byte received) for this read; unset means ClientOptions::io_timeout. A caller that
    /// waits longer than usual for one reply (a server that holds a reply while it waits for a lock) sets both.
    std::optional<std::chrono::milliseconds> inactivity_timeout;
    /// Where a multi-line body goes: kept in Reply::body (bounded by ReplyLimits::max_body), streamed to `sink`
    /// in unstuffed chunks, or only counted (Reply::body_octets / body_lines). Use sink or discard for huge bodies
    /// (a 1 GiB RETR: hash it in the sink); the timeouts still apply.
    pop3::BodyMode body_mode = pop3::BodyMode::store;
    /// The sink for BodyMode::sink (setting it implies sink mode).
    pop3::BodySink sink;
};

/// What start_tls() did.
struct TlsStartInfo {
    /// Bytes received after the +OK to STLS and before the handshake, discarded unparsed (RFC 2595 §4 and
    /// R2595-CLI-1: response injection). Non-zero means the server (or a man in the middle) injected data.
    std::size_t discarded_bytes = 0;
    /// The negotiated protocol, e.g. "TLSv1.3".
    std::string version;
    /// The negotiated cipher suite name.
    std::string cipher;
};

/// What wait_closed() saw.
struct CloseWait {
    bool closed = false;             ///< the peer closed (EOF or RST) within the time
    bool reset = false;              ///< ... by a TCP reset (ECONNRESET)
    std::size_t bytes_received = 0;  ///< bytes that arrived meanwhile (recorded in the transcript, then dropped)
};

/// One POP3 client connection. Movable, not copyable. Each Connection runs its own io_context on the calling thread,
/// so connections are independent and every call returns by its deadline.
class Connection {
  public:
    Connection();
    ~Connection();
    Connection(Connection&&) noexcept;
    Connection& operator=(Connection&&) noexcept;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Resolves and connects (and for TlsMode::implicit, handshakes). `transcript` must outlive the connection; its
    /// clock starts now if it has not yet. TlsMode::starttls behaves like none here (see start_tls()).
    static Result<Connection> connect(const Endpoint& endpoint, TlsMode tls, const ClientOptions& options,
                                      Transcript& transcript);

    /// A connection over any byte stream that is already connected (e.g. a MemoryStream whose peer is a script, for
    /// tests and the fuzzer). Deadlines run on the stream's clock (virtual for a MemoryStream). The transport
    /// options (connect_timeout, verify_peer, ca_file, sni_host) do not apply. `stream` must not be null.
    static Connection over(std::unique_ptr<ByteStream> stream, const ClientOptions& options, Transcript& transcript);

    /// Reads the greeting: a single-line reply (RFC 1939 §4).
    Result<pop3::Reply> read_greeting(ReadOptions read = {});

    /// Sends `line` followed by CRLF in one write. `mask` names the secret part, redacted in the transcript.
    Result<void> send_line(std::string_view line, Secret mask = Secret::none);

    /// Sends `bytes` exactly as given, in ONE write: a pipelined batch (RFC 2449 §6.6), a line without CRLF, NULs.
    /// `mask` is applied line by line in the transcript.
    Result<void> send_raw(std::string_view bytes, Secret mask = Secret::none);

    /// Reads the next reply. `kind` says whether a +OK starts a multi-line body (RFC 1939 §5: LIST/UIDL without an
    /// argument, RETR, TOP, CAPA) or whether a SASL continuation may come (RFC 5034 §4). Bytes after the reply stay
    /// buffered for the next call (pipelining, RFC 2449 §6.6). In tolerant mode violations are listed in the Reply;
    /// in strict mode the first one is an Errc::protocol_violation (or limit_exceeded for a size limit), and the
    /// parser is reset (the stream is then out of sync). A reply cut by EOF is Errc::closed_by_peer with the partial
    /// bytes. After a timeout in the middle of a reply the partial reply is kept, and the next read_reply continues
    /// it (its `kind` is then ignored).
    Result<pop3::Reply> read_reply(pop3::ReplyKind kind, ReadOptions read = {});

    /// Starts TLS after the server's +OK to STLS (RFC 2595 §4): every byte buffered after that +OK is discarded and
    /// counted (R2595-CLI-1), then the handshake runs within io_timeout.
    Result<TlsStartInfo> start_tls();

    /// Waits up to `timeout` for the peer to close. Bytes that arrive meanwhile (and bytes already buffered) are
    /// recorded, counted and dropped; the wait goes on until EOF or the time is up.
    Result<CloseWait> wait_closed(std::chrono::milliseconds timeout);

    /// Listens for `duration` and returns what arrived (already-buffered bytes included), at most read_chunk bytes
    /// kept; the bytes are consumed. An empty string means silence; EOF ends the window early (then is_open() is
    /// false).
    Result<std::string> expect_silence(std::chrono::milliseconds duration);

    /// Closes the socket abruptly: no QUIT, no TLS close_notify (a client vanishing, RFC 1939 §6: no UPDATE).
    void close();
    /// Closes with a TCP reset (SO_LINGER 0).
    void reset();

    /// True while the socket is open and the peer has not closed.
    bool is_open() const noexcept;
    /// "ip:port" of the peer ("" if not connected).
    std::string peer_address() const;
    /// True once TLS is established (implicit, or after start_tls()).
    bool tls_active() const noexcept;
    /// Negotiated TLS version ("TLSv1.3"), empty without TLS.
    std::string tls_version() const;
    /// Negotiated cipher suite ("TLS_AES_256_GCM_SHA384"), empty without TLS.
    std::string tls_cipher() const;
    /// Bytes received and not yet consumed by a reply (the next read_reply starts with them).
    std::size_t buffered_bytes() const noexcept;
    /// The stream under the connection (nullptr for a default-constructed or moved-from Connection).
    ByteStream* stream() noexcept;
    /// Time left before the overall deadline (max() when there is none).
    std::chrono::milliseconds time_left() const;
    /// The options the connection was made with.
    const ClientOptions& options() const;
    /// The transcript the connection writes to (precondition: a connected or moved-from-connected Connection).
    Transcript& transcript();

  private:
    struct Impl;
    explicit Connection(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace pop3::client

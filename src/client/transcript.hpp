// The record of one or more client connections: what went each way, when, and what happened (events). Secrets are
// redacted before anything is stored, and every entry and the entry count are bounded, so a 1 GiB RETR or a
// million-command fuzz session cannot blow memory.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::client {

/// Which part of a line sent by the client is secret and must never reach the transcript.
enum class Secret {
    none,           ///< nothing to redact (registered secrets are still redacted wherever they appear)
    pass_argument,  ///< `PASS <redacted>`: everything after the first space (RFC 1939 §7 PASS may contain spaces)
    apop_digest,    ///< `APOP user <redacted>`: the last space-separated token (RFC 1939 §7 APOP)
    auth_payload,   ///< `AUTH PLAIN <redacted>`: everything after the mechanism (RFC 5034 §4 initial response)
    whole_line,     ///< `<redacted>`: the whole line (a SASL continuation response, RFC 5034 §4)
};

/// Direction of a transcript entry.
enum class Direction {
    client_to_server,  ///< bytes the client wrote
    server_to_client,  ///< bytes the client received (consecutive reads are merged into one entry)
    event,             ///< something that happened: "connected to ...", "TLS started (TLSv1.3)", "closed by peer",
                       ///< "timeout after 5000 ms", "discarded 10 bytes buffered after +OK to STLS", ...
};

/// Short name of a direction: "C", "S" or "*" (as in RFC transcripts: C: and S:).
const char* to_string(Direction d) noexcept;

/// Bounds of a transcript. Defaults keep the first 4 KiB and the last 512 bytes of each entry.
struct TranscriptLimits {
    std::size_t entry_head = 4096;    ///< bytes kept from the start of an entry
    std::size_t entry_tail = 512;     ///< bytes kept from the end of an entry (after the omitted middle)
    std::size_t max_entries = 20000;  ///< further entries are counted in dropped_entries(), not stored
};

/// One transcript entry. Its bytes are raw (already redacted), possibly with an omitted middle.
struct TranscriptEntry {
    Direction direction = Direction::event;
    std::chrono::milliseconds at{0};  ///< since the transcript's clock started (the first connect)
    std::uint32_t session = 0;        ///< ClientOptions::session of the connection that wrote it
    std::string head;                 ///< the first bytes (for events: the event text)
    std::string tail;                 ///< the last bytes, when the middle was omitted (else empty)
    std::size_t total = 0;            ///< size of the entry before truncation (head + omitted + tail)

    /// True when bytes between head and tail were dropped.
    bool truncated() const noexcept { return total > head.size() + tail.size(); }
    /// Number of bytes dropped between head and tail.
    std::size_t omitted() const noexcept { return total - head.size() - tail.size(); }
    /// The stored bytes (head then tail), raw.
    std::string bytes() const { return head + tail; }
    /// The bytes escaped for people (see Transcript::escape), with "[... N bytes omitted ...]" where truncated.
    std::string escaped() const;
};

/// The transcript of one scenario: shared by its connections (each tags its entries with its session number).
/// Not thread-safe: use it from the thread that drives the connections.
class Transcript {
  public:
    explicit Transcript(TranscriptLimits limits = {});

    /// Starts the clock if it is not running yet (Connection::connect calls this); entry times count from here.
    void start_clock();

    /// Registers a secret (a password, a SASL payload): any occurrence in any later entry, sent or received, is
    /// replaced by `<redacted>` before it is stored. Empty secrets are ignored.
    void add_secret(std::string secret);

    /// Records bytes written by the client, redacting the part `mask` names (line by line) and every registered
    /// secret. Each call is one entry.
    void record_sent(std::string_view bytes, Secret mask = Secret::none, std::uint32_t session = 0);

    /// Records bytes received. Consecutive receptions of the same session are merged into one entry (a 1 GiB body
    /// becomes one entry of head + tail), so the entry count stays small.
    void record_received(std::string_view bytes, std::uint32_t session = 0);

    /// Records an event (plain text, no newline).
    void record_event(std::string_view text, std::uint32_t session = 0);

    /// The entries, oldest first.
    const std::vector<TranscriptEntry>& entries() const noexcept { return entries_; }
    /// Entries not stored because max_entries was reached.
    std::size_t dropped_entries() const noexcept { return dropped_; }
    /// Milliseconds since the clock started (0 before).
    std::chrono::milliseconds elapsed() const;

    /// The whole transcript as text, one entry per line: "[  12 ms] C: USER alice\r\n" (escaped).
    std::string to_text() const;

    /// Shows bytes for people: CR as \r, LF as \n, TAB as \t, backslash as \\, NUL as \x00, other bytes outside
    /// 0x20-0x7E as \xNN. UTF-8 is escaped too (byte-exact, unambiguous).
    static std::string escape(std::string_view bytes);

    /// The text that replaces a secret.
    static constexpr std::string_view redacted = "<redacted>";

    /// Applies `mask` to one line (with or without its CRLF) and returns the redacted line. Public for tests.
    static std::string mask_line(std::string_view line, Secret mask);

  private:
    std::string redact_secrets(std::string text) const;
    void append(TranscriptEntry& entry, std::string_view bytes) const;
    TranscriptEntry* push(Direction d, std::uint32_t session);

    TranscriptLimits limits_;
    std::vector<TranscriptEntry> entries_;
    std::vector<std::string> secrets_;
    std::chrono::steady_clock::time_point t0_{};
    bool started_ = false;
    std::size_t dropped_ = 0;
};

}  // namespace pop3::client

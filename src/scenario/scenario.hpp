#pragma once
// The scenario model: one scripted POP3 dialogue, as loaded from YAML (see docs/scenarios.md).
// What goes on the wire (commands, raw bytes) is kept apart from what it means (expectations on the
// parsed, unstuffed reply) — STYLE.md §7.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace pop3::scenario {

/// Requirement strength of a scenario or of one step; decides how a broken expectation is graded.
enum class Level { must, should, may, info, implied };

/// Parses "MUST", "MUST*", "SHOULD", "MAY", "INFO", "IMPLIED" (case-insensitive); nullopt if unknown.
std::optional<Level> parse_level(std::string_view text);
/// Canonical upper-case name of a level.
std::string_view to_string(Level level);

using Duration = std::chrono::milliseconds;

/// Where a step or key was written: for messages that point a person at the YAML.
struct SourceLocation {
    int line = 0;    ///< 1-based
    int column = 0;  ///< 1-based
};

/// How a session's transport is set up by a `connect` step.
enum class TlsMode {
    target_default,  ///< whatever the run's --tls says
    plain,
    starttls,  ///< plain connect, greeting, STLS, handshake
    implicit,  ///< TLS handshake first (RFC 8314)
};

/// Which configured account a login uses.
enum class Account { primary, secondary, empty };

/// How a `login` step authenticates.
enum class LoginMech {
    target_default,  ///< USER/PASS
    user_pass,
    apop,
    auth_plain,               ///< AUTH PLAIN with initial response
    auth_plain_continuation,  ///< AUTH PLAIN, then the response after the `+ ` challenge
};

/// What a reply's status must be.
enum class ExpectedStatus { any, ok, err, continuation };

/// Where a captured value comes from.
enum class CaptureSource {
    stat_count,   ///< STAT: message count
    stat_size,    ///< STAT: maildrop size
    listing,      ///< LIST or UIDL (multi-line): message number -> size or unique-id
    scan_number,  ///< LIST n / UIDL n single line: the message number
    scan_value,   ///< LIST n / UIDL n single line: the size or unique-id
    body,         ///< the unstuffed body lines
    text,         ///< the status line's text after the indicator (and response code)
    line,         ///< the whole status line without CRLF
    timestamp,    ///< the APOP timestamp of the greeting (connect steps)
    regex,        ///< a regex group of the status line
    latency,      ///< milliseconds from the end of the command's write to the end of the reply (or the greeting)
};

/// One `capture` entry: store a value of the reply under a name, for later `check` steps and `${name}`.
struct Capture {
    std::string name;
    CaptureSource source = CaptureSource::line;
    std::string pattern;  ///< for CaptureSource::regex
    std::shared_ptr<const std::regex> regex;
    int group = 1;
};

/// Expectations on the logical (unstuffed) body of a multi-line reply.
struct BodyExpectation {
    std::optional<std::vector<std::string>> lines;  ///< exactly these lines
    std::optional<std::size_t> count;               ///< exactly this many lines
    std::optional<int> fixture;                     ///< equals fixture message k (1-based, manifest order)
    std::optional<int> top;                         ///< with fixture: headers, blank line and the first k body lines
    std::vector<std::string> each_src;              ///< every line matches each of these
    std::vector<std::string> contains_src;          ///< some line matches each of these
    std::vector<std::string> not_contains_src;      ///< no line matches any of these
    std::vector<std::regex> each, contains, not_contains;
    bool icase = false;  ///< case-insensitive regexes (CAPA tags, RFC 2449 §5)
};

/// What the next reply (or the connection) must look like.
struct Expectation {
    ExpectedStatus status = ExpectedStatus::any;
    bool closed = false;              ///< the server closes the connection (EOF) instead of replying
    std::optional<Duration> silence;  ///< nothing at all arrives for this long
    std::optional<std::string> code;  ///< RFC 2449 §8 response code, e.g. "IN-USE" or "SYS/TEMP"
    bool code_strict = false;         ///< check `code` even when its capability is not advertised
    std::string line_src;             ///< regex on the status line (without CRLF)
    std::shared_ptr<const std::regex> line;
    std::optional<BodyExpectation> body;
    /// Wire violations the reply may show (names as pop3::to_string(Violation), e.g. "bare_lf"). By default every
    /// violation fails the expectation: RFC 1939 §3 lines end with CRLF, status indicators are upper case, ...
    std::vector<std::string> tolerate;
    std::optional<bool> multiline;    ///< reply shape when no command says it (raw sends)
    std::vector<Expectation> any_of;  ///< passes when any alternative passes (e.g. -ERR or closed)
    std::vector<Capture> captures;
    SourceLocation where;
};

/// What a step does.
enum class StepKind {
    connect,     ///< open a session and read the greeting
    login,       ///< authenticate with a configured account
    command,     ///< send one command line and read its reply (`cmd:`)
    send,        ///< send one or more lines in one write, replies read by later `expect` steps
    raw,         ///< send raw bytes as written (escapes decoded), nothing appended
    expect,      ///< read the next reply of the session and check it
    check,       ///< evaluate a comparison over captured values
    disconnect,  ///< close the TCP connection without QUIT
    quit,        ///< QUIT, +OK, and the server closes the connection
    reconnect,   ///< disconnect, connect and login again with the session's last settings
    tls,         ///< run the TLS handshake on the session (after an STLS the scenario sent itself)
    sleep,       ///< wait
};

/// One step of a scenario.
struct Step {
    StepKind kind = StepKind::command;
    std::string session = "main";
    std::optional<Duration> timeout;
    std::optional<Level> level;  ///< grading of this step's expectation (default: the scenario's level)
    SourceLocation where;
    std::string describe;  ///< short human form, e.g. "cmd RETR 1", used in reasons

    // connect / reconnect
    TlsMode tls = TlsMode::target_default;
    bool read_greeting = true;  ///< connect: false opens the connection without reading a greeting (silence checks)
    bool handshake = true;      ///< connect: implicit: false connects to the TLS port and sends no ClientHello
    // tls / stls
    /// The server may abort the connection instead of (or during) the handshake (RFC 2595 injection scenarios:
    /// "acceptable alternative"); the scenario then ends there with its verdict so far and a note.
    bool abort_ok = false;
    // any step
    /// Runs only while the step's session is still open (a server MAY close after a failed login, RFC 1939 §7
    /// PASS/APOP); on a closed session the step is skipped with a note.
    bool if_open = false;
    // login / reconnect
    LoginMech mech = LoginMech::target_default;
    Account account = Account::primary;
    // command, send, raw
    std::vector<std::string> lines;  ///< command lines without CRLF (`${var}` expanded when run)
    std::string raw;                 ///< decoded raw bytes
    // command, expect, login, connect, quit
    std::optional<Expectation> expect;
    // check
    std::string check;
    // sleep
    Duration sleep{0};
    std::string sleep_seconds;  ///< sleep: {seconds: EXPR}: a whole number of seconds computed from captures
};

/// Special `needs` beside advertised capabilities.
struct Needs {
    std::vector<std::string> capabilities;  ///< CAPA tags (with arguments, e.g. "SASL PLAIN") that must be advertised
    std::vector<std::string> not_capabilities;  ///< tags that must NOT be advertised (`!TOP`)
    bool apop = false;                          ///< a timestamp in the greeting
    bool seeded = false;                        ///< known mailbox content (the fixtures)
    bool second_account = false;
    bool empty_account = false;
    bool destructive = false;   ///< changes the maildrop: reseed before, never without seeding
    bool starttls = false;      ///< TLS via STLS must be available
    bool implicit_tls = false;  ///< implicit TLS must be the run's mode
    bool plaintext = false;     ///< the run's connections are not encrypted
};

/// A scenario: metadata and steps.
struct Scenario {
    std::string id;
    std::string title;
    std::vector<std::string> refs;
    Level level = Level::must;
    std::vector<std::string> tags;
    Needs needs;
    std::vector<Step> steps;
    /// How long the scenario needs at least (e.g. autologout waits of minutes). The runner skips it, with the
    /// reason, when the run's per-scenario bound (--scenario-timeout) is shorter, instead of cutting it off.
    std::optional<Duration> timeout;
    std::string file;  ///< the YAML file it came from
    SourceLocation where;
};

}  // namespace pop3::scenario

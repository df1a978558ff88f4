// The maildrop storage contract of the reference server (DESIGN.md "Store").
//
// A Store hands out exclusive Maildrops; a Maildrop lists its messages (fixed for the life of the lock, so message
// numbers never change within a session, RFC 1939 §5), streams one message at a time, and applies a set of deletions
// atomically on commit (RFC 1939 §6 UPDATE). Implementations: memory_store.hpp, maildir_store.hpp, mbox_store.hpp,
// and fault_store.hpp (a test-only decorator that injects failures).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace pop3::server {

/// Why a store operation failed. The engine maps these to RFC 2449/3206 response codes.
enum class StoreErrc {
    in_use = 1,      ///< The maildrop is locked by another session or process (-ERR [IN-USE], RFC 2449 §8.1.2).
    temporary,       ///< A transient failure: I/O error, out of space, ... (-ERR [SYS/TEMP], RFC 3206 §4).
    permanent,       ///< The maildrop is unusable until someone fixes it: corrupt, permission denied
                     ///< (-ERR [SYS/PERM], RFC 3206 §4).
    no_such_message  ///< A message number outside 1..count() (a caller bug; the engine checks first).
};

/// The std::error_category of StoreErrc ("pop3.store").
const std::error_category& store_category() noexcept;

/// Makes a std::error_code in store_category().
std::error_code make_error_code(StoreErrc e) noexcept;

/// One message of a locked maildrop, as listed (RFC 1939 §5 scan listing, §7 UIDL).
struct MessageInfo {
    /// Size in octets as sent: every line ending counted as CRLF, before byte-stuffing and without the terminating
    /// ".CRLF" (RFC 1939 §5 and §11).
    std::uint64_t size = 0;
    /// Unique id: 1 to 70 octets in 0x21..0x7E, stable across sessions and restarts (RFC 1939 §7 UIDL).
    std::string uid;
};

/// A sequential reader over one message's stored octets, read in chunks so that a 1 GiB message never sits in memory
/// whole. The octets are the message as stored (line endings LF or CRLF, no byte-stuffing, no mbox `From ` line or
/// `>From` quoting): the engine turns them into the wire form with the protocol core's dot-stuffing encoder.
class MessageReader {
  public:
    virtual ~MessageReader() = default;

    /// Reads up to out.size() octets into out. Returns the number read; 0 means the end of the message. On failure
    /// returns 0 and sets ec (StoreErrc::temporary or permanent).
    virtual std::size_t read(std::span<char> out, std::error_code& ec) = 0;
};

/// An exclusively locked maildrop. Destroying it releases the lock without applying anything (a disconnect or
/// timeout never deletes mail, RFC 1939 §3 and §6).
class Maildrop {
  public:
    virtual ~Maildrop() = default;

    /// The messages, listed once when the lock was taken: element i is message number i + 1.
    [[nodiscard]] virtual const std::vector<MessageInfo>& messages() const noexcept = 0;

    /// Opens message `number` (1-based) for reading. On failure returns nullptr and sets ec.
    virtual std::unique_ptr<MessageReader> open(std::size_t number, std::error_code& ec) = 0;

    /// RFC 1939 §6 UPDATE: removes the messages whose 1-based numbers are listed (any order, no duplicates
    /// required), atomically with respect to crashes: after a crash at any instant each message is either present
    /// intact or gone. Returns an empty error_code on success. The lock stays held until the Maildrop is destroyed.
    virtual std::error_code commit(std::span<const std::size_t> deleted_numbers) = 0;
};

/// A collection of maildrops, one per user. Thread-safe: many sessions lock concurrently.
class Store {
  public:
    virtual ~Store() = default;

    /// Takes the exclusive lock on `user`'s maildrop (RFC 1939 §4) and lists it. A user with no maildrop yet gets an
    /// empty one. On failure returns nullptr and sets ec: StoreErrc::in_use when another session or process holds
    /// the lock, temporary or permanent otherwise.
    virtual std::unique_ptr<Maildrop> lock(std::string_view user, std::error_code& ec) = 0;
};

/// Turns an arbitrary name into a valid POP3 unique id: octets outside 0x21..0x7E become '_' and the result is cut
/// to 70 octets (RFC 1939 §7 UIDL). An empty input gives "_".
std::string sanitize_uid(std::string_view raw);

}  // namespace pop3::server

template <>
struct std::is_error_code_enum<pop3::server::StoreErrc> : std::true_type {};

// Maildir maildrops (cur/new/tmp, as Dovecot and Courier lay them out): ROOT/USER/ is USER's Maildir.
#pragma once

#include <filesystem>

#include "store/store.hpp"

namespace pop3::server {

/// A store of Maildirs under one root. Locking is an flock(2) on ROOT/USER/.pop3spec.lock, so it holds across
/// processes and between sessions of one process.
///
/// Listing moves new/ mail to cur/ (adding ":2,"), takes each message's size as sent from the `,W=<n>` field of its
/// file name (Dovecot's virtual size), and when the field is missing counts it once and renames the file to add it,
/// so listing a large Maildir reads no message bodies. The unique id is the file's base name up to the first ',' or
/// ':' (stable across renames, sessions and restarts), sanitized to RFC 1939's alphabet; an id that had to be
/// changed or cut gets a hash of the original name appended so that ids stay distinct. Deletion unlinks each file
/// and fsyncs cur/: every message is either present intact or gone after a crash.
class MaildirStore final : public Store {
  public:
    /// `root` must exist; a user's Maildir is created on first lock.
    explicit MaildirStore(std::filesystem::path root);

    std::unique_ptr<Maildrop> lock(std::string_view user, std::error_code& ec) override;

    /// The Maildir folder of `user` (no validation).
    [[nodiscard]] std::filesystem::path user_path(std::string_view user) const;

  private:
    std::filesystem::path root_;
};

/// Whether `user` can name a folder or file under a store root: non-empty, at most 255 octets, printable ASCII
/// without '/' or '\\', not starting with '.'.
bool valid_store_user(std::string_view user) noexcept;

/// The unique id for a Maildir file name: base name up to the first ',' or ':', sanitized (see MaildirStore).
std::string maildir_uid(std::string_view file_name);

}  // namespace pop3::server

// mbox maildrops: ROOT/USER is USER's mbox file (mboxrd: `From ` separator lines, `>From` quoting).
#pragma once

#include <filesystem>

#include "store/store.hpp"

namespace pop3::server {

/// A store of mbox files under one root. Locking is an flock(2) on ROOT/.USER.pop3spec.lock (a separate file,
/// because commit replaces the mbox itself), so it holds across processes.
///
/// Messages are separated by lines starting "From " (the first line of the file must be one); the blank line a writer
/// puts before each separator is not part of the message; one '>' is removed from lines matching `>+From ` (mboxrd).
/// The unique id is the X-UIDL header when the message has a valid one, otherwise a hash of the separator line and
/// the message ("h" + 32 hex digits; a "-2", "-3"... suffix keeps identical copies apart). Deletion writes a new file
/// beside the old one (kept messages copied verbatim, plus anything appended after the listing), fsyncs it, renames
/// it over the mbox and fsyncs the folder: after a crash the mbox is either the old or the new file.
class MboxStore final : public Store {
  public:
    /// `root` must exist. A user without an mbox file has an empty maildrop.
    explicit MboxStore(std::filesystem::path root);

    std::unique_ptr<Maildrop> lock(std::string_view user, std::error_code& ec) override;

    /// The mbox file of `user` (no validation).
    [[nodiscard]] std::filesystem::path user_path(std::string_view user) const;

  private:
    std::filesystem::path root_;
};

}  // namespace pop3::server

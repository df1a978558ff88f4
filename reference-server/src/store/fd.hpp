// A file descriptor owner and small POSIX helpers shared by the file stores.
#pragma once

#include <span>
#include <string>
#include <system_error>

namespace pop3::server::detail {

/// Owns a file descriptor; closes it on destruction.
class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(other.release()) {}
    Fd& operator=(Fd&& other) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd();

    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
    int release() noexcept {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }

  private:
    int fd_ = -1;
};

/// Opens `path` with `flags` (O_CLOEXEC added), retrying on EINTR. Invalid Fd and errno set on failure.
Fd open_file(const std::string& path, int flags, int mode = 0600);

/// Takes a non-blocking exclusive flock on a lock file at `path` (created if needed). Sets ec to StoreErrc::in_use
/// when another holder has it, temporary/permanent on other errors.
Fd lock_file(const std::string& path, std::error_code& ec);

/// fsync()s a directory so that renames and unlinks in it are durable.
bool sync_directory(const std::string& path);

/// Maps an errno value to a store error: EACCES/EPERM/ENOTDIR/ELOOP/EISDIR -> permanent, others -> temporary.
std::error_code store_error_from_errno(int err);

/// read(2) retrying on EINTR; returns -1 on error.
long read_some(int fd, std::span<char> out);

/// Writes all of `bytes`, retrying on EINTR and short writes.
bool write_all(int fd, std::string_view bytes);

}  // namespace pop3::server::detail

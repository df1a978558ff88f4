#include "store/fd.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "store/store.hpp"

namespace pop3::server::detail {

Fd& Fd::operator=(Fd&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.release();
    }
    return *this;
}

Fd::~Fd() {
    if (fd_ >= 0) ::close(fd_);
}

Fd open_file(const std::string& path, int flags, int mode) {
    for (;;) {
        const int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
        if (fd >= 0 || errno != EINTR) return Fd(fd);
    }
}

Fd lock_file(const std::string& path, std::error_code& ec) {
    Fd fd = open_file(path, O_RDWR | O_CREAT, 0600);
    if (!fd.valid()) {
        ec = store_error_from_errno(errno);
        return fd;
    }
    // flock locks belong to the open file description: they exclude other processes and other descriptors of this
    // process alike, which is what a per-session maildrop lock needs (RFC 1939 §4).
    while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR) continue;
        ec = errno == EWOULDBLOCK ? make_error_code(StoreErrc::in_use) : store_error_from_errno(errno);
        return Fd();
    }
    ec.clear();
    return fd;
}

bool sync_directory(const std::string& path) {
    Fd dir = open_file(path, O_RDONLY | O_DIRECTORY);
    return dir.valid() && ::fsync(dir.get()) == 0;
}

std::error_code store_error_from_errno(int err) {
    switch (err) {
        case EACCES:
        case EPERM:
        case ENOTDIR:
        case ELOOP:
        case EISDIR:
            return StoreErrc::permanent;
        default:
            return StoreErrc::temporary;
    }
}

long read_some(int fd, std::span<char> out) {
    for (;;) {
        const auto n = ::read(fd, out.data(), out.size());
        if (n >= 0 || errno != EINTR) return static_cast<long>(n);
    }
}

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const auto n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace pop3::server::detail

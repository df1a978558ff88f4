#include "store/mbox_store.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "pop3/dot_stuffing.hpp"
#include "store/fd.hpp"
#include "store/maildir_store.hpp"

namespace pop3::server {

namespace {

using detail::Fd;

struct MboxMessage {
    std::uint64_t separator = 0;       // offset of the "From " line
    std::uint64_t begin = 0;           // first octet of the message
    std::uint64_t end = 0;             // one past the last octet (the blank line before the next separator excluded)
    std::uint64_t segment_end = 0;     // start of the next separator (or the listed end of the file)
    std::vector<std::uint64_t> skips;  // offsets of the '>' removed from ">From " lines (mboxrd)
};

std::uint64_t fnv1a(std::string_view s, std::uint64_t h) {
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    return h;
}

bool starts_with_from(std::string_view line) {
    return line.substr(0, 5) == "From ";
}

// mboxrd: ">From ", ">>From ", ... lose one '>' on the way out.
bool is_quoted_from(std::string_view line) {
    const std::size_t n = line.find_first_not_of('>');
    return n != 0 && n != std::string_view::npos && starts_with_from(line.substr(n));
}

bool iequals_prefix(std::string_view line, std::string_view prefix) {
    if (line.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        const auto a = static_cast<unsigned char>(line[i]);
        const auto b = static_cast<unsigned char>(prefix[i]);
        if (std::tolower(a) != std::tolower(b)) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

bool valid_uid(std::string_view uid) {
    return !uid.empty() && uid.size() <= 70 && sanitize_uid(uid) == uid;
}

class MboxReader final : public MessageReader {
  public:
    MboxReader(int fd, const MboxMessage& m) : fd_(fd), pos_(m.begin), end_(m.end), skips_(m.skips) {}

    std::size_t read(std::span<char> out, std::error_code& ec) override {
        ec.clear();
        while (pos_ < end_ && !out.empty()) {
            if (next_skip_ < skips_.size() && skips_[next_skip_] == pos_) {
                ++pos_;
                ++next_skip_;
                continue;
            }
            std::uint64_t limit = end_;
            if (next_skip_ < skips_.size()) limit = std::min(limit, skips_[next_skip_]);
            const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), limit - pos_));
            ssize_t n = 0;
            do {
                n = ::pread(fd_, out.data(), want, static_cast<off_t>(pos_));
            } while (n < 0 && errno == EINTR);
            if (n <= 0) {
                ec = StoreErrc::temporary;  // an error, or the file shrank under our lock
                return 0;
            }
            pos_ += static_cast<std::uint64_t>(n);
            return static_cast<std::size_t>(n);
        }
        return 0;
    }

  private:
    int fd_;
    std::uint64_t pos_;
    std::uint64_t end_;
    const std::vector<std::uint64_t>& skips_;
    std::size_t next_skip_ = 0;
};

class MboxDrop final : public Maildrop {
  public:
    MboxDrop(Fd lock, Fd file, std::string path, std::string temp_path, std::uint64_t listed_size,
             std::vector<MboxMessage> messages, std::vector<MessageInfo> infos)
        : lock_(std::move(lock)),
          file_(std::move(file)),
          path_(std::move(path)),
          temp_path_(std::move(temp_path)),
          listed_size_(listed_size),
          messages_(std::move(messages)),
          infos_(std::move(infos)) {}

    const std::vector<MessageInfo>& messages() const noexcept override { return infos_; }

    std::unique_ptr<MessageReader> open(std::size_t number, std::error_code& ec) override {
        if (number == 0 || number > messages_.size()) {
            ec = StoreErrc::no_such_message;
            return nullptr;
        }
        ec.clear();
        return std::make_unique<MboxReader>(file_.get(), messages_[number - 1]);
    }

    std::error_code commit(std::span<const std::size_t> deleted_numbers) override {
        std::vector<bool> deleted(messages_.size(), false);
        for (std::size_t number : deleted_numbers) {
            if (number == 0 || number > messages_.size()) return StoreErrc::no_such_message;
            deleted[number - 1] = true;
        }
        if (std::find(deleted.begin(), deleted.end(), true) == deleted.end()) return {};
        // Mail delivery agents (Postfix local, procmail) append under an fcntl write lock on the mbox: hold one while
        // the tail is copied and the new file renamed in, so no delivery lands in the old file meanwhile.
        Fd delivery_lock = detail::open_file(path_, O_RDWR);
        if (delivery_lock.valid() && !lock_for_rewrite(delivery_lock.get())) return StoreErrc::temporary;
        struct stat st {};
        if (::fstat(file_.get(), &st) != 0) return detail::store_error_from_errno(errno);

        // RFC 1939 §6 UPDATE, crash-safe: build the new mbox beside the old one, make it durable, then atomically
        // rename it over the old; a crash before the rename leaves the old file whole, after it the new one.
        Fd out = detail::open_file(temp_path_, O_WRONLY | O_CREAT | O_TRUNC, static_cast<int>(st.st_mode & 07777));
        if (!out.valid()) return detail::store_error_from_errno(errno);
        bool ok = true;
        for (std::size_t i = 0; ok && i < messages_.size(); ++i) {
            if (!deleted[i]) ok = copy_range(out.get(), messages_[i].separator, messages_[i].segment_end);
        }
        // Mail appended after the listing (a delivery during the session) is kept.
        if (ok && static_cast<std::uint64_t>(st.st_size) > listed_size_) {
            ok = copy_range(out.get(), listed_size_, static_cast<std::uint64_t>(st.st_size));
        }
        ok = ok && ::fsync(out.get()) == 0;
        const int saved_errno = errno;
        out = Fd();
        if (!ok) {
            ::unlink(temp_path_.c_str());
            return detail::store_error_from_errno(saved_errno);
        }
        if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
            const int err = errno;
            ::unlink(temp_path_.c_str());
            return detail::store_error_from_errno(err);
        }
        const std::string dir = path_.substr(0, path_.rfind('/'));
        if (!detail::sync_directory(dir.empty() ? "/" : dir)) return StoreErrc::temporary;
        return {};
    }

  private:
    // fcntl write lock on the whole file, retried for about two seconds (a delivery holds it only briefly).
    static bool lock_for_rewrite(int fd) {
        struct flock request {};
        request.l_type = F_WRLCK;
        request.l_whence = SEEK_SET;
        for (int attempt = 0; attempt < 100; ++attempt) {
            if (::fcntl(fd, F_SETLK, &request) == 0) return true;
            if (errno != EACCES && errno != EAGAIN && errno != EINTR) return false;
            ::usleep(20'000);
        }
        return false;
    }

    bool copy_range(int out, std::uint64_t from, std::uint64_t to) {
        std::array<char, 64 * 1024> buffer{};
        while (from < to) {
            const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), to - from));
            const ssize_t n = ::pread(file_.get(), buffer.data(), want, static_cast<off_t>(from));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return false;
            if (!detail::write_all(out, std::string_view(buffer.data(), static_cast<std::size_t>(n)))) return false;
            from += static_cast<std::uint64_t>(n);
        }
        return true;
    }

    Fd lock_;
    Fd file_;
    std::string path_;
    std::string temp_path_;
    std::uint64_t listed_size_;
    std::vector<MboxMessage> messages_;
    std::vector<MessageInfo> infos_;
};

// Drops the blank line a writer puts before the next separator: "...\n\n" -> "...\n" (also CRLF).
std::uint64_t strip_separator_blank(std::string_view data, std::uint64_t begin, std::uint64_t end) {
    const std::string_view body = data.substr(begin, end - begin);
    if (body.size() >= 2 && body.ends_with("\n\n")) return end - 1;
    if (body.size() >= 4 && body.ends_with("\r\n\r\n")) return end - 2;
    if (body == "\n") return begin;
    if (body == "\r\n") return begin;
    return end;
}

}  // namespace

MboxStore::MboxStore(std::filesystem::path root) : root_(std::move(root)) {}

std::filesystem::path MboxStore::user_path(std::string_view user) const {
    return root_ / std::string(user);
}

std::unique_ptr<Maildrop> MboxStore::lock(std::string_view user, std::error_code& ec) {
    if (!valid_store_user(user)) {
        ec = StoreErrc::permanent;
        return nullptr;
    }
    const std::string path = user_path(user).string();
    const std::string hidden = (root_ / ("." + std::string(user))).string();
    Fd lock = detail::lock_file(hidden + ".pop3spec.lock", ec);
    if (!lock.valid()) return nullptr;

    Fd file = detail::open_file(path, O_RDONLY);
    std::vector<MboxMessage> messages;
    std::vector<MessageInfo> infos;
    std::uint64_t size = 0;
    if (!file.valid()) {
        if (errno != ENOENT) {
            ec = detail::store_error_from_errno(errno);
            return nullptr;
        }
        // No mbox yet: an empty maildrop. Create the file so that commit and readers have something to refer to.
        file = detail::open_file(path, O_RDONLY | O_CREAT, 0600);
        if (!file.valid()) {
            ec = detail::store_error_from_errno(errno);
            return nullptr;
        }
    }
    struct stat st {};
    if (::fstat(file.get(), &st) != 0) {
        ec = detail::store_error_from_errno(errno);
        return nullptr;
    }
    if (!S_ISREG(st.st_mode)) {
        ec = StoreErrc::permanent;  // a folder or device where the mbox should be
        return nullptr;
    }
    size = static_cast<std::uint64_t>(st.st_size);
    if (size > 0) {
        // Listing has to read the whole mbox once (separators can be anywhere); map it rather than copy it.
        void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, file.get(), 0);
        if (map == MAP_FAILED) {
            ec = detail::store_error_from_errno(errno);
            return nullptr;
        }
        ::madvise(map, size, MADV_SEQUENTIAL);
        const std::string_view data(static_cast<const char*>(map), size);
        // Blank lines before the first separator (left by a writer that appended to an emptied mbox) are skipped.
        std::size_t pos = 0;
        while (pos < size && (data[pos] == '\n' || data.substr(pos, 2) == "\r\n"))
            pos += data[pos] == '\n' ? 1 : 2;
        if (!starts_with_from(data.substr(pos))) {
            ::munmap(map, size);
            ec = StoreErrc::permanent;  // not an mbox: refuse rather than guess (RFC 3206 SYS/PERM)
            return nullptr;
        }
        bool in_headers = false;
        std::vector<std::string> header_uids;
        while (pos < size) {
            const std::size_t nl = data.find('\n', pos);
            const std::size_t line_end = nl == std::string_view::npos ? size : nl + 1;
            const std::string_view line = data.substr(pos, line_end - pos);
            if (starts_with_from(line)) {
                if (!messages.empty()) {
                    auto& prev = messages.back();
                    prev.segment_end = pos;
                    prev.end = strip_separator_blank(data, prev.begin, pos);
                }
                MboxMessage m;
                m.separator = pos;
                m.begin = line_end;
                messages.push_back(std::move(m));
                header_uids.emplace_back();
                in_headers = true;
            } else {
                if (is_quoted_from(line)) messages.back().skips.push_back(pos);
                if (in_headers) {
                    if (trim(line).empty()) {
                        in_headers = false;
                    } else if (header_uids.back().empty() && iequals_prefix(line, "X-UIDL:")) {
                        const std::string_view value = trim(line.substr(7));
                        if (valid_uid(value)) header_uids.back() = std::string(value);
                    }
                }
            }
            pos = line_end;
        }
        messages.back().segment_end = size;
        messages.back().end = strip_separator_blank(data, messages.back().begin, size);

        std::unordered_map<std::string, unsigned> seen;
        infos.reserve(messages.size());
        for (std::size_t i = 0; i < messages.size(); ++i) {
            auto& m = messages[i];
            // The blank-line strip can move `end` before a skip recorded on the last line: drop such skips.
            std::erase_if(m.skips, [&](std::uint64_t s) { return s >= m.end; });
            MessageInfo info;
            pop3::WireSizeCounter counter;
            std::uint64_t from = m.begin;
            for (std::uint64_t skip : m.skips) {
                counter.add(data.substr(from, skip - from));
                from = skip + 1;
            }
            counter.add(data.substr(from, m.end - from));
            info.size = counter.size();
            std::string uid = header_uids[i];
            if (uid.empty()) {
                const std::string_view whole = data.substr(m.separator, m.end - m.separator);
                std::array<char, 34> hex{};
                std::snprintf(hex.data(), hex.size(), "h%016llx%016llx",
                              static_cast<unsigned long long>(fnv1a(whole, 14695981039346656037ULL)),
                              static_cast<unsigned long long>(fnv1a(whole, 0x84222325cbf29ce4ULL)));
                uid = hex.data();
            }
            // Identical copies (or a reused X-UIDL) would share an id: number the repeats.
            const unsigned count = ++seen[uid];
            if (count > 1) uid = sanitize_uid(uid.substr(0, 60) + "-" + std::to_string(count));
            info.uid = std::move(uid);
            infos.push_back(std::move(info));
        }
        ::munmap(map, size);
    }
    ec.clear();
    return std::make_unique<MboxDrop>(std::move(lock), std::move(file), path, hidden + ".pop3spec-new", size,
                                      std::move(messages), std::move(infos));
}

}  // namespace pop3::server

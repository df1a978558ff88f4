#include "store/maildir_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <optional>
#include <unordered_map>

#include "pop3/dot_stuffing.hpp"
#include "store/fd.hpp"

namespace pop3::server {

namespace {

using detail::Fd;

constexpr std::string_view lock_name = ".pop3spec.lock";

class FileReader final : public MessageReader {
  public:
    explicit FileReader(Fd fd) : fd_(std::move(fd)) {}

    std::size_t read(std::span<char> out, std::error_code& ec) override {
        const long n = detail::read_some(fd_.get(), out);
        if (n < 0) {
            ec = StoreErrc::temporary;
            return 0;
        }
        ec.clear();
        return static_cast<std::size_t>(n);
    }

  private:
    Fd fd_;
};

struct Entry {
    std::string name;  // file name in cur/
    MessageInfo info;
    std::uint64_t time = 0;  // leading decimal of the base name: delivery order
};

std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 14695981039346656037ULL) {
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    return h;
}

// The base name is everything before the ':' that starts the Maildir info ("time.unique.host,S=1,W=2:2,FLAGS").
std::string_view base_name(std::string_view name) {
    return name.substr(0, name.find(':'));
}

// Value of a ",X=<digits>" field of the base name, if present.
std::optional<std::uint64_t> name_field(std::string_view base, char key) {
    std::size_t pos = base.find(',');
    while (pos != std::string_view::npos) {
        const std::size_t next = base.find(',', pos + 1);
        const std::string_view field = base.substr(pos + 1, next == std::string_view::npos ? next : next - pos - 1);
        if (field.size() > 2 && field[0] == key && field[1] == '=') {
            std::uint64_t value = 0;
            const auto* first = field.data() + 2;
            const auto* last = field.data() + field.size();
            const auto [ptr, err] = std::from_chars(first, last, value);
            if (err == std::errc() && ptr == last) return value;
        }
        pos = next;
    }
    return std::nullopt;
}

// Regular files only: a symlink in a Maildir could point the server at any file it may read.
bool is_regular(const std::string& dir, const dirent& d) {
    if (d.d_type == DT_REG) return true;
    if (d.d_type != DT_UNKNOWN) return false;
    struct stat st {};
    return ::lstat((dir + "/" + d.d_name).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Reads the directory's regular, non-hidden file names.
bool list_files(const std::string& dir, std::vector<std::string>& names) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return false;
    while (const dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        if (is_regular(dir, *e)) names.emplace_back(e->d_name);
    }
    ::closedir(d);
    return true;
}

bool make_dir(const std::string& path) {
    return ::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST;
}

class MaildirDrop final : public Maildrop {
  public:
    MaildirDrop(Fd lock, std::string cur, std::vector<Entry> entries) : lock_(std::move(lock)), cur_(std::move(cur)) {
        // Kept apart and moved, not copied: a 100,000-message maildrop holds each name and id once.
        names_.reserve(entries.size());
        infos_.reserve(entries.size());
        for (auto& e : entries) {
            names_.push_back(std::move(e.name));
            infos_.push_back(std::move(e.info));
        }
    }

    const std::vector<MessageInfo>& messages() const noexcept override { return infos_; }

    std::unique_ptr<MessageReader> open(std::size_t number, std::error_code& ec) override {
        if (number == 0 || number > names_.size()) {
            ec = StoreErrc::no_such_message;
            return nullptr;
        }
        Fd fd = detail::open_file(cur_ + "/" + names_[number - 1], O_RDONLY | O_NOFOLLOW);
        if (!fd.valid()) {
            // Removed or made unreadable by other software while we held the lock.
            ec = errno == ENOENT ? make_error_code(StoreErrc::permanent) : detail::store_error_from_errno(errno);
            return nullptr;
        }
        ec.clear();
        return std::make_unique<FileReader>(std::move(fd));
    }

    std::error_code commit(std::span<const std::size_t> deleted_numbers) override {
        for (std::size_t number : deleted_numbers) {
            if (number == 0 || number > names_.size()) return StoreErrc::no_such_message;
        }
        // RFC 1939 §6: each unlink is atomic, so after a crash every message is either there intact or gone.
        std::error_code result;
        for (std::size_t number : deleted_numbers) {
            const std::string path = cur_ + "/" + names_[number - 1];
            if (::unlink(path.c_str()) != 0 && errno != ENOENT && !result)
                result = detail::store_error_from_errno(errno);
        }
        if (!detail::sync_directory(cur_) && !result) result = StoreErrc::temporary;
        return result;
    }

  private:
    Fd lock_;
    std::string cur_;
    std::vector<std::string> names_;  // file names in cur/, by message number - 1
    std::vector<MessageInfo> infos_;
};

}  // namespace

bool valid_store_user(std::string_view user) noexcept {
    if (user.empty() || user.size() > 255 || user.front() == '.') return false;
    return std::all_of(user.begin(), user.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7F && c != '/' && c != '\\';
    });
}

std::string maildir_uid(std::string_view file_name) {
    std::string_view base = base_name(file_name);
    base = base.substr(0, base.find(','));
    std::string uid = sanitize_uid(base);
    if (uid != base) {
        // Sanitizing or cutting may make two names equal: keep them apart with a hash of the original.
        std::array<char, 17> hex{};
        std::snprintf(hex.data(), hex.size(), "%016llx", static_cast<unsigned long long>(fnv1a(base)));
        uid = sanitize_uid(uid.substr(0, 70 - 17) + "-" + hex.data());
    }
    return uid;
}

MaildirStore::MaildirStore(std::filesystem::path root) : root_(std::move(root)) {}

std::filesystem::path MaildirStore::user_path(std::string_view user) const {
    return root_ / std::string(user);
}

std::unique_ptr<Maildrop> MaildirStore::lock(std::string_view user, std::error_code& ec) {
    if (!valid_store_user(user)) {
        ec = StoreErrc::permanent;
        return nullptr;
    }
    const std::string dir = user_path(user).string();
    const std::string cur = dir + "/cur";
    const std::string fresh = dir + "/new";
    if (!make_dir(dir) || !make_dir(cur) || !make_dir(fresh) || !make_dir(dir + "/tmp")) {
        ec = detail::store_error_from_errno(errno);
        return nullptr;
    }
    Fd lock = detail::lock_file(dir + "/" + std::string(lock_name), ec);
    if (!lock.valid()) return nullptr;

    // Deliveries land in new/; a POP3 session has "seen" them once listed (the move Dovecot and Courier make too).
    std::vector<std::string> names;
    if (!list_files(fresh, names)) {
        ec = detail::store_error_from_errno(errno);
        return nullptr;
    }
    for (const auto& name : names) {
        const std::string target = name.find(':') == std::string::npos ? name + ":2," : name;
        // A failed move leaves the message in new/ for the next session; it is not listed in this one.
        (void)::rename((fresh + "/" + name).c_str(), (cur + "/" + target).c_str());
    }

    names.clear();
    if (!list_files(cur, names)) {
        ec = detail::store_error_from_errno(errno);
        return nullptr;
    }
    std::vector<Entry> entries;
    entries.reserve(names.size());
    for (auto& name : names) {
        Entry entry;
        const std::string_view base = base_name(name);
        if (auto size = name_field(base, 'W')) {
            entry.info.size = *size;
        } else {
            // Count once, then cache the size in the name (",W=" as Dovecot writes it) so later listings read no body.
            Fd fd = detail::open_file(cur + "/" + name, O_RDONLY | O_NOFOLLOW);
            if (!fd.valid()) continue;  // vanished meanwhile: not part of this session
            pop3::WireSizeCounter counter;
            std::array<char, 64 * 1024> buffer{};
            long n = 0;
            while ((n = detail::read_some(fd.get(), buffer)) > 0) {
                counter.add(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
            }
            if (n < 0) {
                ec = StoreErrc::temporary;
                return nullptr;
            }
            entry.info.size = counter.size();
            const std::size_t colon = name.find(':');
            std::string renamed = std::string(base) + ",W=" + std::to_string(counter.size()) +
                                  (colon == std::string::npos ? std::string() : name.substr(colon));
            if (::rename((cur + "/" + name).c_str(), (cur + "/" + renamed).c_str()) == 0) name = std::move(renamed);
        }
        entry.info.uid = maildir_uid(name);
        const std::string_view b = base_name(name);
        std::from_chars(b.data(), b.data() + b.size(), entry.time);
        entry.name = std::move(name);
        entries.push_back(std::move(entry));
    }
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.time != b.time ? a.time < b.time : a.name < b.name; });
    // Two files with one base name (copies made by other software) would share an id: number the repeats.
    std::unordered_map<std::string_view, unsigned> seen;
    seen.reserve(entries.size());
    std::vector<std::pair<std::size_t, std::string>> renamed_ids;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const unsigned count = ++seen[entries[i].info.uid];
        if (count > 1) {
            renamed_ids.emplace_back(i, sanitize_uid(entries[i].info.uid.substr(0, 60) + "-" + std::to_string(count)));
        }
    }
    for (auto& [i, uid] : renamed_ids)
        entries[i].info.uid = std::move(uid);
    ec.clear();
    return std::make_unique<MaildirDrop>(std::move(lock), cur, std::move(entries));
}

}  // namespace pop3::server

#include "scenario/seeding.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

extern char** environ;

namespace pop3::scenario {
namespace {

namespace fs = std::filesystem;

std::string expand_user(std::string pattern, const std::string& user) {
    for (std::size_t pos; (pos = pattern.find("{user}")) != std::string::npos;)
        pattern.replace(pos, 6, user);
    return pattern;
}

bool write_file(const fs::path& p, std::string_view bytes, std::string& error) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
        error = fmt::format("cannot write {}", p.string());
        return false;
    }
    return true;
}

class MaildirSeeder final : public Seeder {
  public:
    explicit MaildirSeeder(std::string pattern) : pattern_(std::move(pattern)) {}
    std::string name() const override { return "maildir"; }

    SeedResult seed(const std::string& user, const Fixtures& fixtures) override {
        SeedResult r;
        fs::path dir = expand_user(pattern_, user);
        std::error_code ec;
        for (const char* sub : {"cur", "new", "tmp"}) {
            fs::create_directories(dir / sub, ec);
            if (ec) {
                r.error = fmt::format("cannot create {}: {}", (dir / sub).string(), ec.message());
                return r;
            }
            for (const auto& e : fs::directory_iterator(dir / sub, ec))
                if (e.is_regular_file()) fs::remove(e.path(), ec);
        }
        // Unique, name-ordered files: "<time>.M<seq>P<pid>.pop3spec" (Maildir's delivery naming).
        auto now =
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
        static std::atomic<unsigned> generation{0};
        unsigned gen = generation++;
        for (const auto& f : fixtures.messages) {
            auto base = fmt::format("{}.M{:03}{:04}P{}.pop3spec", now.count(), gen % 1000, f.number, ::getpid());
            if (!write_file(dir / "tmp" / base, f.bytes, r.error)) return r;
            fs::rename(dir / "tmp" / base, dir / "new" / base, ec);
            if (ec) {
                r.error = fmt::format("cannot move {} into new/: {}", base, ec.message());
                return r;
            }
        }
        r.ok = true;
        r.output = fmt::format("{} message(s) written to {}/new", fixtures.messages.size(), dir.string());
        return r;
    }

  private:
    std::string pattern_;
};

class MboxSeeder final : public Seeder {
  public:
    explicit MboxSeeder(std::string pattern) : pattern_(std::move(pattern)) {}
    std::string name() const override { return "mbox"; }

    SeedResult seed(const std::string& user, const Fixtures& fixtures) override {
        SeedResult r;
        fs::path file = expand_user(pattern_, user);
        std::string out;
        for (const auto& f : fixtures.messages) {
            out += "From pop3spec@localhost Sat Jan  1 00:00:00 2000\n";
            std::string_view rest = f.bytes;
            while (!rest.empty()) {
                auto nl = rest.find('\n');
                std::string_view line = rest.substr(0, nl == std::string_view::npos ? rest.size() : nl);
                rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
                if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
                // mboxrd quoting: a body line ">*From " gains one '>'.
                std::size_t gt = 0;
                while (gt < line.size() && line[gt] == '>')
                    ++gt;
                if (line.substr(gt).rfind("From ", 0) == 0) out += '>';
                out.append(line);
                out += '\n';
            }
            out += '\n';
        }
        auto tmp = file;
        tmp += ".pop3spec-tmp";
        if (!write_file(tmp, out, r.error)) return r;
        std::error_code ec;
        fs::rename(tmp, file, ec);
        if (ec) {
            r.error = fmt::format("cannot replace {}: {}", file.string(), ec.message());
            return r;
        }
        r.ok = true;
        r.output = fmt::format("{} message(s) written to {}", fixtures.messages.size(), file.string());
        return r;
    }

  private:
    std::string pattern_;
};

class CommandSeeder final : public Seeder {
  public:
    CommandSeeder(std::string command, std::chrono::milliseconds timeout)
        : command_(std::move(command)), timeout_(timeout) {}
    std::string name() const override { return "cmd"; }

    SeedResult seed(const std::string& user, const Fixtures& fixtures) override {
        SeedResult r;
        std::string list;
        for (const auto& f : fixtures.messages)
            list += f.file.string() + "\n";
        std::vector<std::string> env_strings;
        for (char** e = environ; e && *e; ++e) {
            std::string_view s(*e);
            if (s.starts_with("POP3SPEC_FIXTURES=") || s.starts_with("POP3SPEC_FIXTURES_LIST=") ||
                s.starts_with("POP3SPEC_USER="))
                continue;
            env_strings.emplace_back(s);
        }
        env_strings.push_back("POP3SPEC_FIXTURES=" + fixtures.dir.string());
        env_strings.push_back("POP3SPEC_FIXTURES_LIST=" + list);
        env_strings.push_back("POP3SPEC_USER=" + user);
        std::vector<char*> envp;
        for (auto& s : env_strings)
            envp.push_back(s.data());
        envp.push_back(nullptr);

        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) {
            r.error = fmt::format("pipe: {}", std::strerror(errno));
            return r;
        }
        pid_t pid = ::fork();
        if (pid < 0) {
            r.error = fmt::format("fork: {}", std::strerror(errno));
            ::close(fds[0]);
            ::close(fds[1]);
            return r;
        }
        if (pid == 0) {
            ::dup2(fds[1], 1);
            ::dup2(fds[1], 2);
            int devnull = ::open("/dev/null", O_RDONLY);
            if (devnull >= 0) ::dup2(devnull, 0);
            ::setpgid(0, 0);
            const char* argv[] = {"/bin/sh", "-c", command_.c_str(), nullptr};
            ::execve("/bin/sh", const_cast<char* const*>(argv), envp.data());
            ::_exit(127);
        }
        ::close(fds[1]);
        constexpr std::size_t max_output = 64 * 1024;
        auto deadline = std::chrono::steady_clock::now() + timeout_;
        bool timed_out = false;
        char buf[4096];
        for (;;) {
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                timed_out = true;
                break;
            }
            pollfd p{fds[0], POLLIN, 0};
            int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) continue;
            ssize_t got = ::read(fds[0], buf, sizeof buf);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) break;
            if (r.output.size() < max_output)
                r.output.append(buf, std::min(static_cast<std::size_t>(got), max_output - r.output.size()));
        }
        ::close(fds[0]);
        if (timed_out) ::kill(-pid, SIGKILL);
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (timed_out) {
            r.error = fmt::format("--seed-cmd did not finish within {} ms", timeout_.count());
        } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            r.ok = true;
        } else if (WIFEXITED(status)) {
            r.error = fmt::format("--seed-cmd exited with status {}", WEXITSTATUS(status));
        } else {
            r.error = "--seed-cmd was killed by a signal";
        }
        return r;
    }

  private:
    std::string command_;
    std::chrono::milliseconds timeout_;
};

class FunctionSeeder final : public Seeder {
  public:
    FunctionSeeder(std::string name, std::function<SeedResult(const std::string&, const Fixtures&)> fn)
        : name_(std::move(name)), fn_(std::move(fn)) {}
    std::string name() const override { return name_; }
    SeedResult seed(const std::string& user, const Fixtures& fixtures) override {
        try {
            return fn_(user, fixtures);
        } catch (const std::exception& e) {
            return SeedResult{false, "", e.what()};
        }
    }

  private:
    std::string name_;
    std::function<SeedResult(const std::string&, const Fixtures&)> fn_;
};

}  // namespace

std::unique_ptr<Seeder> make_maildir_seeder(std::string dir_pattern) {
    return std::make_unique<MaildirSeeder>(std::move(dir_pattern));
}
std::unique_ptr<Seeder> make_mbox_seeder(std::string file_pattern) {
    return std::make_unique<MboxSeeder>(std::move(file_pattern));
}
std::unique_ptr<Seeder> make_command_seeder(std::string command, std::chrono::milliseconds timeout) {
    return std::make_unique<CommandSeeder>(std::move(command), timeout);
}
std::unique_ptr<Seeder> make_function_seeder(std::string name,
                                             std::function<SeedResult(const std::string&, const Fixtures&)> fn) {
    return std::make_unique<FunctionSeeder>(std::move(name), std::move(fn));
}

}  // namespace pop3::scenario

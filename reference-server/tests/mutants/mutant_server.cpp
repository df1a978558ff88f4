#include "mutant_server.hpp"

#include <stdlib.h>

#include <chrono>

#include "transport/server.hpp"

namespace pop3::server::mutants {

namespace fs = std::filesystem;

std::unique_ptr<MutantServer> MutantServer::start(std::uint64_t faults, unsigned account_sets, const fs::path& cert,
                                                  const fs::path& key, std::string& error) {
    std::unique_ptr<MutantServer> s(new MutantServer());
    char tmpl[] = "/tmp/pop3spec-mutant-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
        error = "cannot create a temporary folder";
        return nullptr;
    }
    s->dir_ = tmpl;
    std::error_code ec;
    ServerConfig config;
    config.listeners.push_back({"127.0.0.1", 0, ListenerKind::plain});
    const bool tls = !cert.empty() && !key.empty();
    if (tls) {
        config.tls.cert_file = cert;
        config.tls.key_file = key;
        config.listeners.push_back({"127.0.0.1", 0, ListenerKind::implicit_tls});
    }
    config.store.kind = StoreKind::maildir;
    config.store.root = s->dir_ / "mail";
    // As the CLI's embedded server: failed logins held back briefly, so the suite's hygiene check passes quickly.
    config.limits.failed_auth_delay = std::chrono::milliseconds(200);
    config.log_level = LogLevel::off;
    config.threads = 2;
    config.test_session_faults = faults;
    for (unsigned k = 0; k < std::max(1U, account_sets); ++k) {
        const std::string suffix = k == 0 ? std::string() : "-" + std::to_string(k);
        scenario::AccountSet set;
        set.primary = scenario::Credentials{"alice" + suffix, "secret"};
        set.secondary = scenario::Credentials{"bob" + suffix, "secret"};
        set.empty = scenario::Credentials{"empty" + suffix, "secret"};
        for (const auto* c : {&set.primary, &set.secondary, &set.empty}) {
            config.accounts.push_back({(*c)->user, (*c)->pass});
            for (const char* sub : {"cur", "new", "tmp"})
                fs::create_directories(s->dir_ / "mail" / (*c)->user / sub, ec);
        }
        s->accounts_.push_back(std::move(set));
    }
    s->seeder_ = scenario::make_maildir_seeder((s->dir_ / "mail" / "{user}").string());
    auto started = Server::start(std::move(config));
    if (!started) {
        error = "the reference server did not start: " + started.error;
        return nullptr;
    }
    s->server_ = std::move(started.server);
    s->plain_ = s->server_->port(0);
    s->implicit_ = tls ? s->server_->port(1) : 0;
    return s;
}

MutantServer::~MutantServer() {
    if (server_) server_->stop();
    server_.reset();
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
}

}  // namespace pop3::server::mutants

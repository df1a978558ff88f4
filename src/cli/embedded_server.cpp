#include "cli/embedded_server.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <random>

#ifdef POP3SPEC_EMBEDDED_SERVER
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "transport/server.hpp"
#endif

namespace pop3::cli {

#ifndef POP3SPEC_EMBEDDED_SERVER

bool embedded_server_available() {
    return false;
}

std::unique_ptr<EmbeddedServer> EmbeddedServer::start(unsigned, bool, std::string& error) {
    error = "this build has no embedded reference server: give --target HOST:PORT";
    return nullptr;
}

#else

bool embedded_server_available() {
    return true;
}

namespace {

namespace fs = std::filesystem;

// A throwaway self-signed P-256 certificate for 127.0.0.1 / localhost, valid one day: enough for STLS and
// implicit TLS on loopback (the client does not verify peers by default). Returns false when OpenSSL refuses.
bool write_self_signed(const fs::path& cert, const fs::path& key) {
    EVP_PKEY* pkey = EVP_EC_gen("P-256");
    if (!pkey) return false;
    X509* x = X509_new();
    bool ok = x != nullptr;
    if (ok) {
        X509_set_version(x, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(x), static_cast<long>(std::random_device{}() & 0x7fffffff));
        X509_gmtime_adj(X509_getm_notBefore(x), -60);
        X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
        X509_set_pubkey(x, pkey);
        X509_NAME* name = X509_get_subject_name(x);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1,
                                   -1, 0);
        X509_set_issuer_name(x, name);
        ok = X509_sign(x, pkey, EVP_sha256()) > 0;
    }
    if (ok) {
        FILE* f = std::fopen(cert.c_str(), "wb");
        ok = f && PEM_write_X509(f, x) == 1;
        if (f) std::fclose(f);
    }
    if (ok) {
        FILE* f = std::fopen(key.c_str(), "wb");
        ok = f && PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr) == 1;
        if (f) std::fclose(f);
        std::error_code ec;
        fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write, ec);
    }
    X509_free(x);
    EVP_PKEY_free(pkey);
    return ok;
}

class Embedded final : public EmbeddedServer {
  public:
    ~Embedded() override {
        if (server_) server_->stop();
        std::error_code ec;
        if (!dir_.empty()) fs::remove_all(dir_, ec);
    }

    bool init(unsigned sets, bool verbose, std::string& error) {
        std::error_code ec;
        char tmpl[] = "/tmp/pop3spec-embedded-XXXXXX";
        if (!::mkdtemp(tmpl)) {
            error = "cannot create a temporary folder";
            return false;
        }
        dir_ = tmpl;
        fs::create_directories(dir_ / "mail", ec);
        pop3::server::ServerConfig config;
        config.listeners.push_back({"127.0.0.1", 0, pop3::server::ListenerKind::plain});
        bool tls = write_self_signed(dir_ / "cert.pem", dir_ / "key.pem");
        if (tls) {
            config.tls.cert_file = dir_ / "cert.pem";
            config.tls.key_file = dir_ / "key.pem";
            config.listeners.push_back({"127.0.0.1", 0, pop3::server::ListenerKind::implicit_tls});
        }
        config.store.kind = pop3::server::StoreKind::maildir;
        config.store.root = dir_ / "mail";
        // Failed logins are held back (a hygiene the suite checks) but briefly, so the suite stays quick.
        config.limits.failed_auth_delay = std::chrono::milliseconds(200);
        config.log_level = verbose ? pop3::server::LogLevel::warn : pop3::server::LogLevel::off;
        config.threads = 2;
        for (unsigned k = 0; k < std::max(1u, sets); ++k) {
            auto suffix = k == 0 ? std::string() : fmt::format("-{}", k);
            scenario::AccountSet set;
            set.primary = scenario::Credentials{"alice" + suffix, "secret"};
            set.secondary = scenario::Credentials{"bob" + suffix, "secret"};
            set.empty = scenario::Credentials{"empty" + suffix, "secret"};
            for (const auto* c : {&set.primary, &set.secondary, &set.empty}) {
                config.accounts.push_back({(*c)->user, (*c)->pass});
                for (const char* sub : {"cur", "new", "tmp"})
                    fs::create_directories(dir_ / "mail" / (*c)->user / sub, ec);
            }
            accounts_.push_back(std::move(set));
        }
        seeder_ = scenario::make_maildir_seeder((dir_ / "mail" / "{user}").string());
        auto started = pop3::server::Server::start(std::move(config));
        if (!started) {
            error = "the embedded reference server did not start: " + started.error;
            return false;
        }
        server_ = std::move(started.server);
        plain_ = server_->port(0);
        implicit_ = tls ? server_->port(1) : 0;
        return true;
    }

    std::uint16_t plain_port() const override { return plain_; }
    std::uint16_t implicit_tls_port() const override { return implicit_; }
    std::vector<scenario::AccountSet> accounts() const override { return accounts_; }
    scenario::Seeder& seeder() override { return *seeder_; }

  private:
    fs::path dir_;
    std::unique_ptr<pop3::server::Server> server_;
    std::unique_ptr<scenario::Seeder> seeder_;
    std::vector<scenario::AccountSet> accounts_;
    std::uint16_t plain_ = 0;
    std::uint16_t implicit_ = 0;
};

}  // namespace

std::unique_ptr<EmbeddedServer> EmbeddedServer::start(unsigned account_sets, bool verbose, std::string& error) {
    auto s = std::make_unique<Embedded>();
    if (!s->init(account_sets, verbose, error)) return nullptr;
    return s;
}

#endif

}  // namespace pop3::cli

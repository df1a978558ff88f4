#pragma once
// A self-signed certificate and key made at test time with the openssl command line tool (no secrets in git).

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace pop3::server::testing {

struct TlsFiles {
    std::filesystem::path dir;
    std::filesystem::path cert;
    std::filesystem::path key;
    bool ok = false;

    /// Creates them once per process in a temporary folder.
    static const TlsFiles& get() {
        static const TlsFiles files = [] {
            TlsFiles f;
            f.dir = std::filesystem::temp_directory_path() / ("pop3spec-tls-" + std::to_string(::getpid()));
            std::filesystem::create_directories(f.dir);
            f.cert = f.dir / "cert.pem";
            f.key = f.dir / "key.pem";
            const std::string command =
                "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"
                " -subj /CN=localhost -keyout '" +
                f.key.string() + "' -out '" + f.cert.string() + "' >/dev/null 2>&1";
            f.ok = std::system(command.c_str()) == 0 && std::filesystem::exists(f.cert);
            // Removed at exit; the path is leaked on purpose so it outlives the static TlsFiles.
            static const auto* dir_to_remove = new std::filesystem::path(f.dir);
            std::atexit([] {
                std::error_code ec;
                std::filesystem::remove_all(*dir_to_remove, ec);
            });
            return f;
        }();
        return files;
    }
};

}  // namespace pop3::server::testing

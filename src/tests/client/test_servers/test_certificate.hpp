// A self-signed certificate made at test time with the OpenSSL API (no files, no openssl binary, no network).
#pragma once

#include <memory>
#include <string>

namespace pop3::testing {

/// A fresh P-256 key and a self-signed certificate for CN=localhost, SAN DNS:localhost, IP:127.0.0.1, IP:::1,
/// valid from an hour ago for a day. PEM strings.
struct TestCertificate {
    std::string certificate_pem;
    std::string private_key_pem;

    /// Makes one (throws std::runtime_error if OpenSSL fails: this is test support, an edge).
    static std::shared_ptr<const TestCertificate> make(const std::string& common_name = "localhost");

    /// Writes certificate_pem to `path` (for a client's CA file). Throws on failure.
    void write_certificate(const std::string& path) const;
};

}  // namespace pop3::testing

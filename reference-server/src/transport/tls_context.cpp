#include "transport/tls_context.hpp"

#include <openssl/ssl.h>

namespace pop3::server {

std::unique_ptr<asio::ssl::context> make_tls_context(const TlsConfig& config, std::string& error) {
    auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    std::error_code ec;
    // RFC 8314 §4: TLS 1.2 or later; SSL 2/3, TLS 1.0 and 1.1 are refused.
    context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                             asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                             asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                         ec);
    if (ec) {
        error = "TLS options: " + ec.message();
        return nullptr;
    }
    SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
    // Idle TLS sessions give their record buffers back to the allocator.
    SSL_CTX_set_mode(context->native_handle(), SSL_MODE_RELEASE_BUFFERS);
    context->use_certificate_chain_file(config.cert_file.string(), ec);
    if (ec) {
        error = "TLS certificate '" + config.cert_file.string() + "': " + ec.message();
        return nullptr;
    }
    context->use_private_key_file(config.key_file.string(), asio::ssl::context::pem, ec);
    if (ec) {
        error = "TLS key '" + config.key_file.string() + "': " + ec.message();
        return nullptr;
    }
    if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
        error = "TLS key '" + config.key_file.string() + "' does not match the certificate";
        return nullptr;
    }
    return context;
}

}  // namespace pop3::server

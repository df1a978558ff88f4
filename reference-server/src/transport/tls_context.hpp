#pragma once
// The server's OpenSSL context: certificate chain and key from PEM files, TLS 1.2 or later (RFC 8314 §4).

#include <asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "config/server_config.hpp"

namespace pop3::server {

/// A TLS server context for `config`; nullptr and a reason (file and OpenSSL's message) when a file is unusable.
std::unique_ptr<asio::ssl::context> make_tls_context(const TlsConfig& config, std::string& error);

}  // namespace pop3::server

// The one translation unit that compiles standalone Asio and its OpenSSL layer (ASIO_SEPARATE_COMPILATION).
#include <asio/impl/src.hpp>
#include <asio/ssl/impl/src.hpp>

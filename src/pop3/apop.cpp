#include "pop3/apop.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>

namespace pop3 {

std::string apop_digest(std::string_view timestamp_with_brackets, std::string_view secret) {
    // RFC 1939 §7: digest = MD5(timestamp || secret), written as 32 lower-case hex digits.
    const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx) return {};
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), timestamp_with_brackets.data(), timestamp_with_brackets.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), secret.data(), secret.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), md, &md_len) != 1) {
        return {};
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(md_len * 2);
    for (unsigned int i = 0; i < md_len; ++i) {
        out.push_back(kHex[md[i] >> 4]);
        out.push_back(kHex[md[i] & 0x0F]);
    }
    return out;
}

bool secure_equals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool is_apop_digest_syntax(std::string_view digest) noexcept {
    if (digest.size() != 32) return false;
    for (char c : digest) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

}  // namespace pop3

#pragma once
// Test-only signer for Verify v2 webhooks, with a key generated at run time (no key on disk).
//
// Wire format (what ding::v2::webhook_verifier checks, and what the sandbox sends):
//   X-Webhook-Signature: rsassa-pss-sha256=<unpadded base64url of the signature>
//   signature = RSASSA-PSS over the raw body, SHA-256, MGF1 with SHA-256, salt length 32.
// Header-only; OpenSSL 3 EVP only. Failures throw std::runtime_error (tests only).

#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ding::test {

struct evp_pkey_deleter {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
using rsa_key = std::unique_ptr<EVP_PKEY, evp_pkey_deleter>;

inline rsa_key generate_rsa_key(unsigned bits = 2048) {
    rsa_key key(EVP_RSA_gen(bits));
    if (!key) throw std::runtime_error("EVP_RSA_gen failed");
    return key;
}

inline std::string base64url_encode(const unsigned char* data, std::size_t size, bool pad = false) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        const unsigned v = (unsigned(data[i]) << 16) | (unsigned(data[i + 1]) << 8) | data[i + 2];
        for (int s = 18; s >= 0; s -= 6) out.push_back(alphabet[(v >> s) & 63]);
    }
    if (size - i == 1) {
        const unsigned v = unsigned(data[i]) << 16;
        out.push_back(alphabet[(v >> 18) & 63]);
        out.push_back(alphabet[(v >> 12) & 63]);
        if (pad) out.append("==");
    } else if (size - i == 2) {
        const unsigned v = (unsigned(data[i]) << 16) | (unsigned(data[i + 1]) << 8);
        out.push_back(alphabet[(v >> 18) & 63]);
        out.push_back(alphabet[(v >> 12) & 63]);
        out.push_back(alphabet[(v >> 6) & 63]);
        if (pad) out.push_back('=');
    }
    return out;
}

inline std::string base64url_encode(const std::vector<unsigned char>& bytes, bool pad = false) {
    return base64url_encode(bytes.data(), bytes.size(), pad);
}

/// The raw RSASSA-PSS signature (SHA-256, MGF1-SHA-256) of `body` with the given salt length.
inline std::vector<unsigned char> pss_sign(EVP_PKEY* key, std::string_view body, int salt_length = 32) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    EVP_PKEY_CTX* pctx = nullptr;
    if (!md || EVP_DigestSignInit_ex(md.get(), &pctx, "SHA256", nullptr, nullptr, key, nullptr) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt_length) != 1)
        throw std::runtime_error("EVP_DigestSignInit_ex failed");
    std::size_t size = 0;
    if (EVP_DigestSign(md.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(body.data()), body.size()) != 1)
        throw std::runtime_error("EVP_DigestSign (size) failed");
    std::vector<unsigned char> sig(size);
    if (EVP_DigestSign(md.get(), sig.data(), &size, reinterpret_cast<const unsigned char*>(body.data()), body.size()) != 1)
        throw std::runtime_error("EVP_DigestSign failed");
    sig.resize(size);
    return sig;
}

/// The X-Webhook-Signature value for `body`.
inline std::string sign_webhook(EVP_PKEY* key, std::string_view body, int salt_length = 32) {
    return "rsassa-pss-sha256=" + base64url_encode(pss_sign(key, body, salt_length));
}

/// `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo).
inline std::string public_pem(EVP_PKEY* key) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) throw std::runtime_error("PEM_write_bio_PUBKEY failed");
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

/// `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1).
inline std::string public_pkcs1_pem(EVP_PKEY* key) {
    OSSL_ENCODER_CTX* ctx =
        OSSL_ENCODER_CTX_new_for_pkey(key, EVP_PKEY_PUBLIC_KEY, "PEM", "type-specific", nullptr);
    unsigned char* data = nullptr;
    std::size_t len = 0;
    const bool ok = ctx && OSSL_ENCODER_to_data(ctx, &data, &len) == 1;
    OSSL_ENCODER_CTX_free(ctx);
    if (!ok) throw std::runtime_error("OSSL_ENCODER_to_data failed");
    std::string pem(reinterpret_cast<const char*>(data), len);
    OPENSSL_free(data);
    return pem;
}

/// A JWK for the public key: {"kty":"RSA","n":...,"e":...} plus `extra` members (e.g. ,"use":"sig").
inline std::string public_jwk(EVP_PKEY* key, std::string_view extra = "") {
    auto component = [key](const char* name) {
        BIGNUM* bn = nullptr;
        if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error("EVP_PKEY_get_bn_param failed");
        std::vector<unsigned char> bytes(static_cast<std::size_t>(BN_num_bytes(bn)));
        BN_bn2bin(bn, bytes.data());
        BN_free(bn);
        return base64url_encode(bytes);
    };
    return R"({"kty":"RSA","n":")" + component(OSSL_PKEY_PARAM_RSA_N) + R"(","e":")" +
           component(OSSL_PKEY_PARAM_RSA_E) + "\"" + std::string(extra) + "}";
}

} // namespace ding::test

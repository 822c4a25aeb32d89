// Verify v2 webhooks: envelope parsing (codec.cpp does the JSON) and RSASSA-PSS signature checks
// with OpenSSL 3's EVP interface.

#include <ding/v2/webhook.hpp>

#include "v2/codec.hpp"

#include <boost/json.hpp>

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <memory>
#include <new>
#include <string>
#include <vector>

namespace ding::v2 {
namespace {

error failure(errc code, std::string message, std::string_view operation) noexcept {
    try {
        error::details d;
        d.message = std::move(message);
        d.operation = std::string(operation);
        return error(code, std::move(d));
    } catch (...) {
        return error(); // errc::internal without details: nothing could be allocated
    }
}

error out_of_memory(std::string_view operation) noexcept {
    return failure(errc::internal, "out of memory (std::bad_alloc)", operation);
}

struct pkey_deleter {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_deleter>;

// Clears OpenSSL's thread-local error queue on every exit, so a refused key or signature leaves
// nothing behind for the caller's next OpenSSL call (e.g. a TLS handshake) to trip over.
struct error_queue_guard {
    ~error_queue_guard() { ERR_clear_error(); }
};

constexpr int minimum_bits = 2048;

// ------------------------------------------------------------------------- base64url (strict)

int base64url_value(char c) noexcept {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

/// RFC 4648 section 5, strictly: only the base64url alphabet; `=` padding only as the canonical
/// completion to a multiple of 4; a length that no encoding produces (4n+1) and non-zero unused
/// bits in the last character are refused, so every signature has exactly one accepted spelling.
/// Returns an empty string on success, else why.
std::string decode_base64url(std::string_view text, std::vector<unsigned char>& out) {
    std::size_t padding = 0;
    while (padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
    if (padding > 0) {
        if (padding > 2 || text.size() % 4 != 0) return "its '=' padding is not canonical";
        text.remove_suffix(padding);
    }
    if (text.empty()) return "it is empty";
    if (text.size() % 4 == 1) return "its length is not that of any base64url encoding";
    if (padding > 0 && (text.size() % 4) + padding != 4) return "its '=' padding is not canonical";
    out.clear();
    out.reserve(text.size() * 3 / 4);
    std::uint32_t bits = 0;
    int count = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const int v = base64url_value(text[i]);
        if (v < 0) {
            const char c = text[i];
            std::string why = "character " + std::to_string(i) + " is not in the base64url alphabet";
            if (c == '+' || c == '/') why += " ('+' and '/' are standard base64, not base64url)";
            if (c == '=') why += " ('=' is only allowed as final padding)";
            return why;
        }
        bits = (bits << 6) | static_cast<std::uint32_t>(v);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out.push_back(static_cast<unsigned char>((bits >> count) & 0xFFu));
        }
    }
    if ((bits & ((1u << count) - 1u)) != 0) return "its last character has non-zero unused bits";
    return {};
}

// ------------------------------------------------------------------------------- key loading

std::string check_rsa_key(const EVP_PKEY* key) {
    if (!EVP_PKEY_is_a(key, "RSA") && !EVP_PKEY_is_a(key, "RSA-PSS")) return "the key is not an RSA key";
    const int bits = EVP_PKEY_get_bits(key);
    if (bits < minimum_bits)
        return "the RSA key has " + std::to_string(bits) + " bits; at least " + std::to_string(minimum_bits) +
               " are required";
    return {};
}

pkey_ptr key_from_pem(std::string_view pem, std::string& why) {
    EVP_PKEY* raw = nullptr;
    // No structure named: both SubjectPublicKeyInfo ("PUBLIC KEY") and PKCS#1 ("RSA PUBLIC KEY").
    OSSL_DECODER_CTX* dctx =
        OSSL_DECODER_CTX_new_for_pkey(&raw, "PEM", nullptr, nullptr, EVP_PKEY_PUBLIC_KEY, nullptr, nullptr);
    if (dctx == nullptr) {
        why = "OpenSSL could not set up a PEM decoder";
        return nullptr;
    }
    const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
    std::size_t len = pem.size();
    const int ok = OSSL_DECODER_from_data(dctx, &data, &len);
    OSSL_DECODER_CTX_free(dctx);
    pkey_ptr key(raw);
    if (ok != 1 || !key) {
        why = "not a PEM public key (expected -----BEGIN PUBLIC KEY----- or -----BEGIN RSA PUBLIC KEY-----)";
        return nullptr;
    }
    why = check_rsa_key(key.get());
    return why.empty() ? std::move(key) : nullptr;
}

const boost::json::string* string_member(const boost::json::object& o, std::string_view name) {
    const boost::json::value* v = o.if_contains(name);
    return v ? v->if_string() : nullptr;
}

pkey_ptr key_from_jwk(const boost::json::object& jwk, std::string& why) {
    const boost::json::string* kty = string_member(jwk, "kty");
    if (kty == nullptr) {
        why = "the JWK has no string 'kty'";
        return nullptr;
    }
    if (*kty != "RSA") {
        why = "the JWK's kty is not RSA";
        return nullptr;
    }
    std::vector<unsigned char> n, e;
    for (auto [name, bytes] : {std::pair{"n", &n}, std::pair{"e", &e}}) {
        const boost::json::string* s = string_member(jwk, name);
        if (s == nullptr) {
            why = std::string("the JWK has no string '") + name + "'";
            return nullptr;
        }
        if (std::string bad = decode_base64url(std::string_view(s->data(), s->size()), *bytes); !bad.empty()) {
            why = std::string("the JWK's '") + name + "' is not base64url: " + bad;
            return nullptr;
        }
    }
    BIGNUM* bn_n = BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr);
    BIGNUM* bn_e = BN_bin2bn(e.data(), static_cast<int>(e.size()), nullptr);
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM* params = nullptr;
    EVP_PKEY_CTX* ctx = nullptr;
    EVP_PKEY* raw = nullptr;
    bool built = bn_n && bn_e && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
                 OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1 &&
                 (params = OSSL_PARAM_BLD_to_param(bld)) != nullptr &&
                 (ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr)) != nullptr &&
                 EVP_PKEY_fromdata_init(ctx) == 1 && EVP_PKEY_fromdata(ctx, &raw, EVP_PKEY_PUBLIC_KEY, params) == 1;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_e);
    BN_free(bn_n);
    pkey_ptr key(raw);
    if (!built || !key) {
        why = "OpenSSL refused the JWK's n and e as an RSA public key";
        return nullptr;
    }
    why = check_rsa_key(key.get());
    return why.empty() ? std::move(key) : nullptr;
}

} // namespace

struct webhook_verifier::impl {
    std::vector<pkey_ptr> keys;
};

outcome<webhook_verifier> webhook_verifier::from_pem(std::string_view pem) noexcept {
    constexpr std::string_view op = "webhook_verifier::from_pem";
    const error_queue_guard guard;
    try {
        std::string why;
        pkey_ptr key = key_from_pem(pem, why);
        if (!key) return failure(errc::invalid_argument, "public key: " + why, op);
        auto keys = std::make_shared<impl>();
        keys->keys.push_back(std::move(key));
        return webhook_verifier(std::move(keys));
    } catch (...) {
        return out_of_memory(op);
    }
}

outcome<webhook_verifier> webhook_verifier::from_jwk(std::string_view text) noexcept {
    constexpr std::string_view op = "webhook_verifier::from_jwk";
    const error_queue_guard guard;
    try {
        boost::json::error_code ec;
        const boost::json::value doc = boost::json::parse(boost::json::string_view(text.data(), text.size()), ec);
        if (ec) return failure(errc::invalid_argument, "public key: not valid JSON: " + ec.message(), op);
        const boost::json::object* root = doc.if_object();
        if (root == nullptr) return failure(errc::invalid_argument, "public key: not a JSON object (a JWK or JWKS)", op);
        auto keys = std::make_shared<impl>();
        std::string why;
        if (const boost::json::value* set = root->if_contains("keys")) {
            const boost::json::array* list = set->if_array();
            if (list == nullptr) return failure(errc::invalid_argument, "public key: JWKS 'keys' is not an array", op);
            std::string skipped;
            for (std::size_t i = 0; i < list->size(); ++i) {
                const boost::json::object* jwk = (*list)[i].if_object();
                const boost::json::string* use = jwk ? string_member(*jwk, "use") : nullptr;
                const boost::json::string* kty = jwk ? string_member(*jwk, "kty") : nullptr;
                // Keys for another purpose or algorithm family are not ours to use: skip them.
                if (jwk == nullptr || (use != nullptr && *use != "sig") || (kty != nullptr && *kty != "RSA")) continue;
                pkey_ptr key = key_from_jwk(*jwk, why);
                if (!key)
                    return failure(errc::invalid_argument, "public key: keys[" + std::to_string(i) + "]: " + why, op);
                keys->keys.push_back(std::move(key));
            }
            if (keys->keys.empty())
                return failure(errc::invalid_argument, "public key: the JWKS has no RSA signature key", op);
        } else {
            pkey_ptr key = key_from_jwk(*root, why);
            if (!key) return failure(errc::invalid_argument, "public key: " + why, op);
            keys->keys.push_back(std::move(key));
        }
        return webhook_verifier(std::move(keys));
    } catch (...) {
        return out_of_memory(op);
    }
}

outcome<webhook_verifier> webhook_verifier::from_key(std::string_view key) noexcept {
    std::string_view trimmed = key;
    while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t' || trimmed.front() == '\r' ||
                                trimmed.front() == '\n'))
        trimmed.remove_prefix(1);
    return trimmed.starts_with("-----BEGIN") ? from_pem(key) : from_jwk(key);
}

std::size_t webhook_verifier::key_count() const noexcept { return impl_ ? impl_->keys.size() : 0; }

outcome<void> webhook_verifier::verify(std::string_view header, std::string_view body) const noexcept {
    constexpr std::string_view op = "webhook_verifier::verify";
    const error_queue_guard guard;
    try {
        while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) header.remove_prefix(1);
        while (!header.empty() && (header.back() == ' ' || header.back() == '\t')) header.remove_suffix(1);
        if (header.empty())
            return failure(errc::invalid_argument, "signature header: empty (no X-Webhook-Signature value)", op);
        const auto eq = header.find('=');
        if (eq == std::string_view::npos)
            return failure(errc::invalid_argument,
                           "signature header: no scheme (expected 'rsassa-pss-sha256=<base64url signature>')", op);
        const std::string_view scheme = header.substr(0, eq + 1);
        if (scheme != webhook_signature_prefix) {
            std::string shown;
            for (std::size_t i = 0; i < scheme.size() - 1 && i < 32; ++i) {
                // Caller-supplied bytes: only printable ASCII reaches the message (and a log line).
                const auto c = static_cast<unsigned char>(scheme[i]);
                shown += (c >= 0x20 && c < 0x7F) ? static_cast<char>(c) : '?';
            }
            return failure(errc::invalid_argument,
                           "signature header: unsupported scheme '" + shown +
                               "' (this SDK verifies 'rsassa-pss-sha256' only; see ding/v2/webhook.hpp)",
                           op);
        }
        std::vector<unsigned char> signature;
        if (std::string bad = decode_base64url(header.substr(eq + 1), signature); !bad.empty())
            return failure(errc::invalid_argument, "signature header: the signature is not base64url: " + bad, op);
        if (!impl_ || impl_->keys.empty()) return failure(errc::invalid_argument, "verifier has no key", op);

        bool any_size_matched = false;
        for (const pkey_ptr& key : impl_->keys) {
            if (static_cast<std::size_t>(EVP_PKEY_get_size(key.get())) != signature.size()) continue;
            any_size_matched = true;
            std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
            if (!md) return out_of_memory(op);
            EVP_PKEY_CTX* pctx = nullptr; // owned by md
            if (EVP_DigestVerifyInit_ex(md.get(), &pctx, "SHA256", nullptr, nullptr, key.get(), nullptr) != 1 ||
                EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
                // Detects the salt length from the signature: accepts 32 (the digest length) and
                // the maximal salt alike; see the class comment.
                EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1)
                return failure(errc::internal, "OpenSSL could not set up RSASSA-PSS verification", op);
            if (EVP_DigestVerifyUpdate(md.get(), body.data(), body.size()) != 1)
                return failure(errc::internal, "OpenSSL could not hash the body", op);
            if (EVP_DigestVerifyFinal(md.get(), signature.data(), signature.size()) == 1) return {};
        }
        if (!any_size_matched)
            return failure(errc::invalid_argument,
                           "signature header: the signature has " + std::to_string(signature.size()) +
                               " bytes, which is not the size of the verifier's RSA key" +
                               (impl_->keys.size() > 1 ? "s" : "") + " (" +
                               std::to_string(EVP_PKEY_get_size(impl_->keys.front().get())) + " bytes)",
                           op);
        return failure(errc::invalid_signature,
                       "the signature does not match the body for the verifier's key" +
                           std::string(impl_->keys.size() > 1 ? "s" : "") +
                           " (tampered body, body not passed raw, or another key)",
                       op);
    } catch (...) {
        return out_of_memory(op);
    }
}

outcome<webhook_event> parse_webhook(std::string_view body) noexcept {
    constexpr std::string_view op = "parse_webhook";
    try {
        webhook_event event;
        std::string why;
        if (!detail::decode(body, event, why)) return failure(errc::decode, "webhook body: " + why, op);
        return event;
    } catch (...) {
        return out_of_memory(op);
    }
}

} // namespace ding::v2

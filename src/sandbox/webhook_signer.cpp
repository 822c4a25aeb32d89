#include "webhook_signer.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <vector>

namespace ding::detail {

struct webhook_signer::key {
    EVP_PKEY* pkey = nullptr;
    ~key() { EVP_PKEY_free(pkey); }
};

namespace {
struct md_ctx_free { void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); } };
struct bio_free { void operator()(BIO* p) const noexcept { BIO_free(p); } };
}  // namespace

std::string base64url(const unsigned char* data, std::size_t size) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((size * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        const unsigned v = (unsigned(data[i]) << 16) | (unsigned(data[i + 1]) << 8) | unsigned(data[i + 2]);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (size - i == 1) {
        const unsigned v = unsigned(data[i]) << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
    } else if (size - i == 2) {
        const unsigned v = (unsigned(data[i]) << 16) | (unsigned(data[i + 1]) << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
    }
    return out;
}

webhook_signer::webhook_signer() noexcept = default;
webhook_signer::~webhook_signer() = default;

bool webhook_signer::ensure() noexcept {
    try {
        std::call_once(once_, [this] {
            auto k = std::make_unique<key>();
            k->pkey = EVP_RSA_gen(2048);
            if (k->pkey == nullptr) {
                ERR_clear_error();
                return;
            }
            std::unique_ptr<BIO, bio_free> bio(BIO_new(BIO_s_mem()));
            if (!bio || PEM_write_bio_PUBKEY(bio.get(), k->pkey) != 1) {
                ERR_clear_error();
                return;
            }
            char* data = nullptr;
            const long len = BIO_get_mem_data(bio.get(), &data);
            if (len <= 0 || data == nullptr) return;
            public_pem_.assign(data, static_cast<std::size_t>(len));
            key_ = std::move(k);
            ready_.store(true, std::memory_order_release);
        });
    } catch (...) {  // std::system_error from call_once, bad_alloc: stay without key
    }
    return ready();
}

const std::string& webhook_signer::public_key_pem() noexcept {
    (void)ensure();
    return public_pem_;  // empty unless ready
}

std::optional<std::string> webhook_signer::sign(std::string_view body) const noexcept {
    if (!ready()) return std::nullopt;
    try {
        std::unique_ptr<EVP_MD_CTX, md_ctx_free> ctx(EVP_MD_CTX_new());
        EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
        const int max_size = EVP_PKEY_get_size(key_->pkey);
        if (max_size <= 0) return std::nullopt;
        std::size_t size = static_cast<std::size_t>(max_size);
        std::vector<unsigned char> sig(size);
        if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key_->pkey) != 1 ||
            EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
            EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1 ||
            EVP_DigestSign(ctx.get(), sig.data(), &size, reinterpret_cast<const unsigned char*>(body.data()),
                           body.size()) != 1) {
            ERR_clear_error();
            return std::nullopt;
        }
        std::string out = "rsassa-pss-sha256=";
        out += base64url(sig.data(), size);
        return out;
    } catch (...) {
        return std::nullopt;
    }
}

}  // namespace ding::detail

// Internal: the sandbox's webhook signing key (RSA 2048) and the X-Webhook-Signature value.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace ding::detail {

// Generating an RSA key costs a few hundred milliseconds of CPU, so it happens once, on first
// need (ensure()), not in every sandbox a test suite builds. ensure() may be called from any
// thread; concurrent callers wait for the one generation. After ensure() returned true, sign()
// and public_key_pem() only read.
class webhook_signer {
public:
    webhook_signer() noexcept;
    ~webhook_signer();
    webhook_signer(const webhook_signer&) = delete;
    webhook_signer& operator=(const webhook_signer&) = delete;

    // Generates the key if not done yet. False if OpenSSL failed (then it stays without key).
    bool ensure() noexcept;
    bool ready() const noexcept { return ready_.load(std::memory_order_acquire); }

    // PEM SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----"); empty if ensure() failed.
    const std::string& public_key_pem() noexcept;

    // "rsassa-pss-sha256=<unpadded base64url>" of RSASSA-PSS (SHA-256, MGF1-SHA-256, 32-byte
    // salt) over `body`; nullopt if there is no key or OpenSSL failed. Never throws.
    std::optional<std::string> sign(std::string_view body) const noexcept;

private:
    struct key;
    std::once_flag once_;
    std::atomic<bool> ready_{false};
    std::unique_ptr<key> key_;
    std::string public_pem_;
};

// Unpadded base64url (RFC 4648 section 5).
std::string base64url(const unsigned char* data, std::size_t size);

}  // namespace ding::detail

#pragma once
/// \file
/// Verify v2 webhooks: typed events (parse_webhook) and signature checks (webhook_verifier).
//
// Verify v2 webhooks: typed events (parse_webhook) and signature checks (webhook_verifier).
//
// Where this comes from. The contract (spec/prelude-v2-openapi.yaml, "Outside this document")
// and the vendor's webhook documentation describe an envelope `{id, type, payload, created_at}`
// POSTed to `options.callback_url`, with `type` one of `verify.authentication` (a verification
// was created and billed), `verify.attempt` (a message was sent) and `verify.delivery_status` (a
// carrier delivery report). No vendor SDK defines these types; the payload fields below follow
// the vendor documentation's examples (every one is optional, and `payload_json` always keeps the
// payload as sent, so a field this SDK does not model is never lost).
//
// Signatures, as the vendor's documentation describes them: when a webhook signing key is set up
// in the dashboard, each request carries `X-Webhook-Signature: rsassa-pss-sha256=<signature>`,
// where <signature> is the base64url encoding of an RSASSA-PSS signature with SHA-256 (MGF1 with
// SHA-256) over the raw request body, verifiable with the account's RSA public key (PEM, or a
// JWK/JWKS document). webhook_verifier implements exactly that. If the vendor changes the scheme,
// verify() reports the new prefix as unsupported (errc::invalid_argument) instead of accepting
// anything; until this SDK supports it, verify the body yourself following the vendor's new
// documentation, and keep parse_webhook() (which does not depend on the signature scheme).

#include <ding/outcome.hpp>
#include <ding/v2/models.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace ding::v2 {

/// The name of the HTTP header carrying the signature.
inline constexpr std::string_view webhook_signature_header = "X-Webhook-Signature";
/// The scheme prefix of the signature header value.
inline constexpr std::string_view webhook_signature_prefix = "rsassa-pss-sha256=";

/// A price as webhooks report it.
struct webhook_price {
    std::optional<double> amount{};  ///< the amount billed
    std::optional<std::string> currency{};            ///< ISO 4217
    friend bool operator==(const webhook_price&, const webhook_price&) = default;
};

/// The network an attempt went through.
struct carrier_information {
    std::optional<std::string> mcc{};  ///< mobile country code of the network
    std::optional<std::string> mnc{};  ///< mobile network code of the network
    friend bool operator==(const carrier_information&, const carrier_information&) = default;
};

/// Payload of `verify.authentication`: a verification was created (and billed).
struct authentication_payload {
    std::optional<std::string> verification_id{};    ///< the `id` create_async returned
    std::optional<v2::target> target{};  ///< the phone number or email address verified
    std::optional<response_metadata> metadata{};  ///< the metadata given when the verification was created
    std::optional<webhook_price> price{};  ///< what the verification cost
    std::optional<std::chrono::system_clock::time_point> time{};  ///< when the verification was created
    friend bool operator==(const authentication_payload&, const authentication_payload&) = default;
};

/// Payload of `verify.attempt`: a message carrying the code was sent.
struct attempt_payload {
    std::optional<std::string> id{};                 ///< the attempt (`att_...`)
    std::optional<std::string> verification_id{};  ///< the verification the attempt belongs to
    std::optional<v2::target> target{};  ///< where the message was sent
    std::optional<used_channel> channel{};  ///< the channel used (sms, whatsapp, ...)
    std::optional<v2::delivery_status> delivery_status{};  ///< the delivery state when the webhook was sent
    std::optional<v2::carrier_information> carrier_information{};  ///< the network the message went through
    std::optional<response_metadata> metadata{};  ///< the metadata given when the verification was created
    std::optional<webhook_price> price{};  ///< what the attempt cost
    std::optional<std::chrono::system_clock::time_point> time{};  ///< when the attempt was made
    friend bool operator==(const attempt_payload&, const attempt_payload&) = default;
};

/// Payload of `verify.delivery_status`: the carrier reported on an attempt.
struct delivery_status_payload {
    std::optional<std::string> id{};                 ///< the attempt the report is about
    std::optional<std::string> verification_id{};  ///< the verification the attempt belongs to
    std::optional<v2::target> target{};  ///< where the message was sent
    std::optional<v2::delivery_status> status{};  ///< the delivery state the carrier reported
    std::optional<used_channel> channel{};  ///< the channel used
    std::optional<v2::carrier_information> carrier_information{};  ///< the network that reported
    std::optional<response_metadata> metadata{};  ///< the metadata given when the verification was created
    std::optional<webhook_price> price{};  ///< what the attempt cost
    std::optional<std::chrono::system_clock::time_point> time{};  ///< when the carrier reported
    friend bool operator==(const delivery_status_payload&, const delivery_status_payload&) = default;
};

/// A webhook of a `type` this SDK does not know: read webhook_event::payload_json.
struct unknown_payload {
    friend bool operator==(const unknown_payload&, const unknown_payload&) = default;
};

/// The typed payload of a webhook_event, selected by its `type`.
using webhook_payload = std::variant<unknown_payload, authentication_payload, attempt_payload, delivery_status_payload>;

/// One webhook request body.
struct webhook_event {
    std::string id{};                                ///< `evt_...`; use it to drop duplicates (deliveries are retried)
    std::string type{};                              ///< as sent, e.g. "verify.attempt"
    std::chrono::system_clock::time_point created_at{};  ///< when the event was created (RFC 3339 in the body)
    webhook_payload payload{};                       ///< typed by `type`; unknown_payload for other types
    std::string payload_json{};                      ///< the payload object re-serialized (compact JSON)
    friend bool operator==(const webhook_event&, const webhook_event&) = default;
};

/// Parses a webhook body. Completes with errc::decode and a message naming the field when the
/// envelope is not a JSON object with string `id` and `type`, an RFC 3339 `created_at` and an
/// object `payload`, when a known payload has a field of the wrong JSON type, or when the payload
/// holds a number beyond the range of a double (it could not be kept in payload_json). An unknown
/// `type`, unknown fields and unknown enum spellings are not errors. Never throws (out of memory
/// is errc::internal). Verify the signature on the raw body first (webhook_verifier).
outcome<webhook_event> parse_webhook(std::string_view body) noexcept;

/// Checks `X-Webhook-Signature` values against the account's RSA public key(s).
///
/// Cheap to copy (shares the parsed keys); verify() is const and safe to call from any number
/// of threads at once. Built only through the factories, which never throw.
///
/// Salt length: PSS lets the signer choose it. The verifier asks OpenSSL to detect it from the
/// signature (RSA_PSS_SALTLEN_AUTO), which accepts the digest-length salt (32 bytes, what this
/// SDK's sandbox and tests use and what most PSS signers default to) and also the maximal salt
/// some libraries choose, since the vendor does not state which one it uses. The digest and
/// MGF1 hash are fixed to SHA-256; only RSA keys of at least 2048 bits are accepted.
class webhook_verifier {
public:
    /// From a PEM public key: `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo) or
    /// `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1). errc::invalid_argument if it is not an RSA
    /// public key of at least 2048 bits.
    static outcome<webhook_verifier> from_pem(std::string_view pem) noexcept;
    /// From a JWK (`{"kty":"RSA","n":...,"e":...}`) or a JWKS (`{"keys":[...]}`) document.
    /// In a JWKS, every RSA key whose `use` is absent or `sig` is kept (other keys are skipped;
    /// none left is an error), and a signature is accepted if any of them verifies it, which
    /// covers key rotation. `n` and `e` are base64url (unpadded, strictly decoded).
    static outcome<webhook_verifier> from_jwk(std::string_view json) noexcept;
    /// from_pem() when `key` starts with "-----BEGIN", from_jwk() otherwise.
    static outcome<webhook_verifier> from_key(std::string_view key) noexcept;

    /// Checks `signature_header_value` (the value of X-Webhook-Signature, surrounding spaces and
    /// tabs ignored) against `body`, which must be the raw bytes received (not re-serialized JSON).
    /// Success: the value is `rsassa-pss-sha256=<base64url>` and the signature verifies with one
    /// of the keys. Failures:
    /// - errc::invalid_argument: empty value, no `=`, another scheme, a signature that is not
    ///   strict base64url (alphabet A-Z a-z 0-9 - _, optional canonical `=` padding, zero unused
    ///   bits), or whose length is not the key's modulus size;
    /// - errc::invalid_signature: well-formed, but no key verifies it (tampered body, wrong key);
    /// - errc::internal: OpenSSL failed (out of memory).
    /// No byte comparison happens here outside OpenSSL's PSS check.
    outcome<void> verify(std::string_view signature_header_value, std::string_view body) const noexcept;

    /// How many keys the verifier holds (1 for PEM or a single JWK).
    std::size_t key_count() const noexcept;

    /// The parsed keys (defined in the library; not part of the API).
    struct impl;

private:
    explicit webhook_verifier(std::shared_ptr<const impl> keys) noexcept : impl_(std::move(keys)) {}
    std::shared_ptr<const impl> impl_;
};

} // namespace ding::v2

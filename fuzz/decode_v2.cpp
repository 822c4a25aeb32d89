// Fuzz target: every Prelude v2 decoder (src/v2/codec.hpp), the webhook envelope parser, and the
// webhook signature header parser.
//
// Input: byte 0 picks the model (mod 15), the rest is the body (for 14: the signature header value).
// Checks: a failure leaves the output untouched and explains itself naming a field or the body;
// a success survives encode -> decode unchanged. For the signature header, verify() never
// succeeds without a real signature, and any failure is invalid_argument or invalid_signature.

#include "fuzz_common.hpp"
#include "v2/codec.hpp"

#include <ding/v2/webhook.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

namespace {

template <class T>
void check(std::string_view body) {
    T out{};
    T sentinel{};
    std::string why;
    if (!ding::v2::detail::decode(body, out, why)) {
        DING_FUZZ_CHECK(out == sentinel);
        DING_FUZZ_CHECK(!why.empty());
        DING_FUZZ_CHECK(why.starts_with("field '") || why.starts_with("body "));
        return;
    }
    DING_FUZZ_CHECK(why.empty());
    std::string encoded;
    ding::v2::detail::encode(out, encoded);
    T again{};
    std::string why_again;
    DING_FUZZ_CHECK(ding::v2::detail::decode(encoded, again, why_again));
    if constexpr (std::is_same_v<T, ding::v2::webhook_event>) {
        // Typed payloads are written from their fields (unknown payload fields are dropped), so
        // payload_json may differ; everything typed must not.
        DING_FUZZ_CHECK(again.id == out.id && again.type == out.type && again.created_at == out.created_at);
        DING_FUZZ_CHECK(again.payload == out.payload);
    } else {
        DING_FUZZ_CHECK(again == out);
    }
}

// A verifier for a key made once per run: fuzzed headers cannot be signatures made with it.
const ding::v2::webhook_verifier& verifier() {
    static const ding::v2::webhook_verifier v = [] {
        EVP_PKEY* key = EVP_RSA_gen(2048);
        DING_FUZZ_CHECK(key != nullptr);
        BIO* bio = BIO_new(BIO_s_mem());
        DING_FUZZ_CHECK(bio != nullptr && PEM_write_bio_PUBKEY(bio, key) == 1);
        char* pem = nullptr;
        const long n = BIO_get_mem_data(bio, &pem);
        auto made = ding::v2::webhook_verifier::from_pem(std::string_view(pem, static_cast<std::size_t>(n)));
        BIO_free(bio);
        EVP_PKEY_free(key);
        DING_FUZZ_CHECK(made.has_value());
        return *made;
    }();
    return v;
}

void check_signature_header(std::string_view header) {
    const auto r = verifier().verify(header, "{}");
    DING_FUZZ_CHECK(!r);
    const auto code = r.error().value();
    DING_FUZZ_CHECK(code == ding::errc::invalid_argument || code == ding::errc::invalid_signature);
    DING_FUZZ_CHECK(ding::fuzz::printable(r.error().message()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ding::fuzz::input in(data, size);
    const std::uint8_t model = in.byte();
    const std::string_view body = in.rest();
    namespace v2 = ding::v2;
    switch (model % 15) {
    case 0: check<v2::create_verification_response>(body); break;
    case 1: check<v2::check_verification_response>(body); break;
    case 2: check<v2::lookup_response>(body); break;
    case 3: check<v2::predict_response>(body); break;
    case 4: check<v2::send_events_response>(body); break;
    case 5: check<v2::send_feedbacks_response>(body); break;
    case 6: check<v2::error_body>(body); break;
    case 7: check<v2::create_verification_request>(body); break;
    case 8: check<v2::check_verification_request>(body); break;
    case 9: check<v2::predict_request>(body); break;
    case 10: check<v2::send_events_request>(body); break;
    case 11: check<v2::send_feedbacks_request>(body); break;
    case 12:
    case 13: check<v2::webhook_event>(body); break;
    default: check_signature_header(body); break;
    }
    return 0;
}

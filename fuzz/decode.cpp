// Fuzz target: every v1 response model's JSON decoder (src/v1/codec.hpp).
//
// Input: byte 0 picks the model (mod 7), the rest is the body.
// Checks: a failure leaves the output untouched and explains itself in printable ASCII that names
// a field or the body; a success survives encode -> decode unchanged (so every decoded value is
// one the SDK can represent and write back exactly).

#include "v1/codec.hpp"
#include "fuzz_common.hpp"

namespace {

template <class T>
void check(std::string_view body) {
    T out{};
    T sentinel{};
    std::string why;
    if (!ding::detail::decode(body, out, why)) {
        DING_FUZZ_CHECK(out == sentinel);
        DING_FUZZ_CHECK(!why.empty());
        DING_FUZZ_CHECK(why.starts_with("field '") || why.starts_with("body "));
        return;
    }
    DING_FUZZ_CHECK(why.empty());
    std::string encoded;
    ding::detail::encode(out, encoded);
    T again{};
    std::string why_again;
    DING_FUZZ_CHECK(ding::detail::decode(encoded, again, why_again));
    DING_FUZZ_CHECK(again == out);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ding::fuzz::input in(data, size);
    const std::uint8_t model = in.byte();
    const std::string_view body = in.rest();
    switch (model % 7) {
    case 0: check<ding::create_authentication_response>(body); break;
    case 1: check<ding::create_check_response>(body); break;
    case 2: check<ding::retry_authentication_response>(body); break;
    case 3: check<ding::feedback_response>(body); break;
    case 4: check<ding::authentication_status_response>(body); break;
    case 5: check<ding::lookup_response>(body); break;
    default: check<ding::error_response>(body); break;
    }
    return 0;
}

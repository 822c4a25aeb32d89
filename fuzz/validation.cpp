// Fuzz target: request validation (src/v1/validation.hpp).
//
// Input: byte 0 picks what to validate (mod 7), byte 1 says which optional fields are set, byte 2
// picks enum values; the rest is split at 0xFF bytes into the string fields, in declaration order.
// Checks: every message is printable ASCII (values are quoted with escapes, so no CR/LF reaches a
// log); the API key and the check code are never echoed: a message does not change when every
// printable non-space byte of the secret is replaced by another one (same length, same validity).

#include "v1/validation.hpp"
#include "fuzz_common.hpp"

namespace {

using ding::fuzz::printable;

void check_message(const std::optional<std::string>& m) {
    if (m) {
        DING_FUZZ_CHECK(!m->empty());
        DING_FUZZ_CHECK(printable(*m));
    }
}

/// The same secret with every printable non-space byte moved to the next one (cyclically).
std::string disguised(std::string_view secret) {
    std::string s(secret);
    for (char& c : s)
        if (c >= 0x21 && c <= 0x7e) c = c == 0x7e ? '!' : static_cast<char>(c + 1);
    return s;
}

std::optional<std::string> opt(bool set, std::string_view v) {
    if (!set) return std::nullopt;
    return std::string(v);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ding::fuzz::input in(data, size);
    const std::uint8_t what = in.byte();
    const unsigned set = in.byte() | (unsigned{in.byte()} << 8);
    const std::uint8_t enums = in.byte();
    const auto next = [&] { return std::string(in.until('\xff')); };

    switch (what % 7) {
    case 0: {
        const std::string key = next();
        const auto m = ding::detail::validate_api_key(key);
        check_message(m);
        DING_FUZZ_CHECK(m == ding::detail::validate_api_key(disguised(key)));
        break;
    }
    case 1: {
        ding::create_authentication_request r;
        r.customer_uuid = next();
        r.phone_number = next();
        r.ip = opt(set & 1, next());
        r.device_id = opt(set & 2, next());
        if (set & 4) r.device_type = static_cast<ding::device_type>(enums % 8);
        r.app_version = opt(set & 8, next());
        r.sender_id = opt(set & 16, next());
        r.callback_url = opt(set & 32, next());
        r.app_realm = opt(set & 64, next());
        r.os_version = opt(set & 128, next());
        r.device_model = opt(set & 256, next());
        if (set & 512) r.is_returning_user = (enums & 0x80) != 0;
        r.template_id = opt(set & 1024, next());
        r.correlation_id = opt(set & 2048, next());
        r.locale = opt(set & 4096, next());
        check_message(ding::detail::validate(r));
        break;
    }
    case 2: {
        ding::create_check_request r{next(), next(), next()};
        const auto m = ding::detail::validate(r);
        check_message(m);
        r.check_code = disguised(r.check_code);
        DING_FUZZ_CHECK(m == ding::detail::validate(r));
        break;
    }
    case 3: {
        ding::retry_authentication_request r{next(), next()};
        check_message(ding::detail::validate(r));
        break;
    }
    case 4: {
        ding::feedback_request r{next(), next(), static_cast<ding::feedback_status>(enums % 4)};
        check_message(ding::detail::validate(r));
        break;
    }
    case 5: {
        ding::lookup_request r;
        r.customer_uuid = next();
        r.phone_number = next();
        for (unsigned i = 0; i < (set & 3); ++i) r.types.push_back(static_cast<ding::lookup_type>((enums >> i) % 3));
        check_message(ding::detail::validate(r));
        break;
    }
    default: {
        const std::string uuid = next();
        const auto m = ding::detail::validate_authentication_uuid(uuid);
        check_message(m);
        if (!m) DING_FUZZ_CHECK(ding::detail::is_uuid(uuid));
        break;
    }
    }
    return 0;
}

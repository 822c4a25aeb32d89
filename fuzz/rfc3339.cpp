// Fuzz target: RFC 3339 parsing (src/codec/rfc3339.hpp).
// Checks: a failure leaves the output untouched; a parsed instant formats to text that parses
// back to the same instant.

#include "codec/rfc3339.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    using tp = std::chrono::system_clock::time_point;
    const tp sentinel = tp(std::chrono::seconds(12345));
    tp out = sentinel;
    if (!ding::detail::parse_rfc3339(text, out)) {
        DING_FUZZ_CHECK(out == sentinel);
        return 0;
    }
    std::string formatted;
    ding::detail::format_rfc3339(out, formatted);
    DING_FUZZ_CHECK(ding::fuzz::printable(formatted));
    tp again{};
    DING_FUZZ_CHECK(ding::detail::parse_rfc3339(formatted, again));
    DING_FUZZ_CHECK(again == out);
    return 0;
}

// Fuzz target: Retry-After parsing (ding::detail::parse_retry_after, src/transport/http_client.hpp)
// relative to a fixed "now" (2025-01-01T00:00:00Z).
// Checks: a result is never negative; delta-seconds are bounded by a year; an HTTP-date in a
// later year than "now" gives a positive wait, one in an earlier year none (a wrapped
// computation gives something else).

#include "fuzz_common.hpp"
#include "transport/http_client.hpp"

#include <charconv>

namespace {

/// The year of something shaped like an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), or -1.
int date_year(std::string_view v) {
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    if (v.size() != 29 || !v.ends_with(" GMT")) return -1;
    int year = 0;
    const auto [end, ec] = std::from_chars(v.data() + 12, v.data() + 16, year);
    return ec == std::errc{} && end == v.data() + 16 ? year : -1;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view value(reinterpret_cast<const char*>(data), size);
    const int year = date_year(value);
    using clock = std::chrono::system_clock;
    const clock::time_point now(std::chrono::seconds(1735689600)); // 2025-01-01T00:00:00Z
    const auto wait = ding::detail::parse_retry_after(value, now);
    if (!wait) return 0;
    DING_FUZZ_CHECK(wait->count() >= 0);
    if (year == -1) DING_FUZZ_CHECK(*wait <= std::chrono::hours(24 * 365));
    if (year > 2025) DING_FUZZ_CHECK(wait->count() > 0);  // a future date: a wait
    if (year != -1 && year < 2025) DING_FUZZ_CHECK(wait->count() == 0); // a past date: none
    return 0;
}

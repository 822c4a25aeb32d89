#include "codec/rfc3339.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

using namespace std::chrono;
using ding::detail::format_rfc3339;
using ding::detail::parse_rfc3339;

namespace {

system_clock::time_point parsed(std::string_view text) {
    system_clock::time_point tp{};
    REQUIRE(parse_rfc3339(text, tp));
    return tp;
}

bool rejects(std::string_view text) {
    system_clock::time_point tp = sys_days{2000y / 1 / 1};
    const auto before = tp;
    const bool ok = parse_rfc3339(text, tp);
    CHECK(tp == before);  // untouched on failure
    return !ok;
}

std::string formatted(system_clock::time_point tp) {
    std::string s = "x";
    format_rfc3339(tp, s);
    REQUIRE(s.front() == 'x');
    return s.substr(1);
}

const system_clock::time_point base = sys_days{2025y / April / 18} + 9h + 12min + 3s;

}  // namespace

TEST_CASE("rfc3339: UTC with Z", "[rfc3339]") {
    CHECK(parsed("2025-04-18T09:12:03Z") == base);
    CHECK(parsed("2025-04-18t09:12:03z") == base);
    CHECK(parsed("1970-01-01T00:00:00Z") == system_clock::time_point{});
    CHECK(parsed("2025-04-18T09:12:03Z").time_since_epoch() == seconds{1744967523});
}

TEST_CASE("rfc3339: fractional seconds of any length", "[rfc3339]") {
    CHECK(parsed("2025-04-18T09:12:03.5Z") == base + 500ms);
    CHECK(parsed("2025-04-18T09:12:03.123Z") == base + 123ms);
    CHECK(parsed("2025-04-18T09:12:03.123456Z") == base + 123456us);
    CHECK(parsed("2025-04-18T09:12:03.123456789Z") == base + 123456789ns);
    // beyond nanoseconds: truncated
    CHECK(parsed("2025-04-18T09:12:03.123456789999Z") == base + 123456789ns);
    CHECK(parsed("2025-04-18T09:12:03.000000001Z") == base + 1ns);
    CHECK(parsed("2025-04-18T09:12:03.0Z") == base);
}

TEST_CASE("rfc3339: offsets are applied exactly", "[rfc3339]") {
    CHECK(parsed("2025-04-18T11:12:03+02:00") == base);
    CHECK(parsed("2025-04-18T03:42:03-05:30") == base);
    CHECK(parsed("2025-04-18T03:42:03.25-05:30") == base + 250ms);
    CHECK(parsed("2025-04-18T09:12:03+00:00") == base);
    CHECK(parsed("2025-04-18T09:12:03-00:00") == base);
    // crossing a day and a year boundary
    CHECK(parsed("2025-01-01T01:00:00+02:00") == sys_days{2024y / December / 31} + 23h);
    CHECK(parsed("2024-12-31T23:30:00-01:00") == sys_days{2025y / January / 1} + 30min);
}

TEST_CASE("rfc3339: calendar edge cases", "[rfc3339]") {
    CHECK(parsed("2024-02-29T00:00:00Z") == sys_days{2024y / February / 29});
    CHECK(parsed("2000-02-29T00:00:00Z") == sys_days{2000y / February / 29});
    CHECK(parsed("1969-12-31T23:59:59.5Z") == system_clock::time_point{} - 500ms);
    CHECK(parsed("2025-12-31T23:59:59Z") == sys_days{2026y / January / 1} - 1s);
    // leap second maps to :59 of the same minute
    CHECK(parsed("2016-12-31T23:59:60Z") == sys_days{2017y / January / 1} - 1s);
}

TEST_CASE("rfc3339: rejects malformed and out-of-range input", "[rfc3339]") {
    CHECK(rejects(""));
    CHECK(rejects("2025-04-18"));
    CHECK(rejects("2025-04-18T09:12:03"));       // no offset
    CHECK(rejects("2025-04-18 09:12:03Z"));      // space separator
    CHECK(rejects("2025-04-18T09:12Z"));         // no seconds
    CHECK(rejects("2025-4-18T09:12:03Z"));
    CHECK(rejects("2025-04-18T09:12:03.Z"));     // empty fraction
    CHECK(rejects("2025-04-18T09:12:03,5Z"));
    CHECK(rejects("2025-13-01T00:00:00Z"));      // month 13
    CHECK(rejects("2025-00-01T00:00:00Z"));
    CHECK(rejects("2025-01-32T00:00:00Z"));      // day 32
    CHECK(rejects("2025-01-00T00:00:00Z"));
    CHECK(rejects("2025-02-29T00:00:00Z"));      // not a leap year
    CHECK(rejects("1900-02-29T00:00:00Z"));
    CHECK(rejects("2025-04-31T00:00:00Z"));
    CHECK(rejects("2025-04-18T24:00:00Z"));      // hour 24
    CHECK(rejects("2025-04-18T09:60:00Z"));      // minute 60
    CHECK(rejects("2025-04-18T09:12:61Z"));
    CHECK(rejects("2025-04-18T09:12:03+24:00"));
    CHECK(rejects("2025-04-18T09:12:03+02:60"));
    CHECK(rejects("2025-04-18T09:12:03+0200"));
    CHECK(rejects("2025-04-18T09:12:03+02"));
    CHECK(rejects("2025-04-18T09:12:03ZZ"));
    CHECK(rejects("2025-04-18T09:12:03Z "));
    CHECK(rejects(" 2025-04-18T09:12:03Z"));
    CHECK(rejects("+2025-04-18T09:12:03Z"));
    CHECK(rejects("２０２5-04-18T09:12:03Z"));
    // outside what a nanosecond system_clock can hold
    CHECK(rejects("0001-01-01T00:00:00Z"));
    CHECK(rejects("9999-12-31T23:59:59Z"));
}

TEST_CASE("rfc3339: format writes UTC with Z and a trimmed fraction", "[rfc3339]") {
    CHECK(formatted(base) == "2025-04-18T09:12:03Z");
    CHECK(formatted(base + 500ms) == "2025-04-18T09:12:03.5Z");
    CHECK(formatted(base + 120ms) == "2025-04-18T09:12:03.12Z");
    CHECK(formatted(base + 123456789ns) == "2025-04-18T09:12:03.123456789Z");
    CHECK(formatted(base + 1ns) == "2025-04-18T09:12:03.000000001Z");
    CHECK(formatted(system_clock::time_point{}) == "1970-01-01T00:00:00Z");
    CHECK(formatted(system_clock::time_point{} - 500ms) == "1969-12-31T23:59:59.5Z");
    CHECK(formatted(sys_days{2024y / February / 29} + 23h + 59min + 59s) == "2024-02-29T23:59:59Z");
}

TEST_CASE("rfc3339: format then parse is the identity", "[rfc3339]") {
    for (const auto tp : {base, base + 1ns, base + 999999999ns, system_clock::time_point{} - 1ns,
                          system_clock::time_point{sys_days{1700y / 1 / 1}}, system_clock::time_point{sys_days{2200y / 6 / 30}} + 7ns}) {
        std::string s;
        format_rfc3339(tp, s);
        CHECK(parsed(s) == tp);
    }
}

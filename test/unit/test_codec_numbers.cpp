// Issue 9, item 5: every integer field of every v1 model is range-checked exactly.
//
// The v1 models have three integer fields, all std::int64_t:
//   retry_authentication_response::remaining_retry
//   attempt_event::attempt_number           (authentication_status_response::events)
//   delivery_status_event::attempt_number   (authentication_status_response::events)
// For each: the minimum and maximum are accepted exactly; min-1, max+1, a fraction, and an
// integral value written as a double (1.0, 1e3) are `decode` errors naming the field.

#include "v1/codec.hpp"
#include "codec/json_number.hpp"

#include <ding/models.hpp>

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

using namespace ding;
using ding::detail::json_integer_result;

namespace {

constexpr std::int64_t i64_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();
const std::string i64_range = "[-9223372036854775808, 9223372036854775807]";

/// One integer field: how to put a JSON number text in a body, and read the field back.
struct integer_field {
    std::string name; ///< as the decode message names it
    std::function<std::string(const std::string&)> body;
    /// Decodes; returns the field on success, nullopt (and sets why) on failure.
    std::function<std::optional<std::int64_t>(const std::string&, std::string&)> decode;
};

integer_field remaining_retry() {
    return {"remaining_retry", [](const std::string& n) { return R"({"remaining_retry":)" + n + "}"; },
            [](const std::string& body, std::string& why) -> std::optional<std::int64_t> {
                retry_authentication_response r;
                r.authentication_uuid = "unchanged";
                if (!detail::decode(body, r, why)) {
                    CHECK(r.authentication_uuid == "unchanged"); // out untouched on failure
                    return std::nullopt;
                }
                REQUIRE(r.remaining_retry.has_value());
                return r.remaining_retry;
            }};
}

template <class Event>
integer_field event_attempt_number(const char* type) {
    return {"events[0].attempt_number",
            [type](const std::string& n) {
                return std::string(R"({"events":[{"type":")") + type + R"(","attempt_number":)" + n + "}]}";
            },
            [](const std::string& body, std::string& why) -> std::optional<std::int64_t> {
                authentication_status_response r;
                r.uuid = "unchanged";
                if (!detail::decode(body, r, why)) {
                    CHECK(r.uuid == "unchanged");
                    return std::nullopt;
                }
                REQUIRE(r.events.has_value());
                REQUIRE(r.events->size() == 1);
                const auto* e = std::get_if<Event>(&r.events->front());
                REQUIRE(e != nullptr);
                REQUIRE(e->attempt_number.has_value());
                return e->attempt_number;
            }};
}

void accepts(const integer_field& f, const std::string& number, std::int64_t expected) {
    INFO(f.name << " = " << number);
    std::string why;
    const auto v = f.decode(f.body(number), why);
    INFO("why: " << why);
    REQUIRE(v.has_value());
    CHECK(*v == expected);
    CHECK(why.empty());
}

void refuses(const integer_field& f, const std::string& number, const std::string& problem) {
    INFO(f.name << " = " << number);
    std::string why;
    const auto v = f.decode(f.body(number), why);
    CHECK_FALSE(v.has_value());
    CHECK(why == "field '" + f.name + "': " + problem);
}

const std::string out_of_range = "integer out of range " + i64_range;
const std::string not_integer =
    "expected integer in " + i64_range + ", got a number with a fraction or exponent, or beyond 64 bits";

void check_bounds(const integer_field& f) {
    SECTION("min") { accepts(f, "-9223372036854775808", i64_min); }
    SECTION("max") { accepts(f, "9223372036854775807", i64_max); }
    SECTION("zero and small values") {
        accepts(f, "0", 0);
        accepts(f, "-0", 0);
        accepts(f, "1", 1);
        accepts(f, "-1", -1);
    }
    SECTION("min - 1 (Boost.JSON reads it as a double equal to min: refused, not rounded)") {
        refuses(f, "-9223372036854775809", not_integer);
    }
    SECTION("max + 1 (a uint64)") { refuses(f, "9223372036854775808", out_of_range); }
    SECTION("uint64 max") { refuses(f, "18446744073709551615", out_of_range); }
    SECTION("beyond 64 bits") {
        refuses(f, "18446744073709551616", not_integer);
        refuses(f, "-18446744073709551617", not_integer);
        refuses(f, "100000000000000000000000000000", not_integer);
    }
    SECTION("fraction") {
        refuses(f, "1.5", not_integer);
        refuses(f, "-0.5", not_integer);
        refuses(f, "0.000001", not_integer);
    }
    SECTION("integral value written as a double") {
        refuses(f, "1.0", not_integer);
        refuses(f, "1e3", not_integer);
        refuses(f, "1E0", not_integer);
        refuses(f, "-0.0", not_integer);
        refuses(f, "9223372036854775807.0", not_integer);
        refuses(f, "-9223372036854775808.0", not_integer);
        refuses(f, "1e300", not_integer);
    }
    SECTION("not a number") {
        refuses(f, R"("1")", "expected integer");
        refuses(f, "true", "expected integer");
        refuses(f, "[1]", "expected integer");
        refuses(f, R"({"v":1})", "expected integer");
    }
}

} // namespace

TEST_CASE("codec numbers: retry_authentication_response.remaining_retry bounds", "[codec][numbers]") {
    check_bounds(remaining_retry());
}

TEST_CASE("codec numbers: attempt_event.attempt_number bounds", "[codec][numbers]") {
    check_bounds(event_attempt_number<attempt_event>("attempt"));
}

TEST_CASE("codec numbers: delivery_status_event.attempt_number bounds", "[codec][numbers]") {
    check_bounds(event_attempt_number<delivery_status_event>("delivery_status"));
}

TEST_CASE("codec numbers: a bad integer in the second event names that event", "[codec][numbers]") {
    authentication_status_response r;
    std::string why;
    CHECK_FALSE(detail::decode(
        R"({"events":[{"type":"attempt","attempt_number":1},{"type":"delivery_status","attempt_number":2.0}]})", r,
        why));
    CHECK(why == "field 'events[1].attempt_number': " + not_integer);
}

// The helper is generic so that other codecs (v2) can read narrower or unsigned fields exactly.
namespace {
template <class T>
json_integer_result to(const char* json, T& out) {
    return detail::json_to_integer(boost::json::parse(json), out);
}
} // namespace

TEST_CASE("codec numbers: json_to_integer is exact for every integer type", "[codec][numbers]") {
    std::int32_t i32 = 7;
    CHECK(to("2147483647", i32) == json_integer_result::ok);
    CHECK(i32 == 2147483647);
    CHECK(to("-2147483648", i32) == json_integer_result::ok);
    CHECK(i32 == std::numeric_limits<std::int32_t>::min());
    i32 = 7;
    CHECK(to("2147483648", i32) == json_integer_result::out_of_range);
    CHECK(to("-2147483649", i32) == json_integer_result::out_of_range);
    CHECK(to("1.0", i32) == json_integer_result::not_integer);
    CHECK(to("\"1\"", i32) == json_integer_result::not_number);
    CHECK(to("null", i32) == json_integer_result::not_number);
    CHECK(i32 == 7); // untouched on failure

    std::uint8_t u8 = 0;
    CHECK(to("255", u8) == json_integer_result::ok);
    CHECK(u8 == 255);
    CHECK(to("256", u8) == json_integer_result::out_of_range);
    CHECK(to("-1", u8) == json_integer_result::out_of_range);

    std::uint64_t u64 = 0;
    CHECK(to("18446744073709551615", u64) == json_integer_result::ok);
    CHECK(u64 == std::numeric_limits<std::uint64_t>::max());
    CHECK(to("18446744073709551616", u64) == json_integer_result::not_integer);
    CHECK(to("-1", u64) == json_integer_result::out_of_range);
    CHECK(to("0", u64) == json_integer_result::ok);
    CHECK(u64 == 0);

    std::int64_t i64 = 0;
    CHECK(to("-9223372036854775809", i64) == json_integer_result::not_integer);
    CHECK(to("9223372036854775808", i64) == json_integer_result::out_of_range);

    CHECK(detail::json_integer_problem<std::int16_t>(json_integer_result::out_of_range) ==
          "integer out of range [-32768, 32767]");
    CHECK(detail::json_integer_problem<std::uint16_t>(json_integer_result::not_number) == "expected integer");
}

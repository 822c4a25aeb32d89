// Exact reading of JSON integers into C++ integer types, for every codec (v1 in json_codec.cpp;
// a v2 codec can include this too). Header-only, no allocation, no exceptions.
//
// Rules (issue 9, item 5):
//  - only a JSON number written as an integer is accepted, i.e. one that Boost.JSON stores with
//    kind int64 or uint64, and only when its value fits the C++ type exactly (std::in_range: no
//    conversion through double, so the bounds are exact);
//  - any number Boost.JSON stores as a double is refused: a fraction (1.5), an exponent (1e3),
//    a trailing ".0" (1.0), and integer literals beyond 64 bits (Boost.JSON parses
//    -9223372036854775809 and 18446744073709551616 as doubles, which would round);
//  - anything that is not a number is a type error.
#pragma once

#include <boost/json/value.hpp>

#include <concepts>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

namespace ding::detail {

enum class json_integer_result {
    ok,           ///< `out` holds the value
    not_number,   ///< string, bool, object, array (null is the caller's business)
    not_integer,  ///< a JSON number with a fraction or an exponent, or beyond 64 bits
    out_of_range, ///< a JSON integer outside the target type's range
};

template <class T>
concept json_integer_target = std::integral<T> && !std::same_as<std::remove_cv_t<T>, bool>;

/// Reads `v` into `out` exactly; `out` is untouched unless the result is `ok`.
template <json_integer_target T>
constexpr json_integer_result json_to_integer(const boost::json::value& v, T& out) noexcept {
    if (const std::int64_t* i = v.if_int64()) {
        if (!std::in_range<T>(*i)) return json_integer_result::out_of_range;
        out = static_cast<T>(*i);
        return json_integer_result::ok;
    }
    if (const std::uint64_t* u = v.if_uint64()) {
        if (!std::in_range<T>(*u)) return json_integer_result::out_of_range;
        out = static_cast<T>(*u);
        return json_integer_result::ok;
    }
    if (v.is_double()) return json_integer_result::not_integer;
    return json_integer_result::not_number;
}

/// The problem part of a decode message for a failed json_to_integer<T>, e.g.
/// "integer out of range [-9223372036854775808, 9223372036854775807]". Empty for `ok`.
template <json_integer_target T>
std::string json_integer_problem(json_integer_result r) {
    const std::string range =
        "[" + std::to_string(std::numeric_limits<T>::min()) + ", " + std::to_string(std::numeric_limits<T>::max()) + "]";
    switch (r) {
    case json_integer_result::ok:
        return {};
    case json_integer_result::not_number:
        return "expected integer";
    case json_integer_result::not_integer:
        return "expected integer in " + range +
               ", got a number with a fraction or exponent, or beyond 64 bits";
    case json_integer_result::out_of_range:
        return "integer out of range " + range;
    }
    return "expected integer";
}

} // namespace ding::detail

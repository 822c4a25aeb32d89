// Each client takes only its own version's options (issue 19, item 6). v2::client_options derive
// from ding::client_options, so without the deleted overload in ding::client a v2 options object
// converted silently to the v1 client. The refusals are static_asserts, checked when this file
// compiles; test/packaging/compile_fail/ shows the error a user sees.
#include <ding/client.hpp>
#include <ding/v2/client.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <type_traits>

namespace {
using executor = boost::asio::any_io_executor;

// A user's own options type built on the v2 options is refused as well.
struct my_v2_options : ding::v2::client_options {};
// ...while one built on the v1 options is still a v1 options object.
struct my_v1_options : ding::client_options {};

// v1 client: its own options, by value, lvalue, const lvalue; a derived v1 type.
static_assert(std::is_constructible_v<ding::client, executor, ding::client_options>);
static_assert(std::is_constructible_v<ding::client, executor, ding::client_options&>);
static_assert(std::is_constructible_v<ding::client, executor, const ding::client_options&>);
static_assert(std::is_constructible_v<ding::client, executor, my_v1_options>);
// v1 client: never the v2 options, however they are passed.
static_assert(!std::is_constructible_v<ding::client, executor, ding::v2::client_options>);
static_assert(!std::is_constructible_v<ding::client, executor, ding::v2::client_options&>);
static_assert(!std::is_constructible_v<ding::client, executor, const ding::v2::client_options&>);
static_assert(!std::is_constructible_v<ding::client, executor, my_v2_options>);

// v2 client: its own options; never v1's.
static_assert(std::is_constructible_v<ding::v2::client, executor, ding::v2::client_options>);
static_assert(std::is_constructible_v<ding::v2::client, executor, const ding::v2::client_options&>);
static_assert(std::is_constructible_v<ding::v2::client, executor, my_v2_options>);
static_assert(!std::is_constructible_v<ding::v2::client, executor, ding::client_options>);
static_assert(!std::is_constructible_v<ding::v2::client, executor, const ding::client_options&>);
static_assert(!std::is_constructible_v<ding::v2::client, executor, my_v1_options>);

// v1's options stay an aggregate (designated initializers), and the options are still related
// types (code that copies v1 settings into a v2 options object's base keeps compiling).
static_assert(std::is_aggregate_v<ding::client_options>);
static_assert(std::is_base_of_v<ding::client_options, ding::v2::client_options>);
} // namespace

TEST_CASE("unit: each client is built from its own version's options, also from braced lists") {
    boost::asio::io_context ioc;
    // Designated initializers and empty braces still choose the v1 constructor (the refusing
    // overload is a template, which a braced list cannot match).
    // -Wextra (g++ 12, clang 19) warns about the members a designated initializer leaves to
    // their defaults.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif
    ding::client v1(ioc.get_executor(), {.api_key = "k", .base_url = "https://127.0.0.1:1/v1"});
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    CHECK(v1.configuration_error() == nullptr);
    ding::client v1_defaults(ioc.get_executor(), {});
    REQUIRE(v1_defaults.configuration_error() != nullptr);  // no API key
    CHECK(v1_defaults.configuration_error()->code() == ding::errc::invalid_argument);

    ding::v2::client_options o;
    o.api_key = "k";
    ding::v2::client v2(ioc.get_executor(), o);
    CHECK(v2.configuration_error() == nullptr);
    ding::v2::client v2_defaults(ioc.get_executor(), {});
    CHECK(v2_defaults.configuration_error() != nullptr);
}

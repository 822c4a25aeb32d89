// Every completion token kind compiles against the public API and completes exactly once.
// The calls fail validation, so they complete without any network I/O, through the real path.
#include <ding/ding.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <catch2/catch.hpp>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {
ding::client_options options() {
    ding::client_options o;
    o.api_key = "test-key";
    o.base_url = "https://127.0.0.1:1/v1"; // never contacted: every request below is invalid
    return o;
}
ding::create_check_request bad_check() {
    ding::create_check_request r;
    r.customer_uuid = "not-a-uuid";
    r.authentication_uuid = "e0e7b0e9-739d-424b-922f-1c2cb48ab077";
    r.check_code = "123456";
    return r;
}
} // namespace

TEST_CASE("tokens: use_awaitable (the default)") {
    asio::io_context ioc;
    ding::client client(ioc.get_executor(), options());
    std::optional<ding::outcome<ding::create_check_response>> got;
    asio::co_spawn(ioc, [&]() -> asio::awaitable<void> { got = co_await client.otp().check_async(bad_check()); },
                   asio::detached);
    ioc.run_for(5s);
    REQUIRE(got);
    CHECK(got->error().code() == ding::errc::invalid_argument);
    CHECK(got->error().message().find("customer_uuid") != std::string::npos);
}

TEST_CASE("tokens: awaitable operators") {
    using namespace asio::experimental::awaitable_operators;
    asio::io_context ioc;
    ding::client client(ioc.get_executor(), options());
    int completions = 0;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer timer(ioc, 10s);
            auto first = co_await (client.otp().check_async(bad_check()) || timer.async_wait(asio::use_awaitable));
            CHECK(first.index() == 0);
            auto both = co_await (client.otp().check_async(bad_check()) &&
                                  client.otp().get_authentication_status_async("../etc/passwd"));
            CHECK(std::get<1>(both).error().code() == ding::errc::invalid_argument);
            ++completions;
        },
        asio::detached);
    ioc.run_for(5s);
    CHECK(completions == 1);
}

TEST_CASE("tokens: deferred, callback and use_future") {
    asio::io_context ioc;
    ding::client client(ioc.get_executor(), options());
    int callbacks = 0;

    auto op = client.otp().check_async(bad_check(), asio::deferred);
    op([&](ding::outcome<ding::create_check_response> r) {
        CHECK(r.error().code() == ding::errc::invalid_argument);
        ++callbacks;
    });

    bool inline_completion = true;
    client.lookup().lookup_async("cf2edc1c-7fc6-48fb-86da-b7508c6b7b71", "0033", [&](ding::outcome<ding::lookup_response> r) {
        CHECK_FALSE(inline_completion); // never invoked inside the initiating call
        CHECK(r.error().code() == ding::errc::invalid_argument);
        ++callbacks;
    });
    inline_completion = false;

    ding::call_options per_call;
    per_call.timeout = 1s;
    auto future = client.otp().check_async(bad_check(), per_call, asio::use_future);
    ioc.run_for(5s);
    CHECK(callbacks == 2);
    REQUIRE(future.wait_for(0s) == std::future_status::ready);
    CHECK(future.get().error().code() == ding::errc::invalid_argument);
}

TEST_CASE("tokens: invalid client options complete every call with invalid_argument") {
    asio::io_context ioc;
    auto o = options();
    o.api_key = "SECRET-7f3a\r\nx";
    ding::client client(ioc.get_executor(), o);
    REQUIRE(client.configuration_error() != nullptr);
    CHECK(client.configuration_error()->message().find("SECRET-7f3a") == std::string::npos); // the key is not echoed
    std::optional<ding::outcome<ding::feedback_response>> got;
    ding::feedback_request fb{"cf2edc1c-7fc6-48fb-86da-b7508c6b7b71", "+33612345678", ding::feedback_status::onboarded};
    client.otp().feedback_async(fb, [&](ding::outcome<ding::feedback_response> r) { got = std::move(r); });
    ioc.run_for(5s);
    REQUIRE(got);
    CHECK(got->error().code() == ding::errc::invalid_argument);
}

// Every completion token kind compiles against the v2 public API and completes exactly once.
// The calls fail validation, so they complete without network I/O, through the real launch path.
#include <ding/v2.hpp>

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
ding::v2::client_options v2_options() {
    ding::v2::client_options o;
    o.api_key = "test-key";
    o.base_url = "https://127.0.0.1:1"; // never contacted: every request below is invalid
    return o;
}
ding::v2::create_verification_request bad_create() {
    ding::v2::create_verification_request r;
    r.target = ding::v2::target{ding::v2::target_type::phone_number, "0612345678"};
    return r;
}
} // namespace

TEST_CASE("v2 tokens: use_awaitable, awaitable operators, deferred, callback, use_future") {
    using namespace asio::experimental::awaitable_operators;
    asio::io_context ioc;
    ding::v2::client client(ioc.get_executor(), v2_options());
    int completions = 0;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            auto one = co_await client.verification().create_async(bad_create());
            CHECK(one.error().code() == ding::errc::invalid_argument);
            asio::steady_timer timer(ioc, 10s);
            auto first = co_await (client.lookup().lookup_async("nope") || timer.async_wait(asio::use_awaitable));
            CHECK(first.index() == 0);
            // Requests live in named variables: with a heap-owning temporary request inside this
            // co_await full-expression, the GCC 12 build freed it twice (a known class of GCC
            // coroutine bugs with temporaries); the SDK copies its arguments before returning.
            const ding::v2::predict_request no_target{};
            const ding::v2::send_feedbacks_request too_many{std::vector<ding::v2::feedback>(101)};
            auto both = co_await (client.watch().predict_async(no_target) &&
                                  client.watch().send_feedbacks_async(too_many));
            CHECK(std::get<0>(both).error().message() == "target.type: must be phone_number or email_address");
            CHECK(std::get<1>(both).error().message() == "feedbacks: 101 items, at most 100 per request");
            ++completions;
        },
        asio::detached);

    int callbacks = 0;
    auto op = client.verification().check_async(ding::v2::check_verification_request{}, asio::deferred);
    std::move(op)([&](ding::outcome<ding::v2::check_verification_response> r) {
        CHECK(r.error().code() == ding::errc::invalid_argument);
        ++callbacks;
    });
    client.watch().send_events_async(ding::v2::send_events_request{std::vector<ding::v2::watch_event>(1)},
                                     [&](ding::outcome<ding::v2::send_events_response> r) {
                                         CHECK(r.error().code() == ding::errc::invalid_argument);
                                         ++callbacks;
                                     });
    CHECK(callbacks == 0); // never inside the initiating call
    auto future = client.lookup().lookup_async(ding::v2::lookup_request{"+1", {}}, asio::use_future);
    ioc.run_for(5s);
    CHECK(completions == 1);
    CHECK(callbacks == 2);
    REQUIRE(future.wait_for(0s) == std::future_status::ready);
    CHECK(future.get().error().code() == ding::errc::invalid_argument);
}

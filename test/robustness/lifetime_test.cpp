// Lifetimes, executors and bounds (issue 8, rows 6, 7, 8, 10, 11 and client::cancel()).

#include "robustness_common.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include <atomic>
#include <thread>

using namespace robustness;

TEST_CASE("robustness: a completion handler bound to another io_context keeps that io_context busy until it ran") {
    ding::sandbox sb(lenient());
    asio::io_context client_ioc;
    asio::io_context app;
    ding::client c(client_ioc.get_executor(), options_for(sb));
    std::atomic<int> ran{0};
    bool ran_on_app = false;
    c.otp().create_authentication_async(create_request(), asio::bind_executor(app, [&](ding::outcome<ding::create_authentication_response> r) {
                            ran_on_app = r.has_value() && app.get_executor().running_in_this_thread();
                            ++ran;
                        }));
    std::thread client_thread([&] { client_ioc.run_for(5s); });
    app.run_for(5s); // returns only when the handler ran (the SDK counts it as work on `app`)
    const int ran_when_app_returned = ran.load();
    client_thread.join();
    REQUIRE(ran_when_app_returned == 1);
    REQUIRE(ran_on_app);
    // And it returned on its own, as soon as the handler ran, not at the 5 s bound.
    REQUIRE(app.stopped());
}

TEST_CASE("robustness: a deferred operation launched after its client was destroyed completes with cancelled") {
    ding::sandbox sb(lenient());
    asio::io_context ioc;
    auto c = std::make_unique<ding::client>(ioc.get_executor(), options_for(sb));
    auto op = c->otp().create_authentication_async(create_request(), asio::deferred);
    c.reset();
    std::optional<ding::outcome<ding::create_authentication_response>> got;
    std::move(op)([&](ding::outcome<ding::create_authentication_response> r) { got.emplace(std::move(r)); });
    REQUIRE_FALSE(got.has_value()); // never inside the initiating call
    run_until(ioc, [&] { return got.has_value(); });
    REQUIRE_FALSE(got->has_value());
    REQUIRE(got->error().value() == ding::errc::cancelled);
    REQUIRE(sb.stats().requests_total == 0);
}

TEST_CASE("robustness: client::cancel() ends every call in flight, and later calls run normally") {
    ding::sandbox sb(lenient());
    sb.inject(ding::sandbox_fault(ding::sandbox_fault_kind::stall, 100));
    asio::io_context ioc;
    auto o = options_for(sb);
    o.max_connections = 4;
    ding::client c(ioc.get_executor(), o);
    constexpr int n = 12; // 4 stalled on the server, 8 waiting for a connection
    int cancelled = 0, completions = 0;
    for (int i = 0; i < n; ++i)
        c.otp().create_authentication_async(create_request(), [&](ding::outcome<ding::create_authentication_response> r) {
            ++completions;
            cancelled += !r && r.error().value() == ding::errc::cancelled;
        });
    run_until(ioc, [&] { return c.stats().waiting == n - 4 && c.stats().in_use == 4; });
    c.cancel();
    run_until(ioc, [&] { return completions == n; }, 2s);
    REQUIRE(cancelled == n);
    require_pool_settled(c);
    sb.clear_faults();
    std::optional<ding::outcome<ding::create_authentication_response>> next;
    c.otp().create_authentication_async(create_request(), [&](auto r) { next.emplace(std::move(r)); });
    run_until(ioc, [&] { return next.has_value(); });
    REQUIRE(next->has_value());
}

TEST_CASE("robustness: the io_context destroyed with calls pending is clean") {
    ding::sandbox sb(lenient());
    sb.inject(ding::sandbox_fault(ding::sandbox_fault_kind::stall, 100));
    int completions = 0;
    SECTION("client destroyed first") {
        auto ioc = std::make_unique<asio::io_context>();
        auto c = std::make_unique<ding::client>(ioc->get_executor(), options_for(sb));
        for (int i = 0; i < 8; ++i) c->otp().create_authentication_async(create_request(), [&](auto) { ++completions; });
        run_handlers(*ioc, 40);
        c.reset();
        ioc.reset();
    }
    SECTION("io_context destroyed first") {
        auto ioc = std::make_unique<asio::io_context>();
        auto c = std::make_unique<ding::client>(ioc->get_executor(), options_for(sb));
        for (int i = 0; i < 8; ++i) c->otp().create_authentication_async(create_request(), [&](auto) { ++completions; });
        run_handlers(*ioc, 40);
        ioc.reset();
        c.reset();
    }
    // Handlers that never ran are destroyed, not called, with their io_context.
    REQUIRE(completions <= 8);
}

TEST_CASE("robustness: a timeout of milliseconds::max() is clamped, not overflowed") {
    ding::sandbox sb(lenient());
    asio::io_context ioc;
    auto o = options_for(sb);
    o.timeout = std::chrono::milliseconds::max();
    o.idle_timeout = std::chrono::milliseconds::max();
    o.dns_refresh_interval = std::chrono::milliseconds::max();
    o.retry.initial_backoff = std::chrono::milliseconds::max();
    o.retry.max_backoff = std::chrono::milliseconds::max();
    ding::client c(ioc.get_executor(), o);
    REQUIRE(c.configuration_error() == nullptr);
    std::optional<ding::outcome<ding::create_authentication_response>> got;
    c.otp().create_authentication_async(create_request(), [&](auto r) { got.emplace(std::move(r)); });
    run_until(ioc, [&] { return got.has_value(); });
    INFO((got->has_value() ? std::string("ok") : got->error().to_string()));
    REQUIRE(got->has_value());

    ding::call_options co;
    co.timeout = std::chrono::milliseconds::max();
    got.reset();
    c.otp().create_authentication_async(create_request(), co, [&](auto r) { got.emplace(std::move(r)); });
    run_until(ioc, [&] { return got.has_value(); });
    REQUIRE(got->has_value());
}

TEST_CASE("robustness: a before_attempt hook cannot add the SDK's framing or credential headers") {
    ding::sandbox sb(lenient());
    const std::string name = GENERATE("Content-Length", "transfer-encoding", "HOST", "x-api-key", "Connection",
                                      "Content-Type", "X-Api-Key");
    asio::io_context ioc;
    auto o = options_for(sb);
    o.hooks.before_attempt = [&](const ding::attempt_info&, ding::extra_headers& h) { h.emplace_back(name, "1"); };
    ding::client c(ioc.get_executor(), o);
    std::optional<ding::outcome<ding::create_authentication_response>> got;
    c.otp().create_authentication_async(create_request(), [&](auto r) { got.emplace(std::move(r)); });
    run_until(ioc, [&] { return got.has_value(); });
    INFO(name);
    REQUIRE_FALSE(got->has_value());
    REQUIRE(got->error().value() == ding::errc::invalid_argument);
    REQUIRE(got->error().message().find("reserved") != std::string::npos);
    REQUIRE(sb.stats().requests_total == 0);
    REQUIRE(c.stats().connections_opened == 0);
}

TEST_CASE("robustness: the io_context destroyed with calls queued for a connection, then the client, is clean") {
    ding::sandbox sb(lenient());
    sb.inject(ding::sandbox_fault(ding::sandbox_fault_kind::stall, 100));
    const bool thread_safe = GENERATE(false, true);
    INFO("thread_safe " << thread_safe);
    auto ioc = std::make_unique<asio::io_context>();
    auto o = options_for(sb);
    o.max_connections = 2;
    o.thread_safe = thread_safe;
    auto c = std::make_unique<ding::client>(ioc->get_executor(), o);
    int completions = 0;
    for (int i = 0; i < 12; ++i) c->otp().create_authentication_async(create_request(), [&](auto) { ++completions; });
    run_until(*ioc, [&] { return c->stats().waiting == 10; });
    ioc.reset(); // the queued waits are destroyed with their timers: each leaves the pool's queue
    CHECK(completions == 0);
    const auto s = c->stats();
    CHECK(s.waiting == 0);
    CHECK(s.connecting == 0);
    c.reset();
    CHECK(completions == 0);
}

// A queued call is handed the connection of the call before it (its timer's completion is then
// queued in the io_context), and the io_context is destroyed before that completion runs, while
// the client lives on. The queued wait's destructor gives the connection back to the pool, which
// core_registry::shutdown already abandoned: it used to sit idle in the client (a socket and timers
// of the dead io_context), and destroying the client then read freed memory (valgrind: invalid
// reads in ~basic_socket). An abandoned pool now closes what it is given back. Found by a review.
TEST_CASE("robustness: the io_context destroyed while a queued call's handed-over connection is pending leaves no "
          "connection in the client",
          "[regression]") {
    ding::sandbox sb(lenient());
    const bool thread_safe = GENERATE(false, true);
    INFO("thread_safe " << thread_safe);
    auto ioc = std::make_unique<asio::io_context>();
    auto o = options_for(sb);
    o.max_connections = 1;
    o.thread_safe = thread_safe;
    auto c = std::make_unique<ding::client>(ioc->get_executor(), o);
    int a_done = 0, b_done = 0;
    c->otp().create_authentication_async(create_request(), [&](auto r) {
        ++a_done;
        INFO((r.has_value() ? std::string("ok") : r.error().to_string()));
        CHECK(r.has_value());
    });
    c->otp().create_authentication_async(create_request(), [&](auto) { ++b_done; });
    run_until(*ioc, [&] { return c->stats().waiting == 1; });
    run_until(*ioc, [&] { return a_done == 1; });
    // A gave its connection straight to B (in_use stays 1, nothing waits any more); B's wait
    // completion is queued, not run yet.
    {
        const auto s = c->stats();
        INFO("idle=" << s.idle << " in_use=" << s.in_use << " waiting=" << s.waiting << " connecting=" << s.connecting);
        REQUIRE(s.waiting == 0);
        REQUIRE(s.in_use == 1);
        REQUIRE(b_done == 0);
    }
    ioc.reset();
    CHECK(b_done == 0);
    const auto s = c->stats();
    INFO("after the io_context is gone: open=" << s.open << " idle=" << s.idle << " in_use=" << s.in_use
                                                << " waiting=" << s.waiting << " connecting=" << s.connecting);
    CHECK(s.open == 0);
    CHECK(s.idle == 0);
    CHECK(s.in_use == 0);
    c.reset(); // destroys what the pool still holds: a socket of the destroyed io_context
}

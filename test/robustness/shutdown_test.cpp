// Shutdown orders and stop semantics (issue 8, item 2): the io_context destroyed before the
// client, a caller's cancellation signal that outlives both, client::cancel() racing a call that
// starts after it, and a stop that lands after a reply the SDK would have retried.

#include "robustness_common.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <future>
#include <thread>

using namespace robustness;

namespace {

using create_result = ding::outcome<ding::create_authentication_response>;

} // namespace

TEST_CASE("robustness: the io_context destroyed before the client, with idle connections and calls pending, is clean") {
    ding::sandbox sb(lenient());
    const bool thread_safe = GENERATE(false, true);
    INFO("thread_safe " << thread_safe);
    auto ioc = std::make_unique<asio::io_context>();
    auto o = options_for(sb);
    o.thread_safe = thread_safe;
    auto c = std::make_unique<ding::client>(ioc->get_executor(), o);

    // Two idle connections in the pool...
    int done = 0;
    for (int i = 0; i < 2; ++i) c->otp().create_authentication_async(create_request(), [&](create_result r) {
        CHECK(r.has_value());
        ++done;
    });
    run_until(*ioc, [&] { return done == 2; });
    REQUIRE(c->stats().idle >= 1);

    // ...and calls stalled in flight, one of them bound to a signal that outlives everything.
    asio::cancellation_signal outliving_signal;
    sb.inject(ding::sandbox_fault(ding::sandbox_fault_kind::stall, 100));
    int late = 0;
    for (int i = 0; i < 3; ++i) c->otp().create_authentication_async(create_request(), [&](create_result) { ++late; });
    c->otp().create_authentication_async(create_request(),
                                         asio::bind_cancellation_slot(outliving_signal.slot(), [&](create_result) { ++late; }));
    ioc->restart();
    ioc->run_for(100ms);

    ioc.reset(); // the context goes first: the calls are destroyed with it, uncalled
    REQUIRE(late == 0);
    // The client is still usable as an object: stats, close_idle, cancel, and an operation
    // launched now is dropped (there is no executor left to run it on).
    const auto s = c->stats();
    CHECK(s.idle == 0);
    c->close_idle_connections();
    c->cancel();
    c->otp().create_authentication_async(create_request(), [&](create_result) { ++late; });
    c.reset(); // then the client: nothing here may reach into the destroyed context
    outliving_signal.emit(asio::cancellation_type::terminal); // the forwarder finds the call gone
    REQUIRE(late == 0);
}

TEST_CASE("robustness: client::cancel() from another thread does not stop a call started after it") {
    ding::sandbox sb(lenient());
    asio::io_context ioc;
    auto o = options_for(sb);
    o.thread_safe = true;
    std::unique_ptr<ding::client> c;
    std::optional<create_result> before, after;
    bool hooked = false;
    // The first call's hook runs on the client's strand. From there, another thread calls
    // cancel() (its stop is queued behind this handler on the strand), then, still on the strand,
    // the second call starts: it registers before the queued stop runs, and must be left alone.
    o.hooks.before_attempt = [&](const ding::attempt_info&, ding::extra_headers&) {
        if (std::exchange(hooked, true)) return;
        std::thread other([&] { c->cancel(); });
        other.join();
        c->otp().create_authentication_async(create_request(), [&](create_result r) { after.emplace(std::move(r)); });
    };
    c = std::make_unique<ding::client>(ioc.get_executor(), o);
    c->otp().create_authentication_async(create_request(), [&](create_result r) { before.emplace(std::move(r)); });
    run_until(ioc, [&] { return before && after; });
    INFO("first: " << (before->has_value() ? "value" : before->error().to_string()));
    INFO("second: " << (after->has_value() ? "value" : after->error().to_string()));
    // The call launched before cancel() ends cancelled; the one launched after it runs normally.
    REQUIRE(!before->has_value());
    REQUIRE(before->error().value() == ding::errc::cancelled);
    REQUIRE(after->has_value());
}

TEST_CASE("robustness: a call stopped after a reply it would have retried ends cancelled, never with that reply") {
    ding::sandbox sb(lenient());
    int completed_on_its_own_at = 0;
    int cancelled = 0;
    for (int k = 0; k < 400 && completed_on_its_own_at == 0; ++k) {
        sb.clear_faults();
        sb.inject(ding::sandbox_fault(ding::sandbox_fault_kind::status_502, 1000));
        asio::io_context ioc;
        auto o = options_for(sb);
        o.max_connections = 1;
        o.retry.max_attempts = 3;
        o.retry.initial_backoff = 1ms;
        o.retry.max_backoff = 2ms;
        ding::client c(ioc.get_executor(), o);
        asio::cancellation_signal signal;
        std::optional<create_result> result;
        int completions = 0;
        c.otp().create_authentication_async(create_request(), asio::bind_cancellation_slot(signal.slot(), [&](create_result r) {
                                                ++completions;
                                                result.emplace(std::move(r));
                                            }));
        run_handlers(ioc, k);
        if (completions == 1) {
            completed_on_its_own_at = k; // all attempts answered 502: http_status is right here
            REQUIRE(!result->has_value());
            REQUIRE(result->error().value() == ding::errc::http_status);
            break;
        }
        INFO("cancelled after handler run " << k);
        signal.emit(asio::cancellation_type::terminal);
        run_until(ioc, [&] { return completions > 0; }, 2s);
        REQUIRE(completions == 1);
        REQUIRE(!result->has_value());
        REQUIRE(result->error().value() == ding::errc::cancelled);
        ++cancelled;
    }
    sb.clear_faults();
    REQUIRE(completed_on_its_own_at > 0);
    REQUIRE(cancelled > 0);
}

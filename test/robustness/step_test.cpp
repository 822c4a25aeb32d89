// Cancellation and the deadline at every instant of a call: after the k-th handler run of the
// call, for every k until the call completes on its own (issue 8, rows 5 and 12).

#include "robustness_common.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include <thread>

using namespace robustness;

namespace {

enum class connection_state { cold, warm };

struct stepped_call {
    std::optional<ding::outcome<ding::create_authentication_response>> result;
    int completions = 0;
};

// Starts create_authentication_async with a callback bound to `signal`'s slot.
void start(ding::client& c, stepped_call& call, asio::cancellation_signal& signal, const ding::call_options& o = {}) {
    c.otp().create_authentication_async(create_request(), o,
                        asio::bind_cancellation_slot(signal.slot(), [&call](ding::outcome<ding::create_authentication_response> r) {
                            ++call.completions;
                            call.result.emplace(std::move(r));
                        }));
}

void warm_up(asio::io_context& ioc, ding::client& c) {
    std::optional<ding::outcome<ding::create_authentication_response>> r;
    c.otp().create_authentication_async(create_request(), [&](auto x) { r.emplace(std::move(x)); });
    run_until(ioc, [&] { return r.has_value(); });
    REQUIRE(r->has_value());
    REQUIRE(c.stats().idle == 1);
}

// The follow-up call on the same client must work (nothing leaked with max_connections = 1).
void require_client_usable(asio::io_context& ioc, ding::client& c) {
    std::optional<ding::outcome<ding::create_authentication_response>> r;
    c.otp().create_authentication_async(create_request(), [&](auto x) { r.emplace(std::move(x)); });
    run_until(ioc, [&] { return r.has_value(); });
    INFO((r->has_value() ? std::string("ok") : r->error().to_string()));
    REQUIRE(r->has_value());
}

} // namespace

TEST_CASE("robustness: a cancellation after the k-th handler run of a call, for every k, ends it at once and sends nothing more") {
    ding::sandbox sb(lenient());
    const auto mode = GENERATE(connection_state::cold, connection_state::warm);
    int completed_on_its_own_at = 0;
    for (int k = 0; k < 400 && completed_on_its_own_at == 0; ++k) {
        asio::io_context ioc;
        auto o = options_for(sb);
        o.max_connections = 1;
        o.retry.retry_requests_that_may_have_reached_the_server = true; // a lost POST would be re-sent
        ding::client c(ioc.get_executor(), o);
        if (mode == connection_state::warm) warm_up(ioc, c);
        const auto requests_before = sb.stats().requests_total;

        stepped_call call;
        asio::cancellation_signal signal;
        start(c, call, signal);
        run_handlers(ioc, k);
        if (call.completions == 1) {
            completed_on_its_own_at = k;
            REQUIRE(call.result->has_value());
            break;
        }
        INFO("mode " << (mode == connection_state::cold ? "cold" : "warm") << ", cancelled after handler run " << k);
        const auto sent_at_cancel = c.stats().requests_sent;
        signal.emit(asio::cancellation_type::terminal);
        run_until(ioc, [&] { return call.completions > 0; }, 2s);
        run_handlers(ioc, 50); // anything still queued runs now; it must not complete twice
        REQUIRE(call.completions == 1);
        if (!call.result->has_value()) REQUIRE(call.result->error().value() == ding::errc::cancelled);
        // Nothing was sent after the cancellation, and the server saw exactly what was sent.
        REQUIRE(c.stats().requests_sent == sent_at_cancel);
        require_pool_settled(c);
        std::this_thread::sleep_for(5ms);
        REQUIRE(sb.stats().requests_total - requests_before <= sent_at_cancel - (mode == connection_state::warm ? 1 : 0));
        require_client_usable(ioc, c);
    }
    INFO("the call needs " << completed_on_its_own_at << " handler runs");
    REQUIRE(completed_on_its_own_at > 0); // every instant of the call was tried
}

TEST_CASE("robustness: a deadline that passes after the k-th handler run of a call, for every k, ends it with timeout") {
    ding::sandbox sb(lenient());
    const auto mode = GENERATE(connection_state::cold, connection_state::warm);
    int completed_on_its_own_at = 0;
    for (int k = 0; k < 400 && completed_on_its_own_at == 0; ++k) {
        asio::io_context ioc;
        auto o = options_for(sb);
        o.max_connections = 1;
        ding::client c(ioc.get_executor(), o);
        if (mode == connection_state::warm) warm_up(ioc, c);

        stepped_call call;
        asio::cancellation_signal signal;
        ding::call_options co;
        co.timeout = 80ms;
        co.retry = ding::retry_policy{};
        co.retry->max_attempts = 1;
        start(c, call, signal, co);
        run_handlers(ioc, k);
        if (call.completions == 1) {
            completed_on_its_own_at = k;
            REQUIRE(call.result->has_value());
            break;
        }
        INFO("mode " << (mode == connection_state::cold ? "cold" : "warm") << ", deadline passed after handler run " << k);
        std::this_thread::sleep_for(100ms); // the deadline passes between two handler runs
        const auto start_wait = std::chrono::steady_clock::now();
        run_until(ioc, [&] { return call.completions > 0; }, 2s);
        // Ended by the deadline that already passed, not by some later event.
        REQUIRE(std::chrono::steady_clock::now() - start_wait < 500ms);
        REQUIRE(call.completions == 1);
        if (!call.result->has_value()) REQUIRE(call.result->error().value() == ding::errc::timeout);
        require_pool_settled(c);
        require_client_usable(ioc, c);
    }
    REQUIRE(completed_on_its_own_at > 0);
}

#pragma once
// Shared helpers of the robustness tests: a sandbox on its own thread, a client on this thread's
// io_context, and bounded stepping of that io_context.

#include <ding/ding.hpp>
#include <ding/sandbox.hpp>

#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace robustness {

namespace asio = boost::asio;
using namespace std::chrono_literals;

inline const std::string customer = "cf2edc1c-7fc6-48fb-86da-b7508c6b7b71";

/// A call the sandbox always accepts: create_authentication (a POST: never re-sent once written).
inline ding::create_authentication_request create_request() {
    ding::create_authentication_request r;
    r.customer_uuid = customer;
    r.phone_number = "+33612345678";
    return r;
}

/// A sandbox on its own thread whose rate limits never get in the way of many calls.
inline ding::sandbox_options lenient() {
    ding::sandbox_options o;
    o.max_authentications_per_number = 1000000;
    return o;
}

inline ding::client_options options_for(const ding::sandbox& sb) {
    ding::client_options o;
    o.base_url = sb.base_url();
    o.api_key = sb.api_key();
    o.tls.ca_pem = sb.ca_pem();
    o.tls.use_system_trust_store = false;
    return o;
}

/// Runs handlers until `done()`; fails the test if `bound` passes first or if an exception
/// escapes io_context::run (the SDK must never let one out).
template <class Pred>
void run_until(asio::io_context& ioc, Pred done, std::chrono::milliseconds bound = 5s) {
    ioc.restart();
    const auto until = std::chrono::steady_clock::now() + bound;
    while (!done() && std::chrono::steady_clock::now() < until) {
        try {
            ioc.run_one_until(until);
        } catch (const std::exception& e) {
            FAIL("an exception escaped io_context::run: " << e.what());
        }
    }
    if (!done()) FAIL("the condition did not become true within " << bound.count() << " ms");
}

/// Runs at most `n` handlers (each bounded); returns how many ran.
inline int run_handlers(asio::io_context& ioc, int n) {
    ioc.restart();
    int ran = 0;
    while (ran < n) {
        std::size_t one = 0;
        try {
            one = ioc.run_one_for(2s);
        } catch (const std::exception& e) {
            FAIL("an exception escaped io_context::run: " << e.what());
        }
        if (one == 0) break;
        ++ran;
    }
    return ran;
}

inline void require_pool_settled(const ding::client& c) {
    const auto s = c.stats();
    INFO("in_use=" << s.in_use << " connecting=" << s.connecting << " waiting=" << s.waiting);
    REQUIRE(s.in_use == 0);
    REQUIRE(s.connecting == 0);
    REQUIRE(s.waiting == 0);
}

} // namespace robustness

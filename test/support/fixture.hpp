#pragma once
// Integration-test fixture: one io_context, one test_server, one ding::client, all on one thread.
//
//   ding::test::fixture f;                 // server with a trusted certificate
//   auto client = f.make_client();         // trusts the server's CA, short timeouts
//   auto r = f.run(client->otp().check_async(req));
//
// At the end of the test, the fixture destroys the client, stops the server and requires that the
// io_context then has no work left (no leaked coroutine, timer or socket operation).

#include "support/run.hpp"
#include "support/test_server.hpp"

#include <ding/ding.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>
#include <exception>
#include <memory>
#include <optional>
#include <string>

namespace ding::test {

using namespace std::chrono_literals;

/// The API key every fixture client uses; tests check that it never leaks into errors or hooks.
inline constexpr const char* secret_api_key = "sk_live_SECRET-KEY-7f3a9c";

/// Lets the io_context process whatever is ready for `d` (e.g. the server noticing a close).
/// Takes the whole of `d` even when the io_context runs out of work early.
inline void settle(asio::io_context& ioc, std::chrono::milliseconds d = 20ms) {
    const auto until = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < until) {
        ioc.restart();
        ioc.run_until(until);
        if (std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(1ms);
    }
}

struct fixture {
    asio::io_context ioc;
    std::optional<test_server> server;
    std::unique_ptr<ding::client> client;

    explicit fixture(server_options options = {}) { server.emplace(ioc, options); }

    /// Options for a client of this fixture's server: trusts only the server's CA, short
    /// timeouts, a few-ms backoff.
    ding::client_options options() const {
        ding::client_options o;
        o.api_key = secret_api_key;
        o.base_url = server->base_url();
        o.tls.use_system_trust_store = false;
        o.tls.ca_pem = server->ca_pem();
        o.timeout = 3s;
        o.connect_timeout = 2s;
        o.retry.initial_backoff = 2ms;
        o.retry.max_backoff = 10ms;
        return o;
    }

    ding::client& make_client() { return make_client(options()); }
    ding::client& make_client(ding::client_options o) {
        client = std::make_unique<ding::client>(ioc.get_executor(), std::move(o));
        return *client;
    }

    template <class T>
    T run(asio::awaitable<T> work, std::chrono::milliseconds bound = 10s) {
        return ding::test::run(ioc, std::move(work), bound);
    }

    void settle(std::chrono::milliseconds d = 20ms) { ding::test::settle(ioc, d); }

    /// Runs the io_context until `done()` is true; fails the test if `bound` passes first.
    template <class Pred>
    void run_until(Pred done, std::chrono::milliseconds bound = 10s) {
        ioc.restart();
        const auto until = std::chrono::steady_clock::now() + bound;
        while (!done() && std::chrono::steady_clock::now() < until) ioc.run_one_until(until);
        if (!done()) FAIL("the condition did not become true within " << bound.count() << " ms");
    }

    /// Destroys the client, stops the server, and checks that nothing is left on the io_context.
    ~fixture() {
        client.reset();
        if (server) server->stop();
        if (std::uncaught_exceptions() > 0) return; // a REQUIRE failed: do not resume anything
        ioc.restart();
        ioc.run_for(2s);
        CHECK(ioc.stopped());
        if (server) CHECK(server->live_coroutines() == 0);
        if (server) CHECK(server->open_connections() == 0);
    }
};

} // namespace ding::test

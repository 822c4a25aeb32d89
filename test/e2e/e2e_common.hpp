#pragma once
// End-to-end test helpers: a ding::client against an embedded ding::sandbox on loopback.
//
//   e2e::world w;                              // sandbox + client on one io_context (this thread)
//   auto r = w.run(w.client().otp().create_authentication_async(req));
//
// Every wait is bounded: run() fails the test if the operation does not complete in time.

#include "support/run.hpp"

#include <ding/ding.hpp>
#include <ding/sandbox.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace e2e {

namespace asio = boost::asio;
using namespace std::chrono_literals;

inline const std::string customer = "cf2edc1c-7fc6-48fb-86da-b7508c6b7b71";
inline const std::string phone_fr = "+33612345678";

using ding::test::run;

/// Lets the io_context work for `d` (e.g. so that the sandbox closes an idle connection).
inline void settle(asio::io_context& ioc, std::chrono::milliseconds d) {
    ioc.restart();
    const auto until = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < until) {
        ioc.run_until(until);
        ioc.restart();
        if (std::chrono::steady_clock::now() < until) std::this_thread::sleep_until(until);  // no work left
    }
}

inline ding::sandbox_options seeded(std::uint64_t seed = 42) {
    ding::sandbox_options o;
    o.seed = seed;
    return o;
}

/// A sandbox and a client. By default both on one io_context run by this thread; with
/// own_thread the sandbox runs its own io_context on its own thread.
class world {
public:
    explicit world(ding::sandbox_options so = seeded(), std::function<void(ding::client_options&)> tweak = {},
                   bool own_thread = false) {
        if (own_thread)
            sandbox_ = std::make_unique<ding::sandbox>(std::move(so));
        else
            sandbox_ = std::make_unique<ding::sandbox>(ioc.get_executor(), std::move(so));
        options_ = default_options(*sandbox_);
        if (tweak) tweak(options_);
        client_ = std::make_unique<ding::client>(ioc.get_executor(), options_);
    }

    static ding::client_options default_options(const ding::sandbox& sb) {
        ding::client_options o;
        o.base_url = sb.base_url();
        o.api_key = sb.api_key();
        o.tls.use_system_trust_store = false;
        o.tls.ca_pem = sb.ca_pem();
        o.timeout = 5s;
        o.connect_timeout = 2s;
        o.retry.initial_backoff = 2ms;
        o.retry.max_backoff = 10ms;
        return o;
    }

    ~world() {
        client_.reset();
        sandbox_->stop();
        // Let the sandbox's coroutines see the close and finish (bounded; returns when out of work).
        ioc.restart();
        ioc.run_for(2s);
        // run_for returns early only when the io_context ran out of work: anything still pending
        // here (a coroutine, a timer, a socket operation) leaked from the client or the sandbox.
        CHECK(ioc.stopped());
        sandbox_.reset();
    }

    ding::client& client() { return *client_; }
    ding::sandbox& sandbox() { return *sandbox_; }
    const ding::client_options& options() const { return options_; }
    /// A second client on the same io_context with other options.
    std::unique_ptr<ding::client> make_client(std::function<void(ding::client_options&)> tweak) {
        auto o = default_options(*sandbox_);
        tweak(o);
        return std::make_unique<ding::client>(ioc.get_executor(), o);
    }

    template <class T>
    T run(asio::awaitable<T> work, std::chrono::milliseconds bound = 10s) {
        return e2e::run(ioc, std::move(work), bound);
    }
    void settle(std::chrono::milliseconds d) { e2e::settle(ioc, d); }

    // ---- shorthands for the operations, each bounded
    ding::outcome<ding::create_authentication_response> create(const std::string& phone = phone_fr,
                                                               ding::client* c = nullptr) {
        ding::create_authentication_request req;
        req.customer_uuid = customer;
        req.phone_number = phone;
        return run((c ? *c : client()).otp().create_authentication_async(req));
    }
    /// Creates and requires a pending authentication; returns its uuid.
    std::string create_pending(const std::string& phone = phone_fr) {
        auto r = create(phone);
        INFO((r ? std::string() : r.error().to_string()));
        REQUIRE(r.has_value());
        REQUIRE(r->status == ding::authentication_status::pending);
        REQUIRE(r->authentication_uuid);
        return *r->authentication_uuid;
    }
    ding::outcome<ding::create_check_response> check(const std::string& uuid, const std::string& code,
                                                     ding::call_options co = {}) {
        return run(client().otp().check_async(ding::create_check_request{customer, uuid, code}, co));
    }
    ding::outcome<ding::retry_authentication_response> retry(const std::string& uuid) {
        return run(client().otp().retry_async(ding::retry_authentication_request{customer, uuid}));
    }
    ding::outcome<ding::feedback_response> feedback(const std::string& phone, ding::feedback_status s) {
        return run(client().otp().feedback_async(ding::feedback_request{customer, phone, s}));
    }
    ding::outcome<ding::authentication_status_response> status(const std::string& uuid, ding::call_options co = {}) {
        return run(client().otp().get_authentication_status_async(uuid, co));
    }
    ding::outcome<ding::lookup_response> lookup(const std::string& phone, std::vector<ding::lookup_type> types = {}) {
        return run(client().lookup().lookup_async(ding::lookup_request{customer, phone, std::move(types)}));
    }
    std::string code_of(const std::string& uuid) {
        auto c = sandbox().code_for(uuid);
        REQUIRE(c);
        return *c;
    }

    asio::io_context ioc;

private:
    std::unique_ptr<ding::sandbox> sandbox_;
    ding::client_options options_;
    std::unique_ptr<ding::client> client_;
};

/// Requires an outcome to hold a value, printing the error otherwise.
#define E2E_REQUIRE_OK(r)                                                     \
    do {                                                                      \
        INFO("error: " << ((r) ? std::string() : (r).error().to_string())); \
        REQUIRE((r).has_value());                                                       \
    } while (false)

}  // namespace e2e

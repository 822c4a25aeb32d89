// Issue 2: the pool (reuse, bound, replacement), timeouts, cancellation, TLS refusal, concurrency.

#include "common.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>

using namespace ding::test;
namespace json = boost::json;
using namespace boost::asio::experimental::awaitable_operators;

TEST_CASE("integration: an idle connection closed by the server is replaced without a failed call") {
    fixture f;
    auto& client = f.make_client();
    auto first = f.run(client.otp().check_async(check_request()));
    REQUIRE(first.has_value());
    f.settle();
    REQUIRE(f.server->close_idle_connections() == 1);
    f.settle(); // the FIN reaches the client's socket
    auto second = f.run(client.otp().check_async(check_request()));
    REQUIRE(second.has_value());
    CHECK_FALSE(second->status.has_value()); // "{}" has no status
    CHECK(f.server->request_count() == 2);  // nothing was lost or re-sent
    CHECK(f.server->connections_accepted() == 2);
    CHECK(f.server->requests()[1].connection == 1);
    CHECK(client.stats().retries == 0);
    CHECK(client.stats().open == 1);
    CHECK(client.stats().handshakes == 2);
    CHECK(client.stats().resumed_handshakes == 1); // the replacement resumed the TLS session
}

TEST_CASE("integration: max_connections is never exceeded, 1000 concurrent check_async calls all get their own answer") {
    fixture f;
    auto o = f.options();
    o.max_connections = 8;
    o.timeout = 30s;
    auto& client = f.make_client(o);
    f.server->set_responder([](const recorded_request& r) {
        const std::string auth(r.json().at("authentication_uuid").as_string());
        const bool odd = (auth.back() - '0') % 2 == 1;
        return reply::json(200, check_body(auth, odd ? "invalid" : "valid"));
    });

    constexpr std::size_t n = 1000;
    std::size_t completed = 0, right = 0, max_waiting = 0;
    std::string first_problem;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string mine = uuid_for(i);
        // A plain callback as completion token; each call checks it got its own answer.
        client.otp().check_async(check_request(mine), [&, mine, i](ding::outcome<ding::create_check_response> r) {
            ++completed;
            const auto expected = i % 2 == 1 ? ding::check_status::invalid : ding::check_status::valid;
            if (r && r->authentication_uuid == mine && r->status == expected)
                ++right;
            else if (first_problem.empty())
                first_problem = r ? "wrong answer for " + mine : r.error().to_string();
            max_waiting = std::max(max_waiting, client.stats().waiting);
        });
    }
    CHECK(client.stats().waiting == 0); // nothing runs inside the initiating call
    f.run_until([&] { return completed == n; }, 30s);
    INFO(first_problem);
    CHECK(right == n);
    CHECK(f.server->request_count() == n);
    CHECK(f.server->connections_accepted() <= 8);
    CHECK(f.server->connections_accepted() >= 2); // the calls really ran concurrently
    CHECK(f.server->max_open_connections() <= 8);
    CHECK(f.server->max_requests_in_progress() <= 8);
    CHECK(max_waiting > 0);
    const auto s = client.stats();
    CHECK(s.open <= 8);
    CHECK(s.open == f.server->connections_accepted());
    CHECK(s.in_use == 0);
    CHECK(s.waiting == 0);
    CHECK(s.requests_sent == n);
    CHECK(s.handshakes == f.server->tls_handshakes());
}

TEST_CASE("integration: a stalled server ends in timeout within the deadline, the next call works") {
    fixture f;
    auto o = f.options();
    o.timeout = 300ms;
    auto& client = f.make_client(o);
    f.server->push(reply::fault(behaviour::stall));
    const auto start = std::chrono::steady_clock::now();
    auto r = f.run(client.otp().check_async(check_request()));
    const auto took = ms_since(start);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::timeout);
    CHECK(took >= 280);
    CHECK(took < 800);
    CHECK(r.error().http_status() == 0);
    CHECK(free_of_key(r.error()));
    CHECK(f.server->request_count() == 1);
    CHECK(client.stats().open == 0); // the half-used connection was discarded

    f.server->push(reply::json(200, check_body()));
    auto next = f.run(client.otp().check_async(check_request()));
    REQUIRE(next.has_value());
    CHECK(next->status == ding::check_status::valid);
    CHECK(f.server->connections_accepted() == 2);
}

TEST_CASE("integration: per-call timeout overrides the client's") {
    fixture f;
    auto& client = f.make_client(); // 3 s
    f.server->push(reply::fault(behaviour::stall));
    ding::call_options co;
    co.timeout = 200ms;
    const auto start = std::chrono::steady_clock::now();
    auto r = f.run(client.otp().check_async(check_request(), co));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::timeout);
    CHECK(ms_since(start) < 700);
}

TEST_CASE("integration: cancellation mid-call completes promptly with cancelled, the connection is discarded") {
    fixture f;
    auto& client = f.make_client();
    f.server->push(reply::fault(behaviour::stall));
    const auto start = std::chrono::steady_clock::now();
    auto r = f.run(cancel_after(client.otp().check_async(check_request()), 100ms));
    const auto took = ms_since(start);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::cancelled);
    CHECK(took >= 90);
    CHECK(took < 400);
    CHECK(f.server->request_count() == 1);
    CHECK(client.stats().open == 0);
    CHECK(client.stats().in_use == 0);
    f.settle();
    CHECK(f.server->open_connections() == 0); // the client closed it

    f.server->push(reply::json(200, check_body()));
    auto next = f.run(client.otp().check_async(check_request()));
    REQUIRE(next.has_value());
    CHECK(next->status == ding::check_status::valid);
    CHECK(f.server->connections_accepted() == 2);
}

TEST_CASE("integration: op || timer with awaitable operators: the timer wins against a stalled server") {
    fixture f;
    auto& client = f.make_client();
    f.server->push(reply::fault(behaviour::stall));
    const auto start = std::chrono::steady_clock::now();
    auto index = f.run([&]() -> asio::awaitable<std::size_t> {
        asio::steady_timer timer(co_await asio::this_coro::executor, 100ms);
        auto r = co_await (client.otp().check_async(check_request()) || timer.async_wait(asio::use_awaitable));
        co_return r.index();
    }());
    CHECK(index == 1);
    CHECK(ms_since(start) < 400);
    CHECK(client.stats().open == 0);
    auto next = f.run(client.otp().check_async(check_request()));
    CHECK(next.has_value());
}

TEST_CASE("integration: cancellation while waiting for a pooled connection disturbs nothing else") {
    fixture f;
    auto o = f.options();
    o.max_connections = 1;
    auto& client = f.make_client(o);
    f.server->push(reply::delayed(300ms, 200, check_body(uuid_for(1))));
    f.server->push(reply::json(200, check_body(uuid_for(3))));

    long long cancelled_after = -1;
    std::size_t waiting_seen = 0;
    auto [first, second] = f.run([&]() -> asio::awaitable<std::tuple<ding::outcome<ding::create_check_response>,
                                                                    ding::outcome<ding::create_check_response>>> {
        auto waiter = [&]() -> asio::awaitable<ding::outcome<ding::create_check_response>> {
            asio::steady_timer yield(co_await asio::this_coro::executor, 20ms);
            co_await yield.async_wait(asio::use_awaitable); // the first call holds the only connection
            waiting_seen = client.stats().waiting;           // observed while the second call waits
            const auto start = std::chrono::steady_clock::now();
            auto r = co_await cancel_after(client.otp().check_async(check_request(uuid_for(2))), 50ms);
            cancelled_after = ms_since(start);
            co_return r;
        };
        co_return co_await (client.otp().check_async(check_request(uuid_for(1))) && waiter());
    }());
    REQUIRE(first.has_value());
    CHECK(first->authentication_uuid == uuid_for(1));
    REQUIRE_FALSE(second.has_value());
    CHECK(second.error().code() == ding::errc::cancelled);
    CHECK(cancelled_after >= 45);
    CHECK(cancelled_after < 200); // promptly, not when the first call ended (~300 ms)
    CHECK(f.server->request_count() == 1);
    CHECK(client.stats().waiting == 0);

    auto third = f.run(client.otp().check_async(check_request(uuid_for(3))));
    REQUIRE(third.has_value());
    CHECK(third->authentication_uuid == uuid_for(3));
    CHECK(f.server->request_count() == 2);
    CHECK(f.server->connections_accepted() == 1); // the same connection served both
    CHECK(client.stats().open == 1);
}

TEST_CASE("integration: a server whose certificate comes from an untrusted CA is refused with tls, not retried") {
    fixture f(server_options{tls_mode::untrusted_ca});
    auto& client = f.make_client();
    // An idempotent read, which would be retried after a transport failure.
    auto r = f.run(client.otp().get_authentication_status_async(auth_uuid));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::tls);
    CHECK(r.error().attempts() == 1);
    CHECK(r.error().http_status() == 0);
    CHECK(free_of_key(r.error()));
    CHECK(f.server->request_count() == 0);
    CHECK(f.server->tls_handshakes() == 0);
    CHECK(f.server->connections_accepted() == 1); // not retried
    CHECK(client.stats().handshakes == 0);
    CHECK(client.stats().open == 0);

    auto post = f.run(client.otp().create_authentication_async(create_request()));
    REQUIRE_FALSE(post.has_value());
    CHECK(post.error().code() == ding::errc::tls);
    CHECK(f.server->request_count() == 0);
}

TEST_CASE("integration: a certificate for the wrong host name is refused with tls, not retried") {
    fixture f(server_options{tls_mode::wrong_host});
    auto& client = f.make_client();
    auto r = f.run(client.otp().get_authentication_status_async(auth_uuid));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::tls);
    CHECK(r.error().attempts() == 1);
    CHECK(f.server->request_count() == 0);
    CHECK(f.server->connections_accepted() == 1);
    CHECK(f.server->tls_handshakes() == 0);
}

TEST_CASE("integration: the same certificate is accepted under its name (localhost) and refused without trust") {
    SECTION("localhost is in the certificate") {
        fixture f;
        auto o = f.options();
        o.base_url = "https://localhost:" + std::to_string(f.server->port()) + "/v1";
        auto& client = f.make_client(o);
        auto r = f.run(client.otp().check_async(check_request()));
        // localhost may resolve to ::1 first; the server only listens on 127.0.0.1, and the
        // client tries each resolved address.
        REQUIRE(r.has_value());
        CHECK(f.server->tls_handshakes() == 1);
    }
    SECTION("no CA given: the system store does not know the test CA") {
        fixture f;
        auto o = f.options();
        o.tls.ca_pem.clear();
        o.tls.use_system_trust_store = true;
        auto& client = f.make_client(o);
        auto r = f.run(client.otp().check_async(check_request()));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code() == ding::errc::tls);
        CHECK(f.server->request_count() == 0);
    }
}

TEST_CASE("integration: waiting for a pooled connection past the deadline is timeout") {
    fixture f;
    auto o = f.options();
    o.max_connections = 1;
    auto& client = f.make_client(o);
    f.server->push(reply::delayed(400ms, 200, check_body(uuid_for(1))));
    ding::call_options short_deadline;
    short_deadline.timeout = 150ms;
    std::optional<ding::outcome<ding::create_check_response>> first, second;
    long long second_took = -1;
    const auto start = std::chrono::steady_clock::now();
    client.otp().check_async(check_request(uuid_for(1)), [&](auto r) { first.emplace(std::move(r)); });
    client.otp().check_async(check_request(uuid_for(2)), short_deadline, [&](auto r) {
        second_took = ms_since(start);
        second.emplace(std::move(r));
    });
    f.run_until([&] { return first && second; });
    REQUIRE(first->has_value());
    CHECK((*first)->authentication_uuid == uuid_for(1));
    REQUIRE_FALSE(second->has_value());
    CHECK(second->error().code() == ding::errc::timeout);
    CHECK(second->error().message().find("max_connections") != std::string::npos);
    CHECK(second_took >= 140);
    CHECK(second_took < 380); // before the first call freed the connection
    CHECK(f.server->request_count() == 1);
    CHECK(client.stats().waiting == 0);
}

TEST_CASE("integration: a response with Connection: close is not reused, and the next call needs no retry") {
    fixture f;
    auto& client = f.make_client();
    reply closing = reply::json(200, check_body());
    closing.keep_alive = false;
    f.server->push(closing);
    auto first = f.run(client.otp().check_async(check_request()));
    REQUIRE(first.has_value());
    CHECK(client.stats().open == 0);
    auto second = f.run(client.otp().check_async(check_request()));
    REQUIRE(second.has_value());
    CHECK(f.server->request_count() == 2);
    CHECK(f.server->connections_accepted() == 2);
    CHECK(client.stats().retries == 0);
}

TEST_CASE("integration: an idle connection older than idle_timeout is closed instead of reused") {
    fixture f;
    auto o = f.options();
    o.idle_timeout = 50ms;
    auto& client = f.make_client(o);
    REQUIRE(f.run(client.otp().check_async(check_request())).has_value());
    REQUIRE(f.run(client.otp().check_async(check_request())).has_value()); // reused: still fresh
    CHECK(f.server->connections_accepted() == 1);
    f.settle(120ms);
    REQUIRE(f.run(client.otp().check_async(check_request())).has_value());
    CHECK(f.server->connections_accepted() == 2);
    CHECK(f.server->requests()[2].connection == 1);
    f.settle();
    CHECK(f.server->open_connections() == 1); // the expired one was closed by the client
    CHECK(client.stats().open == 1);
}

TEST_CASE("integration: per-operation cancellation through a cancellation_signal, every cancellation type") {
    auto type = GENERATE(asio::cancellation_type::terminal, asio::cancellation_type::partial,
                         asio::cancellation_type::total);
    INFO("cancellation type " << static_cast<int>(type));
    fixture f;
    auto& client = f.make_client();
    f.server->push(reply::fault(behaviour::stall));
    asio::cancellation_signal signal;
    std::optional<ding::outcome<ding::create_check_response>> got;
    client.otp().check_async(check_request(), asio::bind_cancellation_slot(signal.slot(), [&](auto r) {
                                 got.emplace(std::move(r));
                             }));
    asio::steady_timer t(f.ioc, 50ms);
    t.async_wait([&](boost::system::error_code) { signal.emit(type); });
    const auto start = std::chrono::steady_clock::now();
    f.run_until([&] { return got.has_value(); }, 2s);
    CHECK(ms_since(start) < 300);
    REQUIRE_FALSE(got->has_value());
    CHECK(got->error().code() == ding::errc::cancelled);
    CHECK(client.stats().open == 0);
    auto next = f.run(client.otp().check_async(check_request()));
    CHECK(next.has_value());
}

TEST_CASE("integration: destroying the client ends the call in flight with cancelled, with no retry and no hook") {
    fixture f;
    auto o = f.options();
    int hook_calls_after_destruction = 0;
    bool destroyed = false;
    o.hooks.on_error = [&](const ding::attempt_info&, const ding::error&) { hook_calls_after_destruction += destroyed; };
    o.hooks.after_response = [&](const ding::attempt_info&) { hook_calls_after_destruction += destroyed; };
    o.retry.retry_requests_that_may_have_reached_the_server = true; // would retry a lost POST
    f.make_client(o);
    f.server->push(reply::delayed(300ms, 200, check_body()));
    std::optional<ding::outcome<ding::create_check_response>> got;
    f.client->otp().check_async(check_request(), [&](auto r) { got.emplace(std::move(r)); });
    f.settle(30ms); // the request is on its way
    const auto start = std::chrono::steady_clock::now();
    destroyed = true;
    f.client.reset();
    f.run_until([&] { return got.has_value(); }, 2s);
    REQUIRE(got.has_value());
    REQUIRE_FALSE(got->has_value());
    CHECK(got->error().value() == ding::errc::cancelled);
    CHECK(ms_since(start) < 200); // not after the server's answer
    f.settle(400ms);
    CHECK(f.server->request_count() == 1); // nothing re-sent after ~client
    CHECK(hook_calls_after_destruction == 0);
    CHECK(f.server->open_connections() == 0); // the pool died with the last operation
}

TEST_CASE("integration: callers waiting for a connection get it in arrival order (FIFO)") {
    fixture f;
    auto o = f.options();
    o.max_connections = 1;
    auto& client = f.make_client(o);
    f.server->set_responder([](const recorded_request& r) {
        return reply::json(200, check_body(std::string(r.json().at("authentication_uuid").as_string())));
    });
    constexpr std::size_t n = 6;
    std::vector<std::string> completions;
    for (std::size_t i = 0; i < n; ++i) {
        client.otp().check_async(check_request(uuid_for(i)), [&](ding::outcome<ding::create_check_response> r) {
            completions.push_back(r ? r->authentication_uuid.value_or("?") : r.error().to_string());
        });
    }
    f.run_until([&] { return completions.size() == n; }); // bounded (10 s)
    CHECK(client.stats().waiting == 0);
    REQUIRE(completions.size() == n);
    REQUIRE(f.server->request_count() == n);
    for (std::size_t i = 0; i < n; ++i) {
        CHECK(completions[i] == uuid_for(i));                                                    // completed in order
        CHECK(std::string(f.server->requests()[i].json().at("authentication_uuid").as_string()) == uuid_for(i)); // sent in order
    }
    CHECK(f.server->connections_accepted() == 1); // each handed straight to the next waiter
}

// A queued caller is granted a slot (not a connection) when the connection it waited for is
// closed instead of handed over: it opens its own, in arrival order.
TEST_CASE("integration: callers queued behind Connection: close responses each open a connection in their slot, in order") {
    fixture f;
    auto o = f.options();
    o.max_connections = 1;
    auto& client = f.make_client(o);
    f.server->set_responder([](const recorded_request& r) {
        reply closing = reply::json(200, check_body(std::string(r.json().at("authentication_uuid").as_string())));
        closing.keep_alive = false;
        return closing;
    });
    constexpr std::size_t n = 5;
    std::vector<std::string> completions;
    for (std::size_t i = 0; i < n; ++i) {
        client.otp().check_async(check_request(uuid_for(i)), [&](ding::outcome<ding::create_check_response> r) {
            completions.push_back(r ? r->authentication_uuid.value_or("?") : r.error().to_string());
        });
    }
    f.run_until([&] { return completions.size() == n; }); // bounded (10 s)
    REQUIRE(completions.size() == n);
    for (std::size_t i = 0; i < n; ++i) CHECK(completions[i] == uuid_for(i));
    const auto s = client.stats();
    CHECK(s.connections_opened == n);
    CHECK(f.server->connections_accepted() == n);
    CHECK(s.retries == 0);
    CHECK(s.waiting == 0);
    CHECK(s.connecting == 0);
    CHECK(s.in_use == 0);
    CHECK(s.open == 0);
}

TEST_CASE("integration: the client destroyed with calls queued for a connection: each ends cancelled, nothing is left") {
    fixture f;
    auto o = f.options();
    o.max_connections = 2;
    auto& client = f.make_client(o);
    f.server->set_responder([](const recorded_request&) { return reply::fault(behaviour::stall); });
    constexpr int n = 10;
    std::vector<ding::outcome<ding::create_check_response>> results;
    for (int i = 0; i < n; ++i)
        client.otp().check_async(check_request(uuid_for(i)), [&](auto r) { results.push_back(std::move(r)); });
    f.run_until([&] { return client.stats().waiting == n - 2 && f.server->request_count() == 2; });
    f.client.reset();
    f.run_until([&] { return results.size() == n; });
    for (const auto& r : results) {
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code() == ding::errc::cancelled);
    }
    CHECK(f.server->request_count() == 2); // the queued calls never reached the server
}

TEST_CASE("integration: a timeout spent waiting for a pooled connection says so, with the time waited and the pool's size") {
    fixture f;
    auto o = f.options();
    o.max_connections = 1;
    auto& client = f.make_client(o);
    SECTION("the deadline passes while the call is queued") {
        f.server->push(reply::delayed(400ms, 200, check_body(uuid_for(1))));
        ding::call_options short_deadline;
        short_deadline.timeout = 150ms;
        std::optional<ding::outcome<ding::create_check_response>> first, second;
        client.otp().check_async(check_request(uuid_for(1)), [&](auto r) { first.emplace(std::move(r)); });
        client.otp().check_async(check_request(uuid_for(2)), short_deadline, [&](auto r) { second.emplace(std::move(r)); });
        f.run_until([&] { return first && second; });
        REQUIRE_FALSE(second->has_value());
        const std::string& m = second->error().message();
        INFO(m);
        CHECK(second->error().code() == ding::errc::timeout);
        CHECK(m.rfind("timed out after waiting ", 0) == 0);
        CHECK(m.find(" ms for a pooled connection (max_connections=1, all in use)") != std::string::npos);
        CHECK(m.find("during connect") == std::string::npos);
    }
    SECTION("the call waited, got the connection, and the deadline passed in its own exchange") {
        f.server->push(reply::delayed(200ms, 200, check_body(uuid_for(1))));
        reply stalled;
        stalled.how = behaviour::stall;
        f.server->push(stalled);
        ding::call_options deadline;
        deadline.timeout = 400ms;
        std::optional<ding::outcome<ding::create_check_response>> first, second;
        client.otp().check_async(check_request(uuid_for(1)), [&](auto r) { first.emplace(std::move(r)); });
        client.otp().check_async(check_request(uuid_for(2)), deadline, [&](auto r) { second.emplace(std::move(r)); });
        f.run_until([&] { return first && second; });
        REQUIRE(first->has_value());
        REQUIRE_FALSE(second->has_value());
        const std::string& m = second->error().message();
        INFO(m);
        CHECK(second->error().code() == ding::errc::timeout);
        CHECK(m.find("ms of the call's time went waiting for a pooled connection (max_connections=1, all in use)") !=
              std::string::npos);
    }
}

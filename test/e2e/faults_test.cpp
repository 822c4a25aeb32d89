// End-to-end: issue 4's fault matrix through the SDK, using the sandbox's fault switches.
// For each fault: the outcome's code, how many requests the sandbox saw, and that the next
// normal call on the same client succeeds.
#include "e2e_common.hpp"

#include <boost/asio/co_spawn.hpp>

using namespace e2e;
using namespace std::chrono_literals;
using ding::errc;
using ding::sandbox_fault;
using kind = ding::sandbox_fault_kind;

namespace {

using steady = std::chrono::steady_clock;

double seconds_since(steady::time_point t) { return std::chrono::duration<double>(steady::now() - t).count(); }

/// The next normal call on the same client succeeds (and the sandbox has no fault left).
void next_call_succeeds(world& w) {
    CHECK(w.sandbox().pending_faults() == 0);
    auto r = w.lookup(phone_fr);
    E2E_REQUIRE_OK(r);
    CHECK(r->country_code == "FR");
    const auto uuid = w.create_pending("+33655555555");
    auto ok = w.check(uuid, w.code_of(uuid));
    E2E_REQUIRE_OK(ok);
    CHECK(ok->status == ding::check_status::valid);
}

sandbox_fault fault(kind k, int count, std::string path) { return sandbox_fault(k, count, std::move(path)); }

}  // namespace

TEST_CASE("e2e: fault 429 with Retry-After 1 on check: the call waits about 1 s and succeeds") {
    world w;
    const auto uuid = w.create_pending();
    auto f = fault(kind::status_429, 1, "/v1/check");
    f.retry_after = 1s;
    w.sandbox().inject(f);
    const auto start = steady::now();
    auto r = w.check(uuid, w.code_of(uuid));
    const double elapsed = seconds_since(start);
    E2E_REQUIRE_OK(r);
    CHECK(r->status == ding::check_status::valid);
    CHECK(elapsed >= 0.9);
    CHECK(elapsed < 3.0);
    CHECK(w.sandbox().requests_for("/v1/check") == 2);
    CHECK(w.client().stats().retries == 1);
    next_call_succeeds(w);
}

TEST_CASE("e2e: fault 429 with a Retry-After beyond the deadline ends the call with timeout") {
    world w;
    const auto uuid = w.create_pending();
    auto f = fault(kind::status_429, 1, "/v1/check");
    f.retry_after = 30s;
    w.sandbox().inject(f);
    ding::call_options co;
    co.timeout = 500ms;
    const auto start = steady::now();
    auto r = w.check(uuid, w.code_of(uuid), co);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().value() == errc::timeout);
    CHECK(r.error().http_status() == 429);
    CHECK(r.error().attempts() == 1);
    CHECK(seconds_since(start) < 2.0);
    CHECK(w.sandbox().requests_for("/v1/check") == 1);
    next_call_succeeds(w);
}

TEST_CASE("e2e: fault 503 then 200: the call succeeds after 2 requests") {
    world w;
    auto f = fault(kind::status_503, 1, "/v1/authentication");
    f.retry_after = 0s;
    w.sandbox().inject(f);
    auto r = w.create();
    E2E_REQUIRE_OK(r);
    CHECK(r->status == ding::authentication_status::pending);
    CHECK(w.sandbox().requests_for("/v1/authentication") == 2);
    CHECK(w.sandbox().code_for(*r->authentication_uuid));
    next_call_succeeds(w);
}

TEST_CASE("e2e: faults 502 and 504 are retried for a POST") {
    world w;
    const auto uuid = w.create_pending();
    w.sandbox().inject(fault(kind::status_502, 1, "/v1/check"));
    w.sandbox().inject(fault(kind::status_504, 1, "/v1/check"));
    auto r = w.check(uuid, w.code_of(uuid));
    E2E_REQUIRE_OK(r);
    CHECK(r->status == ding::check_status::valid);
    CHECK(w.sandbox().requests_for("/v1/check") == 3);
    next_call_succeeds(w);
}

TEST_CASE("e2e: fault 500 on create is not retried: one request, no authentication created") {
    ding::sandbox_options so = seeded();
    so.max_authentications_per_number = 1;  // a created authentication would rate-limit the next one
    world w(so);
    w.sandbox().inject(fault(kind::status_500, 1, "/v1/authentication"));
    auto r = w.create(phone_fr);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().value() == errc::http_status);
    CHECK(r.error().http_status() == 500);
    CHECK(r.error().attempts() == 1);
    CHECK(w.sandbox().requests_for("/v1/authentication") == 1);
    CHECK(w.client().stats().retries == 0);
    // nothing was created: the number may still receive its one code
    auto again = w.create(phone_fr);
    E2E_REQUIRE_OK(again);
    CHECK(again->status == ding::authentication_status::pending);
    next_call_succeeds(w);
}

TEST_CASE("e2e: fault 500 on status (GET) is retried") {
    world w;
    const auto uuid = w.create_pending();
    const std::string route = "/v1/authentication/{auth_uuid}";
    SECTION("fewer faults than max_attempts: success") {
        w.sandbox().inject(fault(kind::status_500, 2, route));
        auto r = w.status(uuid);
        E2E_REQUIRE_OK(r);
        CHECK(r->uuid == uuid);
        CHECK(w.sandbox().requests_for(route) == 3);
        CHECK(w.client().stats().retries == 2);
    }
    SECTION("as many faults as max_attempts: http_status after max_attempts requests") {
        w.sandbox().inject(fault(kind::status_500, 3, route));
        auto r = w.status(uuid);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().value() == errc::http_status);
        CHECK(r.error().http_status() == 500);
        CHECK(r.error().attempts() == 3);
        CHECK(w.sandbox().requests_for(route) == 3);
    }
    next_call_succeeds(w);
}

TEST_CASE("e2e: fault close_before_response on a POST over a new connection is not retried") {
    world w;
    w.sandbox().inject(fault(kind::close_before_response, 1, "/v1/authentication"));
    auto r = w.create();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().value() == errc::transport);
    CHECK(r.error().attempts() == 1);
    CHECK(w.sandbox().requests_for("/v1/authentication") == 1);
    next_call_succeeds(w);
}

// The request reached the server (it read it, then closed): a POST must not be sent again, or a
// second SMS goes out, even over a reused keep-alive connection (where the close looks like a
// stale keep-alive connection). Failed before 2b779da: the SDK sent it a second time.
TEST_CASE("e2e: fault close_before_response on a POST over a reused connection is not retried") {
    world w;
    auto warm = w.lookup(phone_fr);  // opens the keep-alive connection that the POST will reuse
    E2E_REQUIRE_OK(warm);
    REQUIRE(w.client().stats().idle == 1);
    w.sandbox().inject(fault(kind::close_before_response, 1, "/v1/authentication"));
    auto r = w.create();
    CHECK(w.sandbox().requests_for("/v1/authentication") == 1);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().value() == errc::transport);
    CHECK(r.error().attempts() == 1);
}

TEST_CASE("e2e: fault close_before_response on a GET is retried") {
    world w;
    w.sandbox().inject(fault(kind::close_before_response, 1, "/v1/lookup/{phone_number}"));
    auto r = w.lookup(phone_fr);
    E2E_REQUIRE_OK(r);
    CHECK(w.sandbox().requests_for("/v1/lookup/{phone_number}") == 2);
    next_call_succeeds(w);
}

TEST_CASE("e2e: fault close_after_headers and close_mid_body on a POST: transport error, one request") {
    world w;
    const auto uuid = w.create_pending();
    for (kind k : {kind::close_after_headers, kind::close_mid_body}) {
        INFO(static_cast<int>(k));
        const auto before = w.sandbox().requests_for("/v1/check");
        w.sandbox().inject(fault(k, 1, "/v1/check"));
        auto r = w.check(uuid, "000000");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().value() == errc::transport);
        CHECK(r.error().attempts() == 1);
        CHECK(w.sandbox().requests_for("/v1/check") == before + 1);
    }
    next_call_succeeds(w);
}

TEST_CASE("e2e: fault close_mid_body on a GET is retried and succeeds") {
    world w;
    w.sandbox().inject(fault(kind::close_mid_body, 1, "/v1/lookup/{phone_number}"));
    auto r = w.lookup(phone_fr);
    E2E_REQUIRE_OK(r);
    CHECK(r->country_code == "FR");
    CHECK(w.sandbox().requests_for("/v1/lookup/{phone_number}") == 2);
    next_call_succeeds(w);
}

TEST_CASE("e2e: fault malformed_json and wrong_types are decode errors with HTTP 200") {
    world w;
    const auto uuid = w.create_pending();
    for (kind k : {kind::malformed_json, kind::wrong_types}) {
        INFO(static_cast<int>(k));
        w.sandbox().inject(fault(k, 1, "/v1/check"));
        auto r = w.check(uuid, "000000");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().value() == errc::decode);
        CHECK(r.error().http_status() == 200);
        CHECK(r.error().attempts() == 1);
        CHECK_FALSE(r.error().body().empty());

        w.sandbox().inject(fault(k, 1, "/v1/lookup/{phone_number}"));
        auto l = w.lookup(phone_fr);
        REQUIRE_FALSE(l.has_value());
        CHECK(l.error().value() == errc::decode);
        CHECK(l.error().http_status() == 200);
    }
    CHECK(w.sandbox().requests_for("/v1/check") == 2);
    next_call_succeeds(w);
}

TEST_CASE("e2e: fault huge_body over max_response_body is response_too_large") {
    world w(seeded(), [](ding::client_options& o) { o.max_response_body = 64 * 1024; });
    auto f = fault(kind::huge_body, 1, "/v1/lookup/{phone_number}");
    f.huge_body_bytes = 4 * 1024 * 1024;
    w.sandbox().inject(f);
    auto r = w.lookup(phone_fr);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().value() == errc::response_too_large);
    CHECK(r.error().attempts() == 1);
    CHECK(w.sandbox().requests_for("/v1/lookup/{phone_number}") == 1);
    CHECK(w.client().stats().open == 0);  // the half-read connection was dropped
    next_call_succeeds(w);
}

TEST_CASE("e2e: fault stall with a 300 ms timeout is timeout") {
    world w;
    w.sandbox().inject(fault(kind::stall, 1, "/v1/authentication"));
    ding::create_authentication_request req{customer, phone_fr};
    ding::call_options co;
    co.timeout = 300ms;
    const auto start = steady::now();
    auto r = w.run(w.client().otp().create_authentication_async(req, co), 5s);
    const double elapsed = seconds_since(start);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().value() == errc::timeout);
    CHECK(elapsed >= 0.25);
    CHECK(elapsed < 1.5);
    CHECK(w.sandbox().requests_for("/v1/authentication") == 1);
    next_call_succeeds(w);
}

TEST_CASE("e2e: fault delay: the response comes late but the call succeeds") {
    world w;
    auto f = fault(kind::delay, 1, "/v1/lookup/{phone_number}");
    f.delay = 200ms;
    w.sandbox().inject(f);
    const auto start = steady::now();
    auto r = w.lookup(phone_fr);
    E2E_REQUIRE_OK(r);
    CHECK(seconds_since(start) >= 0.18);
    CHECK(w.sandbox().requests_for("/v1/lookup/{phone_number}") == 1);
    next_call_succeeds(w);
}

TEST_CASE("e2e: the sandbox closes an idle keep-alive connection, the next call still succeeds") {
    ding::sandbox_options so = seeded();
    so.idle_timeout = 100ms;
    world w(so);
    for (int round = 0; round < 3; ++round) {
        auto r = w.lookup(phone_fr);
        E2E_REQUIRE_OK(r);
        w.settle(300ms);  // the sandbox closes the connection meanwhile
        const auto uuid = w.create_pending("+3366666666" + std::to_string(round));
        w.settle(300ms);
        // a POST on a connection closed while idle must still go out (exactly once)
        auto ok = w.check(uuid, w.code_of(uuid));
        E2E_REQUIRE_OK(ok);
        CHECK(ok->status == ding::check_status::valid);
        w.settle(300ms);
    }
    CHECK(w.sandbox().requests_for("/v1/check") == 3);
    CHECK(w.sandbox().requests_for("/v1/authentication") == 3);
    CHECK(w.sandbox().stats().connections_accepted == 9);
}

TEST_CASE("e2e: max_requests_per_connection=2: 10 sequential calls all succeed") {
    ding::sandbox_options so = seeded();
    so.max_requests_per_connection = 2;
    world w(so);
    for (int i = 0; i < 10; ++i) {
        auto r = w.lookup("+3361234567" + std::to_string(i));
        E2E_REQUIRE_OK(r);
    }
    CHECK(w.sandbox().requests_for("/v1/lookup/{phone_number}") == 10);
    CHECK(w.sandbox().stats().connections_accepted == 5);
    CHECK(w.client().stats().connections_opened == 5);
    // POSTs too: each goes out once
    const auto uuid = w.create_pending();
    for (int i = 0; i < 5; ++i) {
        auto r = w.check(uuid, "000000");
        E2E_REQUIRE_OK(r);
    }
    CHECK(w.sandbox().requests_for("/v1/check") == 5);
}

TEST_CASE("e2e: stop() with a stalled request in flight completes the call promptly with transport") {
    world w;
    w.sandbox().inject(fault(kind::stall, 1, "/v1/check"));
    const auto uuid = w.create_pending();
    std::optional<ding::outcome<ding::create_check_response>> result;
    asio::co_spawn(w.ioc, w.client().otp().check_async(ding::create_check_request{customer, uuid, "123456"}),
                   [&](std::exception_ptr, ding::outcome<ding::create_check_response> r) { result.emplace(std::move(r)); });
    w.ioc.restart();
    w.ioc.run_for(200ms);
    REQUIRE_FALSE(result);
    REQUIRE(w.sandbox().requests_for("/v1/check") == 1);
    const auto start = steady::now();
    w.sandbox().stop();
    const auto until = start + 3s;
    while (!result && steady::now() < until) w.ioc.run_one_until(until);
    REQUIRE(result);
    CHECK(seconds_since(start) < 1.0);
    REQUIRE_FALSE(result->has_value());
    CHECK(result->error().value() == errc::transport);
    CHECK(w.sandbox().requests_for("/v1/check") == 1);
    CHECK(w.sandbox().stopped());
    // later calls fail fast (connection refused), they do not hang
    auto after = w.run(w.client().lookup().lookup_async(customer, phone_fr), 5s);
    REQUIRE_FALSE(after.has_value());
    CHECK(after.error().value() == errc::transport);
}

TEST_CASE("e2e: stop() of a sandbox on its own thread with a stalled request in flight") {
    world w(seeded(), {}, /*own_thread=*/true);
    w.sandbox().inject(fault(kind::stall, 1, "/v1/authentication/{auth_uuid}"));
    std::optional<ding::outcome<ding::authentication_status_response>> result;
    asio::co_spawn(w.ioc, w.client().otp().get_authentication_status_async("0f0e0d0c-0b0a-4908-8706-050403020100"),
                   [&](std::exception_ptr, ding::outcome<ding::authentication_status_response> r) {
                       result.emplace(std::move(r));
                   });
    w.ioc.restart();
    w.ioc.run_for(200ms);
    REQUIRE_FALSE(result);
    const auto start = steady::now();
    w.sandbox().stop();
    const auto until = start + 3s;
    while (!result && steady::now() < until) w.ioc.run_one_until(until);
    REQUIRE(result);
    CHECK(seconds_since(start) < 1.0);
    REQUIRE_FALSE(result->has_value());
    // a GET is retried, but the sandbox is gone: connection refused
    CHECK(result->error().value() == errc::transport);
}

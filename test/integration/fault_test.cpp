// Issue 4: the fault matrix. For each fault: the outcome's code, how many requests the server saw,
// and that the pool serves the next call normally.

#include "common.hpp"

using namespace ding::test;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

/// After a fault: the next call succeeds, and the pool holds exactly the connection it used.
void next_call_works(fixture& f, std::size_t requests_before) {
    f.server->push(reply::json(200, check_body(uuid_for(77))));
    auto next = f.run(f.client->otp().check_async(check_request(uuid_for(77))));
    REQUIRE(next.has_value());
    CHECK(next->authentication_uuid == uuid_for(77));
    CHECK(next->status == ding::check_status::valid);
    CHECK(f.server->request_count() == requests_before + 1);
    const auto s = f.client->stats();
    CHECK(s.open == 1);
    CHECK(s.idle == 1);
    CHECK(s.in_use == 0);
    CHECK(s.connecting == 0);
    CHECK(s.waiting == 0);
}

ding::outcome<ding::create_check_response> one_check(fixture& f) {
    return f.run(f.client->otp().check_async(check_request()));
}

} // namespace

static ding::outcome<ding::authentication_status_response> one_status(fixture& f) {
    return f.run(f.client->otp().get_authentication_status_async(auth_uuid));
}

static std::string status_body() { return std::string(R"({"uuid":")") + auth_uuid + R"(","phone_number":"+33612345678"})"; }

TEST_CASE("integration: fault: stale keep-alive connection that passes the liveness check: a GET is re-sent once") {
    fixture f;
    f.make_client();
    REQUIRE(one_check(f).has_value());
    // The server drops the kept-alive connection as the next request arrives (no response byte):
    // a read is sent once more on a fresh connection and the call succeeds.
    f.server->push(reply::fault(behaviour::close_before_response));
    f.server->push(reply::json(200, status_body()));
    auto r = one_status(f);
    REQUIRE(r.has_value());
    CHECK(r->uuid == auth_uuid);
    CHECK(f.server->request_count() == 3);
    CHECK(f.server->requests()[1].connection == 0);
    CHECK(f.server->requests()[2].connection == 1);
    CHECK(f.server->connections_accepted() == 2);
    next_call_works(f, 3);
}

TEST_CASE("integration: fault: a POST written to a connection the server then drops is not re-sent") {
    fixture f;
    f.make_client();
    REQUIRE(one_check(f).has_value());
    // Same wire as above, but the server may have acted on the POST before closing: no second send.
    f.server->push(reply::fault(behaviour::close_before_response));
    auto r = one_check(f);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::transport);
    CHECK(r.error().attempts() == 1);
    CHECK(f.server->request_count() == 2);
    CHECK(f.server->connections_accepted() == 1);
    CHECK(free_of_key(r.error()));
    next_call_works(f, 2);
}

TEST_CASE("integration: fault: a stale connection fails twice: a GET is re-sent only once, then transport error") {
    fixture f;
    f.make_client();
    ding::retry_policy no_retry;
    no_retry.max_attempts = 1;
    REQUIRE(one_check(f).has_value());
    f.server->push(reply::fault(behaviour::close_before_response));
    f.server->push(reply::fault(behaviour::close_before_response)); // the fresh connection fails too
    ding::call_options once;
    once.retry = no_retry;
    auto r = f.run(f.client->otp().get_authentication_status_async(auth_uuid, once));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::transport);
    CHECK(f.server->request_count() == 3); // the one re-send, and no retry (max_attempts = 1)
    CHECK(free_of_key(r.error()));
    next_call_works(f, 3);
}

TEST_CASE("integration: fault: reset before response") {
    fixture f;
    f.make_client();
    SECTION("POST check: transport, not retried") {
        f.server->push(reply::fault(behaviour::reset_before_response));
        auto r = one_check(f);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code() == ding::errc::transport);
        CHECK(r.error().attempts() == 1);
        CHECK(r.error().http_status() == 0);
        CHECK(r.error().cause());
        CHECK(free_of_key(r.error()));
        CHECK(f.server->request_count() == 1);
        next_call_works(f, 1);
    }
    SECTION("GET status: retried and succeeds") {
        f.server->push(reply::fault(behaviour::reset_before_response));
        f.server->push(reply::json(200, R"({"uuid":"0b2c6f3e-9d1a-4c5b-8e7f-1a2b3c4d5e6f"})"));
        auto r = f.run(f.client->otp().get_authentication_status_async(auth_uuid));
        REQUIRE(r.has_value());
        CHECK(r->uuid == auth_uuid);
        CHECK(f.server->request_count() == 2);
        CHECK(f.client->stats().retries == 1);
        next_call_works(f, 2);
    }
}

TEST_CASE("integration: fault: connection closed or reset mid-body, Content-Length longer than the body") {
    fixture f;
    f.make_client();
    const std::string body = check_body() + std::string(200, ' ');
    auto fault = GENERATE(behaviour::close_after_headers, behaviour::close_mid_body, behaviour::reset_mid_body,
                          behaviour::content_length_longer_then_close);
    INFO("behaviour " << static_cast<int>(fault));
    f.server->push(reply::fault(fault, 200, body));
    auto r = one_check(f);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::transport);
    CHECK(r.error().attempts() == 1);
    CHECK(free_of_key(r.error()));
    CHECK(f.server->request_count() == 1); // a POST that reached the server is not repeated
    next_call_works(f, 1);
}

TEST_CASE("integration: fault: headers that never finish end in timeout") {
    fixture f;
    auto o = f.options();
    o.timeout = 300ms;
    f.make_client(o);
    f.server->push(reply::fault(behaviour::headers_never_finish));
    const auto start = std::chrono::steady_clock::now();
    auto r = one_check(f);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::timeout);
    CHECK(ms_since(start) < 900);
    CHECK(f.server->request_count() == 1);
    next_call_works(f, 1);
}

TEST_CASE("integration: fault: a body larger than max_response_body is response_too_large") {
    fixture f;
    auto o = f.options();
    o.max_response_body = 1024;
    f.make_client(o);
    SECTION("announced by Content-Length") {
        f.server->push(reply::json(200, check_body() + std::string(4096, ' ')));
    }
    SECTION("just within the limit is fine, so the limit is what fails the other") {
        f.server->push(reply::json(200, check_body() + std::string(1024 - check_body().size(), ' ')));
        auto r = one_check(f);
        REQUIRE(r.has_value());
        next_call_works(f, 1);
        return;
    }
    auto r = one_check(f);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::response_too_large);
    CHECK(r.error().attempts() == 1);
    CHECK(f.server->request_count() == 1);
    next_call_works(f, 1);
}

TEST_CASE("integration: fault: malformed JSON and wrong Content-Type are decode errors that keep the status") {
    fixture f;
    f.make_client();
    SECTION("malformed JSON") { f.server->push(reply::json(200, R"({"status": "valid",)")); }
    SECTION("text/html 200") {
        reply html = reply::json(200, "<html><body>maintenance</body></html>");
        html.content_type = "text/html";
        f.server->push(html);
    }
    SECTION("text/html 200 with a JSON-looking body") {
        reply html = reply::json(200, check_body());
        html.content_type = "text/html; charset=utf-8";
        f.server->push(html);
    }
    auto r = one_check(f);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::decode);
    CHECK(r.error().http_status() == 200);
    CHECK_FALSE(r.error().body().empty());
    CHECK(f.server->request_count() == 1);
    next_call_works(f, 1); // the connection was kept: the response was complete
    CHECK(f.server->connections_accepted() == 1);
}

TEST_CASE("integration: fault: 429 with Retry-After: 1 waits about a second, then succeeds") {
    fixture f;
    f.make_client();
    f.server->push(reply::json(429, R"({"message":"slow down"})").with_header("Retry-After", "1"));
    f.server->push(reply::json(200, R"({"authentication_uuid":"0b2c6f3e-9d1a-4c5b-8e7f-1a2b3c4d5e6f","status":"pending"})"));
    const auto start = std::chrono::steady_clock::now();
    auto r = f.run(f.client->otp().create_authentication_async(create_request()));
    const auto took = ms_since(start);
    REQUIRE(r.has_value());
    CHECK(r->status == ding::authentication_status::pending);
    REQUIRE(f.server->request_count() == 2);
    const auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(f.server->requests()[1].received -
                                                                           f.server->requests()[0].received);
    CHECK(gap.count() >= 900);
    CHECK(gap.count() < 1600);
    CHECK(took >= 900);
    CHECK(f.client->stats().retries == 1);
    next_call_works(f, 2);
}

TEST_CASE("integration: fault: 503 then 200 succeeds after 2 attempts") {
    fixture f;
    f.make_client();
    f.server->push(reply::json(503, "unavailable"));
    f.server->push(reply::json(200, check_body()));
    auto r = one_check(f); // a POST: 503 means it was not processed, so it is retried
    REQUIRE(r.has_value());
    CHECK(r->status == ding::check_status::valid);
    CHECK(f.server->request_count() == 2);
    CHECK(f.client->stats().retries == 1);
    CHECK(f.client->stats().requests_sent == 2);
    next_call_works(f, 2);
}

TEST_CASE("integration: fault: 500 on create is not retried") {
    fixture f;
    f.make_client();
    f.server->set_responder([](const recorded_request&) { return reply::json(500, R"({"error":"boom"})"); });
    auto r = f.run(f.client->otp().create_authentication_async(create_request()));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::http_status);
    CHECK(r.error().http_status() == 500);
    CHECK(r.error().attempts() == 1);
    CHECK(f.server->request_count() == 1); // exactly one request reached the server: no second SMS
    CHECK(f.client->stats().retries == 0);
    f.server->set_responder(nullptr);
    next_call_works(f, 1);
}

TEST_CASE("integration: fault: 500 on get_authentication_status is retried max_attempts times") {
    fixture f;
    auto o = f.options();
    o.retry.max_attempts = 4;
    f.make_client(o);
    f.server->set_responder([](const recorded_request&) { return reply::json(500, "internal"); });
    auto r = f.run(f.client->otp().get_authentication_status_async(auth_uuid));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::http_status);
    CHECK(r.error().http_status() == 500);
    CHECK(r.error().attempts() == 4);
    CHECK(f.server->request_count() == 4);
    CHECK(f.client->stats().retries == 3);
    f.server->set_responder(nullptr);
    next_call_works(f, 4);
}

TEST_CASE("integration: fault: per-call retry policy max_attempts = 1 disables the retry") {
    fixture f;
    f.make_client();
    f.server->push(reply::json(503, "unavailable"));
    ding::call_options co;
    co.retry = f.options().retry;
    co.retry->max_attempts = 1;
    auto r = f.run(f.client->otp().check_async(check_request(), co));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::http_status);
    CHECK(r.error().http_status() == 503);
    CHECK(f.server->request_count() == 1);
    next_call_works(f, 1);
}

TEST_CASE("integration: fault: per-call options apply to their call only, invalid ones fail before any I/O") {
    fixture f;
    auto o = f.options();
    o.retry.max_attempts = 3;
    f.make_client(o);
    f.server->set_responder([](const recorded_request&) { return reply::json(503, "unavailable"); });

    ding::call_options zero_timeout;
    zero_timeout.timeout = 0ms;
    auto r = f.run(f.client->otp().check_async(check_request(), zero_timeout));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::invalid_argument);
    CHECK(r.error().message().find("call_options.timeout") != std::string::npos);

    ding::call_options no_attempt;
    no_attempt.retry = o.retry;
    no_attempt.retry->max_attempts = 0;
    r = f.run(f.client->otp().check_async(check_request(), no_attempt));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::invalid_argument);
    CHECK(r.error().message().find("call_options.retry.max_attempts") != std::string::npos);
    CHECK(f.server->request_count() == 0);

    ding::call_options two_attempts;
    two_attempts.retry = o.retry;
    two_attempts.retry->max_attempts = 2;
    auto bad = check_request();
    bad.authentication_uuid = "not-a-uuid";
    r = f.run(f.client->otp().check_async(bad, two_attempts)); // the request's own validation
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::invalid_argument);
    CHECK(r.error().message().find("call_options") == std::string::npos);
    CHECK(f.server->request_count() == 0);

    r = f.run(f.client->otp().check_async(check_request(), two_attempts));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().http_status() == 503);
    CHECK(r.error().attempts() == 2);
    CHECK(f.server->request_count() == 2);

    r = f.run(f.client->otp().check_async(check_request())); // the client's policy again
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().attempts() == 3);
    CHECK(f.server->request_count() == 5);
    f.server->set_responder(nullptr);
    next_call_works(f, 5);
}

TEST_CASE("integration: fault: connection refused is transport (retried while nothing was sent)") {
    fixture f;
    auto o = f.options();
    o.base_url = "https://127.0.0.1:" + std::to_string(unused_port(f.ioc)) + "/v1";
    f.make_client(o);
    auto r = f.run(f.client->otp().create_authentication_async(create_request()));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::transport);
    CHECK(r.error().http_status() == 0);
    CHECK(r.error().attempts() == 3); // a connect failure cannot have reached the server
    CHECK(r.error().cause());
    CHECK(free_of_key(r.error()));
    const auto s = f.client->stats();
    CHECK(s.open == 0);
    CHECK(s.connecting == 0);
    CHECK(s.requests_sent == 0);
}

TEST_CASE("integration: fault: cancellation during the TLS handshake (server never answers TLS)") {
    fixture f(server_options{tls_mode::silent});
    f.make_client();
    const auto start = std::chrono::steady_clock::now();
    auto r = f.run(cancel_after(f.client->otp().check_async(check_request()), 100ms));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::cancelled);
    CHECK(ms_since(start) < 400);
    CHECK(f.server->connections_accepted() == 1);
    const auto s = f.client->stats();
    CHECK(s.open == 0);
    CHECK(s.connecting == 0);
    CHECK(s.handshakes == 0);
}

TEST_CASE("integration: fault: a TLS handshake that never completes hits connect_timeout") {
    fixture f(server_options{tls_mode::silent});
    auto o = f.options();
    o.connect_timeout = 200ms;
    o.retry.max_attempts = 1;
    f.make_client(o);
    const auto start = std::chrono::steady_clock::now();
    auto r = f.run(f.client->otp().check_async(check_request()));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::timeout);
    CHECK(ms_since(start) >= 180);
    CHECK(ms_since(start) < 700);
    CHECK(f.client->stats().connecting == 0);
}

TEST_CASE("integration: fault: cancellation during a backoff wait keeps the attempt count") {
    fixture f;
    f.make_client();
    f.server->push(reply::json(503, "unavailable").with_header("Retry-After", "1"));
    const auto start = std::chrono::steady_clock::now();
    auto r = f.run(cancel_after(f.client->otp().check_async(check_request()), 150ms));
    const auto took = ms_since(start);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::cancelled);
    CHECK(took < 500);
    CHECK(r.error().attempts() == 1);
    CHECK(r.error().http_status() == 503);
    CHECK(f.server->request_count() == 1);
    next_call_works(f, 1);
    CHECK(f.server->connections_accepted() == 1); // the 503 left the connection reusable
}

TEST_CASE("integration: fault: the deadline expiring during a backoff wait is timeout") {
    fixture f;
    auto o = f.options();
    o.timeout = 300ms;
    f.make_client(o);
    f.server->push(reply::json(503, "unavailable").with_header("Retry-After", "5"));
    const auto start = std::chrono::steady_clock::now();
    auto r = one_check(f);
    const auto took = ms_since(start);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::timeout);
    CHECK(took < 1000);
    CHECK(r.error().attempts() == 1);
    CHECK(r.error().http_status() == 503);
    CHECK(f.server->request_count() == 1);
    next_call_works(f, 1);
}

// Exchanges are watched by one timer per pool (armed at the earliest deadline, re-armed when an
// earlier one comes, and again for the next one after it fires): each call still ends at its own.
TEST_CASE("integration: fault: concurrent calls that get no answer each end at their own deadline") {
    fixture f;
    auto o = f.options();
    o.max_connections = 2;
    f.make_client(o);
    f.server->push(reply::fault(behaviour::headers_never_finish));
    f.server->push(reply::fault(behaviour::headers_never_finish));
    ding::call_options short_deadline, long_deadline;
    short_deadline.timeout = 300ms;
    long_deadline.timeout = 1200ms;
    const bool short_first = GENERATE(true, false);
    INFO((short_first ? "the earlier deadline starts first" : "a later call has the earlier deadline"));
    struct ended {
        ding::outcome<ding::create_check_response> result;
        long ms;
    };
    std::optional<ended> short_call, long_call;
    const auto start = std::chrono::steady_clock::now();
    auto launch_short = [&] {
        f.client->otp().check_async(check_request(), short_deadline,
                                    [&](auto r) { short_call.emplace(ended{std::move(r), ms_since(start)}); });
    };
    auto launch_long = [&] {
        f.client->otp().check_async(check_request(), long_deadline,
                                    [&](auto r) { long_call.emplace(ended{std::move(r), ms_since(start)}); });
    };
    if (short_first) {
        launch_short();
        launch_long();
    } else {
        launch_long();
        launch_short();
    }
    for (int i = 0; i < 400 && !(short_call && long_call); ++i) {
        f.ioc.restart();
        f.ioc.run_for(10ms);
    }
    REQUIRE(short_call);
    REQUIRE(long_call);
    REQUIRE_FALSE(short_call->result.has_value());
    REQUIRE_FALSE(long_call->result.has_value());
    CHECK(short_call->result.error().code() == ding::errc::timeout);
    CHECK(long_call->result.error().code() == ding::errc::timeout);
    CHECK(short_call->ms >= 250);
    CHECK(short_call->ms < 900);
    CHECK(long_call->ms >= 1100);
    CHECK(long_call->ms < 2500);
    CHECK(f.server->request_count() == 2);
    const auto s = f.client->stats();
    CHECK(s.in_use == 0);
    CHECK(s.connecting == 0);
}

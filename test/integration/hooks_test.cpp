// Issue 4: hooks, API-key provider (rotation), pool statistics, completion tokens.

#include "common.hpp"

#include <boost/asio/deferred.hpp>

using namespace ding::test;

namespace {

struct seen_attempt {
    std::string hook;
    std::string operation;
    int attempt = 0;
    std::string method;
    std::string path;
    int status = 0;
    long long elapsed_ns = 0;
    std::string error_text;
};

void record_all_hooks(ding::client_options& o, std::vector<seen_attempt>& log) {
    auto copy = [](std::string hook, const ding::attempt_info& i) {
        return seen_attempt{std::move(hook), std::string(i.operation), i.attempt, std::string(i.method),
                            std::string(i.path), i.http_status, static_cast<long long>(i.elapsed.count()), {}};
    };
    o.hooks.before_attempt = [&log, copy](const ding::attempt_info& i, ding::extra_headers& h) {
        log.push_back(copy("before", i));
        h.emplace_back("x-trace-id", "trace-" + std::to_string(i.attempt));
    };
    o.hooks.after_response = [&log, copy](const ding::attempt_info& i) { log.push_back(copy("after", i)); };
    o.hooks.on_error = [&log, copy](const ding::attempt_info& i, const ding::error& e) {
        auto s = copy("error", i);
        s.error_text = e.to_string() + " " + e.message() + " " + e.body();
        log.push_back(std::move(s));
    };
}

} // namespace

TEST_CASE("integration: hooks see every attempt (operation, attempt, method, path, status) and add headers") {
    fixture f;
    auto o = f.options();
    std::vector<seen_attempt> log;
    record_all_hooks(o, log);
    f.make_client(o);
    f.server->push(reply::json(503, "busy"));
    f.server->push(reply::json(200, R"({"uuid":"0b2c6f3e-9d1a-4c5b-8e7f-1a2b3c4d5e6f"})"));
    auto r = f.run(f.client->otp().get_authentication_status_async(auth_uuid));
    REQUIRE(r.has_value());

    REQUIRE(f.server->request_count() == 2);
    CHECK(f.server->requests()[0].header("x-trace-id") == "trace-1");
    CHECK(f.server->requests()[1].header("x-trace-id") == "trace-2");

    const std::string path = "/v1/authentication/0b2c6f3e-9d1a-4c5b-8e7f-1a2b3c4d5e6f";
    REQUIRE(log.size() == 5);
    CHECK(log[0].hook == "before");
    CHECK(log[0].attempt == 1);
    CHECK(log[0].status == 0);
    CHECK(log[1].hook == "after");
    CHECK(log[1].attempt == 1);
    CHECK(log[1].status == 503);
    CHECK(log[2].hook == "error");
    CHECK(log[2].attempt == 1);
    CHECK(log[2].status == 503);
    CHECK(log[3].hook == "before");
    CHECK(log[3].attempt == 2);
    CHECK(log[4].hook == "after");
    CHECK(log[4].attempt == 2);
    CHECK(log[4].status == 200);
    for (const auto& s : log) {
        CHECK(s.operation == "get_authentication_status");
        CHECK(s.method == "GET");
        CHECK(s.path == path);
        CHECK(s.elapsed_ns >= 0);
        CHECK(s.error_text.find(secret_api_key) == std::string::npos);
    }
    CHECK(log[4].elapsed_ns >= log[0].elapsed_ns);
}

TEST_CASE("integration: on_error sees transport failures, the API key appears in no hook or error") {
    fixture f;
    auto o = f.options();
    std::vector<seen_attempt> log;
    record_all_hooks(o, log);
    f.make_client(o);
    f.server->push(reply::fault(behaviour::reset_before_response));
    f.server->push(reply::json(500, std::string("echo ") + secret_api_key)); // even if the server echoes it...
    auto r = f.run(f.client->otp().create_authentication_async(create_request()));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::transport);
    CHECK(r.error().attempts() == 1);
    CHECK(f.server->request_count() == 1);
    REQUIRE(log.size() == 2);
    CHECK(log[0].hook == "before");
    CHECK(log[1].hook == "error");
    CHECK(log[1].operation == "create_authentication");
    CHECK(log[1].method == "POST");
    CHECK(log[1].path == "/v1/authentication");
    CHECK(log[1].status == 0);
    for (const auto& s : log) CHECK(s.error_text.find(secret_api_key) == std::string::npos);
    CHECK(free_of_key(r.error()));
}

TEST_CASE("integration: a before_attempt hook adding an invalid header fails the call before sending") {
    fixture f;
    auto o = f.options();
    o.hooks.before_attempt = [](const ding::attempt_info&, ding::extra_headers& h) {
        h.emplace_back("x-bad", "line\r\nInjected: yes");
    };
    f.make_client(o);
    auto r = f.run(f.client->otp().check_async(check_request()));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::invalid_argument);
    CHECK(f.server->request_count() == 0);
}

TEST_CASE("integration: api_key_provider: each attempt carries the provider's current key") {
    fixture f;
    auto o = f.options();
    o.api_key.clear();
    int calls = 0;
    o.api_key_provider = [&calls] { return "rotating-key-" + std::to_string(++calls); };
    f.make_client(o);
    f.server->push(reply::json(503, "busy"));
    f.server->push(reply::json(429, "slow").with_header("Retry-After", "0"));
    f.server->push(reply::json(200, check_body()));
    auto r = f.run(f.client->otp().check_async(check_request()));
    REQUIRE(r.has_value());
    REQUIRE(f.server->request_count() == 3);
    CHECK(f.server->requests()[0].header("x-api-key") == "rotating-key-1");
    CHECK(f.server->requests()[1].header("x-api-key") == "rotating-key-2");
    CHECK(f.server->requests()[2].header("x-api-key") == "rotating-key-3");
    auto again = f.run(f.client->otp().check_async(check_request()));
    REQUIRE(again.has_value());
    CHECK(f.server->requests()[3].header("x-api-key") == "rotating-key-4");
}

TEST_CASE("integration: api_key_provider returning an empty key fails with invalid_argument, nothing sent") {
    fixture f;
    auto o = f.options();
    o.api_key.clear();
    o.api_key_provider = [] { return std::string(); };
    f.make_client(o);
    auto r = f.run(f.client->otp().check_async(check_request()));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::invalid_argument);
    CHECK(f.server->request_count() == 0);
}

TEST_CASE("integration: stats() counts open, idle, in use, handshakes, requests and retries") {
    fixture f;
    auto o = f.options();
    o.max_connections = 4;
    f.make_client(o);
    CHECK(f.client->stats().open == 0);

    // Two calls at once: two connections.
    f.server->push(reply::delayed(50ms, 200, check_body()));
    f.server->push(reply::delayed(50ms, 200, check_body()));
    ding::pool_stats during{};
    int completed = 0, ok = 0;
    for (int i = 0; i < 2; ++i)
        f.client->otp().check_async(check_request(), [&](ding::outcome<ding::create_check_response> r) {
            ++completed;
            ok += r.has_value() ? 1 : 0;
        });
    asio::steady_timer observe(f.ioc, 25ms);
    observe.async_wait([&](boost::system::error_code) { during = f.client->stats(); });
    f.run_until([&] { return completed == 2; });
    CHECK(ok == 2);
    CHECK(during.in_use == 2);
    CHECK(during.open == 2);
    CHECK(during.idle == 0);

    f.server->push(reply::json(503, "busy"));
    REQUIRE(f.run(f.client->otp().check_async(check_request())).has_value());

    const auto s = f.client->stats();
    CHECK(s.requests_sent == 4);  // 2 + 2 (503, then 200)
    CHECK(s.retries == 1);
    CHECK(s.connections_opened == 2);
    CHECK(s.handshakes == 2);
    CHECK(s.handshakes == f.server->tls_handshakes());
    CHECK(s.open == 2);
    CHECK(s.idle == 2);
    CHECK(s.in_use == 0);
    CHECK(s.waiting == 0);
    CHECK(s.connecting == 0);

    f.client->close_idle_connections();
    CHECK(f.client->stats().open == 0);
    CHECK(f.client->stats().idle == 0);
}

TEST_CASE("integration: completion tokens: deferred, callback and awaitable against a live server") {
    fixture f;
    f.make_client();
    f.server->set_responder([](const recorded_request& r) {
        return reply::json(200, check_body(std::string(r.json().at("authentication_uuid").as_string())));
    });
    auto deferred_op = f.client->otp().check_async(check_request(uuid_for(1)), asio::deferred);
    auto d = f.run([&]() -> asio::awaitable<ding::outcome<ding::create_check_response>> {
        co_return co_await std::move(deferred_op)(asio::use_awaitable);
    }());
    REQUIRE(d.has_value());
    CHECK(d->authentication_uuid == uuid_for(1));

    std::optional<ding::outcome<ding::create_check_response>> cb;
    bool inside_initiation = true;
    bool completed_inside = false;
    f.client->otp().check_async(check_request(uuid_for(2)), [&](ding::outcome<ding::create_check_response> r) {
        completed_inside = inside_initiation;
        cb.emplace(std::move(r));
    });
    inside_initiation = false;
    f.run_until([&] { return cb.has_value(); });
    CHECK_FALSE(completed_inside);
    REQUIRE(cb->has_value());
    CHECK((*cb)->authentication_uuid == uuid_for(2));
}

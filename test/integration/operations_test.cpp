// Issue 2: every operation as the server sees it, and how replies map to values and errors.

#include "common.hpp"

#include <ding/version.hpp>

using namespace ding::test;
namespace json = boost::json;

namespace {

void require_common_headers(const recorded_request& r, bool has_body) {
    CHECK(r.header("x-api-key") == secret_api_key);
    CHECK(r.header_count("x-api-key") == 1);
    CHECK(r.header("Host").rfind("127.0.0.1:", 0) == 0);
    CHECK(r.header("Accept") == "application/json");
    CHECK(r.header("User-Agent") == "ding-cpp/" DING_VERSION_STRING);
    if (has_body) {
        CHECK(r.header("Content-Type") == "application/json");
        CHECK(r.header("Content-Length") == std::to_string(r.body.size()));
    } else {
        CHECK(r.header_count("Content-Type") == 0);
        CHECK(r.body.empty());
    }
}

} // namespace

TEST_CASE("integration: create_authentication sends POST /v1/authentication with exact body and headers") {
    fixture f;
    auto& client = f.make_client();
    f.server->push(reply::json(200, R"({"authentication_uuid":")" + std::string(auth_uuid) +
                                        R"(","status":"pending","created_at":"2024-05-01T10:00:00Z",)"
                                        R"("expires_at":"2024-05-01T10:05:00.250+02:00","unknown_field":1})"));
    auto req = create_request();
    req.locale = "fr-FR";
    req.device_type = ding::device_type::ios;
    req.is_returning_user = false;

    auto r = f.run(client.otp().create_authentication_async(req));
    REQUIRE(r.has_value());
    CHECK(r->authentication_uuid == auth_uuid);
    CHECK(r->status == ding::authentication_status::pending);
    REQUIRE(r->created_at);
    CHECK(std::chrono::duration_cast<std::chrono::seconds>(r->created_at->time_since_epoch()).count() == 1714557600);
    REQUIRE(r->expires_at);
    CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(r->expires_at->time_since_epoch()).count() ==
          (1714557600LL - 2 * 3600 + 300) * 1000 + 250);

    REQUIRE(f.server->request_count() == 1);
    const auto& seen = f.server->requests()[0];
    CHECK(seen.method == "POST");
    CHECK(seen.target == "/v1/authentication");
    require_common_headers(seen, true);
    CHECK(seen.header_count("customer-uuid") == 0);
    // Unset optionals are omitted, never null.
    CHECK(seen.json() == json::parse(R"({"customer_uuid":"cf2edc1c-7fc6-48fb-86da-b7508c6b7b71",
        "phone_number":"+33612345678","device_type":"IOS","is_returning_user":false,"locale":"fr-FR"})"));
}

TEST_CASE("integration: check, retry and feedback send their exact bodies") {
    fixture f;
    auto& client = f.make_client();

    f.server->push(reply::json(200, check_body(auth_uuid, "invalid")));
    auto checked = f.run(client.otp().check_async(check_request()));
    REQUIRE(checked.has_value());
    CHECK(checked->status == ding::check_status::invalid); // a wrong code is a value
    CHECK(checked->authentication_uuid == auth_uuid);

    f.server->push(reply::json(200, R"({"authentication_uuid":")" + std::string(auth_uuid) +
                                        R"(","status":"approved","remaining_retry":2,)"
                                        R"("next_retry_at":"2024-05-01T10:01:00Z","created_at":"2024-05-01T10:00:00Z"})"));
    auto retried = f.run(client.otp().retry_async(ding::retry_authentication_request{customer, auth_uuid}));
    REQUIRE(retried.has_value());
    CHECK(retried->status == ding::retry_status::approved);
    CHECK(retried->remaining_retry == 2);
    REQUIRE(retried->next_retry_at);
    CHECK(std::chrono::duration_cast<std::chrono::seconds>(retried->next_retry_at->time_since_epoch()).count() ==
          1714557660);

    f.server->push(reply::json(200, R"({"uuid":"11111111-2222-4333-8444-555555555555"})"));
    auto noted = f.run(client.otp().feedback_async(
        ding::feedback_request{customer, phone, ding::feedback_status::onboarded}));
    REQUIRE(noted.has_value());
    CHECK(noted->uuid == "11111111-2222-4333-8444-555555555555");

    REQUIRE(f.server->request_count() == 3);
    const auto& rs = f.server->requests();
    CHECK(rs[0].method == "POST");
    CHECK(rs[0].target == "/v1/check");
    CHECK(rs[0].json() == json::parse(R"({"customer_uuid":"cf2edc1c-7fc6-48fb-86da-b7508c6b7b71",
        "authentication_uuid":"0b2c6f3e-9d1a-4c5b-8e7f-1a2b3c4d5e6f","check_code":"123456"})"));
    CHECK(rs[1].method == "POST");
    CHECK(rs[1].target == "/v1/retry");
    CHECK(rs[1].json() == json::parse(R"({"customer_uuid":"cf2edc1c-7fc6-48fb-86da-b7508c6b7b71",
        "authentication_uuid":"0b2c6f3e-9d1a-4c5b-8e7f-1a2b3c4d5e6f"})"));
    CHECK(rs[2].method == "POST");
    CHECK(rs[2].target == "/v1/authentication/feedback");
    CHECK(rs[2].json() == json::parse(R"({"customer_uuid":"cf2edc1c-7fc6-48fb-86da-b7508c6b7b71",
        "phone_number":"+33612345678","status":"onboarded"})"));
    for (const auto& r : rs) require_common_headers(r, true);
    // Three sequential calls on one keep-alive connection: one TLS handshake.
    CHECK(f.server->connections_accepted() == 1);
    CHECK(f.server->tls_handshakes() == 1);
}

TEST_CASE("integration: get_authentication_status sends GET /v1/authentication/{uuid} and decodes events in order") {
    fixture f;
    auto& client = f.make_client();
    f.server->push(reply::json(200, R"({"uuid":"0b2c6f3e-9d1a-4c5b-8e7f-1a2b3c4d5e6f","phone_number":"+33612345678",
        "events":[
          {"type":"attempt","id":"a1","attempt_number":1,"status":"delivered","capability":"text","created_at":"2024-05-01T10:00:01Z"},
          {"type":"delivery_status","attempt_id":"a1","status":"delivered","created_at":"2024-05-01T10:00:02Z"},
          {"type":"check","id":"c1","code":"123456","status":"valid","created_at":"2024-05-01T10:00:30Z"},
          {"type":"balance_update","balance_update_type":"authentication","amount":-0.05,"created_at":"2024-05-01T10:00:31Z"}
        ]})"));
    auto r = f.run(client.otp().get_authentication_status_async(auth_uuid));
    REQUIRE(r.has_value());
    CHECK(r->phone_number == phone);
    REQUIRE(r->events);
    REQUIRE(r->events->size() == 4);
    CHECK(std::holds_alternative<ding::attempt_event>((*r->events)[0]));
    CHECK(std::holds_alternative<ding::delivery_status_event>((*r->events)[1]));
    CHECK(std::holds_alternative<ding::check_event>((*r->events)[2]));
    CHECK(std::holds_alternative<ding::balance_update_event>((*r->events)[3]));
    CHECK(std::get<ding::check_event>((*r->events)[2]).status == ding::check_status::valid);

    REQUIRE(f.server->request_count() == 1);
    const auto& seen = f.server->requests()[0];
    CHECK(seen.method == "GET");
    CHECK(seen.target == "/v1/authentication/0b2c6f3e-9d1a-4c5b-8e7f-1a2b3c4d5e6f");
    require_common_headers(seen, false);
}

TEST_CASE("integration: lookup sends GET /v1/lookup/%2B<digits>?type=cnam with the customer-uuid header") {
    fixture f;
    auto& client = f.make_client();
    f.server->push(reply::json(200, R"({"phone_number":"+33612345678","carrier":"Orange","line_type":"Mobile",
                                        "caller_name":"ACME","number_ported":false})"));
    ding::lookup_request req{customer, phone, {ding::lookup_type::cnam}};
    auto r = f.run(client.lookup().lookup_async(req));
    REQUIRE(r.has_value());
    CHECK(r->carrier == "Orange");
    CHECK(r->line_type == ding::line_type::mobile);
    CHECK(r->caller_name == "ACME");
    CHECK(r->number_ported == false);

    f.server->push(reply::json(200, R"({"phone_number":"+33612345678"})"));
    auto plain = f.run(client.lookup().lookup_async(customer, phone));
    REQUIRE(plain.has_value());

    REQUIRE(f.server->request_count() == 2);
    const auto& seen = f.server->requests()[0];
    CHECK(seen.method == "GET");
    CHECK(seen.target == "/v1/lookup/%2B33612345678?type=cnam");
    CHECK(seen.header("customer-uuid") == customer);
    require_common_headers(seen, false);
    CHECK(f.server->requests()[1].target == "/v1/lookup/%2B33612345678");
    CHECK(f.server->requests()[1].header("customer-uuid") == customer);
}

TEST_CASE("integration: sequential calls reuse one connection: one TLS handshake for N calls") {
    fixture f;
    auto& client = f.make_client();
    constexpr int n = 10;
    f.run([&]() -> asio::awaitable<void> {
        for (int i = 0; i < n; ++i) {
            auto r = co_await client.otp().check_async(check_request());
            CHECK(r.has_value());
        }
    }());
    CHECK(f.server->request_count() == n);
    CHECK(f.server->connections_accepted() == 1);
    CHECK(f.server->tls_handshakes() == 1);
    for (const auto& r : f.server->requests()) CHECK(r.connection == 0);
    const auto s = client.stats();
    CHECK(s.handshakes == 1);
    CHECK(s.connections_opened == 1);
    CHECK(s.requests_sent == n);
    CHECK(s.open == 1);
    CHECK(s.idle == 1);
    CHECK(s.in_use == 0);
    CHECK(s.retries == 0);
}

TEST_CASE("integration: plain http:// base URL works") {
    fixture f(server_options{tls_mode::none});
    REQUIRE(f.server->base_url().rfind("http://127.0.0.1:", 0) == 0);
    auto& client = f.make_client();
    f.server->push(reply::json(200, check_body()));
    auto r = f.run(client.otp().check_async(check_request()));
    REQUIRE(r.has_value());
    CHECK(r->status == ding::check_status::valid);
    CHECK(f.server->request_count() == 1);
    CHECK(f.server->tls_handshakes() == 0);
    CHECK(client.stats().handshakes == 0);
}

TEST_CASE("integration: 400 ErrorResponse is api_error with code, message and doc_url") {
    fixture f;
    auto& client = f.make_client();
    f.server->push(reply::json(400, R"({"code":"invalid_phone_number","message":"The phone number is not valid.",
                                        "doc_url":"https://docs.ding.live/errors/invalid_phone_number"})"));
    auto r = f.run(client.otp().create_authentication_async(create_request()));
    REQUIRE_FALSE(r.has_value());
    const auto& e = r.error();
    CHECK(e.code() == ding::errc::api_error);
    CHECK(e.http_status() == 400);
    CHECK(e.api_code() == ding::api_error_code::invalid_phone_number);
    CHECK(e.api_message() == "The phone number is not valid.");
    CHECK(e.doc_url() == "https://docs.ding.live/errors/invalid_phone_number");
    CHECK(e.attempts() == 1);
    CHECK(f.server->request_count() == 1);
    CHECK(e.to_string().find(secret_api_key) == std::string::npos);
}

TEST_CASE("integration: 401 with a text body is http_status with the body") {
    fixture f;
    auto& client = f.make_client();
    reply unauthorized = reply::json(401, "invalid api key");
    unauthorized.content_type = "text/plain";
    f.server->push(unauthorized);
    auto r = f.run(client.otp().check_async(check_request()));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::http_status);
    CHECK(r.error().http_status() == 401);
    CHECK(r.error().body() == "invalid api key");
    CHECK(r.error().api_code() == ding::api_error_code::unknown);
    CHECK(r.error().message() == "HTTP 401 from the server with a text/plain body, not the API's JSON: check the API key "
                                 "(v1 keys go in x-api-key, v2 keys are Bearer tokens)");
    CHECK(f.server->request_count() == 1); // 401 is never retried
}

TEST_CASE("integration: v1 classifies a 429 or 503 body as v2 does, and a 404 names the method and path") {
    fixture f;
    SECTION("v1: a 429 whose body has a message and no code is http_status, retryable, the message in the text") {
        auto o = f.options();
        o.retry.max_attempts = 1;
        auto& client = f.make_client(o);
        f.server->push(reply::json(429, R"({"message":"Too many requests"})"));
        auto r = f.run(client.otp().check_async(check_request()));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code() == ding::errc::http_status);
        CHECK(r.error().retryable());
        CHECK(r.error().api_message() == "Too many requests");
        CHECK(r.error().to_string().find("server_message=Too many requests") != std::string::npos);
    }
    SECTION("v1: an ErrorResponse on a 503 is api_error, as v2's error object is") {
        auto o = f.options();
        o.retry.max_attempts = 1;
        auto& client = f.make_client(o);
        f.server->push(reply::json(503, R"({"code":"bad_request","message":"try later"})"));
        auto r = f.run(client.otp().check_async(check_request()));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code() == ding::errc::api_error);
        CHECK(r.error().api_code() == ding::api_error_code::bad_request);
        CHECK(r.error().retryable());
    }
    SECTION("v1: a 404 says which request found no endpoint, without its query") {
        auto& client = f.make_client();
        reply missing = reply::json(404, "Not Found");
        missing.content_type = "text/plain";
        f.server->push(missing);
        ding::lookup_request lookup{customer, phone, {}};
        auto r = f.run(client.lookup().lookup_async(lookup));
        REQUIRE_FALSE(r.has_value());
        const std::string& m = r.error().message();
        INFO(m);
        CHECK(r.error().code() == ding::errc::http_status);
        CHECK(m.rfind("HTTP 404 for GET /v1/lookup/%2B33612345678: the server has no such endpoint; check client_options::base_url", 0) == 0);
        CHECK(m.find('?') == std::string::npos);
    }
}

TEST_CASE("integration: 500 on check is http_status, 200 with malformed JSON is decode with status 200") {
    fixture f;
    auto& client = f.make_client();
    f.server->push(reply::json(500, R"({"oops":true})"));
    auto r = f.run(client.otp().check_async(check_request()));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::http_status);
    CHECK(r.error().http_status() == 500);
    CHECK(r.error().body() == R"({"oops":true})");
    CHECK(f.server->request_count() == 1);

    f.server->push(reply::json(200, R"({"authentication_uuid": "x", "status": )"));
    auto bad = f.run(client.otp().check_async(check_request()));
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code() == ding::errc::decode);
    CHECK(bad.error().http_status() == 200);
    CHECK(f.server->request_count() == 2);

    // Wrongly typed field: decode too.
    f.server->push(reply::json(200, R"({"authentication_uuid": 42})"));
    auto typed = f.run(client.otp().check_async(check_request()));
    REQUIRE_FALSE(typed.has_value());
    CHECK(typed.error().code() == ding::errc::decode);
    CHECK(typed.error().http_status() == 200);
}

TEST_CASE("integration: validation errors are invalid_argument and nothing reaches the server") {
    fixture f;
    auto& client = f.make_client();
    auto bad_phone = create_request();
    bad_phone.phone_number = "0612345678";
    auto r1 = f.run(client.otp().create_authentication_async(bad_phone));
    REQUIRE_FALSE(r1.has_value());
    CHECK(r1.error().code() == ding::errc::invalid_argument);
    CHECK(r1.error().message().find("phone_number") != std::string::npos);

    auto r2 = f.run(client.otp().check_async(check_request("not-a-uuid")));
    REQUIRE_FALSE(r2.has_value());
    CHECK(r2.error().code() == ding::errc::invalid_argument);
    CHECK(r2.error().message().find("authentication_uuid") != std::string::npos);

    auto r3 = f.run(client.otp().get_authentication_status_async("../../admin"));
    REQUIRE_FALSE(r3.has_value());
    CHECK(r3.error().code() == ding::errc::invalid_argument);

    auto r4 = f.run(client.lookup().lookup_async(customer, "+33 6 12"));
    REQUIRE_FALSE(r4.has_value());
    CHECK(r4.error().code() == ding::errc::invalid_argument);

    auto r5 = f.run(client.otp().check_async(ding::create_check_request{customer, auth_uuid, ""}));
    REQUIRE_FALSE(r5.has_value());
    CHECK(r5.error().code() == ding::errc::invalid_argument);
    CHECK(r5.error().message().find("check_code") != std::string::npos);

    CHECK(f.server->request_count() == 0);
    CHECK(f.server->connections_accepted() == 0);
    CHECK(client.stats().requests_sent == 0);
}

TEST_CASE("integration: client_options errors are invalid_argument before any I/O") {
    fixture f;
    SECTION("bad base_url") {
        auto o = f.options();
        o.base_url = "ftp://127.0.0.1/v1";
        auto& client = f.make_client(o);
        REQUIRE(client.configuration_error() != nullptr);
        CHECK(client.configuration_error()->code() == ding::errc::invalid_argument);
        auto r = f.run(client.otp().check_async(check_request()));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code() == ding::errc::invalid_argument);
        CHECK(r.error().message().find("base_url") != std::string::npos);
    }
    SECTION("empty api key") {
        auto o = f.options();
        o.api_key.clear();
        auto& client = f.make_client(o);
        REQUIRE(client.configuration_error() != nullptr);
        auto r = f.run(client.otp().check_async(check_request()));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code() == ding::errc::invalid_argument);
    }
    SECTION("api key with a control character") {
        auto o = f.options();
        o.api_key = std::string(secret_api_key) + "\r\nX-Evil: 1";
        auto& client = f.make_client(o);
        auto r = f.run(client.otp().check_async(check_request()));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code() == ding::errc::invalid_argument);
        CHECK(r.error().to_string().find(secret_api_key) == std::string::npos);
    }
    SECTION("max_connections 0") {
        auto o = f.options();
        o.max_connections = 0;
        auto& client = f.make_client(o);
        auto r = f.run(client.otp().check_async(check_request()));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code() == ding::errc::invalid_argument);
        CHECK(r.error().message().find("max_connections") != std::string::npos);
    }
    CHECK(f.server->request_count() == 0);
    CHECK(f.server->connections_accepted() == 0);
}

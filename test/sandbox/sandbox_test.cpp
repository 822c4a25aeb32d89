// Wire-level tests of ding::sandbox with a raw Beast client (no SDK).
#include <catch2/catch.hpp>

#include "raw_client.hpp"

#include <ding/sandbox.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <regex>
#include <string>
#include <thread>

namespace json = boost::json;
using http = boost::beast::http::verb;
using namespace std::chrono_literals;

namespace {

const std::string customer = "cf2edc1c-7fc6-48fb-86da-b7508c6b7b71";

struct fixture {
    ding::sandbox sb;
    explicit fixture(ding::sandbox_options o = make_options()) : sb(std::move(o)) {}

    static ding::sandbox_options make_options() {
        ding::sandbox_options o;
        o.seed = 42;
        return o;
    }
    std::map<std::string, std::string> key() const { return {{"x-api-key", sb.api_key()}}; }

    raw::result post(const std::string& path, const std::string& body) {
        return raw::once(sb.port(), sb.ca_pem(), http::post, "/v1" + path, body, key());
    }
    raw::result post(const std::string& path, const json::object& body) { return post(path, json::serialize(body)); }
    raw::result get(const std::string& path, std::map<std::string, std::string> headers = {}) {
        headers["x-api-key"] = sb.api_key();
        return raw::once(sb.port(), sb.ca_pem(), http::get, "/v1" + path, {}, headers);
    }
    raw::result lookup(const std::string& phone_and_query) {
        return get("/lookup/" + phone_and_query, {{"customer-uuid", customer}});
    }
    std::string create(const std::string& phone = "+14155552671") {
        auto r = post("/authentication", json::object{{"customer_uuid", customer}, {"phone_number", phone}});
        REQUIRE(r.status == 200);
        return std::string(r.json().at("authentication_uuid").as_string());
    }
    std::string check_status(const std::string& uuid, const std::string& code) {
        auto r = post("/check", json::object{{"customer_uuid", customer}, {"authentication_uuid", uuid}, {"check_code", code}});
        REQUIRE(r.status == 200);
        CHECK(r.json().at("authentication_uuid").as_string() == uuid);
        return std::string(r.json().at("status").as_string());
    }
    json::object retry(const std::string& uuid) {
        auto r = post("/retry", json::object{{"customer_uuid", customer}, {"authentication_uuid", uuid}});
        REQUIRE(r.status == 200);
        return r.json().as_object();
    }
};

bool is_rfc3339(const json::value& v) {
    static const std::regex re(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$)");
    return v.is_string() && std::regex_match(std::string(v.as_string()), re);
}

bool is_uuid(const json::value& v) {
    static const std::regex re(R"(^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)");
    return v.is_string() && std::regex_match(std::string(v.as_string()), re);
}

void require_error(const raw::result& r, const std::string& code) {
    INFO(r.body);
    REQUIRE(r.status == 400);
    CHECK(r.header("content-type") == "application/json");
    auto v = r.json();
    REQUIRE(v.is_object());
    CHECK(v.at("code").as_string() == code);
    CHECK(v.at("message").is_string());
    CHECK(v.at("doc_url").as_string() == "https://docs.prelude.so/api-reference/errors#" + code);
}

}  // namespace

TEST_CASE("sandbox: every route answers with the contract's success shape", "[sandbox]") {
    fixture f;
    CHECK(f.sb.base_url() == "https://127.0.0.1:" + std::to_string(f.sb.port()) + "/v1");
    CHECK(f.sb.api_key() == "sandbox-api-key");
    CHECK(f.sb.ca_pem().find("BEGIN CERTIFICATE") != std::string::npos);

    auto c = f.post("/authentication", json::object{{"customer_uuid", customer},
                                                    {"phone_number", "+33612345678"},
                                                    {"ip", "203.0.113.42"},
                                                    {"device_type", "ANDROID"},
                                                    {"is_returning_user", false},
                                                    {"sender_id", "Acme"},
                                                    {"template_id", "signup-default"},
                                                    {"correlation_id", "signup-7f3a9c21"}});
    REQUIRE(c.status == 200);
    CHECK(c.header("content-type") == "application/json");
    auto created = c.json().as_object();
    CHECK(is_uuid(created.at("authentication_uuid")));
    CHECK(created.at("status").as_string() == "pending");
    CHECK(is_rfc3339(created.at("created_at")));
    CHECK(is_rfc3339(created.at("expires_at")));
    const std::string uuid(created.at("authentication_uuid").as_string());
    auto code = f.sb.code_for(uuid);
    REQUIRE(code);
    CHECK(code->size() == 6);

    f.sb.advance_clock(31s);
    auto rt = f.retry(uuid);
    CHECK(rt.at("status").as_string() == "approved");
    CHECK(is_rfc3339(rt.at("created_at")));
    CHECK(is_rfc3339(rt.at("next_retry_at")));
    CHECK(rt.at("remaining_retry").as_int64() == 2);
    auto code2 = f.sb.code_for(uuid);
    REQUIRE(code2);

    CHECK(f.check_status(uuid, *code2) == "valid");

    auto fb = f.post("/authentication/feedback",
                     json::object{{"customer_uuid", customer}, {"phone_number", "+33612345678"}, {"status", "onboarded"}});
    REQUIRE(fb.status == 200);
    CHECK(is_uuid(fb.json().at("uuid")));

    auto st = f.get("/authentication/" + uuid);
    REQUIRE(st.status == 200);
    auto s = st.json().as_object();
    CHECK(s.at("uuid").as_string() == uuid);
    CHECK(s.at("phone_number").as_string() == "+33612345678");
    CHECK(s.at("template_id").as_string() == "signup-default");
    CHECK(s.at("correlation_id").as_string() == "signup-7f3a9c21");
    CHECK(is_rfc3339(s.at("created_at")));
    CHECK(s.at("signals").at("ip").as_string() == "203.0.113.42");
    CHECK(s.at("signals").at("device_type").as_string() == "ANDROID");
    CHECK(s.at("signals").at("is_returning_user").as_bool() == false);
    CHECK(s.at("events").as_array().size() == 7);

    auto lk = f.lookup("%2B14155552671");
    REQUIRE(lk.status == 200);
    auto l = lk.json().as_object();
    CHECK(l.at("phone_number").as_string() == "+14155552671");
    CHECK(l.at("country_code").as_string() == "US");
    CHECK(l.at("mcc").as_string() == "310");
    CHECK(l.at("mnc").is_string());
    CHECK(l.at("carrier").is_string());
    CHECK(l.at("number_ported").is_bool());
    CHECK(l.at("temporary_phone_number").is_bool());
    CHECK(l.at("line_type").is_string());
    CHECK_FALSE(l.contains("caller_name"));
}

TEST_CASE("sandbox: x-api-key missing or wrong is 401, unknown path 404, wrong method 405", "[sandbox]") {
    fixture f;
    const std::string body = R"({"customer_uuid":"x","phone_number":"+14155552671"})";
    auto none = raw::once(f.sb.port(), f.sb.ca_pem(), http::post, "/v1/authentication", body);
    CHECK(none.status == 401);
    CHECK(none.json().at("message").as_string() == "unauthorized");
    auto wrong = raw::once(f.sb.port(), f.sb.ca_pem(), http::post, "/v1/authentication", body, {{"x-api-key", "nope"}});
    CHECK(wrong.status == 401);
    CHECK(f.post("/nowhere", body).status == 404);
    CHECK(f.get("/check").status == 405);
    CHECK(f.get("/check").header("allow") == "POST");
    CHECK(f.post("/lookup/%2B14155552671", body).status == 405);
    CHECK(f.sb.stats().requests_total == 6);
}

TEST_CASE("sandbox: malformed requests are 400 bad_request", "[sandbox]") {
    fixture f;
    require_error(f.post("/authentication", "{not json"), "bad_request");
    require_error(f.post("/authentication", "[]"), "bad_request");
    require_error(f.post("/authentication", ""), "bad_request");
    require_error(f.post("/authentication", json::object{{"customer_uuid", customer}}), "bad_request");
    require_error(f.post("/authentication",
                         json::object{{"customer_uuid", customer}, {"phone_number", "+14155552671"}, {"phonenumber", "x"}}),
                  "bad_request");
    require_error(f.post("/authentication", json::object{{"customer_uuid", customer}, {"phone_number", 14155552671}}),
                  "bad_request");
    require_error(f.post("/authentication", json::object{{"customer_uuid", customer},
                                                         {"phone_number", "+14155552671"},
                                                         {"is_returning_user", "yes"}}),
                  "bad_request");
    require_error(f.post("/authentication", json::object{{"customer_uuid", customer},
                                                         {"phone_number", "+14155552671"},
                                                         {"device_type", "BLACKBERRY"}}),
                  "bad_request");
    require_error(f.post("/check", json::object{{"customer_uuid", customer}, {"authentication_uuid", "x"}}), "bad_request");
    require_error(f.post("/retry", json::object{{"customer_uuid", customer}, {"authentication_uuid", 5}}), "bad_request");
    require_error(f.post("/authentication/feedback", json::object{{"customer_uuid", customer}, {"phone_number", "+1"}}),
                  "bad_request");
    require_error(f.get("/lookup/%2B14155552671"), "bad_request");  // no customer-uuid header
    require_error(f.lookup("%2B14155552671?type=everything"), "bad_request");
}

TEST_CASE("sandbox: invalid_phone_number and invalid_auth_uuid", "[sandbox]") {
    fixture f;
    for (const char* bad : {"+1555", "14155552671", "+0123456789", "+1415555267a", "+1234567890123456", ""})
        require_error(f.post("/authentication", json::object{{"customer_uuid", customer}, {"phone_number", bad}}),
                      "invalid_phone_number");
    require_error(f.lookup("1555"), "invalid_phone_number");
    require_error(f.lookup("%2B1555"), "invalid_phone_number");
    require_error(f.post("/check", json::object{{"customer_uuid", customer},
                                                {"authentication_uuid", "e0e7b0e9-739d-424b-922f-1c2cb48ab077"},
                                                {"check_code", "123456"}}),
                  "invalid_auth_uuid");
    require_error(f.post("/check", json::object{{"customer_uuid", customer},
                                                {"authentication_uuid", "not-a-uuid"},
                                                {"check_code", "123456"}}),
                  "invalid_auth_uuid");
    require_error(f.post("/retry", json::object{{"customer_uuid", customer},
                                                {"authentication_uuid", "e0e7b0e9-739d-424b-922f-1c2cb48ab077"}}),
                  "invalid_auth_uuid");
    require_error(f.get("/authentication/e0e7b0e9-739d-424b-922f-1c2cb48ab077"), "invalid_auth_uuid");
    require_error(f.get("/authentication/garbage"), "invalid_auth_uuid");
}

TEST_CASE("sandbox: check state machine", "[sandbox]") {
    fixture f;
    SECTION("valid once, then already_validated") {
        auto uuid = f.create();
        auto code = f.sb.code_for(uuid);
        REQUIRE(code);
        CHECK(f.check_status(uuid, "000000x") == "invalid");
        CHECK(f.check_status(uuid, *code) == "valid");
        CHECK(f.check_status(uuid, *code) == "already_validated");
    }
    SECTION("rate_limited after max_check_attempts wrong codes, even with the right one") {
        auto uuid = f.create();
        auto code = f.sb.code_for(uuid);
        for (int i = 0; i < 5; ++i) CHECK(f.check_status(uuid, "wrong") == "invalid");
        CHECK(f.check_status(uuid, *code) == "rate_limited");
    }
    SECTION("expired_auth after the expiry") {
        auto uuid = f.create();
        auto code = f.sb.code_for(uuid);
        f.sb.advance_clock(std::chrono::minutes(10));
        CHECK(f.check_status(uuid, *code) == "expired_auth");
    }
}

TEST_CASE("sandbox: retry approved, denied, rate_limited, already_validated, expired_auth", "[sandbox]") {
    fixture f;
    auto uuid = f.create();
    auto first = f.sb.code_for(uuid);
    auto denied = f.retry(uuid);
    CHECK(denied.at("status").as_string() == "denied");
    CHECK(denied.at("remaining_retry").as_int64() == 3);
    CHECK(is_rfc3339(denied.at("next_retry_at")));
    for (int expected = 2; expected >= 0; --expected) {
        f.sb.advance_clock(30s);
        auto r = f.retry(uuid);
        CHECK(r.at("status").as_string() == "approved");
        CHECK(r.at("remaining_retry").as_int64() == expected);
        CHECK(f.retry(uuid).at("status").as_string() == (expected == 0 ? "rate_limited" : "denied"));
    }
    auto latest = f.sb.code_for(uuid);
    REQUIRE(latest);
    f.sb.advance_clock(30s);
    CHECK(f.retry(uuid).at("status").as_string() == "rate_limited");
    f.sb.advance_clock(10min);
    CHECK(f.retry(uuid).at("status").as_string() == "expired_auth");

    auto other = f.create("+14155550100");
    CHECK(f.check_status(other, *f.sb.code_for(other)) == "valid");
    CHECK(f.retry(other).at("status").as_string() == "already_validated");
    (void)first;
}

TEST_CASE("sandbox: retry sends a new code, the old one no longer matches", "[sandbox]") {
    fixture f;
    auto uuid = f.create();
    auto first = *f.sb.code_for(uuid);
    f.sb.advance_clock(30s);
    REQUIRE(f.retry(uuid).at("status").as_string() == "approved");
    auto second = *f.sb.code_for(uuid);
    if (first != second) CHECK(f.check_status(uuid, first) == "invalid");
    CHECK(f.check_status(uuid, second) == "valid");
}

TEST_CASE("sandbox: rate_limited per number and spam_detected", "[sandbox]") {
    fixture f;
    auto create = [&](const std::string& phone) {
        auto r = f.post("/authentication", json::object{{"customer_uuid", customer}, {"phone_number", phone}});
        REQUIRE(r.status == 200);
        return r.json().as_object();
    };
    for (int i = 0; i < 5; ++i) CHECK(create("+447700900123").at("status").as_string() == "pending");
    auto limited = create("+447700900123");
    CHECK(limited.at("status").as_string() == "rate_limited");
    CHECK(is_uuid(limited.at("authentication_uuid")));
    CHECK(is_rfc3339(limited.at("expires_at")));
    CHECK_FALSE(f.sb.code_for(std::string(limited.at("authentication_uuid").as_string())));
    CHECK(create("+447700900124").at("status").as_string() == "pending");
    f.sb.advance_clock(1h);
    CHECK(create("+447700900123").at("status").as_string() == "pending");

    auto spam = create("+15005550009");
    CHECK(spam.at("status").as_string() == "spam_detected");
    CHECK_FALSE(f.sb.code_for(std::string(spam.at("authentication_uuid").as_string())));
}

TEST_CASE("sandbox: feedback", "[sandbox]") {
    fixture f;
    auto fb = [&](const std::string& phone, const std::string& status) {
        return f.post("/authentication/feedback",
                      json::object{{"customer_uuid", customer}, {"phone_number", phone}, {"status", status}});
    };
    require_error(fb("+14155552671", "onboarded"), "no_associated_auth_found");
    f.create("+14155552671");
    auto ok = fb("+14155552671", "onboarded");
    REQUIRE(ok.status == 200);
    CHECK(is_uuid(ok.json().at("uuid")));
    require_error(fb("+14155552671", "onboarded"), "duplicated_feedback_status");
    CHECK(fb("+14155552671", "not_onboarded").status == 200);
    require_error(fb("+14155552671", "happy"), "invalid_feedback_status");
    require_error(fb("+1555", "onboarded"), "invalid_phone_number");
}

TEST_CASE("sandbox: status lists the events in order", "[sandbox]") {
    fixture f;
    auto uuid = f.create("+4915112345678");
    auto code1 = *f.sb.code_for(uuid);
    f.sb.advance_clock(30s);
    REQUIRE(f.retry(uuid).at("status").as_string() == "approved");
    auto code2 = *f.sb.code_for(uuid);
    std::string wrong = code2 == "000000" ? "111111" : "000000";
    REQUIRE(f.check_status(uuid, wrong) == "invalid");
    REQUIRE(f.check_status(uuid, code2) == "valid");

    auto st = f.get("/authentication/" + uuid);
    REQUIRE(st.status == 200);
    auto events = st.json().at("events").as_array();
    REQUIRE(events.size() == 8);
    const char* types[] = {"attempt", "delivery_status", "balance_update", "attempt", "delivery_status", "balance_update",
                           "check", "check"};
    for (std::size_t i = 0; i < 8; ++i) {
        CHECK(events[i].at("type").as_string() == types[i]);
        CHECK(is_rfc3339(events[i].at("created_at")));
    }
    CHECK(events[0].at("attempt_number").as_int64() == 1);
    CHECK(events[0].at("capability").as_string() == "text");
    CHECK(events[0].at("content").as_string() == "Your code is " + code1);
    CHECK(events[0].at("status").as_string() == "delivered");
    CHECK(events[0].at("sender_id").is_string());
    CHECK(events[1].at("attempt_id") == events[0].at("id"));
    CHECK(events[1].at("attempt_number").as_int64() == 1);
    CHECK(events[1].at("status").as_string() == "delivered");
    CHECK(events[2].at("balance_update_type").as_string() == "attempt_success");
    CHECK(events[2].at("amount").as_double() == Approx(0.03));
    CHECK(events[3].at("attempt_number").as_int64() == 2);
    CHECK(events[3].at("content").as_string() == "Your code is " + code2);
    CHECK(events[6].at("code").as_string() == wrong);
    CHECK(events[6].at("status").as_string() == "invalid");
    CHECK(events[7].at("code").as_string() == code2);
    CHECK(events[7].at("status").as_string() == "valid");
}

TEST_CASE("sandbox: lookup is deterministic, honours type=cnam and the calling code", "[sandbox]") {
    fixture f;
    auto a = f.lookup("%2B14155552671");
    auto b = f.lookup("+14155552671");
    REQUIRE(a.status == 200);
    REQUIRE(b.status == 200);
    CHECK(a.body == b.body);
    fixture other;
    CHECK(other.lookup("%2B14155552671").body == a.body);

    auto cnam = f.lookup("%2B14155552671?type=cnam");
    REQUIRE(cnam.status == 200);
    CHECK(cnam.json().at("caller_name").is_string());
    CHECK(f.lookup("%2B14155552671?type=cnam&type=cnam").json().at("caller_name") == cnam.json().at("caller_name"));

    CHECK(f.lookup("%2B33612345678").json().at("country_code").as_string() == "FR");
    CHECK(f.lookup("%2B33612345678").json().at("mcc").as_string() == "208");
    CHECK(f.lookup("%2B447700900123").json().at("country_code").as_string() == "GB");
    CHECK(f.lookup("%2B4915112345678").json().at("country_code").as_string() == "DE");
    auto derived = f.lookup("%2B2348012345678");
    REQUIRE(derived.status == 200);
    CHECK(derived.json().at("country_code").as_string().size() == 2);
    CHECK(f.sb.requests_for("/v1/lookup/{phone_number}") == 9);
}

TEST_CASE("sandbox: the same seed gives the same uuids and codes", "[sandbox]") {
    fixture a, b;
    auto ua = a.create();
    auto ub = b.create();
    CHECK(ua == ub);
    CHECK(a.sb.code_for(ua) == b.sb.code_for(ub));
    ding::sandbox_options o;
    o.code_length = 8;
    fixture c(o);
    CHECK(c.sb.code_for(c.create())->size() == 8);
}

TEST_CASE("sandbox: status faults with Retry-After, faulted requests change nothing", "[sandbox][faults]") {
    fixture f;
    auto uuid = f.create();
    auto code = *f.sb.code_for(uuid);
    const std::string body = json::serialize(json::object{{"customer_uuid", customer}, {"authentication_uuid", uuid}, {"check_code", code}});

    ding::sandbox_fault fault;
    fault.kind = ding::sandbox_fault_kind::status_429;
    fault.retry_after = 7s;
    fault.path = "/v1/check";
    f.sb.inject(fault);
    f.sb.inject({ding::sandbox_fault_kind::status_500, 1, "/v1/check"});
    f.sb.inject({ding::sandbox_fault_kind::status_502, 1, "/v1/check"});
    ding::sandbox_fault f503{ding::sandbox_fault_kind::status_503, 1, "/v1/check"};
    f503.retry_after = 2s;
    f.sb.inject(f503);
    f.sb.inject({ding::sandbox_fault_kind::status_504, 1, "/v1/check"});
    CHECK(f.sb.pending_faults() == 5);

    // A fault for another path is not consumed by lookups.
    CHECK(f.lookup("%2B14155552671").status == 200);

    auto r429 = f.post("/check", body);
    CHECK(r429.status == 429);
    CHECK(r429.header("retry-after") == "7");
    auto r500 = f.post("/check", body);
    CHECK(r500.status == 500);
    auto r502 = f.post("/check", body);
    CHECK(r502.status == 502);
    CHECK(r502.header("content-type") == "text/html");
    auto r503 = f.post("/check", body);
    CHECK(r503.status == 503);
    CHECK(r503.header("retry-after") == "2");
    auto r504 = f.post("/check", body);
    CHECK(r504.status == 504);
    CHECK(r504.body.empty());
    CHECK(f.sb.pending_faults() == 0);
    CHECK(f.check_status(uuid, code) == "valid");  // none of the faulted checks counted
    CHECK(f.sb.requests_for("/v1/check") == 6);

    f.sb.inject({ding::sandbox_fault_kind::status_500, 2});
    CHECK(f.post("/authentication", json::object{{"customer_uuid", customer}, {"phone_number", "+14155550111"}}).status == 500);
    CHECK(f.lookup("%2B14155552671").status == 500);
    CHECK(f.lookup("%2B14155552671").status == 200);
    require_error(f.post("/authentication/feedback",
                         json::object{{"customer_uuid", customer}, {"phone_number", "+14155550111"}, {"status", "onboarded"}}),
                  "no_associated_auth_found");  // the faulted create created nothing

    f.sb.inject({ding::sandbox_fault_kind::status_500, 3});
    f.sb.clear_faults();
    CHECK(f.sb.pending_faults() == 0);
    CHECK(f.lookup("%2B14155552671").status == 200);
}

TEST_CASE("sandbox: delay fault delays and then answers normally", "[sandbox][faults]") {
    fixture f;
    ding::sandbox_fault d{ding::sandbox_fault_kind::delay, 1, "/v1/authentication"};
    d.delay = 300ms;
    f.sb.inject(d);
    auto t0 = std::chrono::steady_clock::now();
    auto r = f.post("/authentication", json::object{{"customer_uuid", customer}, {"phone_number", "+14155552671"}});
    auto elapsed = std::chrono::steady_clock::now() - t0;
    CHECK(r.status == 200);
    CHECK(elapsed >= 300ms);
    CHECK(f.sb.code_for(std::string(r.json().at("authentication_uuid").as_string())));
}

TEST_CASE("sandbox: connection faults close the connection", "[sandbox][faults]") {
    fixture f;
    const std::string path = "/v1/lookup/%2B14155552671";
    std::map<std::string, std::string> headers{{"x-api-key", f.sb.api_key()}, {"customer-uuid", customer}};

    SECTION("close_before_response") {
        f.sb.inject({ding::sandbox_fault_kind::close_before_response});
        raw::connection c(f.sb.port(), f.sb.ca_pem());
        REQUIRE_FALSE(c.connect());
        auto r = c.request(http::get, path, {}, headers);
        CHECK(r.ec);
        CHECK(r.ec != boost::asio::error::timed_out);
        CHECK(r.status == 0);
    }
    SECTION("close_after_headers") {
        f.sb.inject({ding::sandbox_fault_kind::close_after_headers});
        raw::connection c(f.sb.port(), f.sb.ca_pem());
        REQUIRE_FALSE(c.connect());
        REQUIRE_FALSE(c.request(http::get, path, {}, headers, false).ec);
        std::string wire = c.raw_read_all();
        INFO(wire);
        CHECK(wire.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
        auto end = wire.find("\r\n\r\n");
        REQUIRE(end != std::string::npos);
        CHECK(end + 4 == wire.size());
        CHECK(wire.find("Content-Length: ") != std::string::npos);
    }
    SECTION("close_mid_body") {
        f.sb.inject({ding::sandbox_fault_kind::close_mid_body});
        raw::connection c(f.sb.port(), f.sb.ca_pem());
        REQUIRE_FALSE(c.connect());
        REQUIRE_FALSE(c.request(http::get, path, {}, headers, false).ec);
        std::string wire = c.raw_read_all();
        INFO(wire);
        auto cl = wire.find("Content-Length: ");
        REQUIRE(cl != std::string::npos);
        const std::size_t length = std::stoul(wire.substr(cl + 16));
        auto end = wire.find("\r\n\r\n");
        REQUIRE(end != std::string::npos);
        const std::size_t got = wire.size() - end - 4;
        CHECK(got > 0);
        CHECK(got < length);
        CHECK(got == length / 2);
    }
    SECTION("stall never answers, and the request was seen") {
        f.sb.inject({ding::sandbox_fault_kind::stall});
        raw::connection c(f.sb.port(), f.sb.ca_pem(), 300ms);
        REQUIRE_FALSE(c.connect());
        auto r = c.request(http::get, path, {}, headers);
        CHECK(r.ec == boost::beast::error::timeout);
        CHECK(f.sb.requests_for(path) == 1);
        CHECK(f.sb.requests_for("/v1/lookup/{phone_number}") == 1);
    }
}

TEST_CASE("sandbox: body faults (malformed_json, wrong_types, huge_body)", "[sandbox][faults]") {
    fixture f;
    f.sb.inject({ding::sandbox_fault_kind::malformed_json});
    auto bad = f.lookup("%2B14155552671");
    CHECK(bad.status == 200);
    CHECK(bad.header("content-type") == "application/json");
    boost::system::error_code ec;
    (void)json::parse(bad.body, ec);
    CHECK(ec);

    f.sb.inject({ding::sandbox_fault_kind::wrong_types, 1, "/v1/authentication"});
    auto wrong = f.post("/authentication", json::object{{"customer_uuid", customer}, {"phone_number", "+14155552671"}});
    CHECK(wrong.status == 200);
    auto v = wrong.json();
    REQUIRE(v.is_object());
    CHECK(v.at("authentication_uuid").is_number());
    CHECK(v.at("status").is_number());

    ding::sandbox_fault huge{ding::sandbox_fault_kind::huge_body};
    huge.huge_body_bytes = 1 << 20;
    f.sb.inject(huge);
    auto big = f.lookup("%2B14155552671");
    CHECK(big.status == 200);
    CHECK(big.body.size() == (1u << 20));
    CHECK(big.header("content-length") == std::to_string(1 << 20));
    CHECK(f.sb.stats().requests_total == 3);
}

TEST_CASE("sandbox: idle keep-alive connections are closed after idle_timeout", "[sandbox]") {
    ding::sandbox_options o;
    o.idle_timeout = 200ms;
    fixture f(o);
    raw::connection c(f.sb.port(), f.sb.ca_pem());
    REQUIRE_FALSE(c.connect());
    auto r = c.request(http::get, "/v1/lookup/%2B14155552671", {}, {{"x-api-key", f.sb.api_key()}, {"customer-uuid", customer}});
    REQUIRE(r.status == 200);
    CHECK(r.keep_alive);
    auto t0 = std::chrono::steady_clock::now();
    auto ec = c.wait_closed(3s);
    CHECK(ec);
    CHECK(ec != boost::beast::error::timeout);
    CHECK(std::chrono::steady_clock::now() - t0 < 2s);
}

TEST_CASE("sandbox: max_requests_per_connection closes after N with Connection: close", "[sandbox]") {
    ding::sandbox_options o;
    o.max_requests_per_connection = 2;
    fixture f(o);
    raw::connection c(f.sb.port(), f.sb.ca_pem());
    REQUIRE_FALSE(c.connect());
    std::map<std::string, std::string> h{{"x-api-key", f.sb.api_key()}, {"customer-uuid", customer}};
    auto r1 = c.request(http::get, "/v1/lookup/%2B14155552671", {}, h);
    CHECK(r1.status == 200);
    CHECK(r1.keep_alive);
    auto r2 = c.request(http::get, "/v1/lookup/%2B14155552671", {}, h);
    CHECK(r2.status == 200);
    CHECK_FALSE(r2.keep_alive);
    CHECK(r2.header("connection") == "close");
    auto ec = c.wait_closed(2s);
    CHECK(ec);
    CHECK(ec != boost::beast::error::timeout);
    CHECK(f.sb.stats().connections_accepted == 1);
    CHECK(f.sb.stats().tls_handshakes == 1);
}

TEST_CASE("sandbox: stop() with a stalled request in flight closes it promptly", "[sandbox]") {
    fixture f;
    f.sb.inject({ding::sandbox_fault_kind::stall});
    raw::connection c(f.sb.port(), f.sb.ca_pem(), 5s);
    REQUIRE_FALSE(c.connect());
    REQUIRE_FALSE(c.request(http::get, "/v1/lookup/%2B14155552671", {},
                            {{"x-api-key", f.sb.api_key()}, {"customer-uuid", customer}}, false)
                      .ec);
    std::thread stopper([&] {
        std::this_thread::sleep_for(200ms);
        f.sb.stop();
    });
    auto t0 = std::chrono::steady_clock::now();
    auto ec = c.wait_closed(5s);
    stopper.join();
    CHECK(ec);
    CHECK(ec != boost::beast::error::timeout);
    CHECK(std::chrono::steady_clock::now() - t0 < 2s);
    CHECK(f.sb.stopped());
    f.sb.stop();  // idempotent
    raw::connection again(f.sb.port(), f.sb.ca_pem(), 1s);
    CHECK(again.connect());  // listener closed
}

TEST_CASE("sandbox: runs on the caller's executor, stop() lets run() return", "[sandbox]") {
    boost::asio::io_context ioc;
    ding::sandbox_options o;
    o.seed = 7;
    ding::sandbox sb(ioc.get_executor(), o);
    CHECK(sb.port() != 0);
    std::thread runner([&] { ioc.run_for(20s); });
    auto r = raw::once(sb.port(), sb.ca_pem(), http::get, "/v1/lookup/%2B14155552671",
                       {}, {{"x-api-key", sb.api_key()}, {"customer-uuid", customer}});
    CHECK(r.status == 200);
    // a keep-alive connection left open must not keep run() going after stop()
    raw::connection idle(sb.port(), sb.ca_pem());
    REQUIRE_FALSE(idle.connect());
    auto t0 = std::chrono::steady_clock::now();
    sb.stop();
    runner.join();
    CHECK(std::chrono::steady_clock::now() - t0 < 5s);
}

TEST_CASE("sandbox: plain HTTP mode", "[sandbox]") {
    ding::sandbox_options o;
    o.tls = false;
    o.api_key = "k";
    ding::sandbox sb(o);
    CHECK(sb.ca_pem().empty());
    CHECK(sb.base_url() == "http://127.0.0.1:" + std::to_string(sb.port()) + "/v1");
    auto r = raw::once(sb.port(), "", http::post, "/v1/authentication",
                       R"({"customer_uuid":"c","phone_number":"+14155552671"})", {{"x-api-key", "k"}});
    CHECK(r.status == 200);
    CHECK(sb.stats().tls_handshakes == 0);
}

TEST_CASE("sandbox: a body over 64 KiB is refused with 413", "[sandbox]") {
    fixture f;
    std::string big = R"({"customer_uuid":")" + std::string(70 * 1024, 'a') + R"(","phone_number":"+14155552671"})";
    auto r = f.post("/authentication", big);
    CHECK(r.status == 413);
}

// Wire-level tests of the sandbox's Verify v2 side (raw Beast client over TLS, no SDK), and of
// its webhooks (a loopback receiver in the test, signatures checked with EVP_DigestVerify).
#include <catch2/catch.hpp>

#include "raw_client.hpp"
#include "webhook_receiver.hpp"

#include <ding/sandbox.hpp>

#include <chrono>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>

namespace json = boost::json;
using http = boost::beast::http::verb;
using namespace std::chrono_literals;

namespace {

struct fixture {
    ding::sandbox sb;
    explicit fixture(ding::sandbox_options o = make_options()) : sb(std::move(o)) {}

    static ding::sandbox_options make_options() {
        ding::sandbox_options o;
        o.seed = 42;
        return o;
    }
    std::map<std::string, std::string> bearer() const { return {{"authorization", "Bearer " + sb.v2_api_key()}}; }

    raw::result post(const std::string& path, const std::string& body) {
        return raw::once(sb.port(), sb.ca_pem(), http::post, "/v2" + path, body, bearer());
    }
    raw::result post(const std::string& path, const json::object& body) { return post(path, json::serialize(body)); }
    raw::result get(const std::string& path) {
        return raw::once(sb.port(), sb.ca_pem(), http::get, "/v2" + path, {}, bearer());
    }
    json::object create(const json::object& body) {
        auto r = post("/verification", body);
        INFO(r.body);
        REQUIRE(r.status == 200);
        return r.json().as_object();
    }
    json::object create(const std::string& phone = "+33612345678") { return create(json::object{{"target", phone_target(phone)}}); }
    json::object check(const std::string& phone, const std::string& code) {
        auto r = post("/verification/check", json::object{{"target", phone_target(phone)}, {"code", code}});
        INFO(r.body);
        REQUIRE(r.status == 200);
        return r.json().as_object();
    }
    std::string check_status(const std::string& phone, const std::string& code) {
        return std::string(check(phone, code).at("status").as_string());
    }
    static json::object phone_target(const std::string& phone) {
        return json::object{{"type", "phone_number"}, {"value", phone}};
    }
};

bool matches(const json::value& v, const char* pattern) {
    return v.is_string() && std::regex_match(std::string(v.as_string()), std::regex(pattern));
}
bool is_vrf(const json::value& v) { return matches(v, "^vrf_[0-9a-z]{26}$"); }
bool is_uuid(const json::value& v) {
    return matches(v, "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
}
bool is_rfc3339(const json::value& v) { return matches(v, R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$)"); }

void require_error(const raw::result& r, unsigned status, const std::string& code, const std::string& param = {}) {
    INFO(r.body);
    REQUIRE(r.status == status);
    CHECK(r.header("content-type") == "application/json");
    auto v = r.json();
    REQUIRE(v.is_object());
    CHECK(v.at("code").as_string() == code);
    CHECK(v.at("message").is_string());
    if (!param.empty()) {
        REQUIRE(v.as_object().contains("param"));
        CHECK(v.at("param").as_string() == param);
    }
}

std::string other_code(const std::string& code) {
    std::string wrong = code;
    wrong[0] = wrong[0] == '0' ? '1' : '0';
    return wrong;
}

}  // namespace

TEST_CASE("sandbox v2: every route answers with the contract's success shape", "[sandbox][v2]") {
    fixture f;
    CHECK(f.sb.v2_base_url() == "https://127.0.0.1:" + std::to_string(f.sb.port()));
    CHECK(f.sb.v2_api_key() == "sandbox-v2-api-key");

    auto created = f.create(json::object{{"target", fixture::phone_target("+33612345678")},
                                         {"signals", json::object{{"ip", "203.0.113.42"},
                                                                  {"device_platform", "ios"},
                                                                  {"device_model", "iPhone17,2"},
                                                                  {"is_trusted_user", false}}},
                                         {"options", json::object{{"locale", "fr-FR"}, {"sender_id", "Acme"}}},
                                         {"metadata", json::object{{"correlation_id", "signup-7f3a9c21"}}},
                                         {"dispatch_id", "123e4567-e89b-12d3-a456-426614174000"}});
    CHECK(is_vrf(created.at("id")));
    CHECK(created.at("status").as_string() == "success");
    CHECK(created.at("method").as_string() == "message");
    CHECK(created.at("channels") == json::array{"sms"});
    CHECK(created.at("metadata").at("correlation_id").as_string() == "signup-7f3a9c21");
    CHECK(is_uuid(created.at("request_id")));
    CHECK_FALSE(created.contains("reason"));
    auto code = f.sb.code_for_target("+33612345678");
    REQUIRE(code);
    CHECK(code->size() == 6);

    auto checked = f.check("+33612345678", *code);
    CHECK(checked.at("status").as_string() == "success");
    CHECK(checked.at("id") == created.at("id"));
    CHECK(checked.at("metadata").at("correlation_id").as_string() == "signup-7f3a9c21");
    CHECK(is_uuid(checked.at("request_id")));

    auto lk = f.get("/lookup/+14155552671");
    REQUIRE(lk.status == 200);
    auto l = lk.json().as_object();
    CHECK(l.at("phone_number").as_string() == "+14155552671");
    CHECK(l.at("country_code").as_string() == "US");
    CHECK(matches(l.at("line_type"), "^(mobile|fixed_line|voip)$"));
    CHECK(l.at("network_info").at("mcc").as_string() == "310");
    CHECK(l.at("network_info").at("mnc").is_string());
    CHECK(l.at("network_info").at("carrier_name").is_string());
    CHECK(l.at("flags").is_array());
    CHECK_FALSE(l.contains("caller_name"));

    auto pr = f.post("/watch/predict", json::object{{"target", fixture::phone_target("+33612345678")},
                                                    {"signals", json::object{{"ja4_fingerprint", "t13d"}}},
                                                    {"metadata", json::object{{"correlation_id", "c"}}}});
    REQUIRE(pr.status == 200);
    CHECK(matches(pr.json().at("id"), "^prd_[0-9a-z]{26}$"));
    CHECK(pr.json().at("prediction").as_string() == "legitimate");
    CHECK(is_uuid(pr.json().at("request_id")));

    auto ev = f.post("/watch/event", json::object{{"events", json::array{json::object{
                                                                 {"target", fixture::phone_target("+30123456789")},
                                                                 {"label", "account.banned"},
                                                                 {"confidence", "maximum"}}}}});
    REQUIRE(ev.status == 200);
    CHECK(ev.json().at("status").as_string() == "success");
    CHECK(is_uuid(ev.json().at("request_id")));

    auto fb = f.post("/watch/feedback",
                     json::object{{"feedbacks", json::array{json::object{{"target", fixture::phone_target("+33612345678")},
                                                                         {"type", "verification.started"},
                                                                         {"metadata", json::object{{"correlation_id", "c"}}}},
                                                            json::object{{"target", fixture::phone_target("+33612345678")},
                                                                         {"type", "verification.completed"}}}}});
    REQUIRE(fb.status == 200);
    CHECK(fb.json().at("status").as_string() == "success");
    CHECK(is_uuid(fb.json().at("request_id")));
    CHECK(f.sb.requests_for("/v2/verification") == 1);
    CHECK(f.sb.requests_for("/v2/lookup/{phone_number}") == 1);
}

TEST_CASE("sandbox v2: Bearer required, v1 and v2 credentials do not cross, 404 and 405", "[sandbox][v2]") {
    fixture f;
    const std::string body = R"({"target":{"type":"phone_number","value":"+33612345678"}})";
    auto port = f.sb.port();
    const auto& ca = f.sb.ca_pem();
    require_error(raw::once(port, ca, http::post, "/v2/verification", body), 401, "missing_api_token");
    require_error(raw::once(port, ca, http::post, "/v2/verification", body, {{"authorization", "Basic abc"}}), 401,
                  "invalid_bearer_token");
    require_error(raw::once(port, ca, http::post, "/v2/verification", body, {{"authorization", "Bearer nope"}}), 401,
                  "invalid_api_key");
    require_error(raw::once(port, ca, http::post, "/v2/verification", body, {{"x-api-key", f.sb.api_key()}}), 401,
                  "missing_api_token");
    require_error(raw::once(port, ca, http::get, "/v2/lookup/+14155552671", {}, {{"authorization", "Bearer"}}), 401,
                  "invalid_bearer_token");
    // the scheme name is case-insensitive
    CHECK(raw::once(port, ca, http::get, "/v2/lookup/+14155552671", {}, {{"authorization", "bearer " + f.sb.v2_api_key()}})
              .status == 200);
    // the v2 key does not open v1
    CHECK(raw::once(port, ca, http::post, "/v1/authentication", R"({"customer_uuid":"c","phone_number":"+14155552671"})",
                    {{"authorization", "Bearer " + f.sb.v2_api_key()}})
              .status == 401);
    CHECK_FALSE(f.sb.code_for_target("+33612345678"));

    require_error(f.post("/nowhere", body), 404, "not_found");
    auto wrong_method = f.get("/verification");
    require_error(wrong_method, 405, "method_not_allowed");
    CHECK(wrong_method.header("allow") == "POST");
    CHECK(raw::once(port, ca, http::post, "/v2/lookup/+14155552671", body, f.bearer()).header("allow") == "GET");
}

TEST_CASE("sandbox v2: invalid input is a 400 with the contract's error body", "[sandbox][v2]") {
    fixture f;
    const auto t = fixture::phone_target("+33612345678");
    require_error(f.post("/verification", "{not json"), 400, "invalid_request");
    require_error(f.post("/verification", "[]"), 400, "invalid_request");
    require_error(f.post("/verification", json::object{}), 400, "invalid_request", "target");
    require_error(f.post("/verification", json::object{{"target", t}, {"phone_number", "+33612345678"}}), 400,
                  "invalid_request", "phone_number");
    require_error(f.post("/verification", json::object{{"target", json::object{{"type", "phone_number"}}}}), 400,
                  "invalid_request", "target.value");
    require_error(f.post("/verification", json::object{{"target", json::object{{"type", "fax"}, {"value", "+1"}}}}), 400,
                  "invalid_request", "target.type");
    for (const char* bad : {"+1555", "33612345678", "+0612345678", "+3361234567a", "+1234567890123456"})
        require_error(f.post("/verification", json::object{{"target", fixture::phone_target(bad)}}), 400,
                      "invalid_phone_number", "target.value");
    require_error(f.post("/verification",
                         json::object{{"target", json::object{{"type", "email_address"}, {"value", "not-an-email"}}}}),
                  400, "invalid_email_address", "target.value");
    auto opts = [&](json::object o) { return f.post("/verification", json::object{{"target", t}, {"options", std::move(o)}}); };
    require_error(opts({{"code_size", 3}}), 400, "invalid_code_size", "options.code_size");
    require_error(opts({{"code_size", 9}}), 400, "invalid_code_size", "options.code_size");
    require_error(opts({{"code_size", "6"}}), 400, "invalid_request", "options.code_size");
    require_error(opts({{"code_size", 6}, {"custom_code", "123456"}}), 400, "custom_size_conflict");
    require_error(opts({{"custom_code", ""}}), 400, "invalid_custom_code", "options.custom_code");
    require_error(opts({{"channels", json::array{"sms"}}, {"preferred_channel", "whatsapp"}}), 400, "invalid_request");
    require_error(opts({{"channels", json::array{"pigeon"}}}), 400, "invalid_request", "options.channels[0]");
    require_error(opts({{"preferred_channel", "voice"}}), 400, "invalid_request", "options.preferred_channel");
    require_error(opts({{"method", "telepathy"}}), 400, "invalid_request", "options.method");
    require_error(opts({{"callback_url", "ftp://example.com/x"}}), 400, "invalid_callback_url", "options.callback_url");
    require_error(opts({{"callback_url", "http://"}}), 400, "invalid_callback_url", "options.callback_url");
    require_error(opts({{"callback_url", "http://127.0.0.1:99999/"}}), 400, "invalid_callback_url");
    require_error(opts({{"app_realm", json::object{{"platform", "ios"}, {"value", "x"}}}}), 400, "invalid_request",
                  "options.app_realm.platform");
    require_error(opts({{"variables", json::object{{"amount", 12}}}}), 400, "invalid_request", "options.variables.amount");
    require_error(opts({{"max_auto_fallbacks", -1}}), 400, "invalid_request", "options.max_auto_fallbacks");
    require_error(opts({{"force_challenge", "yes"}}), 400, "invalid_request", "options.force_challenge");
    require_error(f.post("/verification", json::object{{"target", t}, {"dispatch_id", "too-short"}}), 400,
                  "invalid_request", "dispatch_id");
    require_error(f.post("/verification", json::object{{"target", t}, {"signals", json::object{{"device_platform", "palm"}}}}),
                  400, "invalid_request", "signals.device_platform");
    require_error(f.post("/verification", json::object{{"target", t}, {"metadata", json::object{{"x", "y"}}}}), 400,
                  "invalid_request", "metadata.x");

    require_error(f.post("/verification/check", json::object{{"target", t}}), 400, "invalid_request", "code");
    require_error(f.post("/verification/check", json::object{{"target", t}, {"code", ""}}), 400, "invalid_request", "code");
    require_error(f.post("/verification/check",
                         json::object{{"target", t}, {"code", "1"}, {"psd2", json::object{{"amount", "1"}}}}),
                  400, "invalid_request", "psd2.currency");
    require_error(f.get("/lookup/1555"), 400, "invalid_phone_number", "phone_number");
    require_error(f.get("/lookup/%2B1555"), 400, "invalid_phone_number");
    require_error(f.get("/lookup/+14155552671?type=everything"), 400, "invalid_request", "type");
    require_error(f.get("/lookup/+14155552671?type=cnam,nope"), 400, "invalid_request", "type");

    require_error(f.post("/watch/predict", json::object{{"target", t}, {"extra", 1}}), 400, "invalid_request", "extra");
    json::array many;
    for (int i = 0; i < 101; ++i)
        many.push_back(json::object{{"target", t}, {"label", "x"}, {"confidence", "low"}});
    require_error(f.post("/watch/event", json::object{{"events", many}}), 400, "invalid_request", "events");
    require_error(f.post("/watch/event", json::object{{"events", json::array{json::object{
                                                                     {"target", t}, {"label", "x"}, {"confidence", "certain"}}}}}),
                  400, "invalid_request", "events[0].confidence");
    require_error(f.post("/watch/event",
                         json::object{{"events", json::array{json::object{
                                                     {"target", json::object{{"type", "email_address"}, {"value", "a@b.c"}}},
                                                     {"label", "x"},
                                                     {"confidence", "low"}}}}}),
                  400, "invalid_request", "events[0].target.type");
    require_error(f.post("/watch/feedback", json::object{{"feedbacks", json::array{json::object{{"target", t}, {"type", "onboarded"}}}}}),
                  400, "invalid_request", "feedbacks[0].type");
    require_error(f.post("/watch/feedback", json::object{}), 400, "invalid_request", "feedbacks");
    // nothing above opened a verification
    CHECK_FALSE(f.sb.code_for_target("+33612345678"));
}

TEST_CASE("sandbox v2: repeating create inside the window answers retry with the same id and a new code",
          "[sandbox][v2]") {
    fixture f;
    const std::string phone = "+33612345678";
    auto first = f.create(phone);
    REQUIRE(first.at("status").as_string() == "success");
    const auto code1 = *f.sb.code_for_target(phone);
    f.sb.advance_clock(1min);
    auto second = f.create(phone);
    CHECK(second.at("status").as_string() == "retry");
    CHECK(second.at("id") == first.at("id"));
    CHECK(second.at("method").as_string() == "message");
    const auto code2 = *f.sb.code_for_target(phone);
    if (code1 != code2) CHECK(f.check_status(phone, code1) == "failure");
    CHECK(f.check_status(phone, code2) == "success");
    // closed: the same code again, and a new create opens a new verification
    CHECK(f.check_status(phone, code2) == "expired_or_not_found");
    auto third = f.create(phone);
    CHECK(third.at("status").as_string() == "success");
    CHECK(third.at("id") != first.at("id"));
}

TEST_CASE("sandbox v2: after max_retries retries a repeat is blocked for repeated_attempts", "[sandbox][v2]") {
    fixture f;
    const std::string phone = "+447700900123";
    auto first = f.create(phone);
    for (int i = 0; i < 3; ++i) CHECK(f.create(phone).at("status").as_string() == "retry");
    const auto last_code = *f.sb.code_for_target(phone);
    auto blocked = f.create(phone);
    CHECK(blocked.at("status").as_string() == "blocked");
    CHECK(blocked.at("reason").as_string() == "repeated_attempts");
    CHECK(blocked.at("id") == first.at("id"));
    CHECK(f.sb.code_for_target(phone) == last_code);  // no new code
    CHECK(f.check_status(phone, last_code) == "success");
}

TEST_CASE("sandbox v2: check failure, attempt limit, expiry on the virtual clock", "[sandbox][v2]") {
    fixture f;
    const std::string phone = "+4915112345678";
    SECTION("failure counts, max_check_attempts wrong codes close the verification") {
        auto created = f.create(phone);
        const auto code = *f.sb.code_for_target(phone);
        for (int i = 0; i < 5; ++i) {
            auto r = f.check(phone, other_code(code));
            CHECK(r.at("status").as_string() == "failure");
            CHECK(r.at("id") == created.at("id"));
        }
        auto closed = f.check(phone, code);
        CHECK(closed.at("status").as_string() == "expired_or_not_found");
        CHECK_FALSE(closed.contains("id"));
        CHECK(f.create(phone).at("status").as_string() == "success");
    }
    SECTION("expired after `expiry`; retries do not extend the window") {
        f.create(phone);
        f.sb.advance_clock(9min);
        REQUIRE(f.create(phone).at("status").as_string() == "retry");
        const auto code = *f.sb.code_for_target(phone);
        f.sb.advance_clock(1min);
        CHECK(f.check_status(phone, code) == "expired_or_not_found");
        CHECK(f.create(phone).at("status").as_string() == "success");  // a new window, not a retry
    }
    SECTION("just inside the window") {
        f.create(phone);
        const auto code = *f.sb.code_for_target(phone);
        f.sb.advance_clock(9min + 59s);
        CHECK(f.check_status(phone, code) == "success");
    }
    SECTION("a target without a verification") {
        auto r = f.check("+14155550100", "123456");
        CHECK(r.at("status").as_string() == "expired_or_not_found");
        CHECK(is_uuid(r.at("request_id")));
    }
}

TEST_CASE("sandbox v2: spam, block list and per-number limit answer blocked", "[sandbox][v2]") {
    fixture f;
    auto spam = f.create("+15005550009");
    CHECK(spam.at("status").as_string() == "blocked");
    CHECK(spam.at("reason").as_string() == "suspicious");
    CHECK(spam.at("risk_factors") == json::array{"fraud_database"});
    CHECK(is_vrf(spam.at("id")));
    CHECK_FALSE(f.sb.code_for_target("+15005550009"));
    CHECK(f.check_status("+15005550009", "123456") == "expired_or_not_found");

    auto listed = f.create("+15005550010");
    CHECK(listed.at("status").as_string() == "blocked");
    CHECK(listed.at("reason").as_string() == "in_block_list");
    CHECK_FALSE(listed.contains("risk_factors"));
    CHECK_FALSE(f.sb.code_for_target("+15005550010"));

    const std::string phone = "+447700900124";
    for (int i = 0; i < 5; ++i) {
        REQUIRE(f.create(phone).at("status").as_string() == "success");
        REQUIRE(f.check_status(phone, *f.sb.code_for_target(phone)) == "success");
    }
    auto limited = f.create(phone);
    CHECK(limited.at("status").as_string() == "blocked");
    CHECK(limited.at("reason").as_string() == "repeated_attempts");
    f.sb.advance_clock(1h);
    CHECK(f.create(phone).at("status").as_string() == "success");
}

TEST_CASE("sandbox v2: options shape the verification", "[sandbox][v2]") {
    fixture f;
    auto with = [&](const std::string& phone, json::object options) {
        return f.create(json::object{{"target", fixture::phone_target(phone)}, {"options", std::move(options)}});
    };
    with("+33600000001", {{"custom_code", "424242"}});
    CHECK(f.sb.code_for_target("+33600000001") == "424242");
    CHECK(f.create("+33600000001").at("status").as_string() == "retry");
    CHECK(f.sb.code_for_target("+33600000001") == "424242");  // a custom code stays on retry

    with("+33600000002", {{"code_size", 4}});
    CHECK(f.sb.code_for_target("+33600000002")->size() == 4);
    CHECK(f.create("+33600000002").at("status").as_string() == "retry");
    CHECK(f.sb.code_for_target("+33600000002")->size() == 4);

    auto voice = with("+33600000003", {{"method", "voice"}});
    CHECK(voice.at("method").as_string() == "voice");
    CHECK(voice.at("channels") == json::array{"voice"});

    auto preferred = with("+33600000004", {{"preferred_channel", "whatsapp"}});
    CHECK(preferred.at("channels") == (json::array{"whatsapp", "sms"}));
    auto plan = with("+33600000005", {{"channels", json::array{"telegram", "viber"}}});
    CHECK(plan.at("channels") == (json::array{"telegram", "viber"}));
    auto retried = f.create(json::object{{"target", fixture::phone_target("+33600000005")},
                                         {"options", json::object{{"channels", json::array{"sms"}}}}});
    CHECK(retried.at("status").as_string() == "retry");
    CHECK(retried.at("channels") == (json::array{"telegram", "viber"}));  // fixed at creation

    auto challenged = with("+33600000006", {{"force_challenge", true}});
    CHECK(challenged.at("status").as_string() == "challenged");
    CHECK(challenged.at("channels") == json::array{"whatsapp"});
    CHECK(f.sb.code_for_target("+33600000006"));

    auto email = f.create(json::object{{"target", json::object{{"type", "email_address"}, {"value", "jane@example.com"}}}});
    CHECK(email.at("status").as_string() == "success");
    CHECK(email.at("method").as_string() == "email");
    CHECK_FALSE(email.contains("channels"));
    auto code = f.sb.code_for_target("jane@example.com");
    REQUIRE(code);
    auto r = f.post("/verification/check",
                    json::object{{"target", json::object{{"type", "email_address"}, {"value", "jane@example.com"}}}, {"code", *code}});
    CHECK(r.json().at("status").as_string() == "success");
}

TEST_CASE("sandbox v2: psd2 codes need the transaction values", "[sandbox][v2]") {
    fixture f;
    const std::string phone = "+33612345678";
    const json::object values{{"amount", "149.90"}, {"currency", "EUR"}, {"recipient", "Acme Store"}};
    f.create(json::object{{"target", fixture::phone_target(phone)},
                          {"options", json::object{{"template_id", "prelude:psd2"}, {"variables", values}}}});
    const auto code = *f.sb.code_for_target(phone);
    auto check = [&](std::optional<json::object> psd2) {
        json::object body{{"target", fixture::phone_target(phone)}, {"code", code}};
        if (psd2) body["psd2"] = *psd2;
        auto r = f.post("/verification/check", body);
        REQUIRE(r.status == 200);
        return std::string(r.json().at("status").as_string());
    };
    CHECK(check(std::nullopt) == "transaction_missing");
    CHECK(check(json::object{{"amount", "149.91"}, {"currency", "EUR"}, {"recipient", "Acme Store"}}) ==
          "transaction_mismatch");
    CHECK(check(values) == "success");
}

TEST_CASE("sandbox v2: lookup is deterministic and follows the v2 schema", "[sandbox][v2]") {
    fixture f;
    auto plus = f.get("/lookup/+14155552671");
    auto encoded = f.get("/lookup/%2B14155552671");
    REQUIRE(plus.status == 200);
    CHECK(plus.body == encoded.body);
    fixture other;
    CHECK(other.get("/lookup/+14155552671").body == plus.body);

    auto cnam = f.get("/lookup/+14155552671?type=cnam");
    REQUIRE(cnam.status == 200);
    CHECK(cnam.json().at("caller_name").is_string());
    CHECK(f.get("/lookup/+14155552671?type=cnam,cnam").json().at("caller_name") == cnam.json().at("caller_name"));
    CHECK(f.get("/lookup/+14155552671?type=cnam&type=cnam").json().at("caller_name") == cnam.json().at("caller_name"));
    CHECK(f.get("/lookup/+33612345678").json().at("country_code").as_string() == "FR");
    CHECK(f.get("/lookup/+447700900123").json().at("network_info").at("mcc").as_string() == "234");

    // Over many numbers: the flags and original_network_info agree, and both values occur.
    bool saw_ported = false, saw_plain = false;
    for (int i = 0; i < 40; ++i) {
        auto r = f.get("/lookup/+1415555" + std::to_string(1000 + i));
        REQUIRE(r.status == 200);
        auto o = r.json().as_object();
        bool ported = false;
        for (auto& flag : o.at("flags").as_array()) {
            CHECK(matches(flag, "^(ported|temporary)$"));
            ported = ported || flag.as_string() == "ported";
        }
        CHECK(o.contains("original_network_info") == ported);
        if (ported) CHECK(o.at("original_network_info").at("carrier_name") != o.at("network_info").at("carrier_name"));
        (ported ? saw_ported : saw_plain) = true;
    }
    CHECK(saw_ported);
    CHECK(saw_plain);
}

TEST_CASE("sandbox v2: predict flags listed numbers as suspicious", "[sandbox][v2]") {
    fixture f;
    auto predict = [&](const std::string& phone) {
        auto r = f.post("/watch/predict", json::object{{"target", fixture::phone_target(phone)}});
        REQUIRE(r.status == 200);
        return r.json().as_object();
    };
    auto spam = predict("+15005550009");
    CHECK(spam.at("prediction").as_string() == "suspicious");
    CHECK(spam.at("risk_factors") == json::array{"fraud_database"});
    CHECK(predict("+15005550010").at("prediction").as_string() == "suspicious");
    // the same answer every time for a number; temporary numbers (per lookup) are suspicious
    for (int i = 0; i < 30; ++i) {
        const std::string phone = "+1415555" + std::to_string(2000 + i);
        const bool temporary = [&] {
            const json::value info = f.get("/lookup/" + phone).json();
            for (auto& flag : info.at("flags").as_array())
                if (flag.as_string() == "temporary") return true;
            return false;
        }();
        auto p = predict(phone);
        CHECK(p.at("prediction").as_string() == (temporary ? "suspicious" : "legitimate"));
        CHECK(predict(phone).at("prediction") == p.at("prediction"));
    }
    auto email = f.post("/watch/predict",
                        json::object{{"target", json::object{{"type", "email_address"}, {"value", "jane@example.com"}}}});
    CHECK(email.json().at("prediction").as_string() == "legitimate");
}

TEST_CASE("sandbox v2: the same seed gives the same ids and codes", "[sandbox][v2]") {
    fixture a, b;
    auto ca = a.create();
    auto cb = b.create();
    CHECK(ca.at("id") == cb.at("id"));
    CHECK(ca.at("request_id") == cb.at("request_id"));
    CHECK(a.sb.code_for_target("+33612345678") == b.sb.code_for_target("+33612345678"));
}

TEST_CASE("sandbox v2: fault switches work on v2 paths and faulted requests change nothing", "[sandbox][v2][faults]") {
    fixture f;
    const std::string phone = "+33612345678";
    ding::sandbox_fault limited{ding::sandbox_fault_kind::status_429, 1, "/v2/verification"};
    limited.retry_after = 3s;
    f.sb.inject(limited);
    f.sb.inject({ding::sandbox_fault_kind::status_500, 1, "/v2/verification"});
    f.sb.inject({ding::sandbox_fault_kind::status_503, 1, "/v2/verification"});
    auto r429 = f.post("/verification", json::object{{"target", fixture::phone_target(phone)}});
    CHECK(r429.status == 429);
    CHECK(r429.header("retry-after") == "3");
    CHECK(f.post("/verification", json::object{{"target", fixture::phone_target(phone)}}).status == 500);
    CHECK(f.post("/verification", json::object{{"target", fixture::phone_target(phone)}}).status == 503);
    CHECK_FALSE(f.sb.code_for_target(phone));  // no faulted create opened anything
    CHECK(f.create(phone).at("status").as_string() == "success");
    const auto code = *f.sb.code_for_target(phone);

    f.sb.inject({ding::sandbox_fault_kind::status_502, 1, "/v2/verification/check"});
    auto r502 = f.post("/verification/check", json::object{{"target", fixture::phone_target(phone)}, {"code", code}});
    CHECK(r502.status == 502);
    CHECK(r502.header("content-type") == "text/html");
    CHECK(f.check_status(phone, code) == "success");  // the faulted check did not consume it
    CHECK(f.sb.requests_for("/v2/verification/check") == 2);

    f.sb.inject({ding::sandbox_fault_kind::malformed_json, 1, "/v2/lookup/{phone_number}"});
    auto bad = f.get("/lookup/+14155552671");
    CHECK(bad.status == 200);
    boost::system::error_code ec;
    (void)json::parse(bad.body, ec);
    CHECK(ec);

    f.sb.inject({ding::sandbox_fault_kind::wrong_types, 1, "/v2/watch/predict"});
    auto wrong = f.post("/watch/predict", json::object{{"target", fixture::phone_target(phone)}});
    REQUIRE(wrong.json().is_object());
    CHECK(wrong.json().at("id").is_number());
    CHECK(wrong.json().at("prediction").is_number());

    ding::sandbox_fault slow{ding::sandbox_fault_kind::delay, 1, "/v2/watch/event"};
    slow.delay = 200ms;
    f.sb.inject(slow);
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(f.post("/watch/event", json::object{{"events", json::array{}}}).status == 200);
    CHECK(std::chrono::steady_clock::now() - t0 >= 200ms);

    f.sb.inject({ding::sandbox_fault_kind::close_before_response, 1, "/v2/watch/feedback"});
    auto closed = f.post("/watch/feedback", json::object{{"feedbacks", json::array{}}});
    CHECK(closed.ec);
    CHECK(closed.status == 0);

    f.sb.inject({ding::sandbox_fault_kind::close_mid_body, 1, "/v2/verification"});
    raw::connection c(f.sb.port(), f.sb.ca_pem());
    REQUIRE_FALSE(c.connect());
    REQUIRE_FALSE(c.request(http::post, "/v2/verification",
                            json::serialize(json::object{{"target", fixture::phone_target("+33699999999")}}), f.bearer(),
                            false)
                      .ec);
    const std::string wire = c.raw_read_all();
    CHECK(wire.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK_FALSE(f.sb.code_for_target("+33699999999"));

    // a v1 fault does not fire on v2 paths
    f.sb.inject({ding::sandbox_fault_kind::status_500, 1, "/v1/authentication"});
    CHECK(f.get("/lookup/+14155552671").status == 200);
    CHECK(f.sb.pending_faults() == 1);
    f.sb.clear_faults();
}

TEST_CASE("sandbox v2: webhooks are delivered in order, signed with the sandbox's key", "[sandbox][v2][webhooks]") {
    fixture f;
    hook::receiver rx;
    const std::string pem = f.sb.webhook_public_key_pem();
    REQUIRE(pem.rfind("-----BEGIN PUBLIC KEY-----", 0) == 0);
    CHECK(f.sb.webhook_public_key_pem() == pem);  // one key per sandbox

    const std::string phone = "+33612345678";
    auto created = f.create(json::object{{"target", fixture::phone_target(phone)},
                                         {"options", json::object{{"callback_url", rx.url()}}},
                                         {"metadata", json::object{{"correlation_id", "signup-1"}}}});
    REQUIRE(rx.wait_for(3));
    f.sb.advance_clock(30s);
    REQUIRE(f.create(phone).at("status").as_string() == "retry");  // the callback URL stays
    REQUIRE(rx.wait_for(5));
    auto got = rx.requests();
    REQUIRE(got.size() == 5);

    const char* types[] = {"verify.authentication", "verify.attempt", "verify.delivery_status", "verify.attempt",
                           "verify.delivery_status"};
    std::set<std::string> ids;
    for (std::size_t i = 0; i < got.size(); ++i) {
        const auto& w = got[i];
        INFO(w.body);
        CHECK(w.method == "POST");
        CHECK(w.target == "/hooks/prelude");
        CHECK(w.header("content-type") == "application/json");
        CHECK(hook::verify_signature(pem, w.header("x-webhook-signature"), w.body));
        auto e = json::parse(w.body).as_object();
        CHECK(e.size() == 4);
        CHECK(matches(e.at("id"), "^evt_[0-9a-z]{26}$"));
        ids.insert(std::string(e.at("id").as_string()));
        CHECK(e.at("type").as_string() == types[i]);
        CHECK(is_rfc3339(e.at("created_at")));
        const auto& p = e.at("payload").as_object();
        CHECK(p.at("verification_id") == created.at("id"));
        CHECK(p.at("target") == fixture::phone_target(phone));
        CHECK(p.at("metadata").at("correlation_id").as_string() == "signup-1");
        CHECK(is_rfc3339(p.at("time")));
        CHECK(p.at("price").at("currency").as_string() == "EUR");
        CHECK(p.at("price").at("amount").is_double());
        if (i > 0) {
            CHECK(matches(p.at("id"), "^att_[0-9a-z]{26}$"));
            CHECK(p.at("channel").as_string() == "sms");
            CHECK(p.at("carrier_information").at("mcc").as_string() == "208");
            CHECK(p.at("carrier_information").at("mnc").is_string());
        }
    }
    CHECK(ids.size() == 5);
    CHECK(got[1].body.find(R"("delivery_status":"submitted")") != std::string::npos);
    CHECK(json::parse(got[2].body).at("payload").at("status").as_string() == "delivered");
    CHECK(json::parse(got[2].body).at("payload").at("id") == json::parse(got[1].body).at("payload").at("id"));
    CHECK(json::parse(got[3].body).at("payload").at("id") != json::parse(got[1].body).at("payload").at("id"));
    CHECK(json::parse(got[0].body).at("created_at") != json::parse(got[3].body).at("created_at"));  // virtual clock

    // the signature covers the raw body: one changed byte, or another key, fails
    std::string tampered = got[0].body;
    tampered[tampered.size() / 2] ^= 1;
    CHECK_FALSE(hook::verify_signature(pem, got[0].header("x-webhook-signature"), tampered));
    fixture other;
    CHECK_FALSE(hook::verify_signature(other.sb.webhook_public_key_pem(), got[0].header("x-webhook-signature"), got[0].body));
    CHECK(f.sb.stats().webhooks_sent == 5);
    CHECK(f.sb.stats().webhooks_failed == 0);
}

TEST_CASE("sandbox v2: no webhook without callback_url, for blocked verifications or for checks", "[sandbox][v2][webhooks]") {
    fixture f;
    hook::receiver rx;
    f.create("+33612345678");
    f.create(json::object{{"target", fixture::phone_target("+15005550009")}, {"options", json::object{{"callback_url", rx.url()}}}});
    f.create(json::object{{"target", fixture::phone_target("+33612345679")}, {"options", json::object{{"callback_url", rx.url()}}}});
    REQUIRE(rx.wait_for(3));
    f.check_status("+33612345679", *f.sb.code_for_target("+33612345679"));
    CHECK_FALSE(rx.wait_for(4, 300ms));
    for (const auto& w : rx.requests())
        CHECK(json::parse(w.body).at("payload").at("target").at("value").as_string() == "+33612345679");
}

TEST_CASE("sandbox v2: webhook delivery failures are bounded and counted", "[sandbox][v2][webhooks]") {
    SECTION("a receiver answering 500") {
        fixture f;
        hook::receiver rx(500);
        f.create(json::object{{"target", fixture::phone_target("+33612345678")},
                              {"options", json::object{{"callback_url", rx.url()}}}});
        REQUIRE(rx.wait_for(3));
        for (int i = 0; i < 200 && f.sb.stats().webhooks_failed < 3; ++i) std::this_thread::sleep_for(10ms);
        CHECK(f.sb.stats().webhooks_failed == 3);
        CHECK(f.sb.stats().webhooks_sent == 0);
        CHECK(rx.requests().size() == 3);  // no retries
    }
    SECTION("nobody listening, non-loopback and https URLs") {
        fixture f;
        std::uint16_t closed_port = 0;
        {
            hook::receiver gone;
            closed_port = gone.port();
        }
        f.create(json::object{{"target", fixture::phone_target("+33612345678")},
                              {"options", json::object{{"callback_url", "http://127.0.0.1:" + std::to_string(closed_port) + "/x"}}}});
        f.create(json::object{{"target", fixture::phone_target("+33612345679")},
                              {"options", json::object{{"callback_url", "https://hooks.example.com/prelude"}}}});
        f.create(json::object{{"target", fixture::phone_target("+33612345670")},
                              {"options", json::object{{"callback_url", "https://127.0.0.1:9/prelude"}}}});
        for (int i = 0; i < 500 && f.sb.stats().webhooks_failed < 3; ++i) std::this_thread::sleep_for(10ms);
        CHECK(f.sb.stats().webhooks_failed == 3);
        CHECK(f.sb.stats().webhooks_dropped == 6);
    }
    SECTION("a receiver that never answers: webhook_timeout bounds each delivery, the sandbox keeps serving") {
        ding::sandbox_options o;
        o.webhook_timeout = 200ms;
        fixture f(o);
        hook::receiver rx(200, true);
        const auto t0 = std::chrono::steady_clock::now();
        f.create(json::object{{"target", fixture::phone_target("+33612345678")},
                              {"options", json::object{{"callback_url", rx.url()}}}});
        REQUIRE(rx.wait_for(1));
        CHECK(f.get("/lookup/+14155552671").status == 200);  // not blocked by the stalled delivery
        REQUIRE(rx.wait_for(3, 5s));
        for (int i = 0; i < 300 && f.sb.stats().webhooks_failed < 3; ++i) std::this_thread::sleep_for(10ms);
        CHECK(f.sb.stats().webhooks_failed == 3);
        CHECK(std::chrono::steady_clock::now() - t0 < 5s);
    }
    SECTION("a full queue drops the excess") {
        ding::sandbox_options o;
        o.max_pending_webhooks = 2;
        o.webhook_timeout = 200ms;
        fixture f(o);
        hook::receiver rx(200, true);
        f.create(json::object{{"target", fixture::phone_target("+33612345678")},
                              {"options", json::object{{"callback_url", rx.url()}}}});
        CHECK(f.sb.stats().webhooks_dropped == 1);
    }
}

TEST_CASE("sandbox v2: stopping with a webhook delivery in flight is prompt and safe", "[sandbox][v2][webhooks]") {
    hook::receiver rx(200, true);
    const auto t0 = std::chrono::steady_clock::now();
    {
        fixture f;
        f.create(json::object{{"target", fixture::phone_target("+33612345678")},
                              {"options", json::object{{"callback_url", rx.url()}}}});
        REQUIRE(rx.wait_for(1));
    }  // ~sandbox: stop() closes the stalled delivery, the thread joins
    CHECK(std::chrono::steady_clock::now() - t0 < 4s);
    CHECK(rx.requests().size() == 1);

    boost::asio::io_context ioc;
    {
        ding::sandbox sb(ioc.get_executor());
        std::thread runner([&] { ioc.run_for(20s); });
        auto r = raw::once(sb.port(), sb.ca_pem(), http::post, "/v2/verification",
                           json::serialize(json::object{{"target", fixture::phone_target("+33612345678")},
                                                        {"options", json::object{{"callback_url", rx.url()}}}}),
                           {{"authorization", "Bearer " + sb.v2_api_key()}});
        CHECK(r.status == 200);
        REQUIRE(rx.wait_for(2));
        const auto t1 = std::chrono::steady_clock::now();
        sb.stop();
        runner.join();  // run() returns: no delivery keeps the executor busy after stop()
        CHECK(std::chrono::steady_clock::now() - t1 < 4s);
    }
}

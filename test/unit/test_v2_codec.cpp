// Prelude v2: JSON encoding and decoding of every model, enum spellings, request validation.

#include "v2/codec.hpp"
#include "v2/validation.hpp"

#include <ding/v2.hpp>

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

namespace v2 = ding::v2;
namespace json = boost::json;
using v2::detail::decode;
using v2::detail::encode;

namespace {

template <class T>
std::string encoded(const T& value) {
    std::string out;
    encode(value, out);
    return out;
}

template <class T>
T decoded(std::string_view body) {
    T out{};
    std::string why;
    INFO(body);
    const bool ok = decode(body, out, why);
    INFO(why);
    REQUIRE(ok);
    return out;
}

template <class T>
std::string decode_failure(std::string_view body) {
    T out{};
    std::string why;
    CHECK_FALSE(decode(body, out, why));
    return why;
}

bool same_json(const std::string& actual, std::string_view expected) {
    INFO(actual);
    return json::parse(actual) == json::parse(expected);
}

v2::target phone(std::string value = "+33612345678") { return v2::target{v2::target_type::phone_number, std::move(value)}; }

std::string validation(const auto& request) {
    auto why = v2::detail::validate(request);
    return why ? *why : std::string();
}

} // namespace

TEST_CASE("v2 codec: create_verification_request minimal and full, absent optionals omitted") {
    v2::create_verification_request req;
    req.target = phone("+30123456789");
    CHECK(encoded(req) == R"({"target":{"type":"phone_number","value":"+30123456789"}})");

    req.target = phone();
    req.dispatch_id = "123e4567-e89b-12d3-a456-426614174000";
    req.metadata = v2::request_metadata{"signup-7f3a9c21"};
    req.signals = v2::signals{};
    req.signals->ip = "203.0.113.42";
    req.signals->device_platform = v2::device_platform::ios;
    req.signals->is_trusted_user = false;
    req.signals->ja4_fingerprint = "t13d";
    req.options = v2::verification_options{};
    req.options->locale = "fr-FR";
    req.options->code_size = 6;
    req.options->method = v2::requested_method::automatic;
    req.options->preferred_channel = v2::delivery_channel::whatsapp;
    req.options->variables = std::map<std::string, std::string>{{"amount", "149.90"}, {"currency", "EUR"}};
    req.options->app_realm = v2::app_realm{v2::app_realm_platform::android, "FA+9qCX9VSu"};
    req.options->max_auto_fallbacks = 0;
    req.options->force_challenge = true;
    const std::string body = encoded(req);
    CHECK(same_json(body, R"({"target":{"type":"phone_number","value":"+33612345678"},
        "dispatch_id":"123e4567-e89b-12d3-a456-426614174000","metadata":{"correlation_id":"signup-7f3a9c21"},
        "options":{"variables":{"amount":"149.90","currency":"EUR"},"locale":"fr-FR","code_size":6,"method":"auto",
                   "preferred_channel":"whatsapp","max_auto_fallbacks":0,"force_challenge":true,
                   "app_realm":{"platform":"android","value":"FA+9qCX9VSu"}},
        "signals":{"ip":"203.0.113.42","device_platform":"ios","ja4_fingerprint":"t13d","is_trusted_user":false}})"));
    CHECK(body.find("null") == std::string::npos);
    // Round trip (the sandbox decodes what the client encodes).
    CHECK(decoded<v2::create_verification_request>(body) == req);

    req.options = v2::verification_options{};
    req.options->channels = std::vector{v2::delivery_channel::whatsapp, v2::delivery_channel::sms};
    CHECK(encoded(req).find(R"("options":{"channels":["whatsapp","sms"]})") != std::string::npos);
}

TEST_CASE("v2 codec: the other requests encode as the contract shows and round-trip") {
    v2::check_verification_request chk{phone(), "482913", v2::psd2_transaction{"149.90", "EUR", "Acme Store"}};
    CHECK(encoded(chk) == R"({"target":{"type":"phone_number","value":"+33612345678"},"code":"482913",)"
                          R"("psd2":{"amount":"149.90","currency":"EUR","recipient":"Acme Store"}})");
    CHECK(decoded<v2::check_verification_request>(encoded(chk)) == chk);

    v2::predict_request p;
    p.target = v2::target{v2::target_type::email_address, "jane@example.com"};
    p.signals = v2::signals{};
    p.signals->device_platform = v2::device_platform::android;
    CHECK(encoded(p) == R"({"target":{"type":"email_address","value":"jane@example.com"},"signals":{"device_platform":"android"}})");
    CHECK(decoded<v2::predict_request>(encoded(p)) == p);

    v2::send_events_request ev;
    ev.events.push_back(v2::watch_event{phone("+30123456789"), "account.banned", v2::event_confidence::maximum});
    CHECK(encoded(ev) == R"({"events":[{"target":{"type":"phone_number","value":"+30123456789"},)"
                         R"("label":"account.banned","confidence":"maximum"}]})");
    CHECK(decoded<v2::send_events_request>(encoded(ev)) == ev);
    CHECK(encoded(v2::send_events_request{}) == R"({"events":[]})");

    v2::send_feedbacks_request fb;
    fb.feedbacks.push_back(v2::feedback{phone(), v2::feedback_type::verification_started, v2::request_metadata{"c1"}});
    fb.feedbacks.push_back(v2::feedback{phone(), v2::feedback_type::verification_completed, std::nullopt});
    CHECK(encoded(fb) == R"({"feedbacks":[{"target":{"type":"phone_number","value":"+33612345678"},)"
                         R"("type":"verification.started","metadata":{"correlation_id":"c1"}},)"
                         R"({"target":{"type":"phone_number","value":"+33612345678"},"type":"verification.completed"}]})");
    CHECK(decoded<v2::send_feedbacks_request>(encoded(fb)) == fb);
}

TEST_CASE("v2 codec: strings are escaped and stay valid JSON") {
    v2::check_verification_request chk{phone(), "a\"b\\c\n\x01"};
    const std::string body = encoded(chk);
    CHECK(body.find(R"("code":"a\"b\\c\u000a\u0001")") != std::string::npos);
    CHECK(decoded<v2::check_verification_request>(body).code == chk.code);
}

TEST_CASE("v2 codec: create_verification_response, every field, unknown fields and enum values") {
    auto r = decoded<v2::create_verification_response>(R"({
        "id":"vrf_01jc0t9k2m3n4p5q6r7s8t9v0w","status":"blocked","method":"message","channels":["sms","whatsapp","pigeon"],
        "reason":"suspicious","risk_factors":["temporary_phone_number","brand_new_factor"],
        "silent":{"request_url":"https://silent.example.net/v1/start?token=abc123"},
        "metadata":{"correlation_id":"signup-7f3a9c21","extra":1},"request_id":"7a2d","future_field":{"x":[1,2]}})");
    CHECK(r.id == "vrf_01jc0t9k2m3n4p5q6r7s8t9v0w");
    CHECK(r.status == v2::verification_status::blocked);
    CHECK(r.method == v2::verification_method::message);
    CHECK(r.channels == std::vector{v2::used_channel::sms, v2::used_channel::whatsapp, v2::used_channel::unknown});
    CHECK(r.reason == v2::block_reason::suspicious);
    CHECK(r.risk_factors == std::vector{v2::risk_factor::temporary_phone_number, v2::risk_factor::unknown});
    REQUIRE(r.silent);
    CHECK(r.silent->request_url == "https://silent.example.net/v1/start?token=abc123");
    REQUIRE(r.metadata);
    CHECK(r.metadata->correlation_id == "signup-7f3a9c21");
    CHECK(r.request_id == "7a2d");

    auto minimal = decoded<v2::create_verification_response>(R"({"id":"v","status":"shadow_blocked","method":"voice","reason":null})");
    CHECK(minimal.status == v2::verification_status::shadow_blocked);
    CHECK_FALSE(minimal.channels);
    CHECK_FALSE(minimal.reason); // null counts as absent
    CHECK_FALSE(minimal.request_id);
    CHECK(decoded<v2::create_verification_response>(R"({"id":"v","status":"brand_new","method":"carrier_pigeon"})").status ==
          v2::verification_status::unknown);

    // Round trip of a full value.
    CHECK(decoded<v2::create_verification_response>(encoded(r)) == r);
}

TEST_CASE("v2 codec: required response fields, wrong types and malformed bodies are decode errors") {
    CHECK(decode_failure<v2::create_verification_response>(R"({"status":"success","method":"message"})") ==
          "field 'id': missing (the contract requires it)");
    CHECK(decode_failure<v2::create_verification_response>(R"({"id":"v","status":"success"})") ==
          "field 'method': missing (the contract requires it)");
    CHECK(decode_failure<v2::create_verification_response>(R"({"id":7,"status":"success","method":"message"})") ==
          "field 'id': expected string");
    CHECK(decode_failure<v2::create_verification_response>(
              R"({"id":"v","status":"success","method":"message","silent":{"x":1}})") ==
          "field 'silent.request_url': missing (the contract requires it)");
    CHECK(decode_failure<v2::create_verification_response>(
              R"({"id":"v","status":"success","method":"message","channels":["sms",3]})") ==
          "field 'channels[1]': expected string");
    CHECK(decode_failure<v2::check_verification_response>(R"({"id":"v"})") ==
          "field 'status': missing (the contract requires it)");
    CHECK(decode_failure<v2::predict_response>(R"({"id":"p","prediction":"legitimate"})") ==
          "field 'request_id': missing (the contract requires it)");
    CHECK(decode_failure<v2::send_events_response>(R"({"status":"success"})") ==
          "field 'request_id': missing (the contract requires it)");
    CHECK(decode_failure<v2::lookup_response>("[]") == "body is not a JSON object");
    CHECK(decode_failure<v2::lookup_response>("{").rfind("body is not valid JSON", 0) == 0);
    CHECK(decode_failure<v2::lookup_response>(R"({"flags":"ported"})") == "field 'flags': expected array");
    CHECK(decode_failure<v2::lookup_response>(R"({"network_info":{"mcc":310}})") ==
          "field 'network_info.mcc': expected string");
    CHECK(decode_failure<v2::create_verification_request>(
              R"({"target":{"type":"phone_number","value":"+1"},"options":{"code_size":6.5}})")
              .rfind("field 'options.code_size': expected integer", 0) == 0);
}

TEST_CASE("v2 codec: check, lookup, predict, events, feedbacks responses") {
    auto chk = decoded<v2::check_verification_response>(
        R"({"id":"vrf_1","status":"success","metadata":{"correlation_id":"c"},"request_id":"r"})");
    CHECK(chk.status == v2::check_status::success);
    CHECK(chk.id == "vrf_1");
    CHECK(chk.request_id == "r");
    CHECK(decoded<v2::check_verification_response>(R"({"status":"expired_or_not_found"})").status ==
          v2::check_status::expired_or_not_found);
    CHECK(decoded<v2::check_verification_response>(R"({"status":"transaction_mismatch"})").status ==
          v2::check_status::transaction_mismatch);
    CHECK(decoded<v2::check_verification_response>(R"({"status":"later_status"})").status == v2::check_status::unknown);

    auto look = decoded<v2::lookup_response>(R"({"phone_number":"+12065550100","country_code":"US","line_type":"mobile",
        "network_info":{"carrier_name":"T-Mobile USA","mcc":"310","mnc":"260"},
        "original_network_info":{"carrier_name":"AT&T","mcc":"310","mnc":"410"},"flags":["ported","temporary","new"],
        "caller_name":"JANE DOE"})");
    CHECK(look.line_type == v2::line_type::mobile);
    REQUIRE(look.network_info);
    CHECK(look.network_info->carrier_name == "T-Mobile USA");
    REQUIRE(look.original_network_info);
    CHECK(look.original_network_info->mnc == "410");
    CHECK(look.flags == std::vector{v2::lookup_flag::ported, v2::lookup_flag::temporary, v2::lookup_flag::unknown});
    CHECK(look.caller_name == "JANE DOE");
    CHECK(decoded<v2::lookup_response>(encoded(look)) == look);
    CHECK(decoded<v2::lookup_response>("{}") == v2::lookup_response{});
    CHECK(decoded<v2::lookup_response>(R"({"line_type":"unknown"})").line_type == v2::line_type::unknown);
    CHECK(decoded<v2::lookup_response>(R"({"line_type":"short_codes_commercial"})").line_type ==
          v2::line_type::short_codes_commercial);

    auto pred = decoded<v2::predict_response>(
        R"({"id":"prd_1","prediction":"suspicious","risk_factors":["account_risk_profile","prefix_concentration"],"request_id":"r"})");
    CHECK(pred.prediction == v2::prediction_verdict::suspicious);
    CHECK(pred.risk_factors ==
          std::vector{v2::predict_risk_factor::account_risk_profile, v2::predict_risk_factor::prefix_concentration});
    CHECK(decoded<v2::predict_response>(encoded(pred)) == pred);

    auto ev = decoded<v2::send_events_response>(R"({"status":"success","request_id":"r1"})");
    CHECK(ev.status == v2::send_status::success);
    CHECK(ev.request_id == "r1");
    auto fb = decoded<v2::send_feedbacks_response>(R"({"status":"queued","request_id":"r2"})");
    CHECK(fb.status == v2::send_status::unknown);
    CHECK(encoded(ev) == R"({"status":"success","request_id":"r1"})");
}

TEST_CASE("v2 codec: the error body") {
    auto e = decoded<v2::error_body>(R"({"code":"invalid_phone_number","message":"The phone number is not valid.",
        "param":"target.value","type":"ignored","request_id":"x"})");
    CHECK(e.code == "invalid_phone_number");
    CHECK(e.message == "The phone number is not valid.");
    CHECK(e.param == "target.value");
    CHECK(decoded<v2::error_body>(R"({"message":"Too many requests"})") == v2::error_body{std::nullopt, "Too many requests", std::nullopt});
    CHECK(decode_failure<v2::error_body>(R"({"code":42})") == "field 'code': expected string");
    CHECK(encoded(v2::error_body{"internal", std::nullopt, std::nullopt}) == R"({"code":"internal"})");
}

TEST_CASE("v2 enums: wire spellings both ways, unknown for anything else") {
    CHECK(v2::to_string(v2::requested_method::automatic) == "auto");
    CHECK(v2::to_string(v2::feedback_type::verification_completed) == "verification.completed");
    CHECK(v2::to_string(v2::target_type::email_address) == "email_address");
    CHECK(v2::to_string(static_cast<v2::check_status>(99)) == "unknown");
    v2::feedback_type f{};
    CHECK(v2::from_string("verification.started", f));
    CHECK(f == v2::feedback_type::verification_started);
    v2::device_platform d = v2::device_platform::ios;
    CHECK_FALSE(v2::from_string("IOS", d)); // v1's spelling is not v2's
    CHECK(d == v2::device_platform::unknown);
    v2::line_type l = v2::line_type::voip;
    CHECK(v2::from_string("unknown", l)); // LineType lists `unknown` itself
    CHECK(l == v2::line_type::unknown);
    v2::delivery_status s{};
    CHECK(v2::from_string("in_transit", s));
    CHECK(s == v2::delivery_status::in_transit);
    v2::verification_status vs{};
    CHECK_FALSE(v2::from_string("unknown", vs));
}

TEST_CASE("v2 validation: targets, lengths, ranges, mutual exclusions, unknown enums") {
    v2::create_verification_request req;
    req.target = phone();
    CHECK(validation(req).empty());

    req.target = phone("0612345678");
    CHECK(validation(req) == "target.value: '0612345678' is not an E.164 number: it must start with '+' followed by the country code");
    req.target = phone("");
    CHECK(validation(req) == "target.value: is required (an E.164 number)");
    req.target = v2::target{v2::target_type::unknown, "+33612345678"};
    CHECK(validation(req) == "target.type: must be phone_number or email_address");
    req.target = v2::target{v2::target_type::email_address, "+33612345678"};
    CHECK(validation(req) == "target.value: '+33612345678' is not an email address");
    req.target = v2::target{v2::target_type::email_address, "jane@example.com"};
    CHECK(validation(req).empty());

    req.target = phone();
    req.dispatch_id = "short";
    CHECK(validation(req) == "dispatch_id: 'short' must be exactly 36 characters (a UUID in text form)");
    req.dispatch_id = "123e4567-e89b-12d3-a456-426614174000";
    CHECK(validation(req).empty());

    req.options = v2::verification_options{};
    req.options->code_size = 3;
    CHECK(validation(req) == "options.code_size: 3 is outside 4..8");
    req.options->code_size = 9;
    CHECK(validation(req) == "options.code_size: 9 is outside 4..8");
    req.options->code_size = 8;
    CHECK(validation(req).empty());
    req.options->custom_code = "123456";
    CHECK(validation(req) == "options.custom_code: cannot be combined with options.code_size (mutually exclusive)");
    req.options->code_size.reset();
    CHECK(validation(req).empty());
    req.options->preferred_channel = v2::delivery_channel::sms;
    req.options->channels = std::vector{v2::delivery_channel::whatsapp};
    CHECK(validation(req) == "options.channels: cannot be combined with options.preferred_channel (mutually exclusive)");
    req.options->preferred_channel.reset();
    CHECK(validation(req).empty());
    req.options->channels->push_back(v2::delivery_channel::unknown);
    CHECK(validation(req) == "options.channels[1]: 'unknown' cannot be sent");
    req.options->channels.reset();
    req.options->max_auto_fallbacks = -1;
    CHECK(validation(req) == "options.max_auto_fallbacks: -1 is negative");
    req.options->max_auto_fallbacks = 0;
    req.options->method = v2::requested_method::unknown;
    CHECK(validation(req) == "options.method: 'unknown' cannot be sent; choose one of the contract's values");
    req.options->method = v2::requested_method::voice;
    req.options->app_realm = v2::app_realm{};
    CHECK(validation(req) == "options.app_realm.platform: must be android or web");
    req.options->app_realm = v2::app_realm{v2::app_realm_platform::web, "www.example.com"};
    CHECK(validation(req).empty());
    req.signals = v2::signals{};
    req.signals->device_platform = v2::device_platform::unknown;
    CHECK(validation(req) == "signals.device_platform: 'unknown' cannot be sent; choose one of the contract's values");
}

TEST_CASE("v2 validation: check, lookup, predict, events, feedbacks") {
    v2::check_verification_request chk{phone(), ""};
    CHECK(validation(chk) == "code: is required (the code the user typed)");
    chk.code = "secret-code-123";
    CHECK(validation(chk).empty());
    chk.psd2 = v2::psd2_transaction{"1.00", "", "Acme"};
    CHECK(validation(chk) == "psd2.currency: is required");
    chk.target = phone("+1");
    CHECK(validation(chk).find("secret-code-123") == std::string::npos); // the code is never echoed

    CHECK(validation(v2::lookup_request{"+33612345678", {v2::lookup_feature::cnam}}).empty());
    CHECK(validation(v2::lookup_request{"+33/../x", {}}) ==
          "phone_number: '+33/../x' is not an E.164 number: only digits may follow the '+' (no spaces, dashes or brackets)");
    CHECK(validation(v2::lookup_request{"", {}}) == "phone_number: is required (an E.164 number)");
    CHECK(validation(v2::lookup_request{"+33612345678", {v2::lookup_feature::unknown}}) ==
          "type[0]: 'unknown' cannot be sent");

    v2::predict_request p;
    CHECK(validation(p) == "target.type: must be phone_number or email_address");
    p.target = phone();
    CHECK(validation(p).empty());
    p.dispatch_id = std::string(37, 'a');
    CHECK(validation(p).rfind("dispatch_id: ", 0) == 0);

    v2::send_events_request ev;
    CHECK(validation(ev).empty());
    ev.events.assign(100, v2::watch_event{phone(), "account.banned", v2::event_confidence::high});
    CHECK(validation(ev).empty());
    ev.events.push_back(ev.events.front());
    CHECK(validation(ev) == "events: 101 items, at most 100 per request");
    ev.events.resize(2);
    ev.events[1].confidence = v2::event_confidence::unknown;
    CHECK(validation(ev) == "events[1].confidence: must be maximum, high, neutral, low or minimum");
    ev.events[1].confidence = v2::event_confidence::low;
    ev.events[1].label.clear();
    CHECK(validation(ev) == "events[1].label: is required");
    ev.events[1].label = "x";
    ev.events[0].target = phone("123");
    CHECK(validation(ev) == "events[0].target.value: '123' is not an E.164 number: it must start with '+' followed by the country code");

    v2::send_feedbacks_request fb;
    fb.feedbacks.assign(101, v2::feedback{phone(), v2::feedback_type::verification_started, std::nullopt});
    CHECK(validation(fb) == "feedbacks: 101 items, at most 100 per request");
    fb.feedbacks.resize(1);
    CHECK(validation(fb).empty());
    fb.feedbacks[0].type = v2::feedback_type::unknown;
    CHECK(validation(fb) == "feedbacks[0].type: must be verification.started or verification.completed");
}

TEST_CASE("v2 error: api_code_string, api_param, retryable with a body, to_string") {
    ding::error::details d;
    d.message = "HTTP 400: the API refused the request with code 'invalid_phone_number' about 'target.value' "
                "(the server's message is in api_message())";
    d.http_status = 400;
    d.api_code_string = "invalid_phone_number";
    d.api_message = "The phone number is not valid.";
    d.api_param = "target.value";
    d.operation = "create_verification";
    ding::error e(ding::errc::api_error, d);
    CHECK(e.api_code_string() == "invalid_phone_number");
    CHECK(e.api_param() == "target.value");
    CHECK(e.api_code() == ding::api_error_code::unknown); // v1's code stays untouched
    CHECK_FALSE(e.retryable());
    CHECK(e.to_string() == "create_verification: HTTP 400: the API refused the request with code 'invalid_phone_number' "
                           "about 'target.value' (the server's message is in api_message()) "
                           "[api_error http=400 api_code=invalid_phone_number param=target.value "
                           "server_message=The phone number is not valid.]");
    d.http_status = 503;
    CHECK(ding::error(ding::errc::api_error, d).retryable());
    d.api_code_string = "bad\ncode";
    CHECK(ding::error(ding::errc::api_error, d).to_string().find('\n') == std::string::npos);
    CHECK(ding::error().api_code_string().empty());
    CHECK(ding::error().api_param().empty());
    CHECK(ding::error(ding::errc::invalid_signature, {}).code().message() == "webhook signature does not verify");
}

#include "v1/validation.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace ding;
using namespace ding::detail;

namespace {

constexpr const char* customer = "cf2edc1c-7fc6-48fb-86da-b7508c6b7b71";
constexpr const char* auth = "e0e7b0e9-739d-424b-922f-1c2cb48ab077";

create_authentication_request minimal_create() { return {customer, "+14155552671"}; }

// The message of a refused request; fails the test when the request is accepted.
std::string refused(const std::optional<std::string>& r) {
    REQUIRE(r.has_value());
    return *r;
}

}  // namespace

TEST_CASE("validation: is_e164", "[validation]") {
    CHECK(is_e164("+14155552671"));
    CHECK(is_e164("+33612345678"));
    CHECK(is_e164("+12"));
    CHECK(is_e164("+123456789012345"));  // 15 digits
    CHECK_FALSE(is_e164("+1234567890123456"));  // 16 digits
    CHECK_FALSE(is_e164("+1"));
    CHECK_FALSE(is_e164("+"));
    CHECK_FALSE(is_e164(""));
    CHECK_FALSE(is_e164("14155552671"));
    CHECK_FALSE(is_e164("+04155552671"));
    CHECK_FALSE(is_e164("+1 415 555 2671"));
    CHECK_FALSE(is_e164("+1415555267a"));
    CHECK_FALSE(is_e164("++14155552671"));
    CHECK_FALSE(is_e164("+1415/../x"));
}

TEST_CASE("validation: is_uuid", "[validation]") {
    CHECK(is_uuid("cf2edc1c-7fc6-48fb-86da-b7508c6b7b71"));
    CHECK(is_uuid("CF2EDC1C-7FC6-48FB-86DA-B7508C6B7B71"));
    CHECK(is_uuid("00000000-0000-0000-0000-000000000000"));
    CHECK_FALSE(is_uuid(""));
    CHECK_FALSE(is_uuid("cf2edc1c7fc648fb86dab7508c6b7b71"));
    CHECK_FALSE(is_uuid("cf2edc1c-7fc6-48fb-86da-b7508c6b7b7"));
    CHECK_FALSE(is_uuid("cf2edc1c-7fc6-48fb-86da-b7508c6b7b711"));
    CHECK_FALSE(is_uuid("cf2edc1g-7fc6-48fb-86da-b7508c6b7b71"));
    CHECK_FALSE(is_uuid("cf2edc1c-7fc6-48fb-86da_b7508c6b7b71"));
    CHECK_FALSE(is_uuid("../../../../x-7fc6-48fb-86da-b7508c6b7b71"));
    CHECK_FALSE(is_uuid("{cf2edc1c-7fc6-48fb-86da-b7508c6b7b7}"));
}

TEST_CASE("validation: is_header_safe and is_ipv4", "[validation]") {
    CHECK(is_header_safe(""));
    CHECK(is_header_safe("abc DEF ~!@#"));
    CHECK_FALSE(is_header_safe("a\r\nx-injected: 1"));
    CHECK_FALSE(is_header_safe("a\nb"));
    CHECK_FALSE(is_header_safe(std::string_view("a\0b", 3)));
    CHECK_FALSE(is_header_safe("a\tb"));
    CHECK_FALSE(is_header_safe("a\x7f"));
    CHECK_FALSE(is_header_safe("caf\xc3\xa9"));

    CHECK(is_ipv4("203.0.113.42"));
    CHECK(is_ipv4("0.0.0.0"));
    CHECK(is_ipv4("255.255.255.255"));
    CHECK_FALSE(is_ipv4("256.0.0.1"));
    CHECK_FALSE(is_ipv4("1.2.3"));
    CHECK_FALSE(is_ipv4("1.2.3.4.5"));
    CHECK_FALSE(is_ipv4("1.2.3.4."));
    CHECK_FALSE(is_ipv4("01.2.3.4"));
    CHECK_FALSE(is_ipv4("1..3.4"));
    CHECK_FALSE(is_ipv4("1.2.3.1234"));
    CHECK_FALSE(is_ipv4("::1"));
    CHECK_FALSE(is_ipv4("a.b.c.d"));
    CHECK_FALSE(is_ipv4(""));
}

TEST_CASE("validation: api key never echoed", "[validation]") {
    CHECK_FALSE(validate_api_key("sk_live_abc123").has_value());
    CHECK(refused(validate_api_key("")) == "api_key: must not be empty");
    const std::string bad = "secret-key\r\nx-evil: 1";
    const std::string m = refused(validate_api_key(bad));
    CHECK(m.rfind("api_key: ", 0) == 0);
    CHECK(m.find("secret-key") == std::string::npos);
    const std::string spaced = refused(validate_api_key(" secretvalue"));
    CHECK(spaced.rfind("api_key: ", 0) == 0);
    CHECK(spaced.find("secretvalue") == std::string::npos);
    CHECK(validate_api_key("caf\xc3\xa9").has_value());
}

TEST_CASE("validation: create_authentication_request", "[validation]") {
    CHECK_FALSE(validate(minimal_create()).has_value());

    create_authentication_request full = minimal_create();
    full.phone_number = "+33612345678";
    full.ip = "203.0.113.42";
    full.device_id = "3f9a1c0d7b2e4a68";
    full.device_type = device_type::android;
    full.app_version = "3.14.0";
    full.app_realm = "FA+9qCX9VSu";
    full.os_version = "14";
    full.device_model = "Pixel 8";
    full.is_returning_user = false;
    full.locale = "fr-FR";
    full.sender_id = "Acme";
    full.callback_url = "https://hooks.example.com/ding/events";
    full.template_id = "signup-default";
    full.correlation_id = "signup-7f3a9c21";
    CHECK_FALSE(validate(full).has_value());

    auto r = minimal_create();
    r.phone_number = "+1";
    CHECK(refused(validate(r)) == "phone_number: '+1' is not an E.164 number: it has fewer than 2 digits after the '+' (E.164 has 2 to 15)");
    r.phone_number = "";
    CHECK(refused(validate(r)).rfind("phone_number: ", 0) == 0);

    r = minimal_create();
    r.customer_uuid = "not-a-uuid";
    CHECK(refused(validate(r)) == "customer_uuid: 'not-a-uuid' is not a UUID (8-4-4-4-12 hex digits)");
    r.customer_uuid = "";
    CHECK(refused(validate(r)).rfind("customer_uuid: ", 0) == 0);

    for (auto dt : {device_type::ipados, device_type::tvos, device_type::unknown}) {
        r = minimal_create();
        r.device_type = dt;
        CHECK(refused(validate(r)).rfind("device_type: ", 0) == 0);
    }
    for (auto dt : {device_type::ios, device_type::android, device_type::web}) {
        r = minimal_create();
        r.device_type = dt;
        CHECK_FALSE(validate(r).has_value());
    }

    r = minimal_create();
    r.ip = "2001:db8::1";
    CHECK(refused(validate(r)).rfind("ip: '2001:db8::1'", 0) == 0);
    r.ip = "";
    CHECK(refused(validate(r)).rfind("ip: ", 0) == 0);

    r = minimal_create();
    r.callback_url = "ftp://example.com/";
    CHECK(refused(validate(r)).rfind("callback_url: 'ftp://example.com/'", 0) == 0);
    r.callback_url = "https://";
    CHECK(refused(validate(r)).rfind("callback_url: ", 0) == 0);
    r.callback_url = "https://example.com/a b";
    CHECK(refused(validate(r)).rfind("callback_url: ", 0) == 0);
    r.callback_url = "HTTP://example.com/hook";
    CHECK_FALSE(validate(r).has_value());

    r = minimal_create();
    r.app_realm = "FA+9qCX9VSu";
    CHECK(refused(validate(r)).rfind("app_realm: requires device_type", 0) == 0);
    r.device_type = device_type::android;
    CHECK_FALSE(validate(r).has_value());

    r = minimal_create();
    r.locale = "";
    CHECK(refused(validate(r)) == "locale: must not be empty when set");
    r = minimal_create();
    r.sender_id = "";
    CHECK(refused(validate(r)) == "sender_id: must not be empty when set");
    r = minimal_create();
    r.template_id = "";
    CHECK(refused(validate(r)) == "template_id: must not be empty when set");
}

TEST_CASE("validation: messages quote safely", "[validation]") {
    auto r = minimal_create();
    r.phone_number = "+1\r\n" + std::string(200, '9');
    const std::string m = refused(validate(r));
    CHECK(m.find('\r') == std::string::npos);
    CHECK(m.find('\n') == std::string::npos);
    CHECK(m.find("\\x0d\\x0a") != std::string::npos);
    CHECK(m.size() < 200); // the value is cut at 64 bytes; the rest is the field and the rule
}

TEST_CASE("validation: create_check_request", "[validation]") {
    create_check_request c{customer, auth, "482913"};
    CHECK_FALSE(validate(c).has_value());
    c.check_code = "";
    CHECK(refused(validate(c)) == "check_code: is required");
    c.check_code = std::string(64, '1');
    CHECK_FALSE(validate(c).has_value());
    c.check_code = std::string(65, '1');
    CHECK(refused(validate(c)).rfind("check_code: ", 0) == 0);
    c.check_code = "12\n34";
    CHECK(refused(validate(c)).rfind("check_code: ", 0) == 0);
    c = {customer, "e0e7b0e9", "482913"};
    CHECK(refused(validate(c)).rfind("authentication_uuid: 'e0e7b0e9'", 0) == 0);
    c = {"x", auth, "482913"};
    CHECK(refused(validate(c)).rfind("customer_uuid: ", 0) == 0);
}

TEST_CASE("validation: retry, feedback, lookup, path uuid", "[validation]") {
    CHECK_FALSE(validate(retry_authentication_request{customer, auth}).has_value());
    CHECK(refused(validate(retry_authentication_request{customer, "nope"})).rfind("authentication_uuid: ", 0) == 0);
    CHECK(refused(validate(retry_authentication_request{"nope", auth})).rfind("customer_uuid: ", 0) == 0);

    CHECK_FALSE(validate(feedback_request{customer, "+14155552671", feedback_status::onboarded}).has_value());
    CHECK_FALSE(validate(feedback_request{customer, "+14155552671", feedback_status::not_onboarded}).has_value());
    CHECK(refused(validate(feedback_request{customer, "+14155552671", feedback_status::unknown})) ==
          "status: must be onboarded or not_onboarded");
    CHECK(refused(validate(feedback_request{customer, "0033", feedback_status::onboarded})).rfind("phone_number: ", 0) == 0);
    CHECK(refused(validate(feedback_request{})).rfind("customer_uuid: ", 0) == 0);

    CHECK_FALSE(validate(lookup_request{customer, "+14155552671", {}}).has_value());
    CHECK_FALSE(validate(lookup_request{customer, "+14155552671", {lookup_type::cnam}}).has_value());
    CHECK(refused(validate(lookup_request{customer, "+14155552671", {lookup_type::cnam, lookup_type::unknown}})) ==
          "types[1]: is not a known lookup type (only cnam)");
    CHECK(refused(validate(lookup_request{customer, "+1415/../admin", {}})).rfind("phone_number: ", 0) == 0);
    CHECK(refused(validate(lookup_request{"a\r\nb", "+14155552671", {}})).rfind("customer_uuid: ", 0) == 0);

    CHECK_FALSE(validate_authentication_uuid(auth).has_value());
    CHECK(refused(validate_authentication_uuid("../../admin")).rfind("authentication_uuid: ", 0) == 0);
    CHECK(refused(validate_authentication_uuid("e0e7b0e9-739d-424b-922f-1c2cb48ab077/x")).rfind("authentication_uuid: ", 0) == 0);
    CHECK(refused(validate_authentication_uuid("")).rfind("authentication_uuid: ", 0) == 0);
}

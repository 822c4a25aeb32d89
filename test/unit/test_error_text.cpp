// Errors that say what to do: the sentence each refusal and each non-2xx reply produces, and the
// one classification rule v1 and v2 share (core/reply_error.hpp).

#include "codec/text.hpp"
#include "core/reply_error.hpp"

#include <catch2/catch.hpp>

using namespace ding::detail;
using ding::errc;

namespace {

http_call call_to(ding::detail::http::verb method, std::string target) {
    http_call c;
    c.operation = "check";
    c.method = method;
    c.target = std::move(target);
    return c;
}

http_reply reply_of(unsigned status, std::string body = {}, std::string content_type = {}) {
    http_reply r;
    r.status = status;
    r.body = std::move(body);
    r.content_type = std::move(content_type);
    return r;
}

} // namespace

TEST_CASE("unit: an E.164 refusal names the rule the number breaks") {
    CHECK(e164_refusal("phone_number", "+0612345678") ==
          "phone_number: '+0612345678' is not an E.164 number: the country code (the first digit after '+') "
          "cannot be 0: drop the national trunk prefix 0");
    CHECK(e164_refusal("phone_number", "0612345678") ==
          "phone_number: '0612345678' is not an E.164 number: it must start with '+' followed by the country code");
    CHECK(e164_refusal("to", "+33 6 12") ==
          "to: '+33 6 12' is not an E.164 number: only digits may follow the '+' (no spaces, dashes or brackets)");
    CHECK(e164_refusal("to", "+3") == "to: '+3' is not an E.164 number: it has fewer than 2 digits after the '+' (E.164 has 2 to 15)");
    CHECK(e164_refusal("to", "+1234567890123456") ==
          "to: '+1234567890123456' is not an E.164 number: it has more than 15 digits after the '+' (E.164 has 2 to 15)");
    CHECK(e164_rule_broken("+33612345678") == nullptr);
    CHECK(e164_rule_broken("+12") == nullptr);
    CHECK(e164_rule_broken("") != nullptr);
}

TEST_CASE("unit: v1 and v2 classify a reply the same way: the contract's error object with a code is api_error, anything else http_status") {
    const http_call call = call_to(http::verb::post, "/v2/verification");
    SECTION("a 429 whose body has a message and no code, in either version") {
        for (const bool v1 : {false, true}) {
            api_error_fields f;
            f.v1 = v1;
            f.message = "Too many requests";
            const ding::error e = reply_error(reply_of(429, R"({"message":"Too many requests"})"), call, &f);
            CHECK(e.value() == errc::http_status);
            CHECK(e.retryable());
            CHECK(e.api_message() == "Too many requests");
            CHECK(e.message() == "HTTP 429 from the server: too many requests: slow down (retryable: see retry_policy) "
                                 "(the server's message is in api_message())");
            CHECK(e.message().find("api_code_string") == std::string::npos);
            CHECK(e.to_string().find("server_message=Too many requests") != std::string::npos);
        }
    }
    SECTION("a v1 ErrorResponse on a 500 is api_error, its code in api_code(), not api_code_string()") {
        api_error_fields f;
        f.v1 = true;
        f.code = "internal_server_error";
        const ding::error e = reply_error(reply_of(500, "{}"), call, &f);
        CHECK(e.value() == errc::api_error);
        CHECK(e.retryable());
        CHECK(e.api_code_string().empty());
        CHECK(e.message() == "HTTP 500: the API refused the request with code 'internal_server_error': the server failed; "
                             "retryable (see retry_policy)");
    }
    SECTION("a 500 with an empty body") {
        const ding::error e = reply_error(reply_of(500), call, nullptr);
        CHECK(e.value() == errc::http_status);
        CHECK(e.retryable());
        CHECK(e.message() == "HTTP 500 from the server with an empty body: the server failed; retryable (see retry_policy)");
    }
    SECTION("a 502 HTML page from a proxy") {
        const ding::error e = reply_error(reply_of(502, "<html>bad gateway</html>", "text/html"), call, nullptr);
        CHECK(e.value() == errc::http_status);
        CHECK(e.message() ==
              "HTTP 502 from the server with a text/html body, not the API's JSON: the server failed; retryable (see retry_policy)");
    }
    SECTION("a 400 with a code and a param") {
        api_error_fields f;
        f.code = "invalid_phone_number";
        f.param = "target.value";
        const ding::error e = reply_error(reply_of(400, "{}"), call, &f);
        CHECK(e.value() == errc::api_error);
        CHECK_FALSE(e.retryable());
        CHECK(e.api_code_string() == "invalid_phone_number");
        CHECK(e.message() == "HTTP 400: the API refused the request with code 'invalid_phone_number' about 'target.value'");
    }
}

TEST_CASE("unit: a 401 says to check the API key and how each version sends it") {
    const ding::error e = reply_error(reply_of(401), call_to(http::verb::post, "/v1/check"), nullptr);
    CHECK(e.value() == errc::http_status);
    CHECK(e.message() == "HTTP 401 from the server with an empty body: check the API key (v1 keys go in x-api-key, "
                         "v2 keys are Bearer tokens)");
}

TEST_CASE("unit: a 404 names the method and the path it asked for, never the query") {
    const ding::error e =
        reply_error(reply_of(404, "Not Found", "text/plain"), call_to(http::verb::get, "/v1/v2/verification?cursor=abc"), nullptr);
    CHECK(e.value() == errc::http_status);
    CHECK(e.message() == "HTTP 404 for GET /v1/v2/verification: the server has no such endpoint; check "
                         "client_options::base_url (v2: https://api.prelude.dev, v1: https://api.ding.live/v1)");
    CHECK(e.message().find("cursor") == std::string::npos);
}

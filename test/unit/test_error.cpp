#include <ding/outcome.hpp>

#include <catch2/catch.hpp>

#include <sstream>

TEST_CASE("error: codes live in the ding category and map to conditions") {
    ding::error e(ding::errc::timeout, {});
    CHECK(e.code() == ding::errc::timeout);
    CHECK(e.code().category().name() == std::string("ding"));
    CHECK(e.code() == ding::condition::network);
    CHECK(ding::error(ding::errc::tls, {}).code() == ding::condition::network);
    CHECK(ding::error(ding::errc::api_error, {}).code() == ding::condition::rejected);
    CHECK(ding::error(ding::errc::invalid_argument, {}).code() == ding::condition::caller);
    CHECK(ding::error(ding::errc::decode, {}).code() != ding::condition::network);
}

TEST_CASE("error: diagnostics and retryable classes") {
    ding::error::details d;
    d.message = "HTTP 503 from the server";
    d.http_status = 503;
    d.attempts = 3;
    d.operation = "check";
    ding::error e(ding::errc::http_status, d);
    CHECK(e.http_status() == 503);
    CHECK(e.attempts() == 3);
    CHECK(e.retryable());
    CHECK(e.to_string() == "check: HTTP 503 from the server [http_status http=503 attempts=3]");

    std::ostringstream streamed;
    streamed << e;
    CHECK(streamed.str() == e.to_string());

    d.http_status = 404;
    CHECK_FALSE(ding::error(ding::errc::http_status, d).retryable());
    CHECK(ding::error(ding::errc::transport, {}).retryable());
    CHECK_FALSE(ding::error(ding::errc::invalid_argument, {}).retryable());
    CHECK(ding::error().http_status() == 0);
    CHECK(ding::error().api_code() == ding::api_error_code::unknown);
}

TEST_CASE("outcome: value or error, value() throws only on explicit request") {
    ding::outcome<int> good = 7;
    REQUIRE(good);
    CHECK(*good == 7);
    ding::outcome<int> bad = ding::error(ding::errc::decode, {});
    CHECK_FALSE(bad.has_value());
    CHECK(bad.error().code() == ding::errc::decode);
    CHECK_THROWS_AS(bad.value(), ding::bad_outcome_access);
}

TEST_CASE("error: to_string and operator<< name the code as it is spelled in ding::errc") {
    // A log line says what happened in words a reader can search for, never "[ding:8]".
    ding::error::details d;
    d.message = "create_verification_request.target.value: not an E.164 number";
    d.operation = "create_verification";
    const ding::error e(ding::errc::invalid_argument, d);
    CHECK(e.to_string() ==
          "create_verification: create_verification_request.target.value: not an E.164 number [invalid_argument]");
    std::ostringstream streamed;
    streamed << e;
    CHECK(streamed.str() == e.to_string());
    CHECK(streamed.str().find("ding:") == std::string::npos);

    // Every code has its own name, equal to the enumerator's spelling.
    CHECK(ding::to_string(ding::errc::api_error) == "api_error");
    CHECK(ding::to_string(ding::errc::http_status) == "http_status");
    CHECK(ding::to_string(ding::errc::transport) == "transport");
    CHECK(ding::to_string(ding::errc::tls) == "tls");
    CHECK(ding::to_string(ding::errc::timeout) == "timeout");
    CHECK(ding::to_string(ding::errc::cancelled) == "cancelled");
    CHECK(ding::to_string(ding::errc::decode) == "decode");
    CHECK(ding::to_string(ding::errc::invalid_argument) == "invalid_argument");
    CHECK(ding::to_string(ding::errc::response_too_large) == "response_too_large");
    CHECK(ding::to_string(ding::errc::internal) == "internal");
    CHECK(ding::to_string(ding::errc::invalid_signature) == "invalid_signature");
    CHECK(ding::to_string(static_cast<ding::errc>(99)) == "unknown");
    // A default-constructed error (errc::internal, no details) still names its code.
    CHECK(ding::error().to_string() == "internal error [internal]");
}

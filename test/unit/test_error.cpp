#include <ding/outcome.hpp>

#include <catch2/catch.hpp>

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
    CHECK(e.to_string() == "check: HTTP 503 from the server [ding:2 http=503 attempts=3]");

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

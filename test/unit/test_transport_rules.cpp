// Pure transport rules: base URL parsing, retry decisions, backoff bounds, Retry-After.
#include "transport/http_client.hpp"
#include "transport/url.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using ding::errc;
using ding::detail::parse_base_url;

TEST_CASE("url: parses scheme, host, port and base path") {
    std::string why;
    auto u = parse_base_url("https://api.ding.live/v1", why);
    REQUIRE(u);
    CHECK(u->tls);
    CHECK(u->host == "api.ding.live");
    CHECK(u->port == 443);
    CHECK(u->base_path == "/v1");
    CHECK(u->host_header == "api.ding.live");

    u = parse_base_url("http://127.0.0.1:8080/v1/", why);
    REQUIRE(u);
    CHECK_FALSE(u->tls);
    CHECK(u->port == 8080);
    CHECK(u->base_path == "/v1");
    CHECK(u->host_header == "127.0.0.1:8080");

    u = parse_base_url("https://[::1]:8443", why);
    REQUIRE(u);
    CHECK(u->host == "::1");
    CHECK(u->base_path.empty());
    CHECK(u->host_header == "[::1]:8443");
}

TEST_CASE("url: refuses what it cannot use, saying why") {
    std::string why;
    for (const char* bad : {"ftp://x/v1", "https://", "https://:443/v1", "https://host:0/v1", "https://host:70000",
                            "https://host:12ab", "https://user@host/v1", "https://host/v1?x=1", "https://host/v1#f",
                            "https://ho st/v1", "https://host/../v1", "https://host/v1/..", "https://[::1/v1",
                            // fuzz/regressions/base_url: brackets and colons outside an IPv6 literal
                            "https://::[1]:844", "https://::1:8443/v1", "https://a]b/v1", "https://[[::1]]/v1",
                            "https://[::1]]/v1"}) {
        why.clear();
        CHECK_FALSE(parse_base_url(bad, why));
        CHECK(why.rfind("base_url:", 0) == 0);
    }
}

TEST_CASE("retry rules: what is retried for which operation") {
    using ding::detail::should_retry;
    const ding::retry_policy policy;
    // Connection failures before the request was written: every operation.
    CHECK(should_retry(errc::transport, 0, false, false, policy));
    CHECK(should_retry(errc::transport, 0, false, true, policy));
    // After the request may have reached the server: only idempotent reads.
    CHECK_FALSE(should_retry(errc::transport, 0, true, false, policy));
    CHECK(should_retry(errc::transport, 0, true, true, policy));
    // 429, 502, 503, 504: every operation.
    for (unsigned s : {429u, 502u, 503u, 504u}) {
        CHECK(should_retry(errc::http_status, s, true, false, policy));
        CHECK(should_retry(errc::http_status, s, true, true, policy));
    }
    // Other 5xx: reads only.
    CHECK_FALSE(should_retry(errc::http_status, 500, true, false, policy));
    CHECK(should_retry(errc::http_status, 500, true, true, policy));
    CHECK(should_retry(errc::http_status, 501, true, true, policy));
    // 4xx other than 429: never.
    for (unsigned s : {400u, 401u, 403u, 404u, 408u})
        CHECK_FALSE(should_retry(errc::http_status, s, true, true, policy));
    // Final failures: never.
    for (errc e : {errc::timeout, errc::cancelled, errc::tls, errc::response_too_large, errc::invalid_argument})
        CHECK_FALSE(should_retry(e, 0, false, true, policy));
    // The explicit opt-in makes POSTs repeatable.
    ding::retry_policy brave;
    brave.retry_requests_that_may_have_reached_the_server = true;
    CHECK(should_retry(errc::http_status, 500, true, false, brave));
    CHECK(should_retry(errc::transport, 0, true, false, brave));
}

TEST_CASE("retry rules: backoff bound doubles up to the cap") {
    ding::retry_policy p;
    p.initial_backoff = 100ms;
    p.max_backoff = 1000ms;
    CHECK(ding::detail::backoff_bound(p, 1) == 100ms);
    CHECK(ding::detail::backoff_bound(p, 2) == 200ms);
    CHECK(ding::detail::backoff_bound(p, 4) == 800ms);
    CHECK(ding::detail::backoff_bound(p, 5) == 1000ms);
    CHECK(ding::detail::backoff_bound(p, 60) == 1000ms);
}

TEST_CASE("retry rules: Retry-After in seconds or as an HTTP date") {
    using ding::detail::parse_retry_after;
    const auto now = std::chrono::sys_days(std::chrono::year(1994) / 11 / 6) + 8h + 49min + 30s;
    CHECK(parse_retry_after("3", now) == std::chrono::milliseconds(3000));
    CHECK(parse_retry_after(" 0 ", now) == std::chrono::milliseconds(0));
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now) == std::chrono::milliseconds(7000));
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now) == std::chrono::milliseconds(0));
    CHECK_FALSE(parse_retry_after("", now));
    CHECK_FALSE(parse_retry_after("-1", now));
    CHECK_FALSE(parse_retry_after("soon", now));
    CHECK_FALSE(parse_retry_after("Sun, 06 Foo 1994 08:49:37 GMT", now));
    CHECK_FALSE(parse_retry_after("Sun, 31 Feb 1994 08:49:37 GMT", now));
}

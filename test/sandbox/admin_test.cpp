// The sandbox's admin API (/_sandbox/..., issue 19 item 4) on the wire, with a raw Beast client.
// test/tool/drive_sandbox.sh drives the same API through the installed ding-sandbox with curl.
#include <ding/sandbox.hpp>

#include "raw_client.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <system_error>

namespace json = boost::json;
using http = boost::beast::http::verb;
using namespace std::chrono_literals;

namespace {

const std::string admin_token = "test-admin-token";

ding::sandbox_options admin_options() {
    ding::sandbox_options o;
    o.tls = false;
    o.seed = 19;
    o.admin_token = admin_token;
    return o;
}

struct fixture {
    ding::sandbox sb{admin_options()};
    raw::connection conn{sb.port(), ""};

    fixture() { REQUIRE_FALSE(conn.connect()); }

    raw::result admin(http method, const std::string& path, const std::string& body = {},
                      const std::string& token = admin_token) {
        return conn.request(method, path, body, {{"authorization", "Bearer " + token}, {"content-type", "application/json"}});
    }
    raw::result lookup() {
        return conn.request(http::get, "/v2/lookup/+33612345678", {}, {{"authorization", "Bearer " + sb.v2_api_key()}});
    }
};

}  // namespace

TEST_CASE("sandbox: fault kinds round-trip through to_string and from_string") {
    const ding::sandbox_fault_kind all[] = {
        ding::sandbox_fault_kind::status_429, ding::sandbox_fault_kind::status_500,
        ding::sandbox_fault_kind::status_502, ding::sandbox_fault_kind::status_503,
        ding::sandbox_fault_kind::status_504, ding::sandbox_fault_kind::delay,
        ding::sandbox_fault_kind::close_before_response, ding::sandbox_fault_kind::close_after_headers,
        ding::sandbox_fault_kind::close_mid_body, ding::sandbox_fault_kind::malformed_json,
        ding::sandbox_fault_kind::wrong_types, ding::sandbox_fault_kind::huge_body, ding::sandbox_fault_kind::stall};
    for (auto kind : all) {
        ding::sandbox_fault_kind back = ding::sandbox_fault_kind::stall;
        if (kind == back) back = ding::sandbox_fault_kind::status_429;
        REQUIRE(ding::from_string(ding::to_string(kind), back));
        CHECK(back == kind);
        CHECK(std::string(ding::sandbox_fault_kind_names()).find(ding::to_string(kind)) != std::string::npos);
    }
    CHECK(ding::to_string(ding::sandbox_fault_kind::status_503) == "status_503");
    ding::sandbox_fault_kind untouched = ding::sandbox_fault_kind::delay;
    CHECK_FALSE(ding::from_string("STATUS_503", untouched));
    CHECK_FALSE(ding::from_string("", untouched));
    CHECK_FALSE(ding::from_string("status_503 ", untouched));
    CHECK(untouched == ding::sandbox_fault_kind::delay);
    CHECK(ding::to_string(static_cast<ding::sandbox_fault_kind>(99)) == "unknown");
}

TEST_CASE("sandbox: without an admin token /_sandbox paths are the API's 404") {
    ding::sandbox_options o;
    o.tls = false;
    ding::sandbox sb(o);
    auto r = raw::once(sb.port(), "", http::get, "/_sandbox/requests", {}, {{"authorization", "Bearer "}});
    CHECK(r.status == 404);
    r = raw::once(sb.port(), "", http::post, "/_sandbox/faults", R"({"kind":"status_500"})",
                  {{"authorization", "Bearer anything"}});
    CHECK(r.status == 404);
    CHECK(sb.pending_faults() == 0);
}

TEST_CASE("sandbox: an admin token equal to an API key or not a header value is refused") {
    auto with = [](std::string token, std::string v1 = "k1", std::string v2 = "k2") {
        ding::sandbox_options o;
        o.tls = false;
        o.api_key = std::move(v1);
        o.v2_api_key = std::move(v2);
        o.admin_token = std::move(token);
        return o;
    };
    CHECK_THROWS_AS(ding::sandbox(with("k1")), std::system_error);
    CHECK_THROWS_AS(ding::sandbox(with("k2")), std::system_error);
    CHECK_THROWS_AS(ding::sandbox(with("has space")), std::system_error);
    CHECK_THROWS_AS(ding::sandbox(with(std::string(257, 'a'))), std::system_error);
    CHECK_NOTHROW(ding::sandbox(with("k3")));
}

TEST_CASE("sandbox: admin API refuses requests without its token, and the API keys") {
    fixture f;
    CHECK(f.conn.request(http::get, "/_sandbox/requests").status == 401);
    CHECK(f.admin(http::get, "/_sandbox/requests", {}, f.sb.v2_api_key()).status == 401);
    CHECK(f.admin(http::get, "/_sandbox/requests", {}, admin_token + "x").status == 401);
    CHECK(f.conn.request(http::get, "/_sandbox/requests", {}, {{"x-api-key", f.sb.api_key()}}).status == 401);
    CHECK(f.conn.request(http::get, "/_sandbox/requests", {}, {{"authorization", admin_token}}).status == 401);
    // A refused POST injects nothing; a refused clock request does not move the clock.
    const auto before = f.sb.now();
    CHECK(f.admin(http::post, "/_sandbox/faults", R"({"kind":"status_500"})", "wrong").status == 401);
    CHECK(f.admin(http::post, "/_sandbox/clock", R"({"advance_seconds":3600})", "wrong").status == 401);
    CHECK(f.sb.pending_faults() == 0);
    CHECK(f.sb.now() - before < 600s);
    // Unknown endpoints and methods are told apart only with the token.
    CHECK(f.admin(http::get, "/_sandbox/nope").status == 404);
    CHECK(f.conn.request(http::get, "/_sandbox/nope").status == 401);
    auto r = f.admin(http::put, "/_sandbox/clock");
    CHECK(r.status == 405);
    CHECK(r.header("allow") == "GET, POST");
    // The admin token opens no API path, and no API path answers as the admin API.
    r = f.admin(http::get, "/v2/lookup/+33612345678");
    CHECK(r.status == 401);
    r = f.admin(http::get, "/v1/_sandbox/requests");
    CHECK(r.status == 404);
    CHECK(r.body.find("requests") == std::string::npos);
    r = f.admin(http::get, "/v2/_sandbox/requests");
    CHECK(r.status != 200);
    CHECK(r.body.find("dropped") == std::string::npos);
}

TEST_CASE("sandbox: admin API injects and clears faults, moves the clock and lists requests") {
    fixture f;
    auto r = f.admin(http::post, "/_sandbox/faults",
                     R"({"kind":"status_429","count":2,"path":"/v2/lookup/{phone_number}","retry_after":7})");
    REQUIRE(r.status == 200);
    CHECK(r.json() == json::parse(R"({"pending_faults":2})"));
    r = f.lookup();
    CHECK(r.status == 429);
    CHECK(r.header("retry-after") == "7");
    CHECK(f.sb.pending_faults() == 1);
    CHECK(f.admin(http::delete_, "/_sandbox/faults").json() == json::parse(R"({"pending_faults":0})"));
    CHECK(f.lookup().status == 200);

    // A fault for another path does not apply; "path": null means any path.
    f.admin(http::post, "/_sandbox/faults", R"({"kind":"status_500","path":"/v2/verification"})");
    CHECK(f.lookup().status == 200);
    f.admin(http::delete_, "/_sandbox/faults");
    f.admin(http::post, "/_sandbox/faults", R"({"kind":"status_502","path":null})");
    CHECK(f.lookup().status == 502);

    // Bad bodies say why and change nothing.
    for (const char* bad : {R"(not json)", R"([1])", R"({"count":1})", R"({"kind":"status_999"})",
                            R"({"kind":"delay","delay":-1})", R"({"kind":"stall","count":0})",
                            R"({"kind":"stall","count":1.5})", R"({"kind":"stall","path":"v2"})",
                            R"({"kind":"stall","colour":"red"})"}) {
        INFO(bad);
        r = f.admin(http::post, "/_sandbox/faults", bad);
        CHECK(r.status == 400);
        CHECK(r.json().as_object().contains("message"));
    }
    CHECK(f.sb.pending_faults() == 0);

    // The clock.
    const auto before = f.sb.now();
    r = f.admin(http::post, "/_sandbox/clock", R"({"advance_seconds":86400})");
    REQUIRE(r.status == 200);
    CHECK(f.sb.now() - before >= 86400s);
    CHECK(f.sb.now() - before < 86400s + 600s);
    CHECK(r.json().as_object().contains("now"));
    CHECK(f.admin(http::post, "/_sandbox/clock", R"({"advance_seconds":-5})").status == 400);
    CHECK(f.admin(http::post, "/_sandbox/clock", R"({"advance_seconds":5,"x":1})").status == 400);

    // The log: API requests only, oldest first, with status and fault; no key.
    r = f.admin(http::get, "/_sandbox/requests");
    REQUIRE(r.status == 200);
    const json::value log = r.json();  // owned here: the views below point into it
    const auto& list = log.as_object().at("requests").as_array();
    REQUIRE(list.size() == 4);
    const auto& first = list[0].as_object();
    CHECK(first.at("method") == "GET");
    CHECK(first.at("path") == "/v2/lookup/+33612345678");
    CHECK(first.at("status") == 429);
    CHECK(first.at("fault") == "status_429");
    CHECK(list[1].as_object().at("status") == 200);
    CHECK(list[1].as_object().at("fault").is_null());
    CHECK(list[2].as_object().at("status") == 200);
    CHECK(list[3].as_object().at("status") == 502);
    CHECK(list[3].as_object().at("fault") == "status_502");
    CHECK(list[3].as_object().at("seq").as_int64() > list[0].as_object().at("seq").as_int64());
    CHECK(r.body.find(f.sb.v2_api_key()) == std::string::npos);
    CHECK(r.body.find("_sandbox") == std::string::npos);
    // ?since= gives only newer entries.
    const auto seq = list[2].as_object().at("seq").as_int64();
    r = f.admin(http::get, "/_sandbox/requests?since=" + std::to_string(seq));
    CHECK(r.json().as_object().at("requests").as_array().size() == 1);
    CHECK(f.admin(http::get, "/_sandbox/requests?since=x").status == 400);
    // Admin requests are no API requests: not counted.
    CHECK(f.sb.stats().requests_for("/_sandbox/requests") == 0);
}

TEST_CASE("sandbox: the request log keeps the last 1000 requests and counts the dropped ones") {
    fixture f;
    for (int i = 0; i < 1005; ++i) REQUIRE(f.lookup().status == 200);
    auto r = f.admin(http::get, "/_sandbox/requests");
    REQUIRE(r.status == 200);
    const json::value v = r.json();
    const auto& o = v.as_object();
    CHECK(o.at("requests").as_array().size() == 1000);
    CHECK(o.at("dropped") == 5);
    CHECK(o.at("requests").as_array()[0].as_object().at("seq") == 6);
}

TEST_CASE("sandbox: a fault that closes the connection is logged without a status") {
    fixture f;
    f.sb.inject({ding::sandbox_fault_kind::close_before_response, 1});
    CHECK(f.lookup().ec);
    raw::connection c(f.sb.port(), "");
    REQUIRE_FALSE(c.connect());
    auto r = c.request(http::get, "/_sandbox/requests", {}, {{"authorization", "Bearer " + admin_token}});
    const json::value v = r.json();
    const auto& entry = v.as_object().at("requests").as_array().at(0).as_object();
    CHECK(entry.at("status").is_null());
    CHECK(entry.at("fault") == "close_before_response");
}

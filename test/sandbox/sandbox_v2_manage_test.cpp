// Wire-level tests of the sandbox's Verify management, Notify and Transactional operations
// (raw Beast client over loopback TLS, no SDK): shapes, state, the virtual clock, pagination
// and faults.
#include <catch2/catch.hpp>

#include "raw_client.hpp"

#include <ding/sandbox.hpp>

#include <chrono>
#include <regex>
#include <string>
#include <vector>

namespace json = boost::json;
using http = boost::beast::http::verb;
using namespace std::chrono_literals;

namespace {

struct fixture {
    ding::sandbox sb;
    explicit fixture(ding::sandbox_options o = make_options()) : sb(std::move(o)) {}

    static ding::sandbox_options make_options() {
        ding::sandbox_options o;
        o.seed = 7;
        return o;
    }
    std::map<std::string, std::string> bearer() const { return {{"authorization", "Bearer " + sb.v2_api_key()}}; }

    raw::result call(http method, const std::string& path, const std::string& body = {}) {
        return raw::once(sb.port(), sb.ca_pem(), method, "/v2" + path, body, bearer());
    }
    raw::result post(const std::string& path, const json::object& body) {
        return call(http::post, path, json::serialize(body));
    }
    raw::result get(const std::string& path) { return call(http::get, path); }
    json::object ok(const raw::result& r) {
        INFO(r.body);
        REQUIRE(r.status == 200);
        CHECK(r.header("content-type") == "application/json");
        REQUIRE(r.json().is_object());
        return r.json().as_object();
    }
    std::string create_status(const std::string& phone) {
        auto o = ok(post("/verification",
                         json::object{{"target", json::object{{"type", "phone_number"}, {"value", phone}}}}));
        return std::string(o.at("status").as_string());
    }
    std::string create_reason(const std::string& phone) {
        auto o = ok(post("/verification",
                         json::object{{"target", json::object{{"type", "phone_number"}, {"value", phone}}}}));
        return o.contains("reason") ? std::string(o.at("reason").as_string()) : std::string();
    }
};

bool matches(const json::value& v, const char* pattern) {
    return v.is_string() && std::regex_match(std::string(v.as_string()), std::regex(pattern));
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

std::vector<std::string> numbers_of(const json::object& list) {
    std::vector<std::string> out;
    for (const auto& n : list.at("phone_numbers").as_array()) {
        CHECK(is_rfc3339(n.at("created_at")));
        out.emplace_back(n.at("phone_number").as_string());
    }
    return out;
}

// Walks a list operation page by page; returns every item's `key` and the number of pages.
std::pair<std::vector<std::string>, int> walk(fixture& f, const std::string& path, const std::string& items,
                                              const std::string& key, int limit, const std::string& extra = {}) {
    std::vector<std::string> all;
    std::optional<std::string> cursor;
    int pages = 0;
    for (; pages < 50; ++pages) {  // bounded: the seeded lists are far shorter
        std::string target = path + "?limit=" + std::to_string(limit) + extra;
        if (cursor) target += "&cursor=" + *cursor;
        auto page = f.ok(f.get(target));
        const auto& list = page.at(items).as_array();
        CHECK(list.size() <= static_cast<std::size_t>(limit));
        if (pages > 0) CHECK_FALSE(list.empty());  // next_cursor only when more items follow
        for (const auto& item : list) all.emplace_back(item.at(key).as_string());
        if (!page.contains("next_cursor")) {
            ++pages;
            break;
        }
        REQUIRE(page.at("next_cursor").is_string());
        std::string next(page.at("next_cursor").as_string());
        REQUIRE(matches(page.at("next_cursor"), "^[A-Za-z0-9_-]+$"));  // query-safe as it is
        REQUIRE(next != cursor);
        cursor = next;
    }
    return {all, pages};
}

const std::string cfg1 = "cfg_01k8sandbx0000000000000001";
const std::string subs = "/notify/management/subscriptions";

}  // namespace

TEST_CASE("sandbox v2: block then create is blocked, unblock then create succeeds (DELETE with a JSON body)",
          "[sandbox][v2][manage]") {
    fixture f;
    auto start = f.ok(f.get("/verification/management/phone-numbers/block"));
    CHECK(numbers_of(start) == std::vector<std::string>{"+15005550010"});  // blocked_numbers seeds it
    CHECK(numbers_of(f.ok(f.get("/verification/management/phone-numbers/allow"))).empty());

    const std::string phone = "+33612345678";
    CHECK(f.create_status(phone) == "success");
    auto added = f.ok(f.post("/verification/management/phone-numbers/block", json::object{{"phone_number", phone}}));
    CHECK(added == json::object{{"phone_number", phone}});
    auto listed = f.ok(f.get("/verification/management/phone-numbers/block"));
    CHECK(numbers_of(listed) == std::vector<std::string>{"+15005550010", phone});
    const json::value created_at = listed.at("phone_numbers").as_array()[1].at("created_at");

    f.sb.advance_clock(1h);  // idempotent add: created_at stays
    f.ok(f.post("/verification/management/phone-numbers/block", json::object{{"phone_number", phone}}));
    auto again = f.ok(f.get("/verification/management/phone-numbers/block"));
    REQUIRE(again.at("phone_numbers").as_array().size() == 2);
    CHECK(again.at("phone_numbers").as_array()[1].at("created_at") == created_at);

    CHECK(f.create_status(phone) == "blocked");
    CHECK(f.create_reason(phone) == "in_block_list");

    const std::string body = json::serialize(json::object{{"phone_number", phone}});
    auto removed = f.ok(f.call(http::delete_, "/verification/management/phone-numbers/block", body));
    CHECK(removed == json::object{{"phone_number", phone}});
    CHECK(numbers_of(f.ok(f.get("/verification/management/phone-numbers/block"))) ==
          std::vector<std::string>{"+15005550010"});
    f.ok(f.call(http::delete_, "/verification/management/phone-numbers/block", body));  // idempotent
    const std::string status = f.create_status(phone);
    CHECK((status == "success" || status == "retry"));

    // Refusals
    require_error(f.get("/verification/management/phone-numbers/deny"), 400, "invalid_request", "action");
    require_error(f.post("/verification/management/phone-numbers/block", json::object{{"phone_number", "0612"}}), 400,
                  "invalid_phone_number", "phone_number");
    require_error(f.post("/verification/management/phone-numbers/block",
                         json::object{{"phone_number", phone}, {"note", "x"}}),
                  400, "invalid_request", "note");
    require_error(f.call(http::delete_, "/verification/management/phone-numbers/allow"), 400, "invalid_request");
    auto put = f.call(http::put, "/verification/management/phone-numbers/allow", body);
    require_error(put, 405, "method_not_allowed");
    CHECK(put.header("allow") == "GET, POST, DELETE");
    require_error(raw::once(f.sb.port(), f.sb.ca_pem(), http::get, "/v2/verification/management/phone-numbers/allow"),
                  401, "missing_api_token");
}

TEST_CASE("sandbox v2: an allowed number is never blocked by the spam rules", "[sandbox][v2][manage]") {
    ding::sandbox_options o = fixture::make_options();
    o.max_retries = 1;
    fixture f(o);
    const std::string spam = "+15005550009";  // in spam_numbers
    CHECK(f.create_reason(spam) == "suspicious");
    f.ok(f.post("/verification/management/phone-numbers/allow", json::object{{"phone_number", spam}}));
    CHECK(numbers_of(f.ok(f.get("/verification/management/phone-numbers/allow"))) == std::vector<std::string>{spam});
    CHECK(f.create_status(spam) == "success");
    for (int i = 0; i < 4; ++i) CHECK(f.create_status(spam) == "retry");  // past max_retries

    // Not allowed: the second retry is blocked.
    const std::string other = "+33612345679";
    CHECK(f.create_status(other) == "success");
    CHECK(f.create_status(other) == "retry");
    CHECK(f.create_reason(other) == "repeated_attempts");

    auto predict = [&](const std::string& phone) {
        auto o = f.ok(f.post("/watch/predict",
                             json::object{{"target", json::object{{"type", "phone_number"}, {"value", phone}}}}));
        return std::string(o.at("prediction").as_string());
    };
    CHECK(predict(spam) == "legitimate");

    // On both lists: the block list wins.
    f.ok(f.post("/verification/management/phone-numbers/block", json::object{{"phone_number", spam}}));
    CHECK(f.create_reason(spam) == "in_block_list");
    CHECK(predict(spam) == "suspicious");

    ding::sandbox_options seeded = fixture::make_options();
    seeded.allowed_numbers = {spam};
    fixture g(seeded);
    CHECK(g.create_status(spam) == "success");
}

TEST_CASE("sandbox v2: sender IDs start pending and are approved or rejected on the virtual clock",
          "[sandbox][v2][manage]") {
    fixture f;
    auto list = [&] {
        std::map<std::string, std::string> out;
        auto o = f.ok(f.get("/verification/management/sender-id"));
        for (const auto& s : o.at("sender_ids").as_array())
            out[std::string(s.at("sender_id").as_string())] = std::string(s.at("status").as_string());
        return out;
    };
    CHECK(list() == std::map<std::string, std::string>{{"Sandbox", "approved"}});

    auto acme = f.ok(f.post("/verification/management/sender-id", json::object{{"sender_id", "Acme"}}));
    CHECK(acme == json::object{{"sender_id", "Acme"}, {"status", "pending"}});
    auto rejected = f.ok(f.post("/verification/management/sender-id", json::object{{"sender_id", "Rejected"}}));
    CHECK(rejected.at("status").as_string() == "pending");
    CHECK(list() == std::map<std::string, std::string>{{"Sandbox", "approved"}, {"Acme", "pending"}, {"Rejected", "pending"}});

    // A pending sender ID cannot send yet.
    json::object msg{{"template_id", "template_01"}, {"to", "+33612345678"}, {"from", "Acme"}};
    require_error(f.post("/notify", msg), 400, "invalid_sender_id", "from");

    f.sb.advance_clock(59min);
    CHECK(list().at("Acme") == "pending");
    f.sb.advance_clock(1min);
    CHECK(list() == std::map<std::string, std::string>{{"Sandbox", "approved"}, {"Acme", "approved"}, {"Rejected", "rejected"}});
    auto again = f.ok(f.post("/verification/management/sender-id", json::object{{"sender_id", "Rejected"}}));
    CHECK(again.at("status").as_string() == "rejected");
    CHECK(again.at("reason").is_string());
    CHECK(f.ok(f.post("/verification/management/sender-id", json::object{{"sender_id", "Acme"}})) ==
          json::object{{"sender_id", "Acme"}, {"status", "approved"}});

    CHECK(f.ok(f.post("/notify", msg)).at("from").as_string() == "Acme");
    msg["from"] = "Rejected";
    require_error(f.post("/notify", msg), 400, "invalid_sender_id", "from");

    require_error(f.post("/verification/management/sender-id", json::object{{"sender_id", ""}}), 400,
                  "invalid_sender_id", "sender_id");
    require_error(f.post("/verification/management/sender-id", json::object{}), 400, "invalid_request", "sender_id");
}

TEST_CASE("sandbox v2: notify send answers with an id and expires_at, an unsubscribed number is refused",
          "[sandbox][v2][notify]") {
    fixture f;
    auto sent = f.ok(f.post("/notify", json::object{{"template_id", "template_01k8ap1btqf5r9fq2c8ax5fhc9"},
                                                    {"to", "+33612345678"},
                                                    {"variables", json::object{{"order", "1234"}}},
                                                    {"correlation_id", "order-1234"}}));
    CHECK(matches(sent.at("id"), "^msg_[0-9a-z]{26}$"));
    CHECK(is_rfc3339(sent.at("created_at")));
    CHECK(is_rfc3339(sent.at("expires_at")));
    CHECK(sent.at("expires_at") != sent.at("created_at"));
    CHECK(sent.at("template_id").as_string() == "template_01k8ap1btqf5r9fq2c8ax5fhc9");
    CHECK(sent.at("to").as_string() == "+33612345678");
    CHECK(sent.at("variables") == json::object{{"order", "1234"}});
    CHECK(sent.at("correlation_id").as_string() == "order-1234");
    CHECK(sent.at("encoding").as_string() == "GSM-7");
    CHECK(sent.at("estimated_segment_count").as_int64() == 1);
    CHECK_FALSE(sent.contains("from"));

    auto second = f.ok(f.post("/notify", json::object{{"template_id", "t"},
                                                      {"to", "+33612345678"},
                                                      {"preferred_channel", "whatsapp"},
                                                      {"expires_at", "2026-12-25T18:00:00+01:00"},
                                                      {"schedule_at", "2026-12-25T10:00:00Z"}}));
    CHECK(second.at("id") != sent.at("id"));
    CHECK(second.at("expires_at").as_string() == "2026-12-25T17:00:00Z");
    CHECK(second.at("schedule_at").as_string() == "2026-12-25T10:00:00Z");
    CHECK(second.at("variables") == json::object{});
    CHECK_FALSE(second.contains("encoding"));

    // Unsubscribed: the seeded number, and one a test chose.
    require_error(f.post("/notify", json::object{{"template_id", "t"}, {"to", "+15005550011"}}), 400,
                  "recipient_unsubscribed", "to");
    require_error(f.post("/notify", json::object{{"template_id", "t"}, {"to", "+12065550103"}}), 400,
                  "recipient_unsubscribed", "to");
    f.ok(f.post("/notify", json::object{{"template_id", "t"}, {"to", "+12065550104"}}));  // opted back in

    ding::sandbox_options o = fixture::make_options();
    o.unsubscribed_numbers = {"+33699999999"};
    fixture g(o);
    require_error(g.post("/notify", json::object{{"template_id", "t"}, {"to", "+33699999999"}}), 400,
                  "recipient_unsubscribed", "to");
    g.ok(g.post("/notify", json::object{{"template_id", "t"}, {"to", "+15005550011"}}));
    auto state = g.ok(g.get(subs + "/" + cfg1 + "/phone_numbers/+33699999999"));
    CHECK(state.at("state").as_string() == "UNSUB");

    // Refusals
    require_error(f.post("/notify", json::object{{"template_id", "t"}, {"to", "0612345678"}}), 400,
                  "invalid_phone_number", "to");
    require_error(f.post("/notify", json::object{{"to", "+33612345678"}}), 400, "invalid_request", "template_id");
    require_error(f.post("/notify", json::object{{"template_id", "t"}, {"to", "+33612345678"}, {"channel", "sms"}}), 400,
                  "invalid_request", "channel");
    require_error(f.post("/notify", json::object{{"template_id", "t"}, {"to", "+33612345678"}, {"expires_at", "tomorrow"}}),
                  400, "invalid_request", "expires_at");
    require_error(f.post("/notify", json::object{{"template_id", "t"}, {"to", "+33612345678"}, {"preferred_channel", "fax"}}),
                  400, "invalid_request", "preferred_channel");
    require_error(f.post("/notify", json::object{{"template_id", "t"},
                                                 {"to", "+33612345678"},
                                                 {"variables", json::object{{"n", 1}}}}),
                  400, "invalid_request", "variables.n");
}

TEST_CASE("sandbox v2: a notify batch answers per recipient, a bad number is the item's error",
          "[sandbox][v2][notify]") {
    fixture f;
    auto r = f.ok(f.post("/notify/batch", json::object{{"template_id", "template_01"},
                                                       {"to", json::array{"+33612345678", "12345", "+15005550011",
                                                                          "+447700900123"}},
                                                       {"variables", json::object{{"name", "Zoë"}}},
                                                       {"locale", "fr-FR"},
                                                       {"callback_url", "https://example.com/hook"}}));
    CHECK(r.at("total_count").as_int64() == 4);
    CHECK(r.at("success_count").as_int64() == 2);
    CHECK(r.at("error_count").as_int64() == 2);
    CHECK(r.at("template_id").as_string() == "template_01");
    CHECK(r.at("variables") == json::object{{"name", "Zoë"}});
    CHECK(r.at("callback_url").as_string() == "https://example.com/hook");
    CHECK(matches(r.at("request_id"), "^[0-9a-f-]{36}$"));
    const auto& results = r.at("results").as_array();
    REQUIRE(results.size() == 4);
    const auto& good = results[0].as_object();
    CHECK(good.at("phone_number").as_string() == "+33612345678");
    CHECK(good.at("success").as_bool());
    CHECK_FALSE(good.contains("error"));
    CHECK(matches(good.at("message").at("id"), "^msg_[0-9a-z]{26}$"));
    CHECK(good.at("message").at("to").as_string() == "+33612345678");
    CHECK(good.at("message").at("locale").as_string() == "fr-FR");
    CHECK(good.at("message").at("encoding").as_string() == "UCS-2");
    CHECK(is_rfc3339(good.at("message").at("expires_at")));
    CHECK(results[3].at("success").as_bool());
    CHECK(results[3].at("message").at("id") != good.at("message").at("id"));

    const auto& bad = results[1].as_object();
    CHECK(bad.at("phone_number").as_string() == "12345");
    CHECK_FALSE(bad.at("success").as_bool());
    CHECK_FALSE(bad.contains("message"));
    CHECK(bad.at("error").at("code").as_string() == "invalid_phone_number");
    CHECK(bad.at("error").at("message").is_string());
    CHECK(results[2].at("error").at("code").as_string() == "recipient_unsubscribed");

    // Whole-request refusals: the shared fields, a `to` that is not a list of strings.
    require_error(f.post("/notify/batch", json::object{{"template_id", "t"}, {"to", "+33612345678"}}), 400,
                  "invalid_request", "to");
    require_error(f.post("/notify/batch", json::object{{"template_id", "t"}, {"to", json::array{"+33612345678", 7}}}), 400,
                  "invalid_request", "to[1]");
    require_error(f.post("/notify/batch",
                         json::object{{"template_id", "t"}, {"to", json::array{"+33612345678"}}, {"from", "Nobody"}}),
                  400, "invalid_sender_id", "from");
}

TEST_CASE("sandbox v2: the deprecated transactional send works", "[sandbox][v2][notify]") {
    fixture f;
    auto t = f.ok(f.post("/transactional", json::object{{"template_id", "template_01hynf45qvevj844m9az2x2f3c"},
                                                        {"to", "+30123456789"},
                                                        {"from", "Sandbox"},
                                                        {"expires_at", "2026-12-25T18:00:00Z"},
                                                        {"document", json::object{{"url", "https://example.com/a.pdf"},
                                                                                  {"filename", "a.pdf"}}}}));
    CHECK(matches(t.at("id"), "^tx_[0-9a-z]{26}$"));
    CHECK(is_rfc3339(t.at("created_at")));
    CHECK(t.at("expires_at").as_string() == "2026-12-25T18:00:00Z");
    CHECK(t.at("template_id").as_string() == "template_01hynf45qvevj844m9az2x2f3c");
    CHECK(t.at("to").as_string() == "+30123456789");
    CHECK(t.at("variables") == json::object{});
    CHECK(t.at("from").as_string() == "Sandbox");
    CHECK_FALSE(t.contains("encoding"));
    // schedule_at is not part of this operation's request.
    require_error(f.post("/transactional", json::object{{"template_id", "t"},
                                                        {"to", "+30123456789"},
                                                        {"schedule_at", "2026-12-25T10:00:00Z"}}),
                  400, "invalid_request", "schedule_at");
    require_error(f.post("/transactional", json::object{{"template_id", "t"}, {"to", "+15005550011"}}), 400,
                  "recipient_unsubscribed", "to");
    require_error(f.post("/transactional", json::object{{"template_id", "t"},
                                                        {"to", "+30123456789"},
                                                        {"document", json::object{{"url", "http://x/a.pdf"}}}}),
                  400, "invalid_request", "document.url");
}

TEST_CASE("sandbox v2: subscription lists are seeded and walking them with limit=1 equals limit=100",
          "[sandbox][v2][notify]") {
    fixture f;
    auto [configs1, pages1] = walk(f, subs, "configs", "id", 1);
    auto [configs100, pages100] = walk(f, subs, "configs", "id", 100);
    CHECK(configs1 == configs100);
    CHECK(configs1.size() == 4);
    CHECK(pages1 == 4);
    CHECK(pages100 == 1);
    CHECK(configs1.front() == cfg1);
    auto [configs3, pages3] = walk(f, subs, "configs", "id", 3);
    CHECK(configs3 == configs1);
    CHECK(pages3 == 2);

    auto first = f.ok(f.get(subs + "?limit=100")).at("configs").as_array();
    const auto& us = first[0].as_object();
    CHECK(us.at("name").as_string() == "Marketing US");
    for (const char* k : {"id", "callback_url", "name"}) CHECK(us.at(k).is_string());
    CHECK(is_rfc3339(us.at("created_at")));
    CHECK(is_rfc3339(us.at("updated_at")));
    CHECK(us.at("messages").at("stop_message").is_string());
    CHECK(us.at("mo_phone_numbers").as_array()[0] == json::object{{"country_code", "US"}, {"phone_number", "+12065550100"}});
    CHECK_FALSE(first[3].as_object().contains("mo_phone_numbers"));
    CHECK(f.ok(f.get(subs + "/" + cfg1)) == us);  // the single read is the list's item
    CHECK(f.ok(f.get(subs)).at("configs").as_array().size() == 4);  // default limit

    const std::string numbers = subs + "/" + cfg1 + "/phone_numbers";
    auto [n1, np1] = walk(f, numbers, "phone_numbers", "phone_number", 1);
    auto [n100, np100] = walk(f, numbers, "phone_numbers", "phone_number", 100);
    CHECK(n1 == n100);
    CHECK(n1 == std::vector<std::string>{"+12065550101", "+12065550102", "+12065550103", "+12065550104", "+12065550105",
                                         "+12065550106", "+15005550011"});
    CHECK(np1 == 7);
    auto [unsub1, up1] = walk(f, numbers, "phone_numbers", "phone_number", 1, "&state=UNSUB");
    auto [unsub100, up100] = walk(f, numbers, "phone_numbers", "phone_number", 100, "&state=UNSUB");
    CHECK(unsub1 == unsub100);
    CHECK(unsub1 == std::vector<std::string>{"+12065550103", "+12065550105", "+15005550011"});
    CHECK(up1 == 3);
    auto [sub2, sp2] = walk(f, numbers, "phone_numbers", "phone_number", 2, "&state=SUB");
    CHECK(sub2 == std::vector<std::string>{"+12065550101", "+12065550102", "+12065550104", "+12065550106"});
    CHECK(sp2 == 2);
    auto empty = f.ok(f.get(subs + "/cfg_01k8sandbx0000000000000004/phone_numbers?limit=1"));
    CHECK(empty == json::object{{"phone_numbers", json::array{}}});

    auto one = f.ok(f.get(numbers + "/%2B15005550011"));
    CHECK(one.at("config_id").as_string() == cfg1);
    CHECK(one.at("phone_number").as_string() == "+15005550011");
    CHECK(one.at("state").as_string() == "UNSUB");
    CHECK(one.at("source").as_string() == "MO_KEYWORD");
    CHECK(one.at("reason").as_string() == "STOP");
    CHECK(is_rfc3339(one.at("updated_at")));

    const std::string events = numbers + "/+15005550011/events";
    auto [e1, ep1] = walk(f, events, "events", "timestamp", 1);
    auto [e100, ep100] = walk(f, events, "events", "timestamp", 100);
    CHECK(e1 == e100);
    CHECK(ep1 == 4);
    REQUIRE(e1.size() == 4);
    CHECK(std::is_sorted(e1.rbegin(), e1.rend()));  // most recent first
    CHECK(e1.front() == std::string(one.at("updated_at").as_string()));
    auto page = f.ok(f.get(events + "?limit=100")).at("events").as_array();
    CHECK(page[0].at("state").as_string() == "UNSUB");
    CHECK(page[3].at("state").as_string() == "SUB");
    CHECK(page[3].at("source").as_string() == "CSV_IMPORT");
    CHECK_FALSE(page[3].as_object().contains("reason"));
    CHECK(page[0].at("config_id").as_string() == cfg1);

    // Every configuration's numbers and every number's events, one per page: the documented totals.
    std::size_t all_numbers = 0, all_events = 0;
    for (const auto& id : configs1) {
        auto [nums, np] = walk(f, subs + "/" + id + "/phone_numbers", "phone_numbers", "phone_number", 1);
        all_numbers += nums.size();
        for (const auto& n : nums) all_events += walk(f, subs + "/" + id + "/phone_numbers/" + n + "/events", "events",
                                                      "timestamp", 1).first.size();
    }
    CHECK(all_numbers == 12);
    CHECK(all_events == 20);

    // Errors: bad cursor, a cursor of another list, bad limit and state, unknown ids.
    auto next = std::string(f.ok(f.get(subs + "?limit=1")).at("next_cursor").as_string());
    require_error(f.get(subs + "?cursor=not-a-cursor"), 400, "invalid_request", "cursor");
    require_error(f.get(subs + "?cursor="), 400, "invalid_request", "cursor");
    require_error(f.get(numbers + "?cursor=" + next), 400, "invalid_request", "cursor");
    auto unsub_next = std::string(f.ok(f.get(numbers + "?limit=1&state=UNSUB")).at("next_cursor").as_string());
    require_error(f.get(numbers + "?cursor=" + unsub_next), 400, "invalid_request", "cursor");
    f.ok(f.get(numbers + "?state=UNSUB&cursor=" + unsub_next));
    require_error(f.get(subs + "?limit=0"), 400, "invalid_request", "limit");
    require_error(f.get(subs + "?limit=-3"), 400, "invalid_request", "limit");
    require_error(f.get(subs + "?limit=ten"), 400, "invalid_request", "limit");
    CHECK(f.ok(f.get(subs + "?limit=100000")).at("configs").as_array().size() == 4);
    require_error(f.get(numbers + "?state=SUBSCRIBED"), 400, "invalid_request", "state");
    require_error(f.get(subs + "/cfg_unknown"), 404, "not_found");
    require_error(f.get(subs + "/cfg_unknown/phone_numbers"), 404, "not_found");
    require_error(f.get(numbers + "/+33612345678"), 404, "not_found");
    require_error(f.get(numbers + "/0612345678/events"), 400, "invalid_phone_number", "phone_number");
    require_error(f.get(subs + "/" + cfg1 + "/numbers"), 404, "not_found");
    require_error(f.call(http::post, subs, "{}"), 405, "method_not_allowed");
}

TEST_CASE("sandbox v2: faults apply to the management and notify paths and change no state", "[sandbox][v2][manage]") {
    fixture f;
    f.sb.inject(ding::sandbox_fault(ding::sandbox_fault_kind::status_503, 1,
                                    "/v2/verification/management/phone-numbers/{action}"));
    auto r = f.post("/verification/management/phone-numbers/block", json::object{{"phone_number", "+33612345678"}});
    CHECK(r.status == 503);
    CHECK(numbers_of(f.ok(f.get("/verification/management/phone-numbers/block"))) ==
          std::vector<std::string>{"+15005550010"});

    f.sb.inject(ding::sandbox_fault(ding::sandbox_fault_kind::status_500, 1, "/v2/notify"));
    CHECK(f.post("/notify", json::object{{"template_id", "t"}, {"to", "+33612345678"}}).status == 500);
    CHECK(f.post("/notify/batch", json::object{{"template_id", "t"}, {"to", json::array{"+33612345678"}}}).status == 200);

    f.sb.inject(ding::sandbox_fault(ding::sandbox_fault_kind::wrong_types, 1,
                                    "/v2/notify/management/subscriptions/{config_id}/phone_numbers"));
    auto wrong = f.get(subs + "/" + cfg1 + "/phone_numbers");
    REQUIRE(wrong.status == 200);
    CHECK(wrong.json().at("phone_numbers").is_string());  // an array made a string

    f.sb.inject(ding::sandbox_fault(ding::sandbox_fault_kind::malformed_json, 1, "/v2/transactional"));
    auto broken = f.post("/transactional", json::object{{"template_id", "t"}, {"to", "+30123456789"}});
    CHECK(broken.status == 200);
    CHECK(broken.json().is_null());
    CHECK(f.sb.pending_faults() == 0);
    CHECK(f.sb.requests_for("/v2/notify/management/subscriptions/{config_id}/phone_numbers") == 1);
    CHECK(f.sb.requests_for("/v2/verification/management/phone-numbers/{action}") == 2);
}

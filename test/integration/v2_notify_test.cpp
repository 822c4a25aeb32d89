// Prelude v2, issue 18: the 13 operations added (Verify management, Notify, Transactional) as the
// loopback server sees them (method, path with {action}, {config_id} and {phone_number}, query,
// headers, body), the reply mapping, the retry table, validation before I/O, the pagers over real
// HTTP (pages, errors, cancellation, the client's destruction, concurrency), and the issue's code
// block run as written.

#include "common.hpp"

#include <ding/v2.hpp>
#include <ding/version.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <iostream>
#include <map>
#include <thread>

using namespace ding::test;
namespace json = boost::json;
namespace v2 = ding::v2;

namespace {

std::string v2_base_url(const test_server& server) {
    std::string url = server.base_url();
    REQUIRE(url.size() > 3);
    REQUIRE(url.substr(url.size() - 3) == "/v1");
    url.resize(url.size() - 3);
    return url;
}

v2::client_options v2_options(const fixture& f) {
    v2::client_options o;
    static_cast<ding::client_options&>(o) = f.options();
    o.base_url = v2_base_url(*f.server);
    return o;
}

std::unique_ptr<v2::client> make_v2_client(fixture& f) {
    return std::make_unique<v2::client>(f.ioc.get_executor(), v2_options(f));
}

/// The headers of every v2 request; `method` as sent; a body goes with its JSON type and length.
void require_headers(const recorded_request& r, std::string_view method, bool has_body) {
    CHECK(r.method == method);
    CHECK(r.header("Authorization") == std::string("Bearer ") + secret_api_key);
    CHECK(r.header_count("x-api-key") == 0);
    CHECK(r.header("Accept") == "application/json");
    CHECK(r.header("User-Agent") == "ding-cpp/" DING_VERSION_STRING);
    if (has_body) {
        CHECK(r.header("Content-Type") == "application/json");
        CHECK(r.header("Content-Length") == std::to_string(r.body.size()));
        CHECK_FALSE(r.body.empty());
    } else {
        CHECK(r.header_count("Content-Type") == 0);
        CHECK(r.header_count("Content-Length") == 0);
        CHECK(r.body.empty());
    }
}

constexpr const char* phone_body = R"({"phone_number":"+33612345678"})";
constexpr const char* notify_body = R"({"id":"msg_1","created_at":"2025-12-20T08:15:00Z","expires_at":"2025-12-21T08:15:00Z",
    "template_id":"template_1","to":"+33612345678","variables":{"order":"1234"}})";
constexpr const char* batch_body = R"({"total_count":2,"success_count":1,"error_count":1,"results":[
    {"phone_number":"+33612345678","success":true,"message":{"id":"msg_2"}},
    {"phone_number":"+33700000000","success":false,"error":{"code":"invalid_phone_number","message":"not a number in service"}}]})";
constexpr const char* tx_body = R"({"id":"tx_1","created_at":"2025-12-20T08:15:00Z","expires_at":"2025-12-25T18:00:00Z",
    "template_id":"template_1","to":"+33612345678","variables":{}})";
constexpr const char* subscribed_body = R"({"config_id":"cfg_1","phone_number":"+33612345678","state":"SUB","source":"API",
    "updated_at":"2026-03-01T12:00:00Z"})";

std::string config_json(std::string_view id) {
    return R"({"id":")" + std::string(id) + R"(","name":"n","callback_url":"https://x.example/h",)"
           R"("created_at":"2025-11-03T10:00:00Z","updated_at":"2026-02-14T16:20:00Z","messages":{}})";
}

v2::notify_send_request notify_req() {
    v2::notify_send_request m;
    m.template_id = "template_1";
    m.to = phone;
    return m;
}

v2::notify_send_batch_request batch_req() {
    v2::notify_send_batch_request b;
    b.template_id = "template_1";
    b.to = {phone, "+33700000000"};
    return b;
}

v2::transactional_send_request tx_req() {
    v2::transactional_send_request t;
    t.template_id = "template_1";
    t.to = phone;
    return t;
}

/// The value of `name` in the query of `target`, or nullopt.
std::optional<std::string> query_value(std::string_view target, std::string_view name) {
    const auto q = target.find('?');
    if (q == std::string_view::npos) return std::nullopt;
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

/// A server side of GET /v2/notify/management/subscriptions with `count` configurations cfg_0..,
/// cursors "p<index>", honouring `limit` (default 3).
reply configs_page(const recorded_request& r, int count) {
    const int limit = std::stoi(query_value(r.target, "limit").value_or("3"));
    const auto cursor = query_value(r.target, "cursor");
    const int from = cursor ? std::stoi(cursor->substr(1)) : 0;
    std::string body = R"({"configs":[)";
    for (int i = from; i < count && i < from + limit; ++i) {
        if (i != from) body += ',';
        body += config_json("cfg_" + std::to_string(i));
    }
    body += ']';
    if (from + limit < count) body += R"(,"next_cursor":"p)" + std::to_string(from + limit) + '"';
    body += '}';
    return reply::json(200, body);
}

using configs_pager = v2::pager<v2::list_subscription_configs_response>;

/// Walks `pages` to its end (bounded), returning the ids in order, or the first error.
asio::awaitable<ding::outcome<std::vector<std::string>>> walk_ids(configs_pager pages) {
    std::vector<std::string> ids;
    for (int i = 0; i < 1000; ++i) {
        auto page = co_await pages.next_async();
        if (!page) co_return page.error();
        if (!*page) co_return ids;
        for (const auto& c : (*page)->configs) ids.push_back(c.id);
    }
    co_return ding::error(ding::errc::internal, ding::error::details{});
}

} // namespace

TEST_CASE("integration: v2 allow and block lists: GET, POST and DELETE with a JSON body on {action}") {
    fixture f;
    auto client = make_v2_client(f);
    auto& vm = client->verification_management();

    f.server->push(reply::json(200, R"({"phone_numbers":[{"phone_number":"+33612345678","created_at":"2026-08-01T09:30:00Z"}]})"));
    auto listed = f.run(vm.list_phone_numbers_async(v2::phone_list::block));
    REQUIRE(listed.has_value());
    REQUIRE(listed->phone_numbers.size() == 1);
    CHECK(listed->phone_numbers[0].phone_number == phone);

    const v2::set_phone_number_request add{.phone_number = phone};
    f.server->push(reply::json(200, phone_body));
    auto added = f.run(vm.set_phone_number_async(v2::phone_list::allow, add));
    REQUIRE(added.has_value());
    CHECK(added->phone_number == phone);

    const v2::delete_phone_number_request remove{.phone_number = phone};
    f.server->push(reply::json(200, phone_body));
    auto removed = f.run(vm.delete_phone_number_async(v2::phone_list::block, remove));
    REQUIRE(removed.has_value());
    CHECK(removed->phone_number == phone);

    const auto& reqs = f.server->requests();
    REQUIRE(reqs.size() == 3);
    CHECK(reqs[0].target == "/v2/verification/management/phone-numbers/block");
    require_headers(reqs[0], "GET", false);
    CHECK(reqs[1].target == "/v2/verification/management/phone-numbers/allow");
    require_headers(reqs[1], "POST", true);
    CHECK(reqs[1].body == R"({"phone_number":"+33612345678"})");
    CHECK(reqs[2].target == "/v2/verification/management/phone-numbers/block");
    require_headers(reqs[2], "DELETE", true); // the body travels with Content-Type and Content-Length
    CHECK(reqs[2].body == R"({"phone_number":"+33612345678"})");
}

TEST_CASE("integration: v2 sender IDs: GET and POST /v2/verification/management/sender-id") {
    fixture f;
    auto client = make_v2_client(f);
    f.server->push(reply::json(200, R"({"sender_ids":[{"sender_id":"Prelude","status":"approved"},{"sender_id":"Acme","status":"pending"}]})"));
    auto ids = f.run(client->verification_management().list_sender_ids_async());
    REQUIRE(ids.has_value());
    REQUIRE(ids->sender_ids);
    CHECK(ids->sender_ids->at(1).status == v2::sender_id_status::pending);

    const v2::submit_sender_id_request acme{.sender_id = "Acme"};
    f.server->push(reply::json(200, R"({"sender_id":"Acme","status":"pending"})"));
    auto sid = f.run(client->verification_management().submit_sender_id_async(acme));
    REQUIRE(sid.has_value());
    CHECK(sid->status == v2::sender_id_status::pending);

    const auto& reqs = f.server->requests();
    REQUIRE(reqs.size() == 2);
    CHECK(reqs[0].target == "/v2/verification/management/sender-id");
    require_headers(reqs[0], "GET", false);
    CHECK(reqs[1].target == "/v2/verification/management/sender-id");
    require_headers(reqs[1], "POST", true);
    CHECK(reqs[1].body == R"({"sender_id":"Acme"})");
}

TEST_CASE("integration: v2 notify send and batch: paths, bodies, a refused recipient is a value") {
    fixture f;
    auto client = make_v2_client(f);
    auto msg = notify_req();
    msg.variables = v2::message_variables{{"order", "1234"}};
    msg.preferred_channel = v2::message_channel::sms;
    f.server->push(reply::json(200, notify_body));
    auto sent = f.run(client->notify().send_async(msg));
    REQUIRE(sent.has_value());
    CHECK(sent->id == "msg_1");
    CHECK(sent->variables.at("order") == "1234");

    const auto batch = batch_req();
    f.server->push(reply::json(200, batch_body));
    auto many = f.run(client->notify().send_batch_async(batch));
    REQUIRE(many.has_value());
    REQUIRE(many->results.size() == 2);
    CHECK(many->results[0].success);
    CHECK_FALSE(many->results[1].success);
    REQUIRE(many->results[1].error);
    CHECK(many->results[1].error->code == "invalid_phone_number");

    const auto& reqs = f.server->requests();
    REQUIRE(reqs.size() == 2);
    CHECK(reqs[0].target == "/v2/notify");
    require_headers(reqs[0], "POST", true);
    CHECK(reqs[0].json() == json::parse(R"({"template_id":"template_1","to":"+33612345678","preferred_channel":"sms",
        "variables":{"order":"1234"}})"));
    CHECK(reqs[1].target == "/v2/notify/batch");
    require_headers(reqs[1], "POST", true);
    CHECK(reqs[1].body == R"({"template_id":"template_1","to":["+33612345678","+33700000000"]})");

    // A refusal of the whole call (the contract's error object) is an api_error.
    f.server->push(reply::json(400, R"({"code":"invalid_template","message":"no such template","param":"template_id"})"));
    auto refused = f.run(client->notify().send_async(msg));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().value() == ding::errc::api_error);
    CHECK(refused.error().api_code_string() == "invalid_template");
    CHECK(refused.error().api_param() == "template_id");
    CHECK(refused.error().operation() == "notify_send");
    CHECK(free_of_key(refused.error()));
}

TEST_CASE("integration: v2 subscription reads: config_id and phone_number in the path, cursor, limit and state in the query") {
    fixture f;
    auto client = make_v2_client(f);
    auto& n = client->notify();

    f.server->push(reply::json(200, R"({"configs":[],"next_cursor":"a b/c+d"})"));
    const v2::list_subscription_configs_request first{};
    auto page = f.run(n.list_subscription_configs_async(first));
    REQUIRE(page.has_value());
    CHECK(page->next_cursor == "a b/c+d");
    const v2::list_subscription_configs_request second{.cursor = page->next_cursor, .limit = 2};
    f.server->push(reply::json(200, R"({"configs":[]})"));
    REQUIRE(f.run(n.list_subscription_configs_async(second)).has_value());

    f.server->push(reply::json(200, config_json("cfg 1")));
    auto cfg = f.run(n.get_subscription_config_async("cfg 1"));
    REQUIRE(cfg.has_value());
    CHECK(cfg->id == "cfg 1");

    const v2::list_subscription_phone_numbers_request numbers{
        .config_id = "cfg_1", .cursor = "k", .limit = 10, .state = v2::subscription_state::unsub};
    f.server->push(reply::json(200, std::string(R"({"phone_numbers":[)") + subscribed_body + "]}"));
    auto listed = f.run(n.list_subscription_phone_numbers_async(numbers));
    REQUIRE(listed.has_value());
    CHECK(listed->phone_numbers.at(0).state == v2::subscription_state::sub);

    f.server->push(reply::json(200, subscribed_body));
    auto one = f.run(n.get_subscription_phone_number_async("cfg_1", phone));
    REQUIRE(one.has_value());
    CHECK(one->source == v2::subscription_source::api);

    const v2::list_subscription_phone_number_events_request events{.config_id = "cfg_1", .phone_number = phone, .limit = 1};
    f.server->push(reply::json(200, R"({"events":[{"config_id":"cfg_1","phone_number":"+33612345678","state":"UNSUB",
        "source":"MO_KEYWORD","reason":"STOP","timestamp":"2026-03-02T08:45:10Z"}]})"));
    auto history = f.run(n.list_subscription_phone_number_events_async(events));
    REQUIRE(history.has_value());
    CHECK(history->events.at(0).reason == "STOP");

    const auto& reqs = f.server->requests();
    REQUIRE(reqs.size() == 6);
    for (const auto& r : reqs) require_headers(r, "GET", false);
    CHECK(reqs[0].target == "/v2/notify/management/subscriptions");
    CHECK(reqs[1].target == "/v2/notify/management/subscriptions?cursor=a%20b%2Fc%2Bd&limit=2");
    CHECK(reqs[2].target == "/v2/notify/management/subscriptions/cfg%201");
    CHECK(reqs[3].target == "/v2/notify/management/subscriptions/cfg_1/phone_numbers?cursor=k&limit=10&state=UNSUB");
    CHECK(reqs[4].target == "/v2/notify/management/subscriptions/cfg_1/phone_numbers/%2B33612345678");
    CHECK(reqs[5].target == "/v2/notify/management/subscriptions/cfg_1/phone_numbers/%2B33612345678/events?limit=1");
}

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations" // the deprecated operation is what is tested
#endif
TEST_CASE("integration: v2 transactional send: POST /v2/transactional") {
    fixture f;
    auto client = make_v2_client(f);
    auto t = tx_req();
    t.expires_at = "2025-12-25T18:00:00Z";
    f.server->push(reply::json(200, tx_body));
    auto sent = f.run(client->transactional().send_async(t));
    REQUIRE(sent.has_value());
    CHECK(sent->id == "tx_1");
    REQUIRE(f.server->request_count() == 1);
    const auto& r = f.server->requests()[0];
    CHECK(r.target == "/v2/transactional");
    require_headers(r, "POST", true);
    CHECK(r.body == R"({"template_id":"template_1","to":"+33612345678","expires_at":"2025-12-25T18:00:00Z"})");
}
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

TEST_CASE("integration: v2 retry table: the new sends and list changes are never resent once they may have arrived") {
    fixture f;
    auto client = make_v2_client(f);
    auto& vm = client->verification_management();
    auto& n = client->notify();
    const v2::set_phone_number_request add{.phone_number = phone};
    const v2::delete_phone_number_request remove{.phone_number = phone};
    const v2::submit_sender_id_request acme{.sender_id = "Acme"};
    const auto msg = notify_req();
    const auto batch = batch_req();
    const auto tx = tx_req();

    // Each of the six: a 500, then a connection lost after the request was written: one request each.
    // Then a 503 before it is retried, and succeeds.
    auto each = [&](auto&& call, const char* ok_body) {
        const auto before = f.server->request_count();
        f.server->push(reply::json(500, R"({"code":"internal"})"));
        auto a = f.run(call());
        REQUIRE_FALSE(a.has_value());
        CHECK(a.error().value() == ding::errc::api_error);
        CHECK(a.error().attempts() == 1);
        f.server->push(reply::fault(behaviour::close_before_response));
        auto b = f.run(call());
        REQUIRE_FALSE(b.has_value());
        CHECK(b.error().value() == ding::errc::transport);
        CHECK(f.server->request_count() == before + 2);
        f.server->push(reply::json(503, R"({"code":"busy"})"));
        f.server->push(reply::json(200, ok_body));
        auto c = f.run(call());
        REQUIRE(c.has_value());
        CHECK(f.server->request_count() == before + 4);
    };
    each([&] { return vm.set_phone_number_async(v2::phone_list::block, add); }, phone_body);
    each([&] { return vm.delete_phone_number_async(v2::phone_list::allow, remove); }, phone_body);
    each([&] { return vm.submit_sender_id_async(acme); }, R"({"sender_id":"Acme","status":"pending"})");
    each([&] { return n.send_async(msg); }, notify_body);
    each([&] { return n.send_batch_async(batch); }, batch_body);
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
    each([&] { return client->transactional().send_async(tx); }, tx_body);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    CHECK(f.server->request_count() == 24);
    for (const auto& r : f.server->requests()) CHECK((r.method == "POST" || r.method == "DELETE"));
}

TEST_CASE("integration: v2 retry table: the new GETs are reads, retried on 500 and after a lost connection") {
    fixture f;
    auto client = make_v2_client(f);
    auto& n = client->notify();
    const v2::list_subscription_configs_request configs{};
    const v2::list_subscription_phone_numbers_request numbers{.config_id = "cfg_1"};
    const v2::list_subscription_phone_number_events_request events{.config_id = "cfg_1", .phone_number = phone};

    auto each = [&](auto&& call, const char* ok_body) {
        const auto before = f.server->request_count();
        f.server->push(reply::json(500, R"({"code":"internal"})"));
        f.server->push(reply::fault(behaviour::close_before_response));
        f.server->push(reply::json(200, ok_body));
        auto r = f.run(call());
        REQUIRE(r.has_value());
        CHECK(f.server->request_count() == before + 3);
        const auto& reqs = f.server->requests();
        for (auto i = before; i < reqs.size(); ++i) CHECK(reqs[i].target == reqs[before].target); // the same read
    };
    each([&] { return client->verification_management().list_phone_numbers_async(v2::phone_list::allow); },
         R"({"phone_numbers":[]})");
    each([&] { return client->verification_management().list_sender_ids_async(); }, "{}");
    each([&] { return n.list_subscription_configs_async(configs); }, R"({"configs":[]})");
    const std::string cfg = config_json("cfg_1");
    each([&] { return n.get_subscription_config_async("cfg_1"); }, cfg.c_str());
    each([&] { return n.list_subscription_phone_numbers_async(numbers); }, R"({"phone_numbers":[]})");
    each([&] { return n.get_subscription_phone_number_async("cfg_1", phone); }, subscribed_body);
    each([&] { return n.list_subscription_phone_number_events_async(events); }, R"({"events":[]})");
    CHECK(f.server->request_count() == 21);
    for (const auto& r : f.server->requests()) CHECK(r.method == "GET");
}

TEST_CASE("integration: v2 the new operations validate before any I/O") {
    fixture f;
    auto client = make_v2_client(f);
    auto& vm = client->verification_management();
    auto& n = client->notify();
    auto refused = [&](auto r, std::string_view message) {
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().value() == ding::errc::invalid_argument);
        CHECK(r.error().message() == message);
    };
    const v2::set_phone_number_request bad_phone{.phone_number = "0612345678"};
    refused(f.run(vm.set_phone_number_async(v2::phone_list::block, bad_phone)),
            "phone_number: '0612345678' is not an E.164 number: it must start with '+' followed by the country code");
    const v2::set_phone_number_request good{.phone_number = phone};
    refused(f.run(vm.set_phone_number_async(v2::phone_list::unknown, good)), "action: must be allow or block");
    refused(f.run(vm.list_phone_numbers_async(v2::phone_list::unknown)), "action: must be allow or block");
    const v2::delete_phone_number_request empty_delete{};
    refused(f.run(vm.delete_phone_number_async(v2::phone_list::allow, empty_delete)),
            "phone_number: is required (an E.164 number)");
    const v2::submit_sender_id_request no_sender{};
    refused(f.run(vm.submit_sender_id_async(no_sender)), "sender_id: is required");
    auto msg = notify_req();
    msg.to = "+33 6";
    refused(f.run(n.send_async(msg)), "to: '+33 6' is not an E.164 number: only digits may follow the '+' (no spaces, dashes or brackets)");
    auto batch = batch_req();
    batch.to.push_back("nope");
    refused(f.run(n.send_batch_async(batch)), "to[2]: 'nope' is not an E.164 number: it must start with '+' followed by the country code");
    refused(f.run(n.get_subscription_config_async("../admin")),
            "config_id: '../admin' contains '/', '?', '#', '%' or a control character, which could change the request path");
    refused(f.run(n.get_subscription_config_async("cfg?x=1")),
            "config_id: 'cfg?x=1' contains '/', '?', '#', '%' or a control character, which could change the request path");
    refused(f.run(n.get_subscription_phone_number_async("cfg_1", "33612345678")),
            "phone_number: '33612345678' is not an E.164 number: it must start with '+' followed by the country code");
    const v2::list_subscription_configs_request zero{.limit = 0};
    refused(f.run(n.list_subscription_configs_async(zero)), "limit: 0 is below 1 (a page holds at least one item)");
    const v2::list_subscription_phone_numbers_request bad_state{.config_id = "c", .state = v2::subscription_state::unknown};
    refused(f.run(n.list_subscription_phone_numbers_async(bad_state)),
            "state: 'unknown' cannot be sent; choose one of the contract's values");
    const v2::list_subscription_phone_number_events_request bad_events{.config_id = "%2e%2e", .phone_number = phone};
    refused(f.run(n.list_subscription_phone_number_events_async(bad_events)),
            "config_id: '%2e%2e' contains '/', '?', '#', '%' or a control character, which could change the request path");
    CHECK(f.server->request_count() == 0);
}

TEST_CASE("integration: v2 pager walks every page in order over HTTP, then ends") {
    fixture f;
    auto client = make_v2_client(f);
    f.server->set_responder([](const recorded_request& r) { return configs_page(r, 7); });
    const v2::list_subscription_configs_request by_two{.limit = 2};
    auto ids = f.run(walk_ids(client->notify().subscription_configs(by_two)));
    REQUIRE(ids.has_value());
    CHECK(*ids == std::vector<std::string>{"cfg_0", "cfg_1", "cfg_2", "cfg_3", "cfg_4", "cfg_5", "cfg_6"});
    const auto& reqs = f.server->requests();
    REQUIRE(reqs.size() == 4);
    CHECK(reqs[0].target == "/v2/notify/management/subscriptions?limit=2");
    CHECK(reqs[1].target == "/v2/notify/management/subscriptions?cursor=p2&limit=2");
    CHECK(reqs[2].target == "/v2/notify/management/subscriptions?cursor=p4&limit=2");
    CHECK(reqs[3].target == "/v2/notify/management/subscriptions?cursor=p6&limit=2");

    // After the end: an empty optional again, without a request.
    auto pages = client->notify().subscription_configs(by_two);
    auto all = f.run(walk_ids(pages)); // a copy: the same walk
    REQUIRE(all.has_value());
    auto after = f.run(pages.next_async());
    REQUIRE(after.has_value());
    CHECK_FALSE(after->has_value());
    CHECK(f.server->request_count() == 8);

    // The phone numbers and events pagers carry their path values and filter on every page.
    f.server->set_responder([](const recorded_request& r) {
        const bool first = !query_value(r.target, "cursor");
        if (r.target.find("/events") != std::string::npos)
            return reply::json(200, first ? R"({"events":[],"next_cursor":"e2"})" : R"({"events":[]})");
        return reply::json(200, first ? R"({"phone_numbers":[],"next_cursor":"n2"})" : R"({"phone_numbers":[]})");
    });
    const v2::list_subscription_phone_numbers_request numbers{.config_id = "cfg_1", .state = v2::subscription_state::sub};
    auto np = client->notify().subscription_phone_numbers(numbers);
    const v2::list_subscription_phone_number_events_request events{.config_id = "cfg_1", .phone_number = phone};
    auto ep = client->notify().subscription_phone_number_events(events);
    for (int i = 0; i < 2; ++i) {
        auto a = f.run(np.next_async());
        REQUIRE(a.has_value());
        CHECK(a->has_value());
        auto b = f.run(ep.next_async());
        REQUIRE(b.has_value());
        CHECK(b->has_value());
    }
    CHECK_FALSE(f.run(np.next_async())->has_value());
    CHECK_FALSE(f.run(ep.next_async())->has_value());
    const auto& all_reqs = f.server->requests();
    REQUIRE(all_reqs.size() == 12);
    CHECK(all_reqs[8].target == "/v2/notify/management/subscriptions/cfg_1/phone_numbers?state=SUB");
    CHECK(all_reqs[9].target == "/v2/notify/management/subscriptions/cfg_1/phone_numbers/%2B33612345678/events");
    CHECK(all_reqs[10].target == "/v2/notify/management/subscriptions/cfg_1/phone_numbers?cursor=n2&state=SUB");
    CHECK(all_reqs[11].target ==
          "/v2/notify/management/subscriptions/cfg_1/phone_numbers/%2B33612345678/events?cursor=e2");
}

TEST_CASE("integration: v2 pager returns a page's error, then the next call retries the same page") {
    fixture f;
    auto client = make_v2_client(f);
    ding::call_options once;
    once.retry = ding::retry_policy{};
    once.retry->max_attempts = 1; // the page's own retries off: the pager's behaviour is what is tested
    const v2::list_subscription_configs_request by_three{.limit = 3};
    auto pages = client->notify().subscription_configs(by_three);

    recorded_request first_page;
    first_page.target = "/x?limit=3";
    f.server->push(configs_page(first_page, 5)); // page 1: cfg_0..2, next p3
    auto p1 = f.run(pages.next_async(once));
    REQUIRE(p1.has_value());
    REQUIRE(p1->has_value());
    CHECK((*p1)->configs.size() == 3);

    f.server->push(reply::json(500, R"({"code":"internal"})"));
    auto failed = f.run(pages.next_async(once));
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error().value() == ding::errc::api_error);
    CHECK(failed.error().operation() == "list_subscription_configs");

    f.server->set_responder([](const recorded_request& r) { return configs_page(r, 5); });
    auto p2 = f.run(pages.next_async(once));
    REQUIRE(p2.has_value());
    REQUIRE(p2->has_value());
    REQUIRE((*p2)->configs.size() == 2);
    CHECK((*p2)->configs[0].id == "cfg_3");
    auto end = f.run(pages.next_async(once));
    REQUIRE(end.has_value());
    CHECK_FALSE(end->has_value());
    const auto& reqs = f.server->requests();
    REQUIRE(reqs.size() == 3);
    CHECK(reqs[1].target == "/v2/notify/management/subscriptions?cursor=p3&limit=3");
    CHECK(reqs[2].target == reqs[1].target); // the same page again

    // An invalid request fails every next_async before any I/O (and the walk does not move).
    const v2::list_subscription_configs_request bad{.limit = 0};
    auto invalid = client->notify().subscription_configs(bad);
    auto r = f.run(invalid.next_async());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().value() == ding::errc::invalid_argument);
    CHECK(f.server->request_count() == 3);
}

TEST_CASE("integration: v2 pager ends with an error on a repeated cursor or past its page bound") {
    fixture f;
    auto client = make_v2_client(f);
    f.server->set_responder([](const recorded_request&) { return reply::json(200, R"({"configs":[],"next_cursor":"same"})"); });
    const v2::list_subscription_configs_request all{};
    auto looping = client->notify().subscription_configs(all);
    auto first = f.run(looping.next_async());
    REQUIRE(first.has_value());
    REQUIRE(first->has_value());
    auto second = f.run(looping.next_async()); // asked with cursor=same, answered with `same` again
    REQUIRE(second.has_value());
    REQUIRE(second->has_value());
    auto stop = f.run(looping.next_async());
    REQUIRE_FALSE(stop.has_value());
    CHECK(stop.error().value() == ding::errc::decode);
    CHECK(stop.error().message() ==
          "the server returned the cursor 'same' a second time: the walk was stopped (it would return pages already returned)");
    CHECK(f.server->request_count() == 2);
    auto again = f.run(looping.next_async());
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().value() == ding::errc::decode);
    CHECK(f.server->request_count() == 2);

    int n = 0;
    f.server->set_responder([&n](const recorded_request&) {
        return reply::json(200, R"({"configs":[],"next_cursor":"c)" + std::to_string(++n) + R"("})");
    });
    auto endless = client->notify().subscription_configs(all, 3);
    auto walked = f.run(walk_ids(endless));
    REQUIRE_FALSE(walked.has_value());
    CHECK(walked.error().value() == ding::errc::response_too_large);
    CHECK(walked.error().message().rfind("more than 3 pages", 0) == 0);
    CHECK(f.server->request_count() == 5);
}

TEST_CASE("integration: v2 pager next_async: cancellation, one at a time, any token") {
    fixture f;
    auto client = make_v2_client(f);
    const v2::list_subscription_configs_request all{.limit = 3};
    auto pages = client->notify().subscription_configs(all);

    // A stalled page, cancelled through the callback's slot: cancelled, and the position is kept.
    f.server->push(reply::fault(behaviour::stall));
    boost::asio::cancellation_signal signal;
    std::optional<ding::outcome<std::optional<v2::list_subscription_configs_response>>> got;
    pages.next_async(boost::asio::bind_cancellation_slot(
        signal.slot(), [&](ding::outcome<std::optional<v2::list_subscription_configs_response>> r) { got.emplace(std::move(r)); }));
    CHECK_FALSE(got.has_value()); // never inside the initiating call
    f.run_until([&] { return f.server->request_count() == 1; });

    // A second next_async while the first is pending is refused, the first undisturbed.
    auto busy = f.run(pages.next_async());
    REQUIRE_FALSE(busy.has_value());
    CHECK(busy.error().value() == ding::errc::invalid_argument);
    CHECK_FALSE(got.has_value());

    signal.emit(boost::asio::cancellation_type::terminal);
    f.run_until([&] { return got.has_value(); });
    REQUIRE_FALSE(got->has_value());
    CHECK(got->error().value() == ding::errc::cancelled);

    // deferred: the same first page is asked for again.
    f.server->set_responder([](const recorded_request& r) { return configs_page(r, 4); });
    auto op = pages.next_async(boost::asio::deferred);
    std::optional<ding::outcome<std::optional<v2::list_subscription_configs_response>>> deferred_got;
    std::move(op)([&](ding::outcome<std::optional<v2::list_subscription_configs_response>> r) { deferred_got.emplace(std::move(r)); });
    f.run_until([&] { return deferred_got.has_value(); });
    REQUIRE(deferred_got->has_value());
    REQUIRE(deferred_got->value().has_value());
    CHECK(deferred_got->value()->configs.at(0).id == "cfg_0");
    CHECK(f.server->requests().at(1).target == f.server->requests().at(0).target);
}

TEST_CASE("integration: v2 destroying the client ends a pending next_async with cancelled") {
    fixture f;
    auto client = make_v2_client(f);
    const v2::list_subscription_configs_request all{};
    auto pages = client->notify().subscription_configs(all);
    f.server->push(reply::fault(behaviour::stall));
    std::optional<ding::outcome<std::optional<v2::list_subscription_configs_response>>> got;
    pages.next_async([&](ding::outcome<std::optional<v2::list_subscription_configs_response>> r) { got.emplace(std::move(r)); });
    f.run_until([&] { return f.server->request_count() == 1; });
    client.reset();
    f.run_until([&] { return got.has_value(); });
    REQUIRE_FALSE(got->has_value());
    CHECK(got->error().value() == ding::errc::cancelled);

    // The pager outlives its client: a later next_async completes with cancelled too.
    auto later = f.run(pages.next_async());
    REQUIRE_FALSE(later.has_value());
    CHECK(later.error().value() == ding::errc::cancelled);
    CHECK(f.server->request_count() == 1);
}

TEST_CASE("integration: v2 pagers of one client walk concurrently") {
    using namespace boost::asio::experimental::awaitable_operators;
    fixture f;
    auto client = make_v2_client(f);
    f.server->set_responder([](const recorded_request& r) { return configs_page(r, 10); });
    const v2::list_subscription_configs_request by_one{.limit = 1};
    const v2::list_subscription_configs_request by_three{.limit = 3};
    auto a = client->notify().subscription_configs(by_one);
    auto b = client->notify().subscription_configs(by_three);
    auto both = f.run([&]() -> asio::awaitable<std::tuple<ding::outcome<std::vector<std::string>>, ding::outcome<std::vector<std::string>>>> {
        co_return co_await (walk_ids(a) && walk_ids(b));
    }());
    REQUIRE(std::get<0>(both).has_value());
    REQUIRE(std::get<1>(both).has_value());
    CHECK(*std::get<0>(both) == *std::get<1>(both));
    CHECK(std::get<0>(both)->size() == 10);
    CHECK(f.server->request_count() == 10 + 4);
}

TEST_CASE("integration: v2 pagers of a thread_safe client walked from two threads at once") {
    // The server runs on its own io_context and thread; the client's io_context is run by two
    // threads, so the two walks (and their completions) really run in parallel.
    asio::io_context server_ioc;
    std::optional<test_server> server;
    server.emplace(server_ioc);
    server->set_responder([](const recorded_request& r) { return configs_page(r, 12); });
    auto server_work = asio::make_work_guard(server_ioc);
    std::thread server_thread([&] { server_ioc.run(); });

    std::optional<ding::outcome<std::vector<std::string>>> by_one, by_five;
    {
        asio::io_context ioc;
        v2::client_options o;
        o.api_key = secret_api_key;
        o.base_url = v2_base_url(*server);
        o.tls.use_system_trust_store = false;
        o.tls.ca_pem = server->ca_pem();
        o.timeout = 3s;
        o.thread_safe = true;
        auto client = std::make_unique<v2::client>(ioc.get_executor(), o);
        const v2::list_subscription_configs_request one{.limit = 1};
        const v2::list_subscription_configs_request five{.limit = 5};
        std::atomic<int> done{0};
        auto finish = [&](std::optional<ding::outcome<std::vector<std::string>>>& slot) {
            return [&](std::exception_ptr e, ding::outcome<std::vector<std::string>> r) {
                if (!e) slot.emplace(std::move(r));
                if (++done == 2) ioc.stop();
            };
        };
        asio::co_spawn(ioc, walk_ids(client->notify().subscription_configs(one)), finish(by_one));
        asio::co_spawn(ioc, walk_ids(client->notify().subscription_configs(five)), finish(by_five));
        std::thread t1([&] { ioc.run_for(10s); });
        std::thread t2([&] { ioc.run_for(10s); });
        t1.join();
        t2.join();
        client.reset(); // its shutdown runs on the io_context below
        ioc.restart();
        ioc.run_for(2s);
    }
    asio::post(server_ioc, [&] { server->stop(); });
    server_work.reset();
    server_thread.join();

    REQUIRE(by_one);
    REQUIRE(by_five);
    REQUIRE(by_one->has_value());
    REQUIRE(by_five->has_value());
    CHECK((*by_one)->size() == 12);
    CHECK(**by_one == **by_five);
    CHECK(server->request_count() == 12 + 3);
}

// ------------------------------------------------------------------------------------------
// The issue's code block, verbatim (only the includes and the namespace alias `asio` around it).
// The deprecation warning of transactional().send_async is the point of the last call: silenced
// here only. GCC 12's false -Wmismatched-new-delete on coroutine frames too (see v2_operations_test).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#pragma GCC diagnostic ignored "-Wunused-variable"
#endif
namespace issue18_sample {
namespace asio = boost::asio;

asio::awaitable<void> operate(v2::client& client) {
    // Verify management: allow and block lists, sender IDs
    // (requests are named variables: g++ 12 can destroy a braced temporary inside a co_await twice)
    v2::set_phone_number_request block{.phone_number = "+33612345678"};
    auto b  = co_await client.verification_management().set_phone_number_async(v2::phone_list::block, block);
    auto bl = co_await client.verification_management().list_phone_numbers_async(v2::phone_list::block);   // bl->phone_numbers[i].phone_number, .created_at
    v2::delete_phone_number_request unblock{.phone_number = "+33612345678"};
    auto d  = co_await client.verification_management().delete_phone_number_async(v2::phone_list::block, unblock);
    auto ids = co_await client.verification_management().list_sender_ids_async();                          // ids->sender_ids[i].sender_id, .status
    v2::submit_sender_id_request acme{.sender_id = "Acme"};
    auto sid = co_await client.verification_management().submit_sender_id_async(acme);

    // Notify: one message, a batch, subscriptions
    v2::notify_send_request msg;  msg.template_id = "template_01hynq..."; msg.to = "+33612345678";
    msg.variables = std::map<std::string, std::string>{{"order", "1234"}};
    auto sent  = co_await client.notify().send_async(msg);                                                 // sent->id, sent->expires_at, ...
    v2::notify_send_batch_request batch;  batch.template_id = msg.template_id; batch.to = {"+33612345678", "+33700000000"};
    auto many  = co_await client.notify().send_batch_async(batch);                                         // many->results[i].success, .error, .message
    auto cfg   = co_await client.notify().get_subscription_config_async("cfg_...");
    auto num   = co_await client.notify().get_subscription_phone_number_async("cfg_...", "+33612345678");

    // Pagination: every page of a list, without handling cursors
    v2::list_subscription_configs_request all{.limit = 50};
    auto pages = client.notify().subscription_configs(all);
    while (true) {
        ding::outcome<std::optional<v2::list_subscription_configs_response>> page = co_await pages.next_async();
        if (!page) { std::cerr << page.error() << '\n'; break; }
        if (!*page) break;                                  // the last page was already returned
        for (const v2::subscription_config& c : (*page)->configs) { /* ... */ }
    }
    // also: client.notify().subscription_phone_numbers(list_subscription_phone_numbers_request{.config_id = ..., .state = ...})
    //       client.notify().subscription_phone_number_events(list_subscription_phone_number_events_request{.config_id = ..., .phone_number = ...})
    // and the single-page calls list_subscription_configs_async / list_subscription_phone_numbers_async /
    // list_subscription_phone_number_events_async(request) with request.cursor.

    v2::transactional_send_request t; t.template_id = msg.template_id; t.to = msg.to;
    auto old = co_await client.transactional().send_async(t);   // [[deprecated]]: the vendor deprecates it in favour of notify()
}
} // namespace issue18_sample
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

TEST_CASE("integration: v2 the issue 18 code block compiles and runs as written") {
    fixture f;
    f.server->set_responder([](const recorded_request& r) {
        const std::string& t = r.target;
        if (t == "/v2/verification/management/phone-numbers/block")
            return reply::json(200, r.method == "GET" ? R"({"phone_numbers":[{"phone_number":"+33612345678","created_at":"2026-08-01T09:30:00Z"}]})"
                                                      : phone_body);
        if (t == "/v2/verification/management/sender-id")
            return reply::json(200, r.method == "GET" ? R"({"sender_ids":[]})" : R"({"sender_id":"Acme","status":"pending"})");
        if (t == "/v2/notify") return reply::json(200, notify_body);
        if (t == "/v2/notify/batch") return reply::json(200, batch_body);
        if (t.rfind("/v2/notify/management/subscriptions?", 0) == 0) return configs_page(r, 120);
        if (t.find("/phone_numbers/") != std::string::npos) return reply::json(200, subscribed_body);
        if (t.rfind("/v2/notify/management/subscriptions/", 0) == 0) return reply::json(200, config_json("cfg_..."));
        if (t == "/v2/transactional") return reply::json(200, tx_body);
        return reply::json(404, R"({"code":"not_found"})");
    });
    v2::client client(f.ioc.get_executor(), v2_options(f));
    bool done = false;
    boost::asio::co_spawn(f.ioc, issue18_sample::operate(client), [&](std::exception_ptr e) {
        CHECK_FALSE(e);
        done = true;
    });
    f.run_until([&] { return done; });
    const auto& reqs = f.server->requests();
    std::vector<std::string> seen;
    for (const auto& r : reqs) seen.push_back(r.method + " " + r.target);
    CHECK(seen == std::vector<std::string>{
                      "POST /v2/verification/management/phone-numbers/block",
                      "GET /v2/verification/management/phone-numbers/block",
                      "DELETE /v2/verification/management/phone-numbers/block",
                      "GET /v2/verification/management/sender-id",
                      "POST /v2/verification/management/sender-id",
                      "POST /v2/notify",
                      "POST /v2/notify/batch",
                      "GET /v2/notify/management/subscriptions/cfg_...",
                      "GET /v2/notify/management/subscriptions/cfg_.../phone_numbers/%2B33612345678",
                      "GET /v2/notify/management/subscriptions?limit=50",
                      "GET /v2/notify/management/subscriptions?cursor=p50&limit=50",
                      "GET /v2/notify/management/subscriptions?cursor=p100&limit=50",
                      "POST /v2/transactional",
                  });
}

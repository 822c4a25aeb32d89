// Prelude v2, issue 18: JSON encoding and decoding of the Verify management, Notify and
// Transactional models (required and optional fields, unknown enum values, the batch's per-item
// errors), their enum spellings, and the validation of each new request.

#include "v2/codec.hpp"
#include "v2/validation.hpp"

#include <ding/v2.hpp>

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <chrono>

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

template <class T>
void round_trips(const T& value) {
    const std::string body = encoded(value);
    INFO(body);
    CHECK(decoded<T>(body) == value);
}

bool same_json(const std::string& actual, std::string_view expected) {
    INFO(actual);
    return json::parse(actual) == json::parse(expected);
}

std::string validation(const auto& request) {
    auto why = v2::detail::validate(request);
    return why ? *why : std::string();
}

using sys_seconds = std::chrono::sys_seconds;
constexpr sys_seconds at(int y, unsigned mo, unsigned d, int h, int mi, int s) {
    return std::chrono::sys_days{std::chrono::year{y} / mo / d} + std::chrono::hours{h} + std::chrono::minutes{mi} +
           std::chrono::seconds{s};
}

} // namespace

TEST_CASE("unit: v2 verify management models: list, set, delete, sender IDs") {
    auto list = decoded<v2::list_phone_numbers_response>(R"({"phone_numbers":[
        {"phone_number":"+30123456789","created_at":"2026-08-01T09:30:00Z","extra":true},
        {"phone_number":"+33612345678","created_at":"2026-08-02T14:05:12Z"}]})");
    REQUIRE(list.phone_numbers.size() == 2);
    CHECK(list.phone_numbers[0].phone_number == "+30123456789");
    CHECK(list.phone_numbers[0].created_at == at(2026, 8, 1, 9, 30, 0));
    CHECK(list.phone_numbers[1].created_at == at(2026, 8, 2, 14, 5, 12));
    CHECK(decoded<v2::list_phone_numbers_response>(R"({"phone_numbers":[]})").phone_numbers.empty());
    CHECK(decode_failure<v2::list_phone_numbers_response>("{}") ==
          "field 'phone_numbers': missing (the contract requires it)");
    CHECK(decode_failure<v2::list_phone_numbers_response>(R"({"phone_numbers":[{"phone_number":"+30123456789"}]})") ==
          "field 'phone_numbers[0].created_at': missing (the contract requires it)");
    CHECK(decode_failure<v2::list_phone_numbers_response>(
              R"({"phone_numbers":[{"phone_number":"+3","created_at":"yesterday"}]})")
              .find("phone_numbers[0].created_at") != std::string::npos);
    round_trips(list);

    CHECK(encoded(v2::set_phone_number_request{"+30123456789"}) == R"({"phone_number":"+30123456789"})");
    CHECK(encoded(v2::delete_phone_number_request{"+30123456789"}) == R"({"phone_number":"+30123456789"})");
    CHECK(decoded<v2::set_phone_number_response>(R"({"phone_number":"+30123456789"})").phone_number == "+30123456789");
    CHECK(decoded<v2::delete_phone_number_response>(R"({"phone_number":"+1"})").phone_number == "+1");
    CHECK(decode_failure<v2::set_phone_number_response>("{}") == "field 'phone_number': missing (the contract requires it)");
    CHECK(decode_failure<v2::delete_phone_number_response>(R"({"phone_number":7})") == "field 'phone_number': expected string");
    round_trips(v2::set_phone_number_request{"+30123456789"});
    round_trips(v2::delete_phone_number_request{"+30123456789"});

    // Every property of the sender ID list is optional; an unknown status is `unknown`.
    auto ids = decoded<v2::list_sender_ids_response>(R"({"sender_ids":[{"sender_id":"Prelude","status":"approved"},
        {"sender_id":"Acme","status":"pending"},{"sender_id":"Odd","status":"under_review"},{}]})");
    REQUIRE(ids.sender_ids);
    REQUIRE(ids.sender_ids->size() == 4);
    CHECK((*ids.sender_ids)[0] == v2::sender_id_entry{"Prelude", v2::sender_id_status::approved});
    CHECK((*ids.sender_ids)[1].status == v2::sender_id_status::pending);
    CHECK((*ids.sender_ids)[2].status == v2::sender_id_status::unknown);
    CHECK((*ids.sender_ids)[3] == v2::sender_id_entry{});
    CHECK_FALSE(decoded<v2::list_sender_ids_response>("{}").sender_ids);
    round_trips(ids);

    CHECK(encoded(v2::submit_sender_id_request{"Acme"}) == R"({"sender_id":"Acme"})");
    auto submitted = decoded<v2::submit_sender_id_response>(R"({"sender_id":"Acme","status":"rejected","reason":"trademark"})");
    CHECK(submitted.sender_id == "Acme");
    CHECK(submitted.status == v2::sender_id_status::rejected);
    CHECK(submitted.reason == "trademark");
    CHECK_FALSE(decoded<v2::submit_sender_id_response>(R"({"sender_id":"A","status":"pending"})").reason);
    CHECK(decode_failure<v2::submit_sender_id_response>(R"({"sender_id":"A"})") ==
          "field 'status': missing (the contract requires it)");
    round_trips(submitted);
}

TEST_CASE("unit: v2 notify_send_request minimal and full, contract order, absent optionals omitted") {
    v2::notify_send_request msg;
    msg.template_id = "template_01k8ap1btqf5r9fq2c8ax5fhc9";
    msg.to = "+33612345678";
    CHECK(encoded(msg) == R"({"template_id":"template_01k8ap1btqf5r9fq2c8ax5fhc9","to":"+33612345678"})");

    msg.callback_url = "https://your-app.com/webhooks/notify";
    msg.correlation_id = "order-12345";
    msg.document = v2::message_document{"https://example.com/invoice.pdf", "invoice.pdf"};
    msg.expires_at = at(2025, 12, 25, 18, 0, 0);
    msg.from = "Acme";
    msg.locale = "el-GR";
    msg.max_auto_retries = 2;
    msg.preferred_channel = v2::message_channel::whatsapp;
    msg.schedule_at = at(2025, 12, 25, 10, 0, 0);
    msg.variables = v2::message_variables{{"order_id", "12345"}, {"amount", "$49.99"}};
    CHECK(encoded(msg) ==
          R"({"template_id":"template_01k8ap1btqf5r9fq2c8ax5fhc9","to":"+33612345678",)"
          R"("callback_url":"https://your-app.com/webhooks/notify","correlation_id":"order-12345",)"
          R"("document":{"url":"https://example.com/invoice.pdf","filename":"invoice.pdf"},)"
          R"("expires_at":"2025-12-25T18:00:00Z","from":"Acme","locale":"el-GR","max_auto_retries":2,)"
          R"("preferred_channel":"whatsapp","schedule_at":"2025-12-25T10:00:00Z",)"
          R"("variables":{"amount":"$49.99","order_id":"12345"}})");
    round_trips(msg);

    // The document without its optional filename.
    v2::notify_send_request image = msg;
    image.document = v2::message_document{"https://example.com/a.png", std::nullopt};
    CHECK(encoded(image).find(R"("document":{"url":"https://example.com/a.png"})") != std::string::npos);
}

TEST_CASE("unit: v2 notify_send_response, required fields, unknown encoding") {
    auto sent = decoded<v2::notify_send_response>(R"({"id":"msg_1","created_at":"2025-12-20T08:15:00Z",
        "expires_at":"2025-12-21T08:15:00Z","template_id":"template_1","to":"+33612345678","variables":{},
        "encoding":"GSM-7","estimated_segment_count":1,"from":"Acme","schedule_at":"2025-12-25T10:00:00+01:00",
        "callback_url":"https://x.example/h","correlation_id":"c","future":[1,2]})");
    CHECK(sent.id == "msg_1");
    CHECK(sent.created_at == at(2025, 12, 20, 8, 15, 0));
    CHECK(sent.expires_at == at(2025, 12, 21, 8, 15, 0));
    CHECK(sent.variables.empty());
    CHECK(sent.encoding == v2::message_encoding::gsm_7);
    CHECK(sent.estimated_segment_count == 1);
    CHECK(sent.from == "Acme");
    CHECK(sent.schedule_at == at(2025, 12, 25, 9, 0, 0)); // the offset is applied
    CHECK(sent.callback_url == "https://x.example/h");
    round_trips(sent);

    CHECK(decoded<v2::notify_send_response>(R"({"id":"m","created_at":"2025-12-20T08:15:00Z",
        "expires_at":"2025-12-21T08:15:00Z","template_id":"t","to":"+1","variables":{"a":"b"},"encoding":"UTF-16"})")
              .encoding == v2::message_encoding::unknown);
    // `variables` is required in the response.
    CHECK(decode_failure<v2::notify_send_response>(R"({"id":"m","created_at":"2025-12-20T08:15:00Z",
        "expires_at":"2025-12-21T08:15:00Z","template_id":"t","to":"+1"})") ==
          "field 'variables': missing (the contract requires it)");
    CHECK(decode_failure<v2::notify_send_response>(R"({"id":"m","created_at":"2025-12-20T08:15:00Z",
        "expires_at":"2025-12-21T08:15:00Z","template_id":"t","to":"+1","variables":{"a":1}})") ==
          "field 'variables.a': expected string");
    CHECK(decode_failure<v2::notify_send_response>(R"({"id":"m","created_at":"2025-12-20T08:15:00Z",
        "expires_at":"2025-12-21T08:15:00Z","template_id":"t","to":"+1","variables":{},"estimated_segment_count":1.5})")
              .rfind("field 'estimated_segment_count': expected integer", 0) == 0);
}

TEST_CASE("unit: v2 notify batch: request, per-recipient results and errors") {
    v2::notify_send_batch_request batch;
    batch.template_id = "template_1";
    batch.to = {"+33612345678", "+15551234567"};
    CHECK(encoded(batch) == R"({"template_id":"template_1","to":["+33612345678","+15551234567"]})");
    batch.preferred_channel = v2::message_channel::sms;
    batch.expires_at = at(2025, 12, 25, 18, 0, 0);
    CHECK(encoded(batch) == R"({"template_id":"template_1","to":["+33612345678","+15551234567"],)"
                            R"("expires_at":"2025-12-25T18:00:00Z","preferred_channel":"sms"})");
    round_trips(batch);

    auto many = decoded<v2::notify_send_batch_response>(R"({"total_count":2,"success_count":1,"error_count":1,
        "results":[
          {"phone_number":"+33612345678","success":true,"message":{"id":"msg_4","correlation_id":"campaign-12345",
            "created_at":"2025-12-20T08:15:00Z","expires_at":"2025-12-25T18:00:00Z","schedule_at":"2025-12-25T10:00:00Z",
            "from":"Acme","locale":"el-GR","to":"+33612345678","encoding":"UCS-2","estimated_segment_count":2}},
          {"phone_number":"+15551234567","success":false,
            "error":{"code":"invalid_phone_number","message":"The phone number is not a valid E.164 number."}}],
        "callback_url":"https://your-app.com/webhooks/notify","request_id":"3d19215e-2991-4a05-a41a-527314e6ff6a",
        "template_id":"template_1","variables":{"order_id":"12345"}})");
    CHECK(many.total_count == 2);
    CHECK(many.success_count == 1);
    CHECK(many.error_count == 1);
    REQUIRE(many.results.size() == 2);
    const auto& ok = many.results[0];
    CHECK(ok.success);
    CHECK_FALSE(ok.error);
    REQUIRE(ok.message);
    CHECK(ok.message->id == "msg_4");
    CHECK(ok.message->encoding == v2::message_encoding::ucs_2);
    CHECK(ok.message->estimated_segment_count == 2);
    CHECK(ok.message->created_at == at(2025, 12, 20, 8, 15, 0));
    CHECK(ok.message->schedule_at == at(2025, 12, 25, 10, 0, 0));
    const auto& bad = many.results[1];
    CHECK_FALSE(bad.success);
    CHECK_FALSE(bad.message);
    REQUIRE(bad.error);
    CHECK(bad.error->code == "invalid_phone_number");
    CHECK(bad.error->message == "The phone number is not a valid E.164 number.");
    CHECK(many.request_id == "3d19215e-2991-4a05-a41a-527314e6ff6a");
    CHECK(many.variables == v2::message_variables{{"order_id", "12345"}});
    round_trips(many);

    // The minimal answer; a result without `success` is undecodable; an empty error object is kept.
    auto minimal = decoded<v2::notify_send_batch_response>(
        R"({"total_count":1,"success_count":0,"error_count":1,"results":[{"phone_number":"+1","success":false,"error":{}}]})");
    REQUIRE(minimal.results.size() == 1);
    CHECK(minimal.results[0].error == v2::notify_batch_result_error{});
    CHECK_FALSE(minimal.request_id);
    CHECK(decode_failure<v2::notify_send_batch_response>(
              R"({"total_count":1,"success_count":0,"error_count":1,"results":[{"phone_number":"+1"}]})") ==
          "field 'results[0].success': missing (the contract requires it)");
    CHECK(decode_failure<v2::notify_send_batch_response>(
              R"({"total_count":1,"success_count":0,"error_count":1,"results":[{"phone_number":"+1","success":"no"}]})") ==
          "field 'results[0].success': expected boolean");
    CHECK(decode_failure<v2::notify_send_batch_response>(R"({"success_count":0,"error_count":1,"results":[]})") ==
          "field 'total_count': missing (the contract requires it)");
}

TEST_CASE("unit: v2 subscription configurations, phone numbers and events") {
    const char* config = R"({"id":"cfg_01k8","name":"Marketing US","callback_url":"https://your-app.com/webhooks/subscriptions",
        "created_at":"2025-11-03T10:00:00Z","updated_at":"2026-02-14T16:20:00Z",
        "messages":{"start_message":"You are subscribed.","stop_message":"You are unsubscribed.","help_message":"Reply STOP."},
        "mo_phone_numbers":[{"country_code":"US","phone_number":"+12065550100"},{"country_code":"US","phone_number":"12345"}]})";
    auto c = decoded<v2::subscription_config>(config);
    CHECK(c.id == "cfg_01k8");
    CHECK(c.name == "Marketing US");
    CHECK(c.created_at == at(2025, 11, 3, 10, 0, 0));
    CHECK(c.updated_at == at(2026, 2, 14, 16, 20, 0));
    CHECK(c.messages.stop_message == "You are unsubscribed.");
    REQUIRE(c.mo_phone_numbers);
    CHECK(c.mo_phone_numbers->at(1) == v2::mo_phone_number{"US", "12345"});
    round_trips(c);
    // `messages` is required, each of its texts optional.
    auto bare = decoded<v2::subscription_config>(R"({"id":"c","name":"n","callback_url":"u","created_at":"2025-11-03T10:00:00Z",
        "updated_at":"2025-11-03T10:00:00Z","messages":{}})");
    CHECK(bare.messages == v2::subscription_messages{});
    CHECK_FALSE(bare.mo_phone_numbers);
    CHECK(decode_failure<v2::subscription_config>(R"({"id":"c","name":"n","callback_url":"u","created_at":"2025-11-03T10:00:00Z",
        "updated_at":"2025-11-03T10:00:00Z"})") == "field 'messages': missing (the contract requires it)");

    auto page = decoded<v2::list_subscription_configs_response>(std::string(R"({"configs":[)") + config +
                                                                R"(],"next_cursor":"eyJpZCI6"})");
    REQUIRE(page.configs.size() == 1);
    CHECK(page.configs[0] == c);
    CHECK(page.next_cursor == "eyJpZCI6");
    CHECK_FALSE(decoded<v2::list_subscription_configs_response>(R"({"configs":[]})").next_cursor);
    CHECK(decode_failure<v2::list_subscription_configs_response>(R"({"next_cursor":"x"})") ==
          "field 'configs': missing (the contract requires it)");
    round_trips(page);

    auto numbers = decoded<v2::list_subscription_phone_numbers_response>(R"({"phone_numbers":[
        {"config_id":"cfg_1","phone_number":"+33612345678","state":"SUB","source":"API","updated_at":"2026-03-01T12:00:00Z"},
        {"config_id":"cfg_1","phone_number":"+15551234567","state":"UNSUB","source":"MO_KEYWORD","reason":"STOP",
         "updated_at":"2026-03-02T08:45:10Z"},
        {"config_id":"cfg_1","phone_number":"+15551234568","state":"PAUSED","source":"WEB_FORM","updated_at":"2026-03-02T08:45:10Z"}],
        "next_cursor":"eyJwaG9uZV9udW1iZXIiOiIrMTU1NTEyMzQ1NjcifQ"})");
    REQUIRE(numbers.phone_numbers.size() == 3);
    CHECK(numbers.phone_numbers[0].state == v2::subscription_state::sub);
    CHECK(numbers.phone_numbers[0].source == v2::subscription_source::api);
    CHECK_FALSE(numbers.phone_numbers[0].reason);
    CHECK(numbers.phone_numbers[1].state == v2::subscription_state::unsub);
    CHECK(numbers.phone_numbers[1].source == v2::subscription_source::mo_keyword);
    CHECK(numbers.phone_numbers[1].reason == "STOP");
    CHECK(numbers.phone_numbers[2].state == v2::subscription_state::unknown);   // a value this SDK does not know
    CHECK(numbers.phone_numbers[2].source == v2::subscription_source::unknown);
    round_trips(numbers);
    CHECK(decode_failure<v2::subscription_phone_number>(
              R"({"config_id":"c","phone_number":"+1","state":"SUB","updated_at":"2026-03-01T12:00:00Z"})") ==
          "field 'source': missing (the contract requires it)");

    auto events = decoded<v2::list_subscription_phone_number_events_response>(R"({"events":[
        {"config_id":"cfg_1","phone_number":"+33612345678","state":"UNSUB","source":"CARRIER_DISCONNECT","timestamp":"2026-03-02T08:45:10Z"},
        {"config_id":"cfg_1","phone_number":"+33612345678","state":"SUB","source":"CSV_IMPORT","timestamp":"2026-03-01T12:00:00Z"}]})");
    REQUIRE(events.events.size() == 2);
    CHECK(events.events[0].source == v2::subscription_source::carrier_disconnect);
    CHECK(events.events[0].timestamp == at(2026, 3, 2, 8, 45, 10));
    CHECK(events.events[1].source == v2::subscription_source::csv_import);
    CHECK_FALSE(events.next_cursor);
    round_trips(events);
    CHECK(decode_failure<v2::list_subscription_phone_number_events_response>(
              R"({"events":[{"config_id":"c","phone_number":"+1","state":"SUB","source":"API"}]})") ==
          "field 'events[0].timestamp': missing (the contract requires it)");
}

TEST_CASE("unit: v2 transactional request and response") {
    v2::transactional_send_request t;
    t.template_id = "template_01hynf45qvevj844m9az2x2f3c";
    t.to = "+30123456789";
    CHECK(encoded(t) == R"({"template_id":"template_01hynf45qvevj844m9az2x2f3c","to":"+30123456789"})");
    t.expires_at = "2025-12-25T18:00:00Z"; // a plain string in this request, as the contract types it
    t.preferred_channel = v2::message_channel::rcs;
    t.variables = v2::message_variables{{"order_id", "12345"}};
    t.from = "Acme";
    CHECK(encoded(t) == R"({"template_id":"template_01hynf45qvevj844m9az2x2f3c","to":"+30123456789",)"
                        R"("expires_at":"2025-12-25T18:00:00Z","from":"Acme","preferred_channel":"rcs",)"
                        R"("variables":{"order_id":"12345"}})");
    round_trips(t);

    auto r = decoded<v2::transactional_send_response>(R"({"id":"tx_1","created_at":"2025-12-20T08:15:00Z",
        "expires_at":"2025-12-25T18:00:00Z","template_id":"t","to":"+30123456789","variables":{"order_id":"12345"},
        "callback_url":"https://your-app.com/webhooks/transactional","correlation_id":"order-12345","from":"Acme"})");
    CHECK(r.id == "tx_1");
    CHECK(r.expires_at == at(2025, 12, 25, 18, 0, 0));
    CHECK(r.from == "Acme");
    round_trips(r);
    CHECK(decode_failure<v2::transactional_send_response>(R"({"id":"tx_1","created_at":"2025-12-20T08:15:00Z",
        "template_id":"t","to":"+30123456789","variables":{}})") == "field 'expires_at': missing (the contract requires it)");
}

TEST_CASE("unit: v2 new enums: wire spellings both ways, unknown for anything else") {
    CHECK(v2::to_string(v2::phone_list::allow) == "allow");
    CHECK(v2::to_string(v2::phone_list::block) == "block");
    CHECK(v2::to_string(v2::message_encoding::gsm_7) == "GSM-7");
    CHECK(v2::to_string(v2::message_encoding::ucs_2) == "UCS-2");
    CHECK(v2::to_string(v2::subscription_source::mo_keyword) == "MO_KEYWORD");
    CHECK(v2::to_string(v2::subscription_source::carrier_disconnect) == "CARRIER_DISCONNECT");
    CHECK(v2::to_string(v2::subscription_state::unsub) == "UNSUB");
    CHECK(v2::to_string(v2::sender_id_status::rejected) == "rejected");
    CHECK(v2::to_string(v2::message_channel::whatsapp) == "whatsapp");
    v2::subscription_state st{};
    CHECK(v2::from_string("SUB", st));
    CHECK(st == v2::subscription_state::sub);
    CHECK_FALSE(v2::from_string("sub", st)); // exact spelling
    CHECK(st == v2::subscription_state::unknown);
    v2::message_channel ch{};
    CHECK_FALSE(v2::from_string("viber", ch)); // Verify's channels are not Notify's
    CHECK(ch == v2::message_channel::unknown);
    v2::phone_list l{};
    CHECK_FALSE(v2::from_string("unknown", l));
}

TEST_CASE("unit: v2 validation of the verify management requests") {
    CHECK(validation(v2::set_phone_number_request{"+33612345678"}).empty());
    CHECK(validation(v2::set_phone_number_request{""}) == "phone_number: is required (an E.164 number)");
    CHECK(validation(v2::set_phone_number_request{"0612345678"}) ==
          "phone_number: '0612345678' is not an E.164 number: it must start with '+' followed by the country code");
    CHECK(validation(v2::delete_phone_number_request{"+33 6"}) ==
          "phone_number: '+33 6' is not an E.164 number: only digits may follow the '+' (no spaces, dashes or brackets)");
    CHECK(validation(v2::delete_phone_number_request{"+33612345678"}).empty());
    CHECK(validation(v2::submit_sender_id_request{"Acme"}).empty());
    CHECK(validation(v2::submit_sender_id_request{""}) == "sender_id: is required");
    CHECK_FALSE(v2::detail::validate_list(v2::phone_list::allow));
    CHECK_FALSE(v2::detail::validate_list(v2::phone_list::block));
    CHECK(v2::detail::validate_list(v2::phone_list::unknown) == "action: must be allow or block");
    CHECK(v2::detail::validate_list(static_cast<v2::phone_list>(7)) == "action: must be allow or block");
}

TEST_CASE("unit: v2 validation of notify, batch and transactional sends") {
    v2::notify_send_request msg;
    msg.template_id = "template_1";
    msg.to = "+33612345678";
    CHECK(validation(msg).empty());
    auto m = msg;
    m.template_id.clear();
    CHECK(validation(m) == "template_id: is required");
    m = msg;
    m.to = "33612345678";
    CHECK(validation(m) == "to: '33612345678' is not an E.164 number: it must start with '+' followed by the country code");
    m = msg;
    m.max_auto_retries = -1;
    CHECK(validation(m) == "max_auto_retries: -1 is negative (a number of retries)");
    m.max_auto_retries = 0;
    CHECK(validation(m).empty());
    m.preferred_channel = v2::message_channel::unknown;
    CHECK(validation(m) == "preferred_channel: 'unknown' cannot be sent; choose one of the contract's values");
    m = msg;
    m.document = v2::message_document{};
    CHECK(validation(m) == "document.url: is required");

    v2::notify_send_batch_request batch;
    batch.template_id = "template_1";
    CHECK(validation(batch) == "to: is required (at least one E.164 number)");
    batch.to = {"+33612345678", "+3361234567a"};
    CHECK(validation(batch) == "to[1]: '+3361234567a' is not an E.164 number: only digits may follow the '+' (no spaces, dashes or brackets)");
    batch.to = {"+33612345678", "+33700000000"};
    CHECK(validation(batch).empty());
    batch.preferred_channel = static_cast<v2::message_channel>(0);
    CHECK(validation(batch) == "preferred_channel: 'unknown' cannot be sent; choose one of the contract's values");

    v2::transactional_send_request t;
    t.template_id = "template_1";
    t.to = "+30123456789";
    CHECK(validation(t).empty());
    t.expires_at = "";
    CHECK(validation(t) == "expires_at: must not be empty when set");
    t.expires_at.reset();
    t.to = "";
    CHECK(validation(t) == "to: is required (an E.164 number)");
}

TEST_CASE("unit: v2 validation of the subscription list requests and path values") {
    CHECK(validation(v2::list_subscription_configs_request{}).empty());
    CHECK(validation(v2::list_subscription_configs_request{.limit = 1}).empty());
    CHECK(validation(v2::list_subscription_configs_request{.limit = 0}) ==
          "limit: 0 is below 1 (a page holds at least one item)");
    CHECK(validation(v2::list_subscription_configs_request{.cursor = ""}) ==
          "cursor: must not be empty when set (omit it for the first page)");

    v2::list_subscription_phone_numbers_request numbers{.config_id = "cfg_1", .state = v2::subscription_state::sub};
    CHECK(validation(numbers).empty());
    numbers.state = v2::subscription_state::unknown;
    CHECK(validation(numbers) == "state: 'unknown' cannot be sent; choose one of the contract's values");
    numbers.state.reset();
    numbers.limit = -5;
    CHECK(validation(numbers) == "limit: -5 is below 1 (a page holds at least one item)");

    // A config_id can never change the path.
    for (const char* bad : {"a/b", "../x", "a?b=1", "a#b", "a%2Fb", "a\nb", "a\x7f"}) {
        numbers = v2::list_subscription_phone_numbers_request{.config_id = bad};
        INFO(bad);
        CHECK(validation(numbers).find("could change the request path") != std::string::npos);
    }
    numbers.config_id = "";
    CHECK(validation(numbers) == "config_id: is required");
    numbers.config_id = "..";
    CHECK(validation(numbers) == "config_id: '..' is a dot segment and would change the request path");
    numbers.config_id = "cfg with space+plus";
    CHECK(validation(numbers).empty()); // sent percent-encoded

    v2::list_subscription_phone_number_events_request events{.config_id = "cfg_1", .phone_number = "+33612345678"};
    CHECK(validation(events).empty());
    events.phone_number = "+33/../1";
    CHECK(validation(events) == "phone_number: '+33/../1' is not an E.164 number: only digits may follow the '+' (no spaces, dashes or brackets)");
    events.phone_number = "+33612345678";
    events.config_id = "x/y";
    CHECK(validation(events).rfind("config_id: 'x/y' contains", 0) == 0);

    CHECK(v2::detail::validate_path_phone_number("phone_number", "").value() == "phone_number: is required (an E.164 number)");
    CHECK_FALSE(v2::detail::validate_config_id("config_id", "cfg_01k8ap5f6g7h8j9k0m1n2p3q4r"));

    std::string out;
    v2::detail::append_percent_encoded("a b+c/d~e_f.g-h%", out);
    CHECK(out == "a%20b%2Bc%2Fd~e_f.g-h%25");
}

// End-to-end: every behaviour of the sandbox (issue 3, "Behaviour") through the SDK itself.
#include "e2e_common.hpp"

#include <algorithm>
#include <regex>
#include <set>
#include <variant>

using namespace e2e;
using namespace std::chrono_literals;
using ding::errc;

namespace {

bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool looks_like_uuid(const std::string& s) {
    static const std::regex re(R"(^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)");
    return std::regex_match(s, re);
}

std::string wrong_code_for(const std::string& code) {
    std::string w = code;
    w[0] = w[0] == '9' ? '0' : static_cast<char>(w[0] + 1);
    return w;
}

}  // namespace

TEST_CASE("e2e: create gives a pending authentication with timestamps and a code of the configured length") {
    world w;
    auto r = w.create();
    E2E_REQUIRE_OK(r);
    CHECK(r->status == ding::authentication_status::pending);
    REQUIRE(r->authentication_uuid);
    CHECK(looks_like_uuid(*r->authentication_uuid));
    REQUIRE(r->created_at);
    REQUIRE(r->expires_at);
    // default expiry: 10 minutes (timestamps have whole seconds)
    CHECK(*r->expires_at - *r->created_at == std::chrono::minutes(10));
    const auto now = w.sandbox().now();
    CHECK(*r->created_at <= now);
    CHECK(now - *r->created_at < 5s);
    const auto code = w.sandbox().code_for(*r->authentication_uuid);
    REQUIRE(code);
    CHECK(code->size() == 6);
    CHECK(all_digits(*code));
    CHECK_FALSE(w.sandbox().code_for("00000000-0000-4000-8000-000000000000"));
}

TEST_CASE("e2e: too many authentications for one number are rate_limited, other numbers are not") {
    ding::sandbox_options so = seeded();
    so.max_authentications_per_number = 3;
    world w(so);
    for (int i = 0; i < 3; ++i) w.create_pending("+33611111111");
    auto limited = w.create("+33611111111");
    E2E_REQUIRE_OK(limited);
    CHECK(limited->status == ding::authentication_status::rate_limited);
    REQUIRE(limited->authentication_uuid);
    CHECK_FALSE(w.sandbox().code_for(*limited->authentication_uuid));  // no code was sent
    // a check on it is rate_limited too
    auto chk = w.check(*limited->authentication_uuid, "123456");
    E2E_REQUIRE_OK(chk);
    CHECK(chk->status == ding::check_status::rate_limited);
    // another number is unaffected
    w.create_pending("+33622222222");
    // the window passes: the number may receive codes again
    w.sandbox().advance_clock(std::chrono::hours(1) + 1s);
    w.create_pending("+33611111111");
}

TEST_CASE("e2e: a flagged number is spam_detected and gets no code") {
    ding::sandbox_options so = seeded();
    so.spam_numbers.insert("+447700900123");
    world w(so);
    for (const std::string phone : {"+15005550009", "+447700900123"}) {
        auto r = w.create(phone);
        E2E_REQUIRE_OK(r);
        CHECK(r->status == ding::authentication_status::spam_detected);
        REQUIRE(r->authentication_uuid);
        CHECK_FALSE(w.sandbox().code_for(*r->authentication_uuid));
        auto chk = w.check(*r->authentication_uuid, "123456");
        E2E_REQUIRE_OK(chk);
        CHECK(chk->status == ding::check_status::without_attempt);
        auto again = w.retry(*r->authentication_uuid);
        E2E_REQUIRE_OK(again);
        CHECK(again->status == ding::retry_status::no_attempt);
    }
}

TEST_CASE("e2e: check is valid once, then already_validated, a wrong code is invalid") {
    world w;
    const auto uuid = w.create_pending();
    const auto code = w.code_of(uuid);

    auto wrong = w.check(uuid, wrong_code_for(code));
    E2E_REQUIRE_OK(wrong);
    CHECK(wrong->status == ding::check_status::invalid);
    CHECK(wrong->authentication_uuid == uuid);

    auto ok = w.check(uuid, code);
    E2E_REQUIRE_OK(ok);
    CHECK(ok->status == ding::check_status::valid);
    CHECK(ok->authentication_uuid == uuid);

    auto again = w.check(uuid, code);
    E2E_REQUIRE_OK(again);
    CHECK(again->status == ding::check_status::already_validated);
}

TEST_CASE("e2e: after max_check_attempts wrong codes every check is rate_limited") {
    ding::sandbox_options so = seeded();
    so.max_check_attempts = 3;
    world w(so);
    const auto uuid = w.create_pending();
    const auto code = w.code_of(uuid);
    for (int i = 0; i < 3; ++i) {
        auto r = w.check(uuid, wrong_code_for(code));
        E2E_REQUIRE_OK(r);
        CHECK(r->status == ding::check_status::invalid);
    }
    auto limited = w.check(uuid, wrong_code_for(code));
    E2E_REQUIRE_OK(limited);
    CHECK(limited->status == ding::check_status::rate_limited);
    auto even_right = w.check(uuid, code);
    E2E_REQUIRE_OK(even_right);
    CHECK(even_right->status == ding::check_status::rate_limited);
}

TEST_CASE("e2e: past expiry, check and retry give expired_auth") {
    world w;
    const auto uuid = w.create_pending();
    const auto code = w.code_of(uuid);
    w.sandbox().advance_clock(std::chrono::minutes(10) + 1s);
    auto chk = w.check(uuid, code);
    E2E_REQUIRE_OK(chk);
    CHECK(chk->status == ding::check_status::expired_auth);
    auto again = w.retry(uuid);
    E2E_REQUIRE_OK(again);
    CHECK(again->status == ding::retry_status::expired_auth);
}

TEST_CASE("e2e: retry is approved with a new send, remaining_retry decreasing and next_retry_at set") {
    world w;  // max_retries 3, retry_interval 30 s
    const auto uuid = w.create_pending();

    auto early = w.retry(uuid);
    E2E_REQUIRE_OK(early);
    CHECK(early->status == ding::retry_status::denied);
    CHECK(early->authentication_uuid == uuid);
    CHECK(early->remaining_retry == 3);
    REQUIRE(early->next_retry_at);
    CHECK(*early->next_retry_at > w.sandbox().now());

    std::int64_t previous = 4;
    for (int i = 0; i < 3; ++i) {
        w.sandbox().advance_clock(31s);
        auto r = w.retry(uuid);
        E2E_REQUIRE_OK(r);
        CHECK(r->status == ding::retry_status::approved);
        REQUIRE(r->remaining_retry);
        CHECK(*r->remaining_retry == previous - 2);
        CHECK(*r->remaining_retry < previous);
        previous = *r->remaining_retry + 1;
        REQUIRE(r->created_at);
        REQUIRE(r->next_retry_at);
        CHECK(*r->next_retry_at - *r->created_at == 30s);
        // a new code went out; it is the one that checks
        CHECK(w.sandbox().code_for(uuid)->size() == 6);
        // right after an approved retry: too early
        auto too_early = w.retry(uuid);
        E2E_REQUIRE_OK(too_early);
        if (*r->remaining_retry > 0) CHECK(too_early->status == ding::retry_status::denied);
        else CHECK(too_early->status == ding::retry_status::rate_limited);
    }
    w.sandbox().advance_clock(31s);
    auto exhausted = w.retry(uuid);
    E2E_REQUIRE_OK(exhausted);
    CHECK(exhausted->status == ding::retry_status::rate_limited);
    CHECK(exhausted->remaining_retry == 0);

    // the last code sent is the valid one
    auto ok = w.check(uuid, w.code_of(uuid));
    E2E_REQUIRE_OK(ok);
    CHECK(ok->status == ding::check_status::valid);
}

TEST_CASE("e2e: retry after a valid check is already_validated") {
    world w;
    const auto uuid = w.create_pending();
    auto ok = w.check(uuid, w.code_of(uuid));
    E2E_REQUIRE_OK(ok);
    REQUIRE(ok->status == ding::check_status::valid);
    w.sandbox().advance_clock(31s);
    auto r = w.retry(uuid);
    E2E_REQUIRE_OK(r);
    CHECK(r->status == ding::retry_status::already_validated);
}

TEST_CASE("e2e: feedback returns a uuid, the same status twice is duplicated_feedback_status") {
    world w;
    w.create_pending(phone_fr);
    auto first = w.feedback(phone_fr, ding::feedback_status::onboarded);
    E2E_REQUIRE_OK(first);
    REQUIRE(first->uuid);
    CHECK(looks_like_uuid(*first->uuid));

    auto dup = w.feedback(phone_fr, ding::feedback_status::onboarded);
    REQUIRE_FALSE(dup.has_value());
    CHECK(dup.error().value() == errc::api_error);
    CHECK(dup.error().api_code() == ding::api_error_code::duplicated_feedback_status);
    CHECK(dup.error().http_status() == 400);
    CHECK_FALSE(dup.error().doc_url().empty());
    CHECK(dup.error().doc_url().find("duplicated_feedback_status") != std::string::npos);
    CHECK_FALSE(dup.error().api_message().empty());
    CHECK(dup.error().attempts() == 1);

    // the other status is a different feedback
    auto other = w.feedback(phone_fr, ding::feedback_status::not_onboarded);
    E2E_REQUIRE_OK(other);
    CHECK(other->uuid != first->uuid);
}

TEST_CASE("e2e: feedback for a number without an authentication is no_associated_auth_found") {
    world w;
    auto r = w.feedback("+33699999999", ding::feedback_status::onboarded);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().value() == errc::api_error);
    CHECK(r.error().api_code() == ding::api_error_code::no_associated_auth_found);
    CHECK(r.error().http_status() == 400);
}

TEST_CASE("e2e: status lists the events in order: attempt, delivery_status, balance_update, check") {
    world w;
    ding::create_authentication_request req;
    req.customer_uuid = customer;
    req.phone_number = phone_fr;
    req.device_type = ding::device_type::android;
    req.template_id = "tmpl-1";
    req.correlation_id = "corr-1";
    req.is_returning_user = true;
    auto created = w.run(w.client().otp().create_authentication_async(req));
    E2E_REQUIRE_OK(created);
    const auto uuid = *created->authentication_uuid;
    const auto code = w.code_of(uuid);
    auto wrong = w.check(uuid, wrong_code_for(code));
    E2E_REQUIRE_OK(wrong);
    auto right = w.check(uuid, code);
    E2E_REQUIRE_OK(right);

    auto s = w.status(uuid);
    E2E_REQUIRE_OK(s);
    CHECK(s->uuid == uuid);
    CHECK(s->phone_number == phone_fr);
    CHECK(s->template_id == "tmpl-1");
    CHECK(s->correlation_id == "corr-1");
    CHECK(s->created_at == created->created_at);
    REQUIRE(s->signals);
    CHECK(s->signals->device_type == ding::device_type::android);
    CHECK(s->signals->is_returning_user == true);
    REQUIRE(s->events);
    const auto& ev = *s->events;
    REQUIRE(ev.size() == 5);

    REQUIRE(std::holds_alternative<ding::attempt_event>(ev[0]));
    const auto& attempt = std::get<ding::attempt_event>(ev[0]);
    CHECK(attempt.attempt_number == 1);
    CHECK(attempt.capability == ding::capability::text);
    CHECK(attempt.status == ding::attempt_status::delivered);
    REQUIRE(attempt.id);
    CHECK(attempt.created_at);

    REQUIRE(std::holds_alternative<ding::delivery_status_event>(ev[1]));
    const auto& delivery = std::get<ding::delivery_status_event>(ev[1]);
    CHECK(delivery.attempt_id == attempt.id);
    CHECK(delivery.attempt_number == 1);
    CHECK(delivery.status == ding::delivery_status::delivered);
    CHECK(delivery.created_at);

    REQUIRE(std::holds_alternative<ding::balance_update_event>(ev[2]));
    const auto& balance = std::get<ding::balance_update_event>(ev[2]);
    CHECK(balance.balance_update_type);
    REQUIRE(balance.amount);
    CHECK(*balance.amount > 0);

    REQUIRE(std::holds_alternative<ding::check_event>(ev[3]));
    CHECK(std::get<ding::check_event>(ev[3]).status == ding::check_status::invalid);
    REQUIRE(std::holds_alternative<ding::check_event>(ev[4]));
    CHECK(std::get<ding::check_event>(ev[4]).status == ding::check_status::valid);
    CHECK(std::get<ding::check_event>(ev[4]).code == code);

    // a retry adds a second attempt (with its delivery status and balance update)
    w.sandbox().advance_clock(31s);
    const auto uuid2 = w.create_pending("+33633333333");
    w.sandbox().advance_clock(31s);
    auto retried = w.retry(uuid2);
    E2E_REQUIRE_OK(retried);
    REQUIRE(retried->status == ding::retry_status::approved);
    auto s2 = w.status(uuid2);
    E2E_REQUIRE_OK(s2);
    REQUIRE(s2->events);
    REQUIRE(s2->events->size() == 6);
    REQUIRE(std::holds_alternative<ding::attempt_event>((*s2->events)[3]));
    CHECK(std::get<ding::attempt_event>((*s2->events)[3]).attempt_number == 2);
    REQUIRE(std::holds_alternative<ding::delivery_status_event>((*s2->events)[4]));
    CHECK(std::get<ding::delivery_status_event>((*s2->events)[4]).attempt_number == 2);
    CHECK(std::holds_alternative<ding::balance_update_event>((*s2->events)[5]));
}

TEST_CASE("e2e: lookup is deterministic, gives the country, and caller_name only with type=cnam") {
    world w;
    struct expectation {
        std::string phone, country;
    };
    for (const auto& e : {expectation{"+33612345678", "FR"}, expectation{"+14155552671", "US"},
                          expectation{"+447700900123", "GB"}}) {
        INFO(e.phone);
        auto a = w.lookup(e.phone);
        E2E_REQUIRE_OK(a);
        auto b = w.lookup(e.phone);
        E2E_REQUIRE_OK(b);
        CHECK(*a == *b);
        CHECK(a->phone_number == e.phone);
        CHECK(a->country_code == e.country);
        CHECK(a->carrier);
        CHECK(a->mcc);
        CHECK(a->mnc);
        CHECK(a->line_type);
        CHECK(a->line_type != ding::line_type::unknown);
        CHECK(a->number_ported);
        CHECK(a->temporary_phone_number);
        CHECK_FALSE(a->caller_name);

        auto cnam = w.lookup(e.phone, {ding::lookup_type::cnam});
        E2E_REQUIRE_OK(cnam);
        REQUIRE(cnam->caller_name);
        CHECK_FALSE(cnam->caller_name->empty());
        CHECK(cnam->carrier == a->carrier);
        auto cnam2 = w.lookup(e.phone, {ding::lookup_type::cnam});
        E2E_REQUIRE_OK(cnam2);
        CHECK(cnam2->caller_name == cnam->caller_name);
    }
    CHECK(w.lookup("+33612345678")->mcc == "208");
    CHECK(w.lookup("+14155552671")->mcc == "310");
    CHECK(w.lookup("+447700900123")->mcc == "234");
}

TEST_CASE("e2e: a wrong api key is refused with HTTP 401") {
    world w(seeded(), [](ding::client_options& o) { o.api_key = "not-the-sandbox-key"; });
    auto r = w.create();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().value() == errc::http_status);
    CHECK(r.error().http_status() == 401);
    CHECK(r.error().attempts() == 1);
    auto l = w.lookup(phone_fr);
    REQUIRE_FALSE(l.has_value());
    CHECK(l.error().http_status() == 401);
    CHECK(w.sandbox().requests_for("/v1/authentication") == 1);
}

TEST_CASE("e2e: an unknown but well-formed authentication uuid is invalid_auth_uuid from the server") {
    world w;
    const std::string unknown = "0f0e0d0c-0b0a-4908-8706-050403020100";
    auto chk = w.check(unknown, "123456");
    REQUIRE_FALSE(chk.has_value());
    CHECK(chk.error().value() == errc::api_error);
    CHECK(chk.error().api_code() == ding::api_error_code::invalid_auth_uuid);
    CHECK(chk.error().http_status() == 400);
    auto again = w.retry(unknown);
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().api_code() == ding::api_error_code::invalid_auth_uuid);
    auto s = w.status(unknown);
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().value() == errc::api_error);
    CHECK(s.error().api_code() == ding::api_error_code::invalid_auth_uuid);
    // they reached the server (the SDK did not refuse them itself)
    CHECK(w.sandbox().requests_for("/v1/check") == 1);
    CHECK(w.sandbox().requests_for("/v1/retry") == 1);
    CHECK(w.sandbox().requests_for("/v1/authentication/{auth_uuid}") == 1);
}

TEST_CASE("e2e: sandbox_options: code length, expiry and max_retries") {
    ding::sandbox_options so = seeded();
    so.code_length = 8;
    so.expiry = std::chrono::minutes(2);
    so.max_retries = 1;
    so.retry_interval = 10s;
    world w(so);
    auto r = w.create();
    E2E_REQUIRE_OK(r);
    const auto uuid = *r->authentication_uuid;
    CHECK(*r->expires_at - *r->created_at == std::chrono::minutes(2));
    CHECK(w.code_of(uuid).size() == 8);
    CHECK(all_digits(w.code_of(uuid)));

    w.sandbox().advance_clock(11s);
    auto first = w.retry(uuid);
    E2E_REQUIRE_OK(first);
    CHECK(first->status == ding::retry_status::approved);
    CHECK(first->remaining_retry == 0);
    CHECK(*first->next_retry_at - *first->created_at == 10s);
    CHECK(w.code_of(uuid).size() == 8);
    w.sandbox().advance_clock(11s);
    auto second = w.retry(uuid);
    E2E_REQUIRE_OK(second);
    CHECK(second->status == ding::retry_status::rate_limited);

    // expiry at 2 minutes: still valid just before, expired after
    const auto uuid2 = w.create_pending("+33644444444");
    w.sandbox().advance_clock(119s);
    auto wrong = w.check(uuid2, wrong_code_for(w.code_of(uuid2)));
    E2E_REQUIRE_OK(wrong);
    CHECK(wrong->status == ding::check_status::invalid);
    w.sandbox().advance_clock(2s);
    auto late = w.check(uuid2, w.code_of(uuid2));
    E2E_REQUIRE_OK(late);
    CHECK(late->status == ding::check_status::expired_auth);
}

TEST_CASE("e2e: two sandboxes with the same seed give the same uuids and codes") {
    std::vector<std::pair<std::string, std::string>> runs[2];
    for (auto& out : runs) {
        world w(seeded(1234), {}, /*own_thread=*/true);
        for (const std::string phone : {"+33612345678", "+14155552671", "+447700900123"}) {
            const auto uuid = w.create_pending(phone);
            out.emplace_back(uuid, w.code_of(uuid));
        }
    }
    CHECK(runs[0] == runs[1]);
    world other(seeded(4321), {}, true);
    const auto uuid = other.create_pending("+33612345678");
    CHECK(std::make_pair(uuid, other.code_of(uuid)) != runs[0][0]);
}

TEST_CASE("e2e: a whole flow over plain HTTP") {
    ding::sandbox_options so = seeded();
    so.tls = false;
    world w(so);
    CHECK(w.sandbox().base_url().rfind("http://127.0.0.1:", 0) == 0);
    CHECK(w.sandbox().ca_pem().empty());
    const auto uuid = w.create_pending();
    auto ok = w.check(uuid, w.code_of(uuid));
    E2E_REQUIRE_OK(ok);
    CHECK(ok->status == ding::check_status::valid);
    auto fb = w.feedback(phone_fr, ding::feedback_status::onboarded);
    E2E_REQUIRE_OK(fb);
    auto s = w.status(uuid);
    E2E_REQUIRE_OK(s);
    auto l = w.lookup(phone_fr, {ding::lookup_type::cnam});
    E2E_REQUIRE_OK(l);
    CHECK(l->caller_name);
    const auto stats = w.client().stats();
    CHECK(stats.handshakes == 0);
    CHECK(stats.connections_opened == 1);  // one keep-alive connection carried everything
    CHECK(w.sandbox().stats().tls_handshakes == 0);
}

TEST_CASE("e2e: a whole flow over TLS reuses one connection with the sandbox on its own thread") {
    world w(seeded(), {}, /*own_thread=*/true);
    const auto uuid = w.create_pending();
    auto ok = w.check(uuid, w.code_of(uuid));
    E2E_REQUIRE_OK(ok);
    CHECK(ok->status == ding::check_status::valid);
    auto s = w.status(uuid);
    E2E_REQUIRE_OK(s);
    const auto stats = w.client().stats();
    CHECK(stats.handshakes == 1);
    CHECK(stats.connections_opened == 1);
    CHECK(stats.requests_sent == 3);
    CHECK(w.sandbox().stats().tls_handshakes == 1);
    CHECK(w.sandbox().stats().requests_total == 3);
}

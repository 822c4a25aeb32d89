// End-to-end: the v2 SDK (ding::v2::client) against the embedded sandbox's Verify v2 side, and the
// sandbox's webhooks received on loopback, verified with ding::v2::webhook_verifier and parsed
// with ding::v2::parse_webhook.
#include "e2e_common.hpp"
#include "sandbox/webhook_receiver.hpp"

#include <ding/v2.hpp>

#include <variant>

namespace v2 = ding::v2;
using ding::errc;
using namespace std::chrono_literals;

namespace {

const std::string phone = "+33612345678";

v2::target phone_target(const std::string& number = phone) { return v2::target{v2::target_type::phone_number, number}; }

/// A sandbox and a v2 client on one io_context run by this thread.
class world_v2 {
public:
    explicit world_v2(ding::sandbox_options so = e2e::seeded()) {
        sandbox_ = std::make_unique<ding::sandbox>(ioc.get_executor(), std::move(so));
        client_ = std::make_unique<v2::client>(ioc.get_executor(), options(*sandbox_));
    }
    ~world_v2() {
        client_.reset();
        sandbox_->stop();
        ioc.restart();
        ioc.run_for(2s);
        CHECK(ioc.stopped());  // nothing left pending by the client, the sandbox or a webhook delivery
        sandbox_.reset();
    }

    static v2::client_options options(const ding::sandbox& sb) {
        v2::client_options o;
        o.base_url = sb.v2_base_url();
        o.api_key = sb.v2_api_key();
        o.tls.use_system_trust_store = false;
        o.tls.ca_pem = sb.ca_pem();
        o.timeout = 5s;
        o.connect_timeout = 2s;
        o.retry.initial_backoff = 2ms;
        o.retry.max_backoff = 10ms;
        return o;
    }

    v2::client& client() { return *client_; }
    ding::sandbox& sandbox() { return *sandbox_; }

    template <class T>
    T run(e2e::asio::awaitable<T> work, std::chrono::milliseconds bound = 10s) {
        return e2e::run(ioc, std::move(work), bound);
    }

    ding::outcome<v2::create_verification_response> create(v2::create_verification_request req) {
        return run(client().verification().create_async(req));
    }
    ding::outcome<v2::create_verification_response> create(const std::string& number = phone) {
        v2::create_verification_request req;
        req.target = phone_target(number);
        return create(std::move(req));
    }
    ding::outcome<v2::check_verification_response> check(const std::string& number, const std::string& code) {
        v2::check_verification_request req;
        req.target = phone_target(number);
        req.code = code;
        return run(client().verification().check_async(req));
    }
    std::string code_for(const std::string& number = phone) {
        auto c = sandbox().code_for_target(number);
        REQUIRE(c);
        return *c;
    }

    e2e::asio::io_context ioc;

private:
    std::unique_ptr<ding::sandbox> sandbox_;
    std::unique_ptr<v2::client> client_;
};

std::string wrong(const std::string& code) {
    std::string w = code;
    w[0] = w[0] == '0' ? '1' : '0';
    return w;
}

}  // namespace

TEST_CASE("e2e v2: the whole sign-up flow", "[e2e][v2]") {
    world_v2 w;
    v2::predict_request p;
    p.target = phone_target();
    p.metadata = v2::request_metadata{"signup-7f3a9c21"};
    p.signals = v2::signals{};
    p.signals->ip = "203.0.113.42";
    p.signals->device_platform = v2::device_platform::ios;
    auto risk = w.run(w.client().watch().predict_async(p));
    E2E_REQUIRE_OK(risk);
    CHECK(risk->prediction == v2::prediction_verdict::legitimate);
    CHECK(risk->id.rfind("prd_", 0) == 0);

    v2::create_verification_request req;
    req.target = phone_target();
    req.signals = v2::signals{};
    req.signals->device_platform = v2::device_platform::ios;
    req.options = v2::verification_options{};
    req.options->locale = "fr-FR";
    req.metadata = v2::request_metadata{"signup-7f3a9c21"};
    auto sent = w.create(req);
    E2E_REQUIRE_OK(sent);
    CHECK(sent->status == v2::verification_status::success);
    CHECK(sent->method == v2::verification_method::message);
    CHECK(sent->id.rfind("vrf_", 0) == 0);
    REQUIRE(sent->channels);
    CHECK(*sent->channels == std::vector<v2::used_channel>{v2::used_channel::sms});
    REQUIRE(sent->metadata);
    CHECK(sent->metadata->correlation_id == "signup-7f3a9c21");
    CHECK(sent->request_id);

    v2::send_feedbacks_request started;
    started.feedbacks.push_back(v2::feedback{phone_target(), v2::feedback_type::verification_started,
                                             v2::request_metadata{"signup-7f3a9c21"}});
    auto fb1 = w.run(w.client().watch().send_feedbacks_async(started));
    E2E_REQUIRE_OK(fb1);
    CHECK(fb1->status == v2::send_status::success);

    const std::string code = w.code_for();
    auto bad = w.check(phone, wrong(code));
    E2E_REQUIRE_OK(bad);
    CHECK(bad->status == v2::check_status::failure);
    CHECK(bad->id == sent->id);
    auto good = w.check(phone, code);
    E2E_REQUIRE_OK(good);
    CHECK(good->status == v2::check_status::success);
    CHECK(good->id == sent->id);
    REQUIRE(good->metadata);
    CHECK(good->metadata->correlation_id == "signup-7f3a9c21");

    v2::send_feedbacks_request completed;
    completed.feedbacks.push_back(v2::feedback{phone_target(), v2::feedback_type::verification_completed, std::nullopt});
    auto fb2 = w.run(w.client().watch().send_feedbacks_async(completed));
    E2E_REQUIRE_OK(fb2);

    v2::send_events_request ev;
    ev.events.push_back(v2::watch_event{phone_target("+30123456789"), "account.banned", v2::event_confidence::maximum});
    auto events = w.run(w.client().watch().send_events_async(ev));
    E2E_REQUIRE_OK(events);
    CHECK(events->status == v2::send_status::success);
    CHECK_FALSE(events->request_id.empty());

    auto info = w.run(w.client().lookup().lookup_async(phone));
    E2E_REQUIRE_OK(info);
    CHECK(info->phone_number == phone);
    CHECK(info->country_code == "FR");
    REQUIRE(info->network_info);
    CHECK(info->network_info->mcc == "208");
    CHECK(info->line_type);
    CHECK(info->flags);
    CHECK_FALSE(info->caller_name);
    v2::lookup_request with_cnam{phone, {v2::lookup_feature::cnam}};
    auto named = w.run(w.client().lookup().lookup_async(with_cnam));
    E2E_REQUIRE_OK(named);
    CHECK(named->caller_name);
    CHECK(named->network_info == info->network_info);

    // Every call reached the sandbox exactly once.
    CHECK(w.sandbox().requests_for("/v2/verification") == 1);
    CHECK(w.sandbox().requests_for("/v2/verification/check") == 2);
    CHECK(w.sandbox().requests_for("/v2/lookup/{phone_number}") == 2);
    CHECK(w.client().stats().retries == 0);
}

TEST_CASE("e2e v2: repeating create is the retry, the new code replaces the old one", "[e2e][v2]") {
    world_v2 w;
    auto first = w.create();
    E2E_REQUIRE_OK(first);
    REQUIRE(first->status == v2::verification_status::success);
    const std::string code1 = w.code_for();
    auto again = w.create();
    E2E_REQUIRE_OK(again);
    CHECK(again->status == v2::verification_status::retry);
    CHECK(again->id == first->id);
    const std::string code2 = w.code_for();
    if (code1 != code2) {
        auto old = w.check(phone, code1);
        E2E_REQUIRE_OK(old);
        CHECK(old->status == v2::check_status::failure);
    }
    auto ok = w.check(phone, code2);
    E2E_REQUIRE_OK(ok);
    CHECK(ok->status == v2::check_status::success);
    // max_retries (3) repeats are retries; the next one is refused
    // (E2E_REQUIRE_OK evaluates its argument twice: calls go into variables first)
    for (int i = 0; i < 4; ++i) {
        auto r = w.create("+33612345600");
        E2E_REQUIRE_OK(r);
        CHECK(r->status == (i == 0 ? v2::verification_status::success : v2::verification_status::retry));
    }
    auto refused = w.create("+33612345600");
    E2E_REQUIRE_OK(refused);
    CHECK(refused->status == v2::verification_status::blocked);
    CHECK(refused->reason == v2::block_reason::repeated_attempts);
    // the SDK never repeated a create by itself
    CHECK(w.sandbox().requests_for("/v2/verification") == 7);
    CHECK(w.client().stats().retries == 0);
}

TEST_CASE("e2e v2: expiry on the sandbox's virtual clock", "[e2e][v2]") {
    world_v2 w;
    auto first = w.create();
    E2E_REQUIRE_OK(first);
    const std::string code = w.code_for();
    w.sandbox().advance_clock(w.sandbox().options().expiry);
    auto late = w.check(phone, code);
    E2E_REQUIRE_OK(late);
    CHECK(late->status == v2::check_status::expired_or_not_found);
    CHECK_FALSE(late->id);
    auto fresh = w.create();
    E2E_REQUIRE_OK(fresh);
    CHECK(fresh->status == v2::verification_status::success);  // a new window, not a retry
    CHECK(fresh->id != first->id);
    auto ok = w.check(phone, w.code_for());
    E2E_REQUIRE_OK(ok);
    CHECK(ok->status == v2::check_status::success);
}

TEST_CASE("e2e v2: blocked numbers, server-side refusals and faults as the SDK sees them", "[e2e][v2]") {
    world_v2 w;
    auto spam = w.create("+15005550009");
    E2E_REQUIRE_OK(spam);
    CHECK(spam->status == v2::verification_status::blocked);
    CHECK(spam->reason == v2::block_reason::suspicious);
    REQUIRE(spam->risk_factors);
    CHECK(*spam->risk_factors == std::vector<v2::risk_factor>{v2::risk_factor::fraud_database});

    auto risky = w.run(w.client().watch().predict_async(v2::predict_request{phone_target("+15005550009")}));
    E2E_REQUIRE_OK(risky);
    CHECK(risky->prediction == v2::prediction_verdict::suspicious);

    // a refusal only the server can make: a client with another key gets the contract's 401 body
    auto o = world_v2::options(w.sandbox());
    o.api_key = "not-the-key";
    v2::client stranger(w.ioc.get_executor(), o);
    v2::create_verification_request req;
    req.target = phone_target();
    auto refused = w.run(stranger.verification().create_async(req));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().value() == errc::api_error);
    CHECK(refused.error().http_status() == 401);
    CHECK(refused.error().api_code_string() == "invalid_api_key");

    // 503 on create: retried (the server cannot have acted); 500: not retried (it might have)
    w.sandbox().inject({ding::sandbox_fault_kind::status_503, 1, "/v2/verification"});
    auto after_503 = w.create("+33612345601");
    E2E_REQUIRE_OK(after_503);
    CHECK(after_503->status == v2::verification_status::success);
    CHECK(w.sandbox().requests_for("/v2/verification") == 4);  // spam, stranger, 503, its retry
    w.sandbox().inject({ding::sandbox_fault_kind::status_500, 1, "/v2/verification"});
    auto after_500 = w.create("+33612345602");
    REQUIRE_FALSE(after_500.has_value());
    CHECK(after_500.error().http_status() == 500);
    CHECK(w.sandbox().requests_for("/v2/verification") == 5);
    CHECK_FALSE(w.sandbox().code_for_target("+33612345602"));
    // GET lookup is a read: retried on 500
    w.sandbox().inject({ding::sandbox_fault_kind::status_500, 1, "/v2/lookup/{phone_number}"});
    auto looked_up = w.run(w.client().lookup().lookup_async(phone));
    E2E_REQUIRE_OK(looked_up);
    CHECK(w.sandbox().requests_for("/v2/lookup/{phone_number}") == 2);
    // a malformed body is a decode error
    w.sandbox().inject({ding::sandbox_fault_kind::malformed_json, 1, "/v2/verification/check"});
    auto garbled = w.check(phone, "123456");
    REQUIRE_FALSE(garbled.has_value());
    CHECK(garbled.error().value() == errc::decode);
}

TEST_CASE("e2e v2: webhooks delivered, verified with webhook_verifier and parsed", "[e2e][v2][webhooks]") {
    hook::receiver rx;
    world_v2 w;
    auto verifier = v2::webhook_verifier::from_pem(w.sandbox().webhook_public_key_pem());
    E2E_REQUIRE_OK(verifier);

    v2::create_verification_request req;
    req.target = phone_target();
    req.options = v2::verification_options{};
    req.options->callback_url = rx.url();
    req.metadata = v2::request_metadata{"signup-42"};
    auto sent = w.create(req);
    E2E_REQUIRE_OK(sent);
    // The sandbox delivers on this io_context: keep running it while the receiver waits.
    auto pump_until = [&](std::size_t n) {
        for (int i = 0; i < 500 && rx.requests().size() < n; ++i) e2e::settle(w.ioc, 10ms);
        return rx.requests().size() >= n;
    };
    REQUIRE(pump_until(3));
    w.sandbox().advance_clock(45s);
    auto again = w.create();
    E2E_REQUIRE_OK(again);
    REQUIRE(again->status == v2::verification_status::retry);
    REQUIRE(pump_until(5));

    auto got = rx.requests();
    REQUIRE(got.size() == 5);
    std::vector<std::string> attempt_ids;
    for (std::size_t i = 0; i < got.size(); ++i) {
        INFO(got[i].body);
        const std::string signature = got[i].header("x-webhook-signature");
        auto verified = verifier->verify(signature, got[i].body);
        INFO((verified ? std::string() : verified.error().to_string()));
        CHECK(verified.has_value());
        auto event = v2::parse_webhook(got[i].body);
        E2E_REQUIRE_OK(event);
        CHECK(event->id.rfind("evt_", 0) == 0);
        if (i == 0) {
            CHECK(event->type == "verify.authentication");
            const auto* p = std::get_if<v2::authentication_payload>(&event->payload);
            REQUIRE(p);
            CHECK(p->verification_id == sent->id);
            CHECK(p->target == phone_target());
            REQUIRE(p->metadata);
            CHECK(p->metadata->correlation_id == "signup-42");
            REQUIRE(p->price);
            CHECK(p->price->currency == "EUR");
        } else if (i % 2 == 1) {
            CHECK(event->type == "verify.attempt");
            const auto* p = std::get_if<v2::attempt_payload>(&event->payload);
            REQUIRE(p);
            CHECK(p->verification_id == sent->id);
            CHECK(p->channel == v2::used_channel::sms);
            CHECK(p->delivery_status == v2::delivery_status::submitted);
            REQUIRE(p->carrier_information);
            CHECK(p->carrier_information->mcc == "208");
            REQUIRE(p->id);
            attempt_ids.push_back(*p->id);
        } else {
            CHECK(event->type == "verify.delivery_status");
            const auto* p = std::get_if<v2::delivery_status_payload>(&event->payload);
            REQUIRE(p);
            CHECK(p->status == v2::delivery_status::delivered);
            CHECK(p->id == std::optional<std::string>(attempt_ids.back()));
            CHECK(p->time);
        }
    }
    REQUIRE(attempt_ids.size() == 2);
    CHECK(attempt_ids[0] != attempt_ids[1]);
    // the retry's events carry the advanced virtual clock
    auto first = v2::parse_webhook(got[0].body);
    auto last = v2::parse_webhook(got[4].body);
    REQUIRE(first.has_value());
    REQUIRE(last.has_value());
    CHECK(last->created_at - first->created_at >= 45s);

    // tampering or another sandbox's key fails verification
    std::string tampered = got[1].body;
    tampered.replace(tampered.find("submitted"), 9, "delivered");
    auto bad = verifier->verify(got[1].header("x-webhook-signature"), tampered);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().value() == errc::invalid_signature);
    ding::sandbox other;
    auto other_verifier = v2::webhook_verifier::from_pem(other.webhook_public_key_pem());
    E2E_REQUIRE_OK(other_verifier);
    CHECK_FALSE(other_verifier->verify(got[0].header("x-webhook-signature"), got[0].body).has_value());
    CHECK(w.sandbox().stats().webhooks_sent == 5);
}

// End-to-end, issue 18: the v2 client's Verify management, Notify and Transactional operations
// against the embedded sandbox (its state: block and allow lists, sender IDs on the virtual
// clock, unsubscribed numbers, seeded subscription configurations with real cursors).
#include "e2e_common.hpp"

#include <ding/v2.hpp>

#include <algorithm>

namespace v2 = ding::v2;
using ding::errc;
using namespace std::chrono_literals;

namespace {

const std::string phone = "+33612345678";
const std::string unsubscribed = "+15005550011"; // sandbox_options::unsubscribed_numbers' default

/// A sandbox and a v2 client on one io_context run by this thread.
class world {
public:
    explicit world(ding::sandbox_options so = e2e::seeded()) {
        sandbox_ = std::make_unique<ding::sandbox>(ioc.get_executor(), std::move(so));
        v2::client_options o;
        o.base_url = sandbox_->v2_base_url();
        o.api_key = sandbox_->v2_api_key();
        o.tls.use_system_trust_store = false;
        o.tls.ca_pem = sandbox_->ca_pem();
        o.timeout = 5s;
        o.connect_timeout = 2s;
        o.retry.initial_backoff = 2ms;
        o.retry.max_backoff = 10ms;
        client_ = std::make_unique<v2::client>(ioc.get_executor(), o);
    }
    ~world() {
        client_.reset();
        sandbox_->stop();
        ioc.restart();
        ioc.run_for(2s);
        CHECK(ioc.stopped()); // nothing left pending by the client or the sandbox
        sandbox_.reset();
    }

    v2::client& client() { return *client_; }
    ding::sandbox& sandbox() { return *sandbox_; }

    template <class T>
    T run(e2e::asio::awaitable<T> work, std::chrono::milliseconds bound = 10s) {
        return e2e::run(ioc, std::move(work), bound);
    }

    ding::outcome<v2::create_verification_response> create(const std::string& number) {
        v2::create_verification_request req;
        req.target = v2::target{v2::target_type::phone_number, number};
        return run(client().verification().create_async(req));
    }

    e2e::asio::io_context ioc;

private:
    std::unique_ptr<ding::sandbox> sandbox_;
    std::unique_ptr<v2::client> client_;
};

/// Every item of a pager's walk, as `key(item)`, or the first error. Bounded.
template <class Response, class Key>
e2e::asio::awaitable<ding::outcome<std::vector<std::string>>> walk(v2::pager<Response> pages, Key key,
                                                                   std::size_t* page_count = nullptr) {
    std::vector<std::string> items;
    for (int i = 0; i < 1000; ++i) {
        auto page = co_await pages.next_async();
        if (!page) co_return page.error();
        if (!*page) co_return items;
        if (page_count) ++*page_count;
        key(**page, items);
    }
    co_return ding::error(errc::internal, ding::error::details{});
}

} // namespace

TEST_CASE("e2e v2: block then create is blocked, unblock then create succeeds, an allowed number is never blocked") {
    world w;
    auto& vm = w.client().verification_management();
    const v2::set_phone_number_request block{.phone_number = phone};
    auto blocked = w.run(vm.set_phone_number_async(v2::phone_list::block, block));
    REQUIRE(blocked.has_value());
    CHECK(blocked->phone_number == phone);

    auto listed = w.run(vm.list_phone_numbers_async(v2::phone_list::block));
    REQUIRE(listed.has_value());
    bool found = false;
    for (const auto& n : listed->phone_numbers) found = found || n.phone_number == phone;
    CHECK(found);

    auto refused = w.create(phone);
    REQUIRE(refused.has_value());
    CHECK(refused->status == v2::verification_status::blocked);
    CHECK(refused->reason == v2::block_reason::in_block_list);

    const v2::delete_phone_number_request unblock{.phone_number = phone};
    auto removed = w.run(vm.delete_phone_number_async(v2::phone_list::block, unblock));
    REQUIRE(removed.has_value());
    auto again = w.run(vm.delete_phone_number_async(v2::phone_list::block, unblock)); // idempotent
    REQUIRE(again.has_value());
    auto after = w.run(vm.list_phone_numbers_async(v2::phone_list::block));
    REQUIRE(after.has_value());
    for (const auto& n : after->phone_numbers) CHECK(n.phone_number != phone);

    auto sent = w.create(phone);
    REQUIRE(sent.has_value());
    CHECK(sent->status == v2::verification_status::success);

    // The sandbox's spam number is blocked, unless it is on the allow list.
    const std::string spam = "+15005550009";
    auto spammy = w.create(spam);
    REQUIRE(spammy.has_value());
    CHECK(spammy->status == v2::verification_status::blocked);
    const v2::set_phone_number_request allow{.phone_number = spam};
    REQUIRE(w.run(vm.set_phone_number_async(v2::phone_list::allow, allow)).has_value());
    auto allowed = w.create(spam);
    REQUIRE(allowed.has_value());
    CHECK(allowed->status == v2::verification_status::success);
}

TEST_CASE("e2e v2: a sender ID is pending, then approved or rejected on the virtual clock") {
    world w;
    auto& vm = w.client().verification_management();
    auto status_of = [&](const std::string& name) -> std::optional<v2::sender_id_status> {
        auto ids = w.run(vm.list_sender_ids_async());
        REQUIRE(ids.has_value());
        if (!ids->sender_ids) return std::nullopt;
        for (const auto& e : *ids->sender_ids)
            if (e.sender_id == name) return e.status;
        return std::nullopt;
    };

    const v2::submit_sender_id_request acme{.sender_id = "Acme"};
    auto submitted = w.run(vm.submit_sender_id_async(acme));
    REQUIRE(submitted.has_value());
    CHECK(submitted->sender_id == "Acme");
    CHECK(submitted->status == v2::sender_id_status::pending);
    CHECK(status_of("Acme") == v2::sender_id_status::pending);
    const v2::submit_sender_id_request rejected_name{.sender_id = "Rejected"};
    REQUIRE(w.run(vm.submit_sender_id_async(rejected_name)).has_value());

    // A message from a sender ID that is not approved yet is refused.
    v2::notify_send_request msg;
    msg.template_id = "template_e2e";
    msg.to = phone;
    msg.from = "Acme";
    auto early = w.run(w.client().notify().send_async(msg));
    REQUIRE_FALSE(early.has_value());
    CHECK(early.error().value() == errc::api_error);
    CHECK(early.error().api_code_string() == "invalid_sender_id");

    w.sandbox().advance_clock(std::chrono::hours(1) + std::chrono::seconds(1));
    CHECK(status_of("Acme") == v2::sender_id_status::approved);
    CHECK(status_of("Rejected") == v2::sender_id_status::rejected);
    auto resubmitted = w.run(vm.submit_sender_id_async(rejected_name));
    REQUIRE(resubmitted.has_value());
    CHECK(resubmitted->status == v2::sender_id_status::rejected);
    CHECK(resubmitted->reason.has_value());

    auto approved = w.run(w.client().notify().send_async(msg));
    REQUIRE(approved.has_value());
    CHECK(approved->from == "Acme");
}

TEST_CASE("e2e v2: a notify send, a batch with one bad number, an unsubscribed recipient") {
    world w;
    auto& n = w.client().notify();
    v2::notify_send_request msg;
    msg.template_id = "template_e2e";
    msg.to = phone;
    msg.variables = v2::message_variables{{"order", "1234"}};
    auto sent = w.run(n.send_async(msg));
    REQUIRE(sent.has_value());
    CHECK_FALSE(sent->id.empty());
    CHECK(sent->to == phone);
    CHECK(sent->expires_at > sent->created_at);
    CHECK(sent->variables == v2::message_variables{{"order", "1234"}});

    // The API refuses one recipient: the others' messages go out, that one is a result's error.
    v2::notify_send_batch_request batch;
    batch.template_id = "template_e2e";
    batch.to = {phone, unsubscribed, "+33612345679"};
    auto many = w.run(n.send_batch_async(batch));
    REQUIRE(many.has_value());
    CHECK(many->total_count == 3);
    CHECK(many->success_count == 2);
    CHECK(many->error_count == 1);
    REQUIRE(many->results.size() == 3);
    CHECK(many->results[0].success);
    REQUIRE(many->results[0].message);
    CHECK(many->results[0].message->id.has_value());
    CHECK(many->results[1].phone_number == unsubscribed);
    CHECK_FALSE(many->results[1].success);
    REQUIRE(many->results[1].error);
    CHECK(many->results[1].error->code == "recipient_unsubscribed");
    CHECK(many->results[2].success);

    // A number that is not E.164 refuses the whole batch before anything is sent.
    batch.to = {phone, "0612345678"};
    auto malformed = w.run(n.send_batch_async(batch));
    REQUIRE_FALSE(malformed.has_value());
    CHECK(malformed.error().value() == errc::invalid_argument);
    CHECK(malformed.error().message() == "to[1]: '0612345678' is not an E.164 number: it must start with '+' followed by the country code");

    // A single send to an unsubscribed number is the API's error.
    msg.to = unsubscribed;
    auto refused = w.run(n.send_async(msg));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().value() == errc::api_error);
    CHECK(refused.error().http_status() == 400);
    CHECK(refused.error().api_code_string() == "recipient_unsubscribed");

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations" // the deprecated operation still works
#endif
    v2::transactional_send_request t;
    t.template_id = "template_e2e";
    t.to = phone;
    auto old = w.run(w.client().transactional().send_async(t));
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    REQUIRE(old.has_value());
    CHECK_FALSE(old->id.empty());
}

TEST_CASE("e2e v2: walking every subscription configuration with limit 1 and limit 100 gives the same list") {
    world w;
    auto& n = w.client().notify();
    auto ids = [](const v2::list_subscription_configs_response& p, std::vector<std::string>& out) {
        for (const auto& c : p.configs) out.push_back(c.id);
    };
    std::size_t pages_by_one = 0, pages_by_hundred = 0;
    const v2::list_subscription_configs_request by_one{.limit = 1};
    const v2::list_subscription_configs_request by_hundred{.limit = 100};
    auto a = w.run(walk(n.subscription_configs(by_one), ids, &pages_by_one));
    auto b = w.run(walk(n.subscription_configs(by_hundred), ids, &pages_by_hundred));
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    CHECK(*a == *b);
    CHECK(a->size() >= 2);
    CHECK(pages_by_one == a->size()); // one configuration per page, several pages
    CHECK(pages_by_hundred == 1);

    // The same for the phone numbers of the first configuration, and a number's events.
    const std::string cfg = a->front();
    auto numbers = [](const v2::list_subscription_phone_numbers_response& p, std::vector<std::string>& out) {
        for (const auto& x : p.phone_numbers) out.push_back(x.phone_number + " " + std::string(v2::to_string(x.state)));
    };
    const v2::list_subscription_phone_numbers_request numbers_by_one{.config_id = cfg, .limit = 1};
    const v2::list_subscription_phone_numbers_request numbers_by_hundred{.config_id = cfg, .limit = 100};
    auto na = w.run(walk(n.subscription_phone_numbers(numbers_by_one), numbers));
    auto nb = w.run(walk(n.subscription_phone_numbers(numbers_by_hundred), numbers));
    REQUIRE(na.has_value());
    REQUIRE(nb.has_value());
    CHECK(*na == *nb);
    CHECK(na->size() >= 2);

    // Filtered by state: the unsubscribed ones, and the sandbox's unsubscribed number among them.
    const v2::list_subscription_phone_numbers_request unsub{.config_id = cfg, .limit = 1,
                                                            .state = v2::subscription_state::unsub};
    auto u = w.run(walk(n.subscription_phone_numbers(unsub), numbers));
    REQUIRE(u.has_value());
    CHECK(std::find(u->begin(), u->end(), unsubscribed + " UNSUB") != u->end());
    for (const auto& x : *u) CHECK(x.find(" UNSUB") != std::string::npos);

    auto events = [](const v2::list_subscription_phone_number_events_response& p, std::vector<std::string>& out) {
        for (const auto& e : p.events) out.push_back(std::string(v2::to_string(e.state)) + " " + std::string(v2::to_string(e.source)));
    };
    const v2::list_subscription_phone_number_events_request ev_by_one{.config_id = cfg, .phone_number = unsubscribed, .limit = 1};
    const v2::list_subscription_phone_number_events_request ev_by_hundred{.config_id = cfg, .phone_number = unsubscribed, .limit = 100};
    auto ea = w.run(walk(n.subscription_phone_number_events(ev_by_one), events));
    auto eb = w.run(walk(n.subscription_phone_number_events(ev_by_hundred), events));
    REQUIRE(ea.has_value());
    REQUIRE(eb.has_value());
    CHECK(*ea == *eb);
    CHECK(ea->size() >= 2);
    REQUIRE_FALSE(ea->empty());
    CHECK(ea->front().rfind("UNSUB", 0) == 0); // most recent first: the number's current state

    // The single reads agree with the lists.
    auto config = w.run(n.get_subscription_config_async(cfg));
    REQUIRE(config.has_value());
    CHECK(config->id == cfg);
    auto state = w.run(n.get_subscription_phone_number_async(cfg, unsubscribed));
    REQUIRE(state.has_value());
    CHECK(state->state == v2::subscription_state::unsub);
    auto missing = w.run(n.get_subscription_config_async("cfg_does_not_exist"));
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().http_status() == 404);
}

// Internal: the sandbox's in-memory Ding service (authentications, faults, stats, clock).
// Transport-free: a request goes in as views, a response comes out as status + body.
#pragma once

#include "ding/sandbox.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ding::detail {

enum class sandbox_route {
    none, create, check, retry, feedback, status, lookup,
    // Verify v2
    v2_create, v2_check, v2_lookup, v2_predict, v2_event, v2_feedback,
    // Verify management (allow/block lists: GET, POST, DELETE; sender IDs: GET, POST)
    v2_phone_numbers, v2_sender_ids,
    // Notify, its subscriptions, and the deprecated Transactional send
    v2_notify, v2_notify_batch, v2_subscriptions, v2_subscription, v2_subscription_numbers,
    v2_subscription_number, v2_subscription_events, v2_transactional,
    v2_none
};

inline bool is_v2(sandbox_route r) noexcept { return r >= sandbox_route::v2_create; }

struct route_match {
    sandbox_route route = sandbox_route::none;
    bool method_allowed = false;
    const char* allow = "";     // Allow header when the method is wrong
    const char* pattern = "";   // route template, e.g. "/v1/lookup/{phone_number}"
    bool get = false;           // the request's method is GET (routes with several methods)
    bool del = false;           // the request's method is DELETE
};

// Splits target into path and query and finds the route.
route_match match_route(std::string_view method, std::string_view path) noexcept;

struct sandbox_request {
    std::string_view method;
    std::string_view path;    // without query
    std::string_view query;   // without '?'
    std::optional<std::string_view> api_key;
    std::optional<std::string_view> customer_uuid;  // header, for lookup
    std::optional<std::string_view> authorization;  // header, for v2
    std::string_view body;
};

// A webhook the state decided to send: the transport signs and delivers it.
struct outgoing_webhook {
    std::string url;
    std::string body;
};

struct sandbox_response {
    std::vector<outgoing_webhook> webhooks;  // to deliver after the response (v2 create)
    unsigned status = 200;
    std::string body;
    const char* content_type = "application/json";
    const char* allow = nullptr;                 // 405
    std::optional<std::int64_t> retry_after;     // seconds
};

class sandbox_state {
public:
    explicit sandbox_state(const sandbox_options& options);

    // Counts the request in the stats and takes one count of the oldest matching fault.
    std::optional<sandbox_fault> on_request(std::string_view path, const route_match& route);
    void on_connection();
    void on_handshake();

    sandbox_response handle(const sandbox_request& request, const route_match& route);
    // A plausible success body for the route, made up without touching state (for faults).
    std::string fake_body(const route_match& route, bool wrong_types);

    std::optional<std::string> code_for(std::string_view uuid) const;
    std::optional<std::string> code_for_target(std::string_view target) const;
    enum class webhook_result { sent, failed, dropped };
    void on_webhook(webhook_result r);
    std::chrono::system_clock::time_point now() const;
    void advance_clock(std::chrono::system_clock::duration by);
    void inject(sandbox_fault fault);
    void clear_faults();
    std::size_t pending_faults() const;
    sandbox_stats stats() const;
    std::uint64_t requests_for(std::string_view path) const;

private:
    using time_point = std::chrono::system_clock::time_point;

    struct authentication {
        std::string uuid;
        std::string phone;
        std::string status;  // pending, rate_limited, spam_detected
        time_point created;
        time_point expires;
        std::optional<std::string> code;
        std::string sender_id;
        std::optional<std::string> template_id;
        std::optional<std::string> correlation_id;
        boost::json::object signals;
        boost::json::array events;
        int attempts = 0;       // sends so far
        time_point last_send;
        int wrong_checks = 0;
        bool validated = false;
    };

    // A v2 verification; the open one of a target is in v2_by_target_.
    struct verification {
        std::string id;
        std::string target_type;  // phone_number, email_address
        std::string target;
        time_point created;
        time_point expires;
        std::string code;
        bool custom_code = false;
        std::size_t code_size = 6;
        std::string method;                 // message, voice, email
        std::vector<std::string> channels;  // the plan; empty for email
        int sends = 0;                      // codes sent (1 + retries)
        int wrong_checks = 0;
        bool closed = false;                // checked successfully, or too many wrong codes
        std::optional<std::string> correlation_id;
        std::optional<std::string> callback_url;
        std::optional<std::string> template_id;
        boost::json::object variables;
    };

    time_point now_locked() const;
    std::string new_prefixed_id(std::string_view prefix);
    std::string new_digits(std::size_t n);
    sandbox_response v2_handle(const sandbox_request& r, const route_match& route);
    sandbox_response v2_create(const sandbox_request& r);
    sandbox_response v2_check(const sandbox_request& r);
    sandbox_response v2_lookup(const sandbox_request& r);
    sandbox_response v2_predict(const sandbox_request& r);
    sandbox_response v2_events(const sandbox_request& r);
    sandbox_response v2_feedbacks(const sandbox_request& r);
    void v2_attempt_webhooks(const verification& v, time_point t, bool with_authentication,
                             std::vector<outgoing_webhook>& out);
    std::string v2_fake_body(const route_match& route, bool wrong_types);

    // Verify management, Notify and Transactional (state_v2_manage.cpp, state_v2_notify.cpp).
    void v2_seed();  // the lists, sender IDs and subscription data a sandbox starts with
    bool v2_listed(bool block, std::string_view phone) const;
    std::string v2_sender_status(std::string_view sender_id, time_point t) const;
    bool v2_unsubscribed(std::string_view phone) const;
    sandbox_response v2_phone_numbers(const sandbox_request& r, const route_match& route);
    sandbox_response v2_sender_ids(const sandbox_request& r, const route_match& route);
    sandbox_response v2_subscriptions(const sandbox_request& r, const route_match& route);
    sandbox_response v2_notify(const sandbox_request& r, bool transactional);
    sandbox_response v2_notify_batch(const sandbox_request& r);
    boost::json::object v2_manage_fake_body(const route_match& route);
    std::string new_uuid();
    std::string new_code();
    void send_code(authentication& a, time_point t);
    authentication* find(std::string_view uuid);

    sandbox_response create(const sandbox_request& r);
    sandbox_response check(const sandbox_request& r);
    sandbox_response retry(const sandbox_request& r);
    sandbox_response feedback(const sandbox_request& r);
    sandbox_response status(std::string_view uuid);
    sandbox_response lookup(const sandbox_request& r, std::string_view phone);

    sandbox_options options_;
    mutable std::mutex mutex_;
    std::chrono::system_clock::duration offset_{0};
    std::mt19937_64 rng_;
    std::unordered_map<std::string, authentication> auths_;
    std::unordered_map<std::string, std::vector<time_point>> sends_by_number_;
    std::unordered_map<std::string, std::vector<std::string>> feedback_by_number_;
    std::unordered_map<std::string, verification> v2_by_target_;
    std::unordered_map<std::string, std::string> v2_last_code_;
    std::unordered_map<std::string, std::vector<time_point>> v2_opened_by_target_;
    std::vector<sandbox_fault> faults_;
    sandbox_stats stats_;

    // Verify management: the allow and block lists (in the order numbers were added) and the
    // account's sender IDs (in the order they were submitted).
    struct listed_number {
        std::string phone;
        time_point created;
    };
    std::vector<listed_number> v2_allow_, v2_block_;
    struct sender_id_entry {
        std::string sender_id;
        time_point submitted;
        bool preapproved = false;
    };
    std::vector<sender_id_entry> v2_sender_ids_;

    // Notify subscriptions, seeded at start and never changed by a request.
    struct subscription_event {
        std::uint64_t seq = 0;  // increases with time; a page cursor's position
        std::string state, source;
        std::optional<std::string> reason;
        time_point at;
    };
    struct subscription_number {
        std::vector<subscription_event> events;  // oldest first; the last one is the current state
    };
    struct subscription_config {
        std::string id, name, callback_url;
        time_point created, updated;
        std::optional<std::string> start_message, stop_message, help_message;
        std::vector<std::pair<std::string, std::string>> mo_numbers;  // country_code, phone_number; none: omitted
        std::map<std::string, subscription_number> numbers;           // by E.164 number
    };
    std::map<std::string, subscription_config> v2_configs_;  // by id
};

// What lookup reports for a number, derived from its digits alone (v1 and v2 share it).
struct number_facts {
    std::string country_code;  // ISO 3166-1 alpha-2
    std::string mcc, mnc, carrier;
    std::string original_mnc, original_carrier;  // the carrier the range was assigned to (differs when ported)
    int line = 0;  // 0 mobile, 1 fixed line, 2 VoIP
    bool ported = false;
    bool temporary = false;
    std::string caller_name;
};
number_facts facts_for(std::string_view e164);

// An absolute http:// or https:// URL split for a webhook delivery.
struct callback_url {
    bool https = false;
    std::string host;         // without brackets for IPv6
    std::uint16_t port = 80;
    std::string target;       // path and query, at least "/"
    bool loopback() const noexcept { return host == "127.0.0.1" || host == "localhost" || host == "::1"; }
};
std::optional<callback_url> parse_callback_url(std::string_view url);
std::optional<std::string> percent_decode(std::string_view s);

// Helpers shared with tests of the internals.
bool is_dialable_e164(std::string_view phone) noexcept;
std::string rfc3339(std::chrono::system_clock::time_point t);

}  // namespace ding::detail

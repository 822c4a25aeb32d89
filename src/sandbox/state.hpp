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
#include <vector>

namespace ding::detail {

enum class sandbox_route { none, create, check, retry, feedback, status, lookup };

struct route_match {
    sandbox_route route = sandbox_route::none;
    bool method_allowed = false;
    const char* allow = "";     // Allow header when the method is wrong
    const char* pattern = "";   // route template, e.g. "/v1/lookup/{phone_number}"
};

// Splits target into path and query and finds the route.
route_match match_route(std::string_view method, std::string_view path) noexcept;

struct sandbox_request {
    std::string_view method;
    std::string_view path;    // without query
    std::string_view query;   // without '?'
    std::optional<std::string_view> api_key;
    std::optional<std::string_view> customer_uuid;  // header, for lookup
    std::string_view body;
};

struct sandbox_response {
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

    time_point now_locked() const;
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
    std::vector<sandbox_fault> faults_;
    sandbox_stats stats_;
};

// Helpers shared with tests of the internals.
bool is_dialable_e164(std::string_view phone) noexcept;
std::string rfc3339(std::chrono::system_clock::time_point t);

}  // namespace ding::detail

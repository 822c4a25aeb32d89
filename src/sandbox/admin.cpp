#include "admin.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <charconv>
#include <system_error>
#include <utility>

namespace ding {

namespace {
// One table for both directions: the names are the enumerators' own.
constexpr std::pair<sandbox_fault_kind, std::string_view> fault_names[] = {
    {sandbox_fault_kind::status_429, "status_429"},
    {sandbox_fault_kind::status_500, "status_500"},
    {sandbox_fault_kind::status_502, "status_502"},
    {sandbox_fault_kind::status_503, "status_503"},
    {sandbox_fault_kind::status_504, "status_504"},
    {sandbox_fault_kind::delay, "delay"},
    {sandbox_fault_kind::close_before_response, "close_before_response"},
    {sandbox_fault_kind::close_after_headers, "close_after_headers"},
    {sandbox_fault_kind::close_mid_body, "close_mid_body"},
    {sandbox_fault_kind::malformed_json, "malformed_json"},
    {sandbox_fault_kind::wrong_types, "wrong_types"},
    {sandbox_fault_kind::huge_body, "huge_body"},
    {sandbox_fault_kind::stall, "stall"},
};
}  // namespace

std::string_view to_string(sandbox_fault_kind kind) noexcept {
    for (const auto& [k, name] : fault_names)
        if (k == kind) return name;
    return "unknown";
}

bool from_string(std::string_view name, sandbox_fault_kind& out) noexcept {
    for (const auto& [k, n] : fault_names)
        if (n == name) {
            out = k;
            return true;
        }
    return false;
}

std::string_view sandbox_fault_kind_names() noexcept {
    return "status_429, status_500, status_502, status_503, status_504, delay, close_before_response, "
           "close_after_headers, close_mid_body, malformed_json, wrong_types, huge_body, stall";
}

}  // namespace ding

namespace ding::detail {

namespace json = boost::json;

namespace {

constexpr std::string_view admin_prefix = "/_sandbox";
constexpr std::size_t max_logged_path = 256;

sandbox_response reply(unsigned status, const json::object& o) {
    sandbox_response r;
    r.status = status;
    r.body = json::serialize(o);
    return r;
}

sandbox_response bad_request(std::string message) {
    return reply(400, json::object{{"message", std::move(message)}});
}

// An integer JSON value within [lo, hi], or nullopt (a fraction, a string, out of range).
std::optional<std::int64_t> integer(const json::value& v, std::int64_t lo, std::int64_t hi) {
    std::int64_t n = 0;
    if (v.is_int64()) n = v.get_int64();
    else if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(hi)) n = static_cast<std::int64_t>(v.get_uint64());
    else return std::nullopt;
    if (n < lo || n > hi) return std::nullopt;
    return n;
}

// The request body as a JSON object, or the 400 that says why it is not one.
std::optional<sandbox_response> parse_object(std::string_view body, json::object& out) {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) return bad_request("the body must be a JSON object");
    out = std::move(v.get_object());
    return std::nullopt;
}

bool valid_token(std::string_view t) noexcept {
    for (char c : t)
        if (c <= 0x20 || c >= 0x7f) return false;
    return true;
}

}  // namespace

sandbox_admin::sandbox_admin(std::string token, const sandbox_options& options) : token_(std::move(token)) {
    if (token_.empty()) return;
    if (!valid_token(token_) || token_.size() > 256)
        throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                                "ding::sandbox: the admin token must be 1 to 256 visible ASCII characters");
    // The API keys are printed and passed around freely; they must never open the admin API.
    if (token_ == options.api_key || token_ == options.v2_api_key)
        throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                                "ding::sandbox: the admin token must differ from the API keys");
}

bool sandbox_admin::is_admin_path(std::string_view path) noexcept {
    if (path.substr(0, admin_prefix.size()) != admin_prefix) return false;
    return path.size() == admin_prefix.size() || path[admin_prefix.size()] == '/';
}

bool sandbox_admin::authorized(std::optional<std::string_view> authorization) const noexcept {
    constexpr std::string_view scheme = "Bearer ";
    if (!authorization || authorization->size() != scheme.size() + token_.size()) return false;
    if (authorization->substr(0, scheme.size()) != scheme) return false;
    // Compares every byte whatever differs first (the length is not a secret).
    unsigned char diff = 0;
    for (std::size_t i = 0; i < token_.size(); ++i)
        diff |= static_cast<unsigned char>((*authorization)[scheme.size() + i] ^ token_[i]);
    return diff == 0;
}

sandbox_response sandbox_admin::handle(const admin_request& r, sandbox_state& state) {
    if (!authorized(r.authorization))
        return reply(401, json::object{{"message", "the admin API needs \"Authorization: Bearer <admin token>\" "
                                                   "(ding-sandbox prints admin_token at start; --admin-token sets it)"}});
    auto method_not_allowed = [](const char* allow) {
        sandbox_response res = reply(405, json::object{{"message", "method not allowed"}});
        res.allow = allow;
        return res;
    };
    if (r.path == "/_sandbox/faults") {
        if (r.method != "POST" && r.method != "DELETE" && r.method != "GET") return method_not_allowed("GET, POST, DELETE");
        return faults(r, state);
    }
    if (r.path == "/_sandbox/requests") {
        if (r.method != "GET") return method_not_allowed("GET");
        return requests(r);
    }
    if (r.path == "/_sandbox/clock") {
        if (r.method != "POST" && r.method != "GET") return method_not_allowed("GET, POST");
        return clock(r, state);
    }
    return reply(404, json::object{{"message", "no such admin endpoint: /_sandbox/faults, /_sandbox/requests and "
                                               "/_sandbox/clock exist"}});
}

sandbox_response sandbox_admin::faults(const admin_request& r, sandbox_state& state) {
    if (r.method == "DELETE") {
        state.clear_faults();
    } else if (r.method == "POST") {
        json::object in;
        if (auto err = parse_object(r.body, in)) return std::move(*err);
        sandbox_fault f;
        const json::value* kind = in.if_contains("kind");
        if (!kind || !kind->is_string() || !from_string(std::string_view(kind->get_string()), f.kind))
            return bad_request("\"kind\" must be one of: " + std::string(sandbox_fault_kind_names()));
        for (const auto& [key, value] : in) {
            if (key == "kind") continue;
            if (key == "count") {
                auto n = integer(value, 1, 1'000'000);
                if (!n) return bad_request("\"count\" must be an integer from 1 to 1000000");
                f.count = static_cast<int>(*n);
            } else if (key == "path") {
                if (value.is_null()) continue;
                if (!value.is_string() || value.get_string().empty() || value.get_string()[0] != '/' ||
                    value.get_string().size() > max_logged_path)
                    return bad_request("\"path\" must be a request path such as \"/v2/verification\" or a route "
                                       "template such as \"/v2/lookup/{phone_number}\" (or null for any path)");
                f.path = std::string(value.get_string());
            } else if (key == "delay") {
                auto n = integer(value, 0, 600'000);
                if (!n) return bad_request("\"delay\" must be milliseconds from 0 to 600000");
                f.delay = std::chrono::milliseconds(*n);
            } else if (key == "retry_after") {
                auto n = integer(value, 0, 86'400);
                if (!n) return bad_request("\"retry_after\" must be seconds from 0 to 86400");
                f.retry_after = std::chrono::seconds(*n);
            } else if (key == "huge_body_bytes") {
                auto n = integer(value, 16, 256 * 1024 * 1024);
                if (!n) return bad_request("\"huge_body_bytes\" must be from 16 to 268435456");
                f.huge_body_bytes = static_cast<std::size_t>(*n);
            } else {
                return bad_request("unknown property \"" + std::string(key) +
                                   "\" (known: kind, count, path, delay, retry_after, huge_body_bytes)");
            }
        }
        state.inject(std::move(f));
    }
    return reply(200, json::object{{"pending_faults", state.pending_faults()}});
}

sandbox_response sandbox_admin::requests(const admin_request& r) const {
    std::uint64_t since = 0;
    for (std::string_view q = r.query; !q.empty();) {
        const auto amp = q.find('&');
        const std::string_view pair = q.substr(0, amp);
        q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
        if (pair.substr(0, 6) != "since=") continue;
        const std::string_view v = pair.substr(6);
        auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), since);
        if (ec != std::errc{} || ptr != v.data() + v.size())
            return bad_request("since must be a sequence number (the \"seq\" of an entry)");
    }
    json::array list;
    for (const entry& e : log_) {
        if (e.seq <= since) continue;
        json::object o{{"seq", e.seq},
                       {"time", rfc3339(e.at)},
                       {"method", e.method},
                       {"path", e.path}};
        if (e.status) o["status"] = *e.status;
        else o["status"] = nullptr;
        if (e.fault) o["fault"] = to_string(*e.fault);
        else o["fault"] = nullptr;
        list.push_back(std::move(o));
    }
    return reply(200, json::object{{"requests", std::move(list)}, {"dropped", dropped_}});
}

sandbox_response sandbox_admin::clock(const admin_request& r, sandbox_state& state) {
    if (r.method == "POST") {
        json::object in;
        if (auto err = parse_object(r.body, in)) return std::move(*err);
        const json::value* v = in.if_contains("advance_seconds");
        std::optional<std::int64_t> n = v ? integer(*v, 0, 10LL * 366 * 86400) : std::nullopt;
        if (!n || in.size() != 1)
            return bad_request("the body must be {\"advance_seconds\": N}, N an integer from 0 to 316224000 (ten years)");
        state.advance_clock(std::chrono::seconds(*n));
    }
    return reply(200, json::object{{"now", rfc3339(state.now())}});
}

void sandbox_admin::record(std::string_view method, std::string_view path, std::optional<unsigned> status,
                           const sandbox_fault* fault, std::chrono::system_clock::time_point at) {
    if (!enabled()) return;
    if (log_.size() >= log_capacity) {
        log_.pop_front();
        ++dropped_;
    }
    // Printable ASCII only, so that the log is always valid JSON whatever bytes a target held.
    auto printable = [](std::string_view s, std::size_t limit) {
        std::string out(s.substr(0, limit));
        for (char& c : out)
            if (c <= 0x20 || c >= 0x7f) c = '?';
        return out;
    };
    entry e{next_seq_++, at, printable(method, 16), printable(path, max_logged_path), status, std::nullopt};
    if (fault) e.fault = fault->kind;
    log_.push_back(std::move(e));
}

}  // namespace ding::detail

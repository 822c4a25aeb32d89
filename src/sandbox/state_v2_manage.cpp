// The sandbox's Verify management (allow and block lists, sender IDs) and Notify subscription
// reads (configurations, their phone numbers and events, paged with opaque cursors), plus the
// bodies faults make up for every route added with them. The rules are listed in
// include/ding/sandbox.hpp ("Verify management, Notify and Transactional").
#include "state_v2_wire.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

namespace json = boost::json;

namespace ding::detail {
namespace {

using namespace v2wire;

constexpr std::size_t default_page = 20;
constexpr std::size_t max_page = 100;

// ---- cursors: base64url (no padding) of a small JSON object naming the list, its scope and
// the key of the last item returned. Opaque to clients; checked against the request it comes
// back with, so a cursor of another list (or of another filter) is refused.

constexpr char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= in.size(); i += 3) {
        const unsigned v = (unsigned(static_cast<unsigned char>(in[i])) << 16) |
                           (unsigned(static_cast<unsigned char>(in[i + 1])) << 8) | static_cast<unsigned char>(in[i + 2]);
        for (int s = 18; s >= 0; s -= 6) out += b64[(v >> s) & 63];
    }
    if (const std::size_t rest = in.size() - i; rest != 0) {
        unsigned v = unsigned(static_cast<unsigned char>(in[i])) << 16;
        if (rest == 2) v |= unsigned(static_cast<unsigned char>(in[i + 1])) << 8;
        out += b64[(v >> 18) & 63];
        out += b64[(v >> 12) & 63];
        if (rest == 2) out += b64[(v >> 6) & 63];
    }
    return out;
}

std::optional<std::string> unbase64url(std::string_view in) {
    if (in.size() % 4 == 1 || in.size() > 4096) return std::nullopt;
    std::string out;
    unsigned acc = 0;
    int bits = 0;
    for (char c : in) {
        const char* p = std::find(b64, b64 + 64, c);
        if (p == b64 + 64) return std::nullopt;
        acc = (acc << 6) | static_cast<unsigned>(p - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    return out;
}

std::string make_cursor(json::object scope, std::string_view after) {
    scope["after"] = after;
    return base64url(json::serialize(scope));
}

// The key after which the page starts; nullopt when the cursor is not one this list gave out.
std::optional<std::string> read_cursor(std::string_view cursor, const json::object& scope) {
    auto raw = unbase64url(cursor);
    if (!raw) return std::nullopt;
    boost::system::error_code ec;
    json::value v = json::parse(*raw, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const json::object& o = v.get_object();
    if (o.size() != scope.size() + 1) return std::nullopt;
    for (const auto& kv : scope) {
        const json::value* got = o.if_contains(kv.key());
        if (!got || *got != kv.value()) return std::nullopt;
    }
    const json::value* after = o.if_contains("after");
    if (!after || !after->is_string()) return std::nullopt;
    return std::string(sv(after->get_string()));
}

// ---- query parameters of the list operations

struct page_query {
    std::size_t limit = default_page;
    std::optional<std::string> cursor;
    std::optional<std::string> state;
};

std::optional<sandbox_response> parse_page_query(std::string_view q, page_query& out, bool with_state) {
    while (!q.empty()) {
        const auto amp = q.find('&');
        const std::string_view part = q.substr(0, amp);
        q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
        const auto eq = part.find('=');
        const std::string_view name = part.substr(0, eq);
        const std::string_view raw = eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
        if (name != "limit" && name != "cursor" && (name != "state" || !with_state)) continue;  // others ignored
        auto value = percent_decode(raw);
        if (!value) return v2_error(400, "invalid_request", "'" + std::string(name) + "' is not valid.", name);
        if (name == "cursor") {
            if (value->empty()) return v2_error(400, "invalid_request", "'cursor' must not be empty.", "cursor");
            out.cursor = std::move(*value);
        } else if (name == "state") {
            if (*value != "SUB" && *value != "UNSUB")
                return v2_error(400, "invalid_request", "'state' must be SUB or UNSUB.", "state");
            out.state = std::move(*value);
        } else {
            long long n = 0;
            const char* b = value->data();
            const char* e = b + value->size();
            auto r = std::from_chars(b, e, n);
            if (value->empty() || r.ptr != e || (r.ec != std::errc{} && r.ec != std::errc::result_out_of_range))
                return v2_error(400, "invalid_request", "'limit' must be an integer.", "limit");
            if (r.ec == std::errc::result_out_of_range) n = (*value)[0] == '-' ? -1 : static_cast<long long>(max_page);
            if (n < 1) return v2_error(400, "invalid_request", "'limit' must be at least 1.", "limit");
            out.limit = std::min<std::size_t>(static_cast<std::size_t>(n), max_page);
        }
    }
    return std::nullopt;
}

sandbox_response bad_cursor() {
    return v2_error(400, "invalid_request", "'cursor' is not a cursor of this list.", "cursor");
}

std::optional<std::string> one_segment(std::string_view raw) {
    auto v = percent_decode(raw);
    if (!v || v->empty() || v->find('/') != std::string::npos) return std::nullopt;
    return v;
}

}  // namespace

// ---------------------------------------------------------------------------- seed

void sandbox_state::v2_seed() {
    // Runs in the constructor: nothing else can see the state yet, so no lock.
    const time_point start = now_locked();
    for (const auto& p : options_.blocked_numbers) v2_block_.push_back({p, start});
    for (const auto& p : options_.allowed_numbers) v2_allow_.push_back({p, start});
    for (const auto& s : options_.approved_sender_ids) v2_sender_ids_.push_back({s, start, true});

    // Subscription data: fixed ids, names and dates, so every sandbox serves the same pages
    // whatever its seed (only unsubscribed_numbers adds numbers to the first configuration).
    using namespace std::chrono;
    std::uint64_t seq = 0;
    auto config = [&](int n, std::string name, sys_days created, std::vector<std::pair<std::string, std::string>> mo,
                      std::optional<std::string> start_msg, std::optional<std::string> stop_msg,
                      std::optional<std::string> help_msg) -> subscription_config& {
        std::string id = "cfg_01k8sandbx000000000000000";
        id += static_cast<char>('0' + n);
        subscription_config& c = v2_configs_[id];
        c.id = id;
        c.name = std::move(name);
        c.callback_url = "https://example.com/webhooks/subscriptions/" + std::to_string(n);
        c.created = time_point(created) + hours(9);
        c.updated = c.created + days(40) + hours(7) + minutes(20);
        c.mo_numbers = std::move(mo);
        c.start_message = std::move(start_msg);
        c.stop_message = std::move(stop_msg);
        c.help_message = std::move(help_msg);
        return c;
    };
    // steps: "SUB API", "UNSUB MO_KEYWORD STOP", ...: the history of a number, oldest first.
    auto number = [&](subscription_config& c, const std::string& phone, int day, std::initializer_list<const char*> steps) {
        subscription_number& num = c.numbers[phone];
        num.events.clear();
        time_point at = c.created + days(day);
        for (std::string_view step : steps) {
            subscription_event e;
            e.seq = ++seq;
            const auto s1 = step.find(' ');
            const auto s2 = step.find(' ', s1 + 1);
            e.state = std::string(step.substr(0, s1));
            e.source = std::string(step.substr(s1 + 1, s2 == std::string_view::npos ? std::string_view::npos : s2 - s1 - 1));
            if (s2 != std::string_view::npos) e.reason = std::string(step.substr(s2 + 1));
            e.at = at;
            at += hours(30) + minutes(17);
            num.events.push_back(std::move(e));
        }
    };
    const auto jan = [](unsigned d) { return sys_days(year(2026) / January / day(d)); };

    auto& us = config(1, "Marketing US", jan(5), {{"US", "+12065550100"}, {"US", "12345"}},
                      "You are subscribed to Sandbox offers. Reply STOP to opt out.",
                      "You are unsubscribed from Sandbox offers. Reply START to opt back in.",
                      "Sandbox offers: reply STOP to opt out. Msg&data rates may apply.");
    number(us, "+12065550101", 1, {"SUB API"});
    number(us, "+12065550102", 2, {"SUB CSV_IMPORT"});
    number(us, "+12065550103", 3, {"SUB API", "UNSUB MO_KEYWORD STOP"});
    number(us, "+12065550104", 4, {"SUB CSV_IMPORT", "UNSUB MO_KEYWORD STOP", "SUB MO_KEYWORD START"});
    number(us, "+12065550105", 5, {"SUB API", "UNSUB CARRIER_DISCONNECT"});
    number(us, "+12065550106", 6, {"SUB API"});
    for (const auto& p : options_.unsubscribed_numbers)
        number(us, p, 7, {"SUB CSV_IMPORT", "UNSUB MO_KEYWORD STOP", "SUB MO_KEYWORD START", "UNSUB MO_KEYWORD STOP"});

    auto& fr = config(2, "Marketing FR", jan(12), {{"FR", "+33757000100"}},
                      "Vous êtes inscrit aux offres Sandbox. STOP pour vous désinscrire.",
                      "Vous êtes désinscrit des offres Sandbox.", std::nullopt);
    number(fr, "+33612340001", 1, {"SUB API"});
    number(fr, "+33612340002", 2, {"SUB API", "UNSUB MO_KEYWORD STOP"});
    number(fr, "+33612340003", 3, {"SUB CSV_IMPORT"});

    auto& uk = config(3, "Alerts UK", jan(19), {{"GB", "+447700900100"}}, std::nullopt, std::nullopt, std::nullopt);
    number(uk, "+447700900101", 1, {"SUB API"});
    number(uk, "+447700900102", 2, {"SUB MO_KEYWORD START"});

    (void)config(4, "Promotions DE", jan(26), {}, "Sie haben Sandbox-Angebote abonniert.", std::nullopt, std::nullopt);
}

bool sandbox_state::v2_listed(bool block, std::string_view phone) const {
    const auto& list = block ? v2_block_ : v2_allow_;
    return std::any_of(list.begin(), list.end(), [&](const listed_number& n) { return n.phone == phone; });
}

std::string sandbox_state::v2_sender_status(std::string_view sender_id, time_point t) const {
    for (const auto& s : v2_sender_ids_) {
        if (s.sender_id != sender_id) continue;
        if (s.preapproved) return "approved";
        if (t < s.submitted + options_.sender_id_review) return "pending";
        return options_.rejected_sender_ids.count(s.sender_id) != 0 ? "rejected" : "approved";
    }
    return {};  // never submitted
}

bool sandbox_state::v2_unsubscribed(std::string_view phone) const {
    for (const auto& [id, c] : v2_configs_) {
        auto it = c.numbers.find(std::string(phone));
        if (it != c.numbers.end() && !it->second.events.empty() && it->second.events.back().state == "UNSUB")
            return true;
    }
    return false;
}

// ---------------------------------------------------------------------------- management

sandbox_response sandbox_state::v2_phone_numbers(const sandbox_request& r, const route_match& route) {
    const auto action = percent_decode(r.path.substr(std::string_view("/v2/verification/management/phone-numbers/").size()));
    if (!action || (*action != "allow" && *action != "block"))
        return v2_error(400, "invalid_request", "'action' must be allow or block.", "action");
    const bool block = *action == "block";

    if (route.get) {
        std::lock_guard lock(mutex_);
        json::array items;
        for (const auto& n : block ? v2_block_ : v2_allow_)
            items.push_back(json::object{{"created_at", rfc3339(n.created)}, {"phone_number", n.phone}});
        return json_response(200, json::object{{"phone_numbers", std::move(items)}});
    }

    checker c;
    auto body = parse_body(c, r.body);
    std::string phone;
    if (body && c.only(*body, {"phone_number"}, "")) {
        if (auto p = c.string(*body, "phone_number", "", true)) {
            if (!is_dialable_e164(*p))
                c.fail("invalid_phone_number", "The phone number is not a valid E.164 number.", "phone_number");
            phone = std::string(*p);
        }
    }
    if (c.error) return std::move(*c.error);

    std::lock_guard lock(mutex_);
    auto& list = block ? v2_block_ : v2_allow_;
    auto it = std::find_if(list.begin(), list.end(), [&](const listed_number& n) { return n.phone == phone; });
    if (route.del) {
        if (it != list.end()) list.erase(it);
    } else if (it == list.end()) {
        list.push_back({phone, now_locked()});
    }
    return json_response(200, json::object{{"phone_number", phone}});
}

sandbox_response sandbox_state::v2_sender_ids(const sandbox_request& r, const route_match& route) {
    if (route.get) {
        std::lock_guard lock(mutex_);
        const time_point t = now_locked();
        json::array items;
        for (const auto& s : v2_sender_ids_)
            items.push_back(json::object{{"sender_id", s.sender_id}, {"status", v2_sender_status(s.sender_id, t)}});
        return json_response(200, json::object{{"sender_ids", std::move(items)}});
    }

    checker c;
    auto body = parse_body(c, r.body);
    std::string name;
    if (body && c.only(*body, {"sender_id"}, "")) {
        if (auto s = c.string(*body, "sender_id", "", true)) {
            if (s->empty() || s->size() > 64)
                c.fail("invalid_sender_id", "sender_id must be 1 to 64 characters.", "sender_id");
            name = std::string(*s);
        }
    }
    if (c.error) return std::move(*c.error);

    std::lock_guard lock(mutex_);
    const time_point t = now_locked();
    if (v2_sender_status(name, t).empty()) {
        if (v2_sender_ids_.size() >= 1000)
            return v2_error(400, "invalid_sender_id", "This sandbox holds at most 1000 sender IDs.", "sender_id");
        v2_sender_ids_.push_back({name, t, false});
    }
    const std::string status = v2_sender_status(name, t);
    json::object out{{"sender_id", name}, {"status", status}};
    if (status == "rejected") out["reason"] = "The sender ID does not match a registered brand.";
    return json_response(200, out);
}

// ---------------------------------------------------------------------------- subscriptions

sandbox_response sandbox_state::v2_subscriptions(const sandbox_request& r, const route_match& route) {
    constexpr std::string_view prefix = "/v2/notify/management/subscriptions";
    std::string_view rest = r.path.substr(prefix.size());  // "" or "/{config_id}..."
    std::optional<std::string> config_id, phone;
    if (!rest.empty()) {
        rest.remove_prefix(1);
        const auto slash = rest.find('/');
        config_id = one_segment(rest.substr(0, slash));
        if (!config_id) return v2_error(400, "invalid_request", "'config_id' is not valid.", "config_id");
        if (route.route == sandbox_route::v2_subscription_number || route.route == sandbox_route::v2_subscription_events) {
            std::string_view tail = rest.substr(slash + std::string_view("/phone_numbers/").size());
            phone = one_segment(tail.substr(0, tail.find('/')));
            if (!phone || !is_dialable_e164(*phone))
                return v2_error(400, "invalid_phone_number", "The phone number is not a valid E.164 number.",
                                "phone_number");
        }
    }
    page_query q;
    const bool paged = route.route == sandbox_route::v2_subscriptions ||
                       route.route == sandbox_route::v2_subscription_numbers ||
                       route.route == sandbox_route::v2_subscription_events;
    if (paged)
        if (auto bad = parse_page_query(r.query, q, route.route == sandbox_route::v2_subscription_numbers))
            return std::move(*bad);

    auto config_json = [](const subscription_config& c) {
        json::object messages;
        if (c.help_message) messages["help_message"] = *c.help_message;
        if (c.start_message) messages["start_message"] = *c.start_message;
        if (c.stop_message) messages["stop_message"] = *c.stop_message;
        json::object o{{"id", c.id},
                       {"callback_url", c.callback_url},
                       {"created_at", rfc3339(c.created)},
                       {"messages", std::move(messages)},
                       {"name", c.name},
                       {"updated_at", rfc3339(c.updated)}};
        if (!c.mo_numbers.empty()) {
            json::array mo;
            for (const auto& [country, number] : c.mo_numbers)
                mo.push_back(json::object{{"country_code", country}, {"phone_number", number}});
            o["mo_phone_numbers"] = std::move(mo);
        }
        return o;
    };
    auto event_fields = [](json::object& o, const std::string& config, const std::string& number,
                           const subscription_event& e) {
        o["config_id"] = config;
        o["phone_number"] = number;
        o["source"] = e.source;
        o["state"] = e.state;
        if (e.reason) o["reason"] = *e.reason;
    };
    auto number_json = [&](const std::string& config, const std::string& number, const subscription_number& n) {
        json::object o;
        event_fields(o, config, number, n.events.back());
        o["updated_at"] = rfc3339(n.events.back().at);
        return o;
    };

    std::lock_guard lock(mutex_);
    if (route.route == sandbox_route::v2_subscriptions) {
        const json::object scope{{"list", "configs"}};
        std::optional<std::string> after;
        if (q.cursor && !(after = read_cursor(*q.cursor, scope))) return bad_cursor();
        auto it = after ? v2_configs_.upper_bound(*after) : v2_configs_.begin();
        json::array items;
        for (; it != v2_configs_.end() && items.size() < q.limit; ++it) items.push_back(config_json(it->second));
        json::object out{{"configs", std::move(items)}};
        if (it != v2_configs_.end()) out["next_cursor"] = make_cursor(scope, std::prev(it)->first);
        return json_response(200, out);
    }

    auto cfg = v2_configs_.find(*config_id);
    if (cfg == v2_configs_.end())
        return v2_error(404, "not_found", "No subscription configuration has this id.", "config_id");
    const subscription_config& c = cfg->second;
    if (route.route == sandbox_route::v2_subscription) return json_response(200, config_json(c));

    if (route.route == sandbox_route::v2_subscription_numbers) {
        const json::object scope{{"list", "phone_numbers"}, {"config_id", c.id}, {"state", q.state ? *q.state : "*"}};
        std::optional<std::string> after;
        if (q.cursor && !(after = read_cursor(*q.cursor, scope))) return bad_cursor();
        auto matches = [&](const auto& kv) { return !q.state || kv.second.events.back().state == *q.state; };
        auto it = after ? c.numbers.upper_bound(*after) : c.numbers.begin();
        json::array items;
        std::string last;
        for (; it != c.numbers.end(); ++it) {
            if (!matches(*it)) continue;
            if (items.size() == q.limit) break;
            items.push_back(number_json(c.id, it->first, it->second));
            last = it->first;
        }
        json::object out{{"phone_numbers", std::move(items)}};
        if (it != c.numbers.end()) out["next_cursor"] = make_cursor(scope, last);
        return json_response(200, out);
    }

    auto num = c.numbers.find(*phone);
    if (num == c.numbers.end())
        return v2_error(404, "not_found", "This phone number is not in the subscription configuration.", "phone_number");
    if (route.route == sandbox_route::v2_subscription_number) return json_response(200, number_json(c.id, num->first, num->second));

    // Events, most recent first; the cursor holds the sequence number of the last one returned.
    const json::object scope{{"list", "events"}, {"config_id", c.id}, {"phone_number", num->first}};
    std::uint64_t before = UINT64_MAX;
    if (q.cursor) {
        auto after = read_cursor(*q.cursor, scope);
        if (!after) return bad_cursor();
        auto res = std::from_chars(after->data(), after->data() + after->size(), before);
        if (res.ec != std::errc{} || res.ptr != after->data() + after->size()) return bad_cursor();
    }
    const auto& events = num->second.events;
    auto it = events.rbegin();
    while (it != events.rend() && it->seq >= before) ++it;
    json::array items;
    for (; it != events.rend() && items.size() < q.limit; ++it) {
        json::object o;
        event_fields(o, c.id, num->first, *it);
        o["timestamp"] = rfc3339(it->at);
        items.push_back(std::move(o));
    }
    json::object out{{"events", std::move(items)}};
    if (it != events.rend()) out["next_cursor"] = make_cursor(scope, std::to_string(std::prev(it)->seq));
    return json_response(200, out);
}

// ---------------------------------------------------------------------------- fault bodies

json::object sandbox_state::v2_manage_fake_body(const route_match& route) {
    // Fixed values: a faulted request must not move the seeded sequence.
    const std::string_view when = "2026-01-01T00:00:00Z";
    const std::string_view phone = "+33612345678";
    const std::string_view template_id = "template_00000000000000000000000000";
    const std::string_view cfg = "cfg_00000000000000000000000000";
    const json::object number{{"config_id", cfg}, {"phone_number", phone}, {"source", "API"},
                              {"state", "SUB"},   {"updated_at", when}};
    switch (route.route) {
    case sandbox_route::v2_phone_numbers:
        if (route.get) return {{"phone_numbers", json::array{json::object{{"created_at", when}, {"phone_number", phone}}}}};
        return {{"phone_number", phone}};
    case sandbox_route::v2_sender_ids:
        if (route.get) return {{"sender_ids", json::array{json::object{{"sender_id", "Sandbox"}, {"status", "approved"}}}}};
        return {{"sender_id", "Sandbox"}, {"status", "pending"}};
    case sandbox_route::v2_notify:
    case sandbox_route::v2_transactional:
        return {{"id", route.route == sandbox_route::v2_notify ? "msg_00000000000000000000000000" : "tx_00000000000000000000000000"},
                {"created_at", when},
                {"expires_at", "2026-01-02T00:00:00Z"},
                {"template_id", template_id},
                {"to", phone},
                {"variables", json::object{}}};
    case sandbox_route::v2_notify_batch:
        return {{"error_count", 0},
                {"results", json::array{json::object{
                                {"phone_number", phone},
                                {"success", true},
                                {"message", json::object{{"id", "msg_00000000000000000000000000"}, {"to", phone}}}}}},
                {"success_count", 1},
                {"total_count", 1},
                {"request_id", "00000000-0000-4000-8000-000000000000"},
                {"template_id", template_id},
                {"variables", json::object{}}};
    case sandbox_route::v2_subscriptions: return {{"configs", json::array{}}};
    case sandbox_route::v2_subscription:
        return {{"id", cfg}, {"callback_url", "https://example.com/webhooks/subscriptions"}, {"created_at", when},
                {"messages", json::object{}}, {"name", "Sandbox"}, {"updated_at", when}};
    case sandbox_route::v2_subscription_numbers: return {{"phone_numbers", json::array{number}}};
    case sandbox_route::v2_subscription_number: return number;
    case sandbox_route::v2_subscription_events: return {{"events", json::array{}}};
    default: break;
    }
    return {{"code", "not_found"}, {"message", "No such API endpoint."}};
}

}  // namespace ding::detail

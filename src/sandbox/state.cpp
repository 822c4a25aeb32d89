#include "state.hpp"

#include "codec/rfc3339.hpp"
#include "codec/text.hpp"

#include <boost/asio/ip/address_v4.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cstdio>
#include <initializer_list>

namespace json = boost::json;

namespace ding::detail {
namespace {

constexpr std::string_view doc_base = "https://docs.prelude.so/api-reference/errors#";

sandbox_response make_json(unsigned status, const json::object& o) {
    sandbox_response r;
    r.status = status;
    r.body = json::serialize(o);
    return r;
}

sandbox_response error400(std::string_view code, std::string_view message) {
    json::object o;
    o["code"] = code;
    o["message"] = message;
    std::string doc(doc_base);
    doc += code;
    o["doc_url"] = doc;
    return make_json(400, o);
}

sandbox_response bad_request(std::string_view why = "request body is not valid") {
    return error400("bad_request", why);
}

sandbox_response invalid_auth_uuid() { return error400("invalid_auth_uuid", "authentication not found"); }

sandbox_response invalid_phone(std::string_view phone) {
    std::string m = "'";
    m += phone;
    m += "' is not a valid phone number";
    return error400("invalid_phone_number", m);
}

enum class kind { string, boolean };

struct field {
    std::string_view name;
    kind type = kind::string;
    bool required = false;
    std::initializer_list<std::string_view> allowed{};  // enum values; empty = any
};

// Parses `body` as a JSON object checked against `fields` (additionalProperties: false).
// Returns the error response, or nullopt with `out` set.
std::optional<sandbox_response> parse_object(std::string_view body, std::initializer_list<field> fields,
                                             json::object& out) {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec) return bad_request("request body is not valid JSON");
    if (!v.is_object()) return bad_request("request body must be a JSON object");
    json::object& o = v.as_object();
    for (const auto& kv : o) {
        auto it = std::find_if(fields.begin(), fields.end(), [&](const field& f) { return f.name == kv.key(); });
        if (it == fields.end()) {
            std::string m = "unknown property '";
            m += kv.key();
            m += "'";
            return bad_request(m);
        }
        const bool type_ok = it->type == kind::string ? kv.value().is_string() : kv.value().is_bool();
        if (!type_ok) {
            std::string m = "property '";
            m += kv.key();
            m += it->type == kind::string ? "' must be a string" : "' must be a boolean";
            return bad_request(m);
        }
        if (it->allowed.size() != 0) {
            const auto& s = kv.value().get_string();
            const std::string_view sv(s.data(), s.size());
            if (std::find(it->allowed.begin(), it->allowed.end(), sv) == it->allowed.end()) {
                std::string m = "property '";
                m += kv.key();
                m += "' has a value that is not allowed";
                return bad_request(m);
            }
        }
    }
    for (const auto& f : fields) {
        if (f.required && !o.contains(f.name)) {
            std::string m = "missing required property '";
            m += f.name;
            m += "'";
            return bad_request(m);
        }
    }
    out = std::move(o);
    return std::nullopt;
}

std::string_view str(const json::object& o, std::string_view key) {
    if (auto* p = o.if_contains(key); p && p->is_string()) return {p->get_string().data(), p->get_string().size()};
    return {};
}

std::uint64_t fnv1a(std::string_view s) noexcept {
    std::uint64_t h = 1469598103934665603ull;
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    // final avalanche so that neighbouring numbers differ in the low bits too
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

struct carrier { const char* name; const char* mnc; };
struct country {
    const char* calling_code;
    const char* iso;
    const char* mcc;
    std::initializer_list<carrier> carriers;
};

const country countries[] = {
    {"1", "US", "310", {{"AT&T", "410"}, {"T-Mobile USA", "260"}, {"Verizon Wireless", "004"}}},
    {"7", "RU", "250", {{"MTS", "01"}, {"MegaFon", "02"}, {"Beeline", "99"}}},
    {"33", "FR", "208", {{"Orange", "01"}, {"SFR", "10"}, {"Bouygues Telecom", "20"}, {"Free Mobile", "15"}}},
    {"34", "ES", "214", {{"Movistar", "07"}, {"Vodafone ES", "01"}, {"Orange ES", "03"}}},
    {"39", "IT", "222", {{"TIM", "01"}, {"Vodafone IT", "10"}, {"WindTre", "88"}}},
    {"44", "GB", "234", {{"EE", "30"}, {"Vodafone UK", "15"}, {"O2 UK", "10"}, {"Three UK", "20"}}},
    {"49", "DE", "262", {{"Telekom", "01"}, {"Vodafone DE", "02"}, {"O2 DE", "03"}}},
    {"55", "BR", "724", {{"Vivo", "06"}, {"Claro BR", "05"}, {"TIM BR", "04"}}},
    {"61", "AU", "505", {{"Telstra", "01"}, {"Optus", "02"}, {"Vodafone AU", "03"}}},
    {"81", "JP", "440", {{"NTT docomo", "10"}, {"SoftBank", "20"}, {"KDDI", "50"}}},
    {"86", "CN", "460", {{"China Mobile", "00"}, {"China Unicom", "01"}, {"China Telecom", "11"}}},
    {"91", "IN", "404", {{"Airtel", "10"}, {"Vodafone Idea", "20"}, {"Jio", "857"}}},
};

// Countries picked (by hash) for calling codes not in the table above.
const country fallback[] = {
    {"", "NL", "204", {{"KPN", "08"}, {"VodafoneZiggo", "04"}, {"Odido", "16"}}},
    {"", "SE", "240", {{"Telia", "01"}, {"Tele2", "07"}, {"Tre", "02"}}},
    {"", "ZA", "655", {{"Vodacom", "01"}, {"MTN", "10"}, {"Cell C", "07"}}},
    {"", "MX", "334", {{"Telcel", "020"}, {"AT&T MX", "050"}, {"Movistar MX", "030"}}},
};

const char* const caller_names[] = {"JANE DOE", "JOHN SMITH", "MARIA GARCIA", "ALEX MARTIN",
                                    "SAM TAYLOR", "LEE CHEN", "NOOR KHAN", "PAT MORGAN"};

json::value wrong_type_of(const json::value& v) {
    switch (v.kind()) {
    case json::kind::string: return json::value(42);
    case json::kind::bool_: return json::value("yes");
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return json::value("many");
    case json::kind::array: return json::value(json::object{{"not", "an array"}});
    case json::kind::object: return json::value("not an object");
    case json::kind::null: return json::value(json::array{});
    }
    return json::value(nullptr);
}

}  // namespace

// Stricter than the client's check (which only refuses what cannot be E.164): like the real API,
// the sandbox also refuses numbers too short to be dialled, e.g. '+1555'.
bool is_dialable_e164(std::string_view p) noexcept {
    if (p.size() < 8 || p.size() > 16 || p[0] != '+' || p[1] < '1' || p[1] > '9') return false;
    return std::all_of(p.begin() + 1, p.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Percent-decodes; '+' stays '+'. nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
    std::string out;
    // Whole seconds, like the contract's examples; the codec writes the same format.
    format_rfc3339(std::chrono::floor<std::chrono::seconds>(t), out);
    return out;
}

number_facts facts_for(std::string_view phone) {
    const std::string_view digits = phone.substr(phone.empty() ? 0 : 1);
    const country* c = nullptr;
    for (const auto& entry : countries) {
        const std::string_view cc = entry.calling_code;
        if (digits.substr(0, cc.size()) == cc && (!c || cc.size() > std::string_view(c->calling_code).size()))
            c = &entry;
    }
    const std::uint64_t h = fnv1a(digits);
    if (!c) c = &fallback[h % std::size(fallback)];
    const std::size_t index = (h >> 8) % c->carriers.size();
    const carrier& k = *(c->carriers.begin() + index);
    const carrier& original = *(c->carriers.begin() + (index + 1) % c->carriers.size());
    const unsigned line = (h >> 16) % 20;
    number_facts f;
    f.country_code = c->iso;
    f.mcc = c->mcc;
    f.mnc = k.mnc;
    f.carrier = k.name;
    f.line = line < 14 ? 0 : line < 18 ? 1 : 2;
    f.ported = ((h >> 24) % 4) == 0;
    f.temporary = ((h >> 32) % 25) == 0;
    f.original_mnc = f.ported ? original.mnc : k.mnc;
    f.original_carrier = f.ported ? original.name : k.name;
    f.caller_name = caller_names[(h >> 40) % std::size(caller_names)];
    return f;
}

route_match match_route(std::string_view method, std::string_view path) noexcept {
    route_match m;
    auto exact = [&](sandbox_route r, std::string_view want_method, const char* pattern) {
        m.route = r;
        m.pattern = pattern;
        m.method_allowed = method == want_method;
        m.allow = want_method == "GET" ? "GET" : "POST";
    };
    if (path == "/v1/authentication") exact(sandbox_route::create, "POST", "/v1/authentication");
    else if (path == "/v1/check") exact(sandbox_route::check, "POST", "/v1/check");
    else if (path == "/v1/retry") exact(sandbox_route::retry, "POST", "/v1/retry");
    else if (path == "/v1/authentication/feedback") exact(sandbox_route::feedback, "POST", "/v1/authentication/feedback");
    else {
        auto tail = [&](std::string_view prefix) -> bool {
            if (path.size() <= prefix.size() || path.substr(0, prefix.size()) != prefix) return false;
            return path.find('/', prefix.size()) == std::string_view::npos;
        };
        if (tail("/v1/authentication/")) exact(sandbox_route::status, "GET", "/v1/authentication/{auth_uuid}");
        else if (tail("/v1/lookup/")) exact(sandbox_route::lookup, "GET", "/v1/lookup/{phone_number}");
        else if (path == "/v2/verification") exact(sandbox_route::v2_create, "POST", "/v2/verification");
        else if (path == "/v2/verification/check") exact(sandbox_route::v2_check, "POST", "/v2/verification/check");
        else if (path == "/v2/watch/predict") exact(sandbox_route::v2_predict, "POST", "/v2/watch/predict");
        else if (path == "/v2/watch/event") exact(sandbox_route::v2_event, "POST", "/v2/watch/event");
        else if (path == "/v2/watch/feedback") exact(sandbox_route::v2_feedback, "POST", "/v2/watch/feedback");
        else if (tail("/v2/lookup/")) exact(sandbox_route::v2_lookup, "GET", "/v2/lookup/{phone_number}");
        else if (tail("/v2/verification/management/phone-numbers/")) {
            exact(sandbox_route::v2_phone_numbers, "GET", "/v2/verification/management/phone-numbers/{action}");
            m.method_allowed = method == "GET" || method == "POST" || method == "DELETE";
            m.allow = "GET, POST, DELETE";
        } else if (path == "/v2/verification/management/sender-id") {
            exact(sandbox_route::v2_sender_ids, "GET", "/v2/verification/management/sender-id");
            m.method_allowed = method == "GET" || method == "POST";
            m.allow = "GET, POST";
        } else if (path == "/v2/notify") exact(sandbox_route::v2_notify, "POST", "/v2/notify");
        else if (path == "/v2/notify/batch") exact(sandbox_route::v2_notify_batch, "POST", "/v2/notify/batch");
        else if (path == "/v2/transactional") exact(sandbox_route::v2_transactional, "POST", "/v2/transactional");
        else if (path == "/v2/notify/management/subscriptions")
            exact(sandbox_route::v2_subscriptions, "GET", "/v2/notify/management/subscriptions");
        else if (path.substr(0, 36) == "/v2/notify/management/subscriptions/") {
            // {config_id}[/phone_numbers[/{phone_number}[/events]]], every segment non-empty
            std::string_view rest = path.substr(36);
            std::string_view seg[4];
            std::size_t n = 0;
            bool ok = true;
            while (ok && n < 4) {
                const auto slash = rest.find('/');
                seg[n++] = rest.substr(0, slash);
                if (seg[n - 1].empty()) ok = false;
                if (slash == std::string_view::npos) break;
                rest.remove_prefix(slash + 1);
                if (n == 4) ok = false;  // a fifth segment
            }
            const char* base = "/v2/notify/management/subscriptions/{config_id}";
            if (!ok || (n >= 2 && seg[1] != "phone_numbers") || (n == 4 && seg[3] != "events"))
                m.route = sandbox_route::v2_none;
            else if (n == 1) exact(sandbox_route::v2_subscription, "GET", base);
            else if (n == 2) exact(sandbox_route::v2_subscription_numbers, "GET",
                                   "/v2/notify/management/subscriptions/{config_id}/phone_numbers");
            else if (n == 3) exact(sandbox_route::v2_subscription_number, "GET",
                                   "/v2/notify/management/subscriptions/{config_id}/phone_numbers/{phone_number}");
            else exact(sandbox_route::v2_subscription_events, "GET",
                       "/v2/notify/management/subscriptions/{config_id}/phone_numbers/{phone_number}/events");
        } else if (path == "/v2" || path.substr(0, 4) == "/v2/") m.route = sandbox_route::v2_none;
    }
    m.get = method == "GET";
    m.del = method == "DELETE";
    return m;
}

sandbox_state::sandbox_state(const sandbox_options& options)
    : options_(options), rng_(options.seed ? *options.seed : std::random_device{}()) {
    if (options_.code_length == 0) options_.code_length = 1;
    if (options_.code_length > 32) options_.code_length = 32;
    v2_seed();
}

std::chrono::system_clock::time_point sandbox_state::now_locked() const {
    return std::chrono::system_clock::now() + offset_;
}

std::chrono::system_clock::time_point sandbox_state::now() const {
    std::lock_guard lock(mutex_);
    return now_locked();
}

void sandbox_state::advance_clock(std::chrono::system_clock::duration by) {
    std::lock_guard lock(mutex_);
    offset_ += by;
}

std::string sandbox_state::new_uuid() {
    const std::uint64_t a = rng_(), b = rng_();
    unsigned char bytes[16];
    for (int i = 0; i < 8; ++i) {
        bytes[i] = static_cast<unsigned char>(a >> (8 * i));
        bytes[8 + i] = static_cast<unsigned char>(b >> (8 * i));
    }
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // variant 10
    static const char hex[] = "0123456789abcdef";
    std::string s;
    s.reserve(36);
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
        s.push_back(hex[bytes[i] >> 4]);
        s.push_back(hex[bytes[i] & 15]);
    }
    return s;
}

std::string sandbox_state::new_code() {
    std::string s;
    s.reserve(options_.code_length);
    for (std::size_t i = 0; i < options_.code_length; ++i) s.push_back(static_cast<char>('0' + rng_() % 10));
    return s;
}

void sandbox_state::send_code(authentication& a, time_point t) {
    a.code = new_code();
    a.attempts += 1;
    a.last_send = t;
    const std::string ts = rfc3339(t);
    const std::string attempt_id = new_uuid();
    a.events.push_back(json::object{{"type", "attempt"},
                                    {"id", attempt_id},
                                    {"attempt_number", a.attempts},
                                    {"capability", "text"},
                                    {"sender_id", a.sender_id},
                                    {"content", "Your code is " + *a.code},
                                    {"status", "delivered"},
                                    {"created_at", ts}});
    a.events.push_back(json::object{{"type", "delivery_status"},
                                    {"attempt_id", attempt_id},
                                    {"attempt_number", a.attempts},
                                    {"status", "delivered"},
                                    {"originated_at", ts},
                                    {"created_at", ts}});
    a.events.push_back(json::object{
        {"type", "balance_update"}, {"balance_update_type", "attempt_success"}, {"amount", 0.03}, {"created_at", ts}});
    if (options_.print_codes) {
        std::printf("code %s %s %s\n", a.uuid.c_str(), a.phone.c_str(), a.code->c_str());
        std::fflush(stdout);
    }
}

sandbox_state::authentication* sandbox_state::find(std::string_view uuid) {
    auto it = auths_.find(std::string(uuid));
    return it == auths_.end() ? nullptr : &it->second;
}

void sandbox_state::on_connection() {
    std::lock_guard lock(mutex_);
    ++stats_.connections_accepted;
}

void sandbox_state::on_handshake() {
    std::lock_guard lock(mutex_);
    ++stats_.tls_handshakes;
}

std::optional<sandbox_fault> sandbox_state::on_request(std::string_view path, const route_match& route) {
    std::lock_guard lock(mutex_);
    ++stats_.requests_total;
    auto bump = [](std::vector<sandbox_path_count>& v, std::string_view p) {
        for (auto& e : v)
            if (e.path == p) {
                ++e.requests;
                return;
            }
        v.push_back({std::string(p), 1});
    };
    // Per-path entries for parameterised routes would grow without bound under load; those
    // are counted per route template (and per exact path only while the list is small).
    const bool parameterised = route.route == sandbox_route::status || route.route == sandbox_route::lookup ||
                               route.route == sandbox_route::v2_lookup || route.route == sandbox_route::v2_none ||
                               route.route == sandbox_route::v2_phone_numbers ||
                               (route.route >= sandbox_route::v2_subscription &&
                                route.route <= sandbox_route::v2_subscription_events);
    if (!parameterised) bump(stats_.paths, path);
    else if (stats_.paths.size() < 1024) bump(stats_.paths, path);
    if (route.route != sandbox_route::none && route.route != sandbox_route::v2_none) bump(stats_.routes, route.pattern);

    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
        if (it->path && *it->path != path && *it->path != route.pattern) continue;
        sandbox_fault f = *it;
        if (--it->count <= 0) faults_.erase(it);
        return f;
    }
    return std::nullopt;
}

void sandbox_state::inject(sandbox_fault fault) {
    if (fault.count <= 0) return;
    std::lock_guard lock(mutex_);
    faults_.push_back(std::move(fault));
}

void sandbox_state::clear_faults() {
    std::lock_guard lock(mutex_);
    faults_.clear();
}

std::size_t sandbox_state::pending_faults() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& f : faults_) n += static_cast<std::size_t>(f.count);
    return n;
}

sandbox_stats sandbox_state::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

std::uint64_t sandbox_state::requests_for(std::string_view path) const {
    std::lock_guard lock(mutex_);
    return stats_.requests_for(path);
}

std::optional<std::string> sandbox_state::code_for(std::string_view uuid) const {
    std::lock_guard lock(mutex_);
    auto it = auths_.find(std::string(uuid));
    if (it == auths_.end()) return std::nullopt;
    return it->second.code;
}

std::optional<std::string> sandbox_state::code_for_target(std::string_view target) const {
    std::lock_guard lock(mutex_);
    auto it = v2_last_code_.find(std::string(target));
    if (it == v2_last_code_.end()) return std::nullopt;
    return it->second;
}

void sandbox_state::on_webhook(webhook_result r) {
    std::lock_guard lock(mutex_);
    switch (r) {
    case webhook_result::sent: ++stats_.webhooks_sent; break;
    case webhook_result::failed: ++stats_.webhooks_failed; break;
    case webhook_result::dropped: ++stats_.webhooks_dropped; break;
    }
}

sandbox_response sandbox_state::handle(const sandbox_request& r, const route_match& route) {
    if (is_v2(route.route)) return v2_handle(r, route);
    if (route.route == sandbox_route::none) {
        sandbox_response res = make_json(404, json::object{{"message", "not found"}});
        return res;
    }
    if (!route.method_allowed) {
        sandbox_response res = make_json(405, json::object{{"message", "method not allowed"}});
        res.allow = route.allow;
        return res;
    }
    if (!r.api_key || *r.api_key != options_.api_key) return make_json(401, json::object{{"message", "unauthorized"}});

    switch (route.route) {
    case sandbox_route::create: return create(r);
    case sandbox_route::check: return check(r);
    case sandbox_route::retry: return retry(r);
    case sandbox_route::feedback: return feedback(r);
    case sandbox_route::status: return status(r.path.substr(std::string_view("/v1/authentication/").size()));
    case sandbox_route::lookup: return lookup(r, r.path.substr(std::string_view("/v1/lookup/").size()));
    default: break;  // none; v2 routes went to v2_handle
    }
    return make_json(404, json::object{{"message", "not found"}});
}

sandbox_response sandbox_state::create(const sandbox_request& r) {
    json::object in;
    if (auto err = parse_object(r.body,
                                {{"customer_uuid", kind::string, true},
                                 {"phone_number", kind::string, true},
                                 {"ip", kind::string},
                                 {"device_id", kind::string},
                                 {"device_type", kind::string, false, {"IOS", "ANDROID", "WEB"}},
                                 {"app_version", kind::string},
                                 {"sender_id", kind::string},
                                 {"callback_url", kind::string},
                                 {"app_realm", kind::string},
                                 {"os_version", kind::string},
                                 {"device_model", kind::string},
                                 {"is_returning_user", kind::boolean},
                                 {"template_id", kind::string},
                                 {"correlation_id", kind::string},
                                 {"locale", kind::string}},
                                in))
        return std::move(*err);
    const std::string_view phone = str(in, "phone_number");
    if (!is_dialable_e164(phone)) return invalid_phone(phone);
    if (auto ip = in.if_contains("ip")) {
        boost::system::error_code ec;
        (void)boost::asio::ip::make_address_v4(std::string(ip->get_string()), ec);
        if (ec) return bad_request("property 'ip' must be an IPv4 address");
    }

    std::lock_guard lock(mutex_);
    const time_point t = now_locked();
    authentication a;
    a.uuid = new_uuid();
    a.phone = std::string(phone);
    a.created = t;
    a.expires = t + options_.expiry;
    a.sender_id = in.contains("sender_id") ? std::string(str(in, "sender_id")) : std::string("Ding");
    if (in.contains("template_id")) a.template_id = std::string(str(in, "template_id"));
    if (in.contains("correlation_id")) a.correlation_id = std::string(str(in, "correlation_id"));
    for (const char* k : {"ip", "device_id", "device_type", "app_version", "app_realm", "os_version", "device_model",
                          "is_returning_user"})
        if (auto* v = in.if_contains(k)) a.signals[k] = *v;

    auto& sends = sends_by_number_[a.phone];
    std::erase_if(sends, [&](time_point s) { return s <= t - options_.rate_window; });
    if (options_.spam_numbers.count(a.phone) != 0) {
        a.status = "spam_detected";
    } else if (static_cast<int>(sends.size()) >= options_.max_authentications_per_number) {
        a.status = "rate_limited";
    } else {
        a.status = "pending";
        sends.push_back(t);
        send_code(a, t);
    }
    json::object out{{"authentication_uuid", a.uuid},
                     {"status", a.status},
                     {"created_at", rfc3339(a.created)},
                     {"expires_at", rfc3339(a.expires)}};
    std::string key = a.uuid;
    auths_.emplace(std::move(key), std::move(a));
    return make_json(200, out);
}

sandbox_response sandbox_state::check(const sandbox_request& r) {
    json::object in;
    if (auto err = parse_object(r.body,
                                {{"customer_uuid", kind::string, true},
                                 {"authentication_uuid", kind::string, true},
                                 {"check_code", kind::string, true}},
                                in))
        return std::move(*err);
    std::lock_guard lock(mutex_);
    authentication* a = find(str(in, "authentication_uuid"));
    if (!a) return invalid_auth_uuid();
    const time_point t = now_locked();
    const std::string_view code = str(in, "check_code");
    const char* status;
    if (a->status == "spam_detected") status = "without_attempt";
    else if (a->status == "rate_limited") status = "rate_limited";
    else if (a->validated) status = "already_validated";
    else if (t >= a->expires) status = "expired_auth";
    else if (a->wrong_checks >= options_.max_check_attempts) status = "rate_limited";
    else if (a->code && *a->code == code) {
        status = "valid";
        a->validated = true;
    } else {
        status = "invalid";
        a->wrong_checks += 1;
    }
    a->events.push_back(json::object{
        {"type", "check"}, {"id", new_uuid()}, {"code", code}, {"status", status}, {"created_at", rfc3339(t)}});
    return make_json(200, json::object{{"authentication_uuid", a->uuid}, {"status", status}});
}

sandbox_response sandbox_state::retry(const sandbox_request& r) {
    json::object in;
    if (auto err = parse_object(
            r.body, {{"customer_uuid", kind::string, true}, {"authentication_uuid", kind::string, true}}, in))
        return std::move(*err);
    std::lock_guard lock(mutex_);
    authentication* a = find(str(in, "authentication_uuid"));
    if (!a) return invalid_auth_uuid();
    const time_point t = now_locked();
    const int remaining = std::max(0, options_.max_retries - (a->attempts - 1));
    json::object out{{"authentication_uuid", a->uuid}};
    auto finish = [&](const char* status, int remaining_retry, std::optional<time_point> next) {
        out["status"] = status;
        out["created_at"] = rfc3339(t);
        if (next) out["next_retry_at"] = rfc3339(*next);
        out["remaining_retry"] = remaining_retry;
        return make_json(200, out);
    };
    if (a->status == "spam_detected") return finish("no_attempt", 0, std::nullopt);
    if (a->status == "rate_limited") return finish("rate_limited", 0, std::nullopt);
    if (a->validated) return finish("already_validated", 0, std::nullopt);
    if (t >= a->expires) return finish("expired_auth", 0, std::nullopt);
    if (remaining <= 0) return finish("rate_limited", 0, std::nullopt);
    const time_point next = a->last_send + options_.retry_interval;
    if (t < next) return finish("denied", remaining, next);
    send_code(*a, t);
    return finish("approved", remaining - 1, t + options_.retry_interval);
}

sandbox_response sandbox_state::feedback(const sandbox_request& r) {
    json::object in;
    if (auto err = parse_object(r.body,
                                {{"customer_uuid", kind::string, true},
                                 {"phone_number", kind::string, true},
                                 {"status", kind::string, true}},
                                in))
        return std::move(*err);
    const std::string_view phone = str(in, "phone_number");
    const std::string_view status = str(in, "status");
    if (status != "onboarded" && status != "not_onboarded")
        return error400("invalid_feedback_status", "feedback status is not valid");
    if (!is_dialable_e164(phone)) return invalid_phone(phone);
    std::lock_guard lock(mutex_);
    if (sends_by_number_.find(std::string(phone)) == sends_by_number_.end())
        return error400("no_associated_auth_found", "no authentication found for this phone number");
    auto& seen = feedback_by_number_[std::string(phone)];
    if (std::find(seen.begin(), seen.end(), status) != seen.end())
        return error400("duplicated_feedback_status", "this feedback status was already reported for this phone number");
    seen.emplace_back(status);
    return make_json(200, json::object{{"uuid", new_uuid()}});
}

sandbox_response sandbox_state::status(std::string_view uuid) {
    std::lock_guard lock(mutex_);
    authentication* a = is_uuid(uuid) ? find(uuid) : nullptr;
    if (!a) return invalid_auth_uuid();
    json::object out{{"uuid", a->uuid}, {"phone_number", a->phone}};
    if (a->template_id) out["template_id"] = *a->template_id;
    if (a->correlation_id) out["correlation_id"] = *a->correlation_id;
    out["created_at"] = rfc3339(a->created);
    out["signals"] = a->signals;
    out["events"] = a->events;
    return make_json(200, out);
}

sandbox_response sandbox_state::lookup(const sandbox_request& r, std::string_view raw_phone) {
    if (!r.customer_uuid || r.customer_uuid->empty()) return bad_request("missing header 'customer-uuid'");
    bool cnam = false;
    std::string_view q = r.query;
    while (!q.empty()) {
        const auto amp = q.find('&');
        const std::string_view part = q.substr(0, amp);
        q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
        if (part.empty()) continue;
        const auto eq = part.find('=');
        const std::string_view key = part.substr(0, eq);
        if (key != "type") continue;  // other query parameters are ignored
        auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1));
        if (!value || *value != "cnam") return bad_request("query parameter 'type' must be 'cnam'");
        cnam = true;
    }
    auto decoded = percent_decode(raw_phone);
    if (!decoded || !is_dialable_e164(*decoded)) return invalid_phone(decoded ? std::string_view(*decoded) : raw_phone);
    const std::string& phone = *decoded;
    const number_facts f = facts_for(phone);
    const char* line_type = f.line == 0 ? "Mobile" : f.line == 1 ? "FixedLine" : "Voip";

    json::object out{{"phone_number", phone},
                     {"mcc", f.mcc},
                     {"mnc", f.mnc},
                     {"carrier", f.carrier},
                     {"country_code", f.country_code},
                     {"number_ported", f.ported},
                     {"line_type", line_type},
                     {"temporary_phone_number", f.temporary}};
    if (cnam) out["caller_name"] = f.caller_name;
    return make_json(200, out);
}

std::string sandbox_state::fake_body(const route_match& route, bool wrong_types) {
    if (is_v2(route.route)) return v2_fake_body(route, wrong_types);
    std::string uuid, ts, later;
    {
        std::lock_guard lock(mutex_);
        // Not new_uuid(): a faulted request must not move the seeded sequence.
        uuid = "00000000-0000-4000-8000-000000000000";
        ts = rfc3339(now_locked());
        later = rfc3339(now_locked() + options_.expiry);
    }
    json::object o;
    switch (route.route) {
    case sandbox_route::create:
        o = {{"authentication_uuid", uuid}, {"status", "pending"}, {"created_at", ts}, {"expires_at", later}};
        break;
    case sandbox_route::check: o = {{"authentication_uuid", uuid}, {"status", "valid"}}; break;
    case sandbox_route::retry:
        o = {{"authentication_uuid", uuid}, {"status", "approved"}, {"created_at", ts}, {"next_retry_at", later},
             {"remaining_retry", 2}};
        break;
    case sandbox_route::feedback: o = {{"uuid", uuid}}; break;
    case sandbox_route::status:
        o = {{"uuid", uuid},
             {"phone_number", "+14155552671"},
             {"created_at", ts},
             {"signals", json::object{{"is_returning_user", false}}},
             {"events", json::array{json::object{{"type", "attempt"}, {"attempt_number", 1}, {"capability", "text"},
                                                 {"status", "delivered"}, {"created_at", ts}}}}};
        break;
    case sandbox_route::lookup:
        o = {{"phone_number", "+14155552671"}, {"mcc", "310"}, {"mnc", "410"}, {"carrier", "AT&T"},
             {"country_code", "US"}, {"number_ported", false}, {"line_type", "Mobile"},
             {"temporary_phone_number", false}};
        break;
    default: o = {{"message", "not found"}}; break;
    }
    if (wrong_types)
        for (auto& kv : o) kv.value() = wrong_type_of(kv.value());
    return json::serialize(o);
}

}  // namespace ding::detail

// The sandbox's Verify v2 service (spec/prelude-v2-openapi.yaml): validation, the verification
// state machine, lookup, Watch, and the webhooks a create produces. Shares sandbox_state's
// mutex, virtual clock, generator, options and faults with v1. The rules are listed in
// include/ding/sandbox.hpp ("Verify v2").
#include "state_v2_wire.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <initializer_list>

namespace json = boost::json;

namespace ding::detail {
namespace {

using namespace v2wire;

bool is_delivery_channel(std::string_view c) noexcept {
    for (std::string_view known : {"sms", "rcs", "whatsapp", "viber", "zalo", "telegram"})
        if (c == known) return true;
    return false;
}

// What a valid create request asks for.
struct create_input {
    checker::target_value target;
    std::optional<std::string> correlation_id;
    std::optional<std::string> callback_url;
    std::optional<std::string> template_id;
    json::object variables;
    std::optional<std::size_t> code_size;
    std::optional<std::string> custom_code;
    std::string method = "auto";
    std::optional<std::string> preferred_channel;
    std::vector<std::string> channels;
    bool force_challenge = false;
};

void parse_options(checker& c, const json::object& parent, create_input& in) {
    const json::object* o = c.object(parent, "options", "", false);
    if (!o) return;
    const std::string_view at = "options";
    if (!c.only(*o, {"template_id", "variables", "locale", "sender_id", "callback_url", "code_size", "custom_code",
                     "method", "preferred_channel", "channels", "max_auto_fallbacks", "force_challenge", "app_realm"},
                at))
        return;
    if (auto t = c.string(*o, "template_id", at, false)) in.template_id = std::string(*t);
    if (const json::object* vars = c.object(*o, "variables", at, false)) {
        for (const auto& kv : *vars)
            if (!kv.value().is_string()) {
                c.invalid(join("options.variables", kv.key()), "must be a string");
                return;
            }
        in.variables = *vars;
    }
    (void)c.string(*o, "locale", at, false);
    (void)c.string(*o, "sender_id", at, false);
    if (auto url = c.string(*o, "callback_url", at, false)) {
        if (!parse_callback_url(*url)) {
            c.fail("invalid_callback_url", "The callback URL is not a valid http or https URL.", "options.callback_url");
            return;
        }
        in.callback_url = std::string(*url);
    }
    if (auto size = c.integer(*o, "code_size", at)) {
        if (*size < 4 || *size > 8) {
            c.fail("invalid_code_size", "code_size must be from 4 to 8.", "options.code_size");
            return;
        }
        in.code_size = static_cast<std::size_t>(*size);
    }
    if (auto code = c.string(*o, "custom_code", at, false)) {
        if (code->empty() || code->size() > 32) {
            c.fail("invalid_custom_code", "custom_code must be 1 to 32 characters.", "options.custom_code");
            return;
        }
        in.custom_code = std::string(*code);
    }
    if (in.code_size && in.custom_code) {
        c.fail("custom_size_conflict", "custom_code and code_size cannot be used together.", "options.custom_code");
        return;
    }
    if (auto m = c.string(*o, "method", at, false, {"auto", "voice", "message"})) in.method = std::string(*m);
    if (auto p = c.string(*o, "preferred_channel", at, false)) {
        if (!is_delivery_channel(*p)) {
            c.invalid("options.preferred_channel", "is not a delivery channel");
            return;
        }
        in.preferred_channel = std::string(*p);
    }
    if (const json::array* list = c.array(*o, "channels", at, false, 16)) {
        for (std::size_t i = 0; i < list->size(); ++i) {
            const json::value& v = (*list)[i];
            if (!v.is_string() || !is_delivery_channel(sv(v.get_string()))) {
                c.invalid(indexed("options.channels", i), "is not a delivery channel");
                return;
            }
            in.channels.emplace_back(sv(v.get_string()));
        }
        if (in.channels.empty()) {
            c.invalid("options.channels", "must not be empty");
            return;
        }
    }
    if (!in.channels.empty() && in.preferred_channel) {
        c.fail("invalid_request", "channels and preferred_channel cannot be used together.", "options.channels");
        return;
    }
    if (auto n = c.integer(*o, "max_auto_fallbacks", at); n && *n < 0)
        c.invalid("options.max_auto_fallbacks", "must be at least 0");
    if (auto f = c.boolean(*o, "force_challenge", at)) in.force_challenge = *f;
    if (const json::object* realm = c.object(*o, "app_realm", at, false)) {
        if (!c.only(*realm, {"platform", "value"}, "options.app_realm")) return;
        (void)c.string(*realm, "platform", "options.app_realm", true, {"android", "web"});
        (void)c.string(*realm, "value", "options.app_realm", true);
    }
}

json::value wrong_type(const json::value& v) {
    switch (v.kind()) {
    case json::kind::string: return json::value(7);
    case json::kind::bool_: return json::value("true");
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return json::value("seven");
    case json::kind::array: return json::value("not an array");
    case json::kind::object: return json::value(json::array{1, 2});
    case json::kind::null: return json::value(json::object{});
    }
    return json::value(nullptr);
}

// Bearer token of an Authorization header value; nullopt if it is not the Bearer scheme.
std::optional<std::string_view> bearer(std::string_view header) noexcept {
    constexpr std::string_view scheme = "bearer";
    if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return std::nullopt;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        char c = header[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != scheme[i]) return std::nullopt;
    }
    std::string_view token = header.substr(scheme.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    return token;
}

}  // namespace

std::optional<callback_url> parse_callback_url(std::string_view url) {
    callback_url out;
    std::string_view rest;
    if (url.substr(0, 7) == "http://") {
        rest = url.substr(7);
        out.port = 80;
    } else if (url.substr(0, 8) == "https://") {
        out.https = true;
        out.port = 443;
        rest = url.substr(8);
    } else {
        return std::nullopt;
    }
    if (url.size() > 2048) return std::nullopt;
    for (char c : url)
        if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return std::nullopt;
    const auto end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, end);
    std::string_view tail = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    if (auto hash = tail.find('#'); hash != std::string_view::npos) tail = tail.substr(0, hash);
    if (authority.find('@') != std::string_view::npos) return std::nullopt;  // no credentials in the URL
    std::string_view host = authority, port;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos || close == 1) return std::nullopt;
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return std::nullopt;
            port = after.substr(1);
            if (port.empty()) return std::nullopt;
        }
    } else {
        const auto colon = authority.find(':');
        if (colon != std::string_view::npos) {
            host = authority.substr(0, colon);
            port = authority.substr(colon + 1);
            if (port.empty()) return std::nullopt;
        }
        if (host.find_first_of("[]") != std::string_view::npos) return std::nullopt;
    }
    if (host.empty() || host.size() > 253) return std::nullopt;
    if (!port.empty()) {
        unsigned value = 0;
        auto r = std::from_chars(port.data(), port.data() + port.size(), value);
        if (r.ec != std::errc{} || r.ptr != port.data() + port.size() || value == 0 || value > 65535) return std::nullopt;
        out.port = static_cast<std::uint16_t>(value);
    }
    out.host = std::string(host);
    for (auto& c : out.host)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (tail.empty() || tail.front() == '?') out.target = "/";
    out.target += tail;
    return out;
}

std::string sandbox_state::new_prefixed_id(std::string_view prefix) {
    static constexpr char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";  // Crockford base32, lower case
    std::string s(prefix);
    std::uint64_t bits = rng_();
    for (int i = 0; i < 26; ++i) {
        if (i == 12) bits = rng_();
        s += alphabet[bits & 31];
        bits >>= 5;
    }
    return s;
}

std::string sandbox_state::new_digits(std::size_t n) {
    std::string s;
    s.reserve(n);
    for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng_() % 10));
    return s;
}

sandbox_response sandbox_state::v2_handle(const sandbox_request& r, const route_match& route) {
    if (route.route == sandbox_route::v2_none) return v2_error(404, "not_found", "No such API endpoint.");
    if (!route.method_allowed) {
        sandbox_response res = v2_error(405, "method_not_allowed", "This method is not allowed on this endpoint.");
        res.allow = route.allow;
        return res;
    }
    if (!r.authorization)
        return v2_error(401, "missing_api_token", "The Authorization header with a Bearer API key is missing.");
    const auto token = bearer(*r.authorization);
    if (!token) return v2_error(401, "invalid_bearer_token", "The Authorization header must be 'Bearer <API key>'.");
    if (*token != options_.v2_api_key) return v2_error(401, "invalid_api_key", "The API key is not valid.");
    switch (route.route) {
    case sandbox_route::v2_create: return v2_create(r);
    case sandbox_route::v2_check: return v2_check(r);
    case sandbox_route::v2_lookup: return v2_lookup(r);
    case sandbox_route::v2_predict: return v2_predict(r);
    case sandbox_route::v2_event: return v2_events(r);
    case sandbox_route::v2_feedback: return v2_feedbacks(r);
    case sandbox_route::v2_phone_numbers: return v2_phone_numbers(r, route);
    case sandbox_route::v2_sender_ids: return v2_sender_ids(r, route);
    case sandbox_route::v2_notify: return v2_notify(r, false);
    case sandbox_route::v2_transactional: return v2_notify(r, true);
    case sandbox_route::v2_notify_batch: return v2_notify_batch(r);
    case sandbox_route::v2_subscriptions:
    case sandbox_route::v2_subscription:
    case sandbox_route::v2_subscription_numbers:
    case sandbox_route::v2_subscription_number:
    case sandbox_route::v2_subscription_events: return v2_subscriptions(r, route);
    default: break;
    }
    return v2_error(404, "not_found", "No such API endpoint.");
}

sandbox_response sandbox_state::v2_create(const sandbox_request& r) {
    checker c;
    auto body = parse_body(c, r.body);
    create_input in;
    if (body && c.only(*body, {"target", "dispatch_id", "metadata", "options", "signals"}, "")) {
        if (auto t = c.target(*body, "")) in.target = std::move(*t);
        c.dispatch_id(*body, "");
        in.correlation_id = c.metadata(*body, "");
        parse_options(c, *body, in);
        c.signals(*body, "");
    }
    if (c.error) return std::move(*c.error);

    std::lock_guard lock(mutex_);
    const time_point t = now_locked();
    json::object out;
    auto finish = [&](std::string_view id, std::string_view status, std::string_view method,
                      const std::vector<std::string>& channels, std::optional<std::string> correlation) {
        out["id"] = id;
        out["status"] = status;
        out["method"] = method;
        if (!channels.empty()) {
            json::array a;
            for (const auto& ch : channels) a.emplace_back(ch);
            out["channels"] = std::move(a);
        }
        if (correlation) out["metadata"] = json::object{{"correlation_id", *correlation}};
        out["request_id"] = new_uuid();
    };
    auto blocked = [&](std::string_view id, std::string_view reason, std::optional<std::string_view> factor) {
        out["id"] = id;
        out["status"] = "blocked";
        out["method"] = in.target.type == "email_address" ? "email" : "message";
        out["reason"] = reason;
        if (factor) out["risk_factors"] = json::array{*factor};
        if (in.correlation_id) out["metadata"] = json::object{{"correlation_id", *in.correlation_id}};
        out["request_id"] = new_uuid();
        return json_response(200, out);
    };

    // The block list wins over the allow list; an allowed number skips every anti-fraud rule.
    const bool block_listed = v2_listed(true, in.target.value);
    const bool allowed = !block_listed && v2_listed(false, in.target.value);
    if (block_listed) return blocked(new_prefixed_id("vrf_"), "in_block_list", std::nullopt);
    if (!allowed && options_.spam_numbers.count(in.target.value) != 0)
        return blocked(new_prefixed_id("vrf_"), "suspicious", "fraud_database");

    sandbox_response res;
    auto open = v2_by_target_.find(in.target.value);
    if (open != v2_by_target_.end() && !open->second.closed && t < open->second.expires) {
        verification& v = open->second;
        if (!allowed && v.sends - 1 >= options_.max_retries) return blocked(v.id, "repeated_attempts", std::nullopt);
        if (!v.custom_code) v.code = new_digits(v.code_size);
        v.sends += 1;
        if (in.callback_url) v.callback_url = in.callback_url;
        v2_last_code_[v.target] = v.code;
        if (options_.print_codes) {
            std::printf("code %s %s %s\n", v.id.c_str(), v.target.c_str(), v.code.c_str());
            std::fflush(stdout);
        }
        v2_attempt_webhooks(v, t, false, res.webhooks);
        finish(v.id, "retry", v.method, v.channels, v.correlation_id);
        res.body = json::serialize(out);
        return res;
    }

    auto& opened = v2_opened_by_target_[in.target.value];
    std::erase_if(opened, [&](time_point s) { return s <= t - options_.rate_window; });
    if (!allowed && static_cast<int>(opened.size()) >= options_.max_authentications_per_number)
        return blocked(new_prefixed_id("vrf_"), "repeated_attempts", std::nullopt);

    verification v;
    v.id = new_prefixed_id("vrf_");
    v.target_type = in.target.type;
    v.target = in.target.value;
    v.created = t;
    v.expires = t + options_.expiry;
    v.code_size = in.code_size ? *in.code_size : options_.code_length;
    v.custom_code = in.custom_code.has_value();
    v.code = in.custom_code ? *in.custom_code : new_digits(v.code_size);
    v.sends = 1;
    v.correlation_id = in.correlation_id;
    v.callback_url = in.callback_url;
    v.template_id = in.template_id;
    v.variables = std::move(in.variables);
    if (v.target_type == "email_address") {
        v.method = "email";
    } else if (in.method == "voice" && !in.force_challenge) {
        v.method = "voice";
        v.channels = {"voice"};
    } else {
        v.method = "message";
        if (!in.channels.empty()) v.channels = in.channels;
        else if (in.preferred_channel && *in.preferred_channel != "sms") v.channels = {*in.preferred_channel, "sms"};
        else v.channels = {"sms"};
        if (in.force_challenge) {
            std::erase_if(v.channels, [](const std::string& ch) { return ch == "sms" || ch == "voice"; });
            if (v.channels.empty()) v.channels = {"whatsapp"};
        }
    }
    opened.push_back(t);
    v2_last_code_[v.target] = v.code;
    if (options_.print_codes) {
        std::printf("code %s %s %s\n", v.id.c_str(), v.target.c_str(), v.code.c_str());
        std::fflush(stdout);
    }
    v2_attempt_webhooks(v, t, true, res.webhooks);
    finish(v.id, in.force_challenge ? "challenged" : "success", v.method, v.channels, v.correlation_id);
    const std::string key = v.target;
    v2_by_target_.insert_or_assign(key, std::move(v));
    res.body = json::serialize(out);
    return res;
}

void sandbox_state::v2_attempt_webhooks(const verification& v, time_point t, bool with_authentication,
                                        std::vector<outgoing_webhook>& out) {
    if (!v.callback_url) return;
    const std::string when = rfc3339(t);
    auto common = [&](json::object& p) {
        p["verification_id"] = v.id;
        p["target"] = target_json(v.target_type, v.target);
        if (v.correlation_id) p["metadata"] = json::object{{"correlation_id", *v.correlation_id}};
        p["time"] = when;
    };
    auto envelope = [&](std::string_view type, json::object payload) {
        json::object e;
        e["id"] = new_prefixed_id("evt_");
        e["type"] = type;
        e["created_at"] = when;
        e["payload"] = std::move(payload);
        out.push_back({*v.callback_url, json::serialize(e)});
    };
    if (with_authentication) {
        json::object p;
        common(p);
        p["price"] = json::object{{"amount", 0.009}, {"currency", "EUR"}};
        envelope("verify.authentication", std::move(p));
    }
    const std::string attempt_id = new_prefixed_id("att_");
    json::object carrier;
    if (v.target_type == "phone_number") {
        const number_facts f = facts_for(v.target);
        carrier = json::object{{"mcc", f.mcc}, {"mnc", f.mnc}};
    }
    auto attempt_fields = [&](json::object& p) {
        p["id"] = attempt_id;
        common(p);
        if (!v.channels.empty())
            p["channel"] = v.channels[static_cast<std::size_t>(v.sends - 1) % v.channels.size()];
        if (!carrier.empty()) p["carrier_information"] = carrier;
        p["price"] = json::object{{"amount", 0.03}, {"currency", "EUR"}};
    };
    json::object attempt;
    attempt_fields(attempt);
    attempt["delivery_status"] = "submitted";
    envelope("verify.attempt", std::move(attempt));
    json::object report;
    attempt_fields(report);
    report["status"] = "delivered";
    envelope("verify.delivery_status", std::move(report));
}

sandbox_response sandbox_state::v2_check(const sandbox_request& r) {
    checker c;
    auto body = parse_body(c, r.body);
    checker::target_value target;
    std::string code;
    const json::object* psd2 = nullptr;
    if (body && c.only(*body, {"target", "code", "psd2"}, "")) {
        if (auto t = c.target(*body, "")) target = std::move(*t);
        if (auto s = c.string(*body, "code", "", true)) {
            if (s->empty()) c.invalid("code", "must not be empty");
            code = std::string(*s);
        }
        psd2 = c.object(*body, "psd2", "", false);
        if (psd2 && c.only(*psd2, {"amount", "currency", "recipient"}, "psd2"))
            for (std::string_view k : {"amount", "currency", "recipient"}) (void)c.string(*psd2, k, "psd2", true);
    }
    if (c.error) return std::move(*c.error);

    std::lock_guard lock(mutex_);
    const time_point t = now_locked();
    json::object out;
    auto it = v2_by_target_.find(target.value);
    if (it == v2_by_target_.end() || it->second.closed || t >= it->second.expires) {
        out["status"] = "expired_or_not_found";
        out["request_id"] = new_uuid();
        return json_response(200, out);
    }
    verification& v = it->second;
    std::string_view status;
    if (v.template_id && *v.template_id == "prelude:psd2" && !psd2) {
        status = "transaction_missing";
    } else if (v.template_id && *v.template_id == "prelude:psd2" &&
               std::any_of(psd2->begin(), psd2->end(), [&](const auto& kv) {
                   const json::value* want = v.variables.if_contains(kv.key());
                   return !want || *want != kv.value();
               })) {
        status = "transaction_mismatch";
    } else if (code == v.code) {
        status = "success";
        v.closed = true;
    } else {
        status = "failure";
        v.wrong_checks += 1;
        if (v.wrong_checks >= options_.max_check_attempts) v.closed = true;
    }
    out["id"] = v.id;
    out["status"] = status;
    if (v.correlation_id) out["metadata"] = json::object{{"correlation_id", *v.correlation_id}};
    out["request_id"] = new_uuid();
    return json_response(200, out);
}

sandbox_response sandbox_state::v2_lookup(const sandbox_request& r) {
    bool cnam = false;
    std::string_view q = r.query;
    while (!q.empty()) {
        const auto amp = q.find('&');
        const std::string_view part = q.substr(0, amp);
        q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
        const auto eq = part.find('=');
        if (part.substr(0, eq) != "type") continue;  // other query parameters are ignored
        auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1));
        if (!value) return v2_error(400, "invalid_request", "'type' is not valid.", "type");
        std::string_view list = *value;
        for (;;) {  // comma-separated (style form, explode false)
            const auto comma = list.find(',');
            if (list.substr(0, comma) != "cnam")
                return v2_error(400, "invalid_request", "'type' may only contain 'cnam'.", "type");
            if (comma == std::string_view::npos) break;
            list.remove_prefix(comma + 1);
        }
        cnam = true;
    }
    const std::string_view raw = r.path.substr(std::string_view("/v2/lookup/").size());
    auto phone = percent_decode(raw);
    if (!phone || !is_dialable_e164(*phone))
        return v2_error(400, "invalid_phone_number", "The phone number is not a valid E.164 number.", "phone_number");
    const number_facts f = facts_for(*phone);
    json::object out;
    out["phone_number"] = *phone;
    out["country_code"] = f.country_code;
    out["line_type"] = f.line == 0 ? "mobile" : f.line == 1 ? "fixed_line" : "voip";
    out["network_info"] = json::object{{"carrier_name", f.carrier}, {"mcc", f.mcc}, {"mnc", f.mnc}};
    if (f.ported)
        out["original_network_info"] =
            json::object{{"carrier_name", f.original_carrier}, {"mcc", f.mcc}, {"mnc", f.original_mnc}};
    json::array flags;
    if (f.ported) flags.emplace_back("ported");
    if (f.temporary) flags.emplace_back("temporary");
    out["flags"] = std::move(flags);
    if (cnam) out["caller_name"] = f.caller_name;
    return json_response(200, out);
}

sandbox_response sandbox_state::v2_predict(const sandbox_request& r) {
    checker c;
    auto body = parse_body(c, r.body);
    checker::target_value target;
    if (body && c.only(*body, {"target", "dispatch_id", "metadata", "signals"}, "")) {
        if (auto t = c.target(*body, "")) target = std::move(*t);
        c.dispatch_id(*body, "");
        (void)c.metadata(*body, "");
        c.signals(*body, "");
    }
    if (c.error) return std::move(*c.error);
    std::lock_guard lock(mutex_);
    json::object out;
    out["id"] = new_prefixed_id("prd_");
    const bool block_listed = v2_listed(true, target.value);
    const bool allowed = !block_listed && v2_listed(false, target.value);
    const bool listed = block_listed || (!allowed && options_.spam_numbers.count(target.value) != 0);
    const bool temporary = !allowed && target.type == "phone_number" && facts_for(target.value).temporary;
    if (listed || temporary) {
        out["prediction"] = "suspicious";
        out["risk_factors"] = json::array{listed ? "fraud_database" : "temporary_phone_number"};
    } else {
        out["prediction"] = "legitimate";
    }
    out["request_id"] = new_uuid();
    return json_response(200, out);
}

sandbox_response sandbox_state::v2_events(const sandbox_request& r) {
    checker c;
    auto body = parse_body(c, r.body);
    if (body && c.only(*body, {"events"}, "")) {
        if (const json::array* events = c.array(*body, "events", "", true, 100)) {
            for (std::size_t i = 0; i < events->size() && !c.error; ++i) {
                const std::string at = indexed("events", i);
                if (!(*events)[i].is_object()) {
                    c.invalid(at, "must be an object");
                    break;
                }
                const json::object& e = (*events)[i].get_object();
                if (!c.only(e, {"target", "label", "confidence"}, at)) break;
                (void)c.target(e, at, true);
                (void)c.string(e, "label", at, true);
                (void)c.string(e, "confidence", at, true, {"maximum", "high", "neutral", "low", "minimum"});
            }
        }
    }
    if (c.error) return std::move(*c.error);
    std::lock_guard lock(mutex_);
    return json_response(200, json::object{{"status", "success"}, {"request_id", new_uuid()}});
}

sandbox_response sandbox_state::v2_feedbacks(const sandbox_request& r) {
    checker c;
    auto body = parse_body(c, r.body);
    if (body && c.only(*body, {"feedbacks"}, "")) {
        if (const json::array* items = c.array(*body, "feedbacks", "", true, 100)) {
            for (std::size_t i = 0; i < items->size() && !c.error; ++i) {
                const std::string at = indexed("feedbacks", i);
                if (!(*items)[i].is_object()) {
                    c.invalid(at, "must be an object");
                    break;
                }
                const json::object& f = (*items)[i].get_object();
                if (!c.only(f, {"target", "type", "metadata"}, at)) break;
                (void)c.target(f, at, true);
                (void)c.string(f, "type", at, true, {"verification.started", "verification.completed"});
                (void)c.metadata(f, at);
            }
        }
    }
    if (c.error) return std::move(*c.error);
    std::lock_guard lock(mutex_);
    return json_response(200, json::object{{"status", "success"}, {"request_id", new_uuid()}});
}

std::string sandbox_state::v2_fake_body(const route_match& route, bool wrong_types) {
    // Fixed ids: a faulted request must not move the seeded sequence.
    const std::string_view vrf = "vrf_00000000000000000000000000";
    const std::string_view request_id = "00000000-0000-4000-8000-000000000000";
    json::object o;
    switch (route.route) {
    case sandbox_route::v2_create:
        o = {{"id", vrf}, {"status", "success"}, {"method", "message"}, {"channels", json::array{"sms"}},
             {"request_id", request_id}};
        break;
    case sandbox_route::v2_check: o = {{"id", vrf}, {"status", "success"}, {"request_id", request_id}}; break;
    case sandbox_route::v2_lookup:
        o = {{"phone_number", "+14155552671"},
             {"country_code", "US"},
             {"line_type", "mobile"},
             {"network_info", json::object{{"carrier_name", "AT&T"}, {"mcc", "310"}, {"mnc", "410"}}},
             {"flags", json::array{}}};
        break;
    case sandbox_route::v2_predict:
        o = {{"id", "prd_00000000000000000000000000"}, {"prediction", "legitimate"}, {"request_id", request_id}};
        break;
    case sandbox_route::v2_event:
    case sandbox_route::v2_feedback: o = {{"status", "success"}, {"request_id", request_id}}; break;
    case sandbox_route::v2_none: o = {{"code", "not_found"}, {"message", "No such API endpoint."}}; break;
    default: o = v2_manage_fake_body(route); break;
    }
    if (wrong_types)
        for (auto& kv : o) kv.value() = wrong_type(kv.value());
    return json::serialize(o);
}

}  // namespace ding::detail

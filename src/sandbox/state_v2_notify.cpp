// The sandbox's Notify sends (one recipient, a batch) and the deprecated Transactional send.
// The rules are listed in include/ding/sandbox.hpp ("Verify management, Notify and
// Transactional").
#include "state_v2_wire.hpp"

#include "codec/rfc3339.hpp"

#include <chrono>

namespace json = boost::json;

namespace ding::detail {
namespace {

using namespace v2wire;

constexpr std::size_t max_batch = 1000;
constexpr auto default_lifetime = std::chrono::hours(24);

enum class send_kind { notify, batch, transactional };

// What a valid send request asks for (recipients are checked later: a batch's bad number is
// the item's error, not the request's).
struct send_input {
    std::string template_id;
    std::vector<std::string> to;
    std::optional<std::string> callback_url, correlation_id, from, locale, preferred_channel;
    std::optional<std::chrono::system_clock::time_point> expires_at, schedule_at;
    json::object variables;
};

std::optional<std::chrono::system_clock::time_point> date_time(checker& c, const json::object& o, std::string_view key) {
    auto s = c.string(o, key, "", false);
    if (!s) return std::nullopt;
    std::chrono::system_clock::time_point t;
    if (!parse_rfc3339(*s, t)) {
        c.invalid(key, "must be an RFC 3339 date-time");
        return std::nullopt;
    }
    return t;
}

send_input parse_send(checker& c, const json::object& body, send_kind kind) {
    send_input in;
    const bool ok = kind == send_kind::transactional
                        ? c.only(body, {"template_id", "to", "callback_url", "correlation_id", "document", "expires_at",
                                        "from", "locale", "max_auto_retries", "preferred_channel", "variables"},
                                 "")
                        : c.only(body, {"template_id", "to", "callback_url", "correlation_id", "document", "expires_at",
                                        "from", "locale", "max_auto_retries", "preferred_channel", "schedule_at",
                                        "variables"},
                                 "");
    if (!ok) return in;
    if (auto t = c.string(body, "template_id", "", true)) {
        if (t->empty()) c.fail("invalid_template_id", "template_id must not be empty.", "template_id");
        in.template_id = std::string(*t);
    }
    if (kind == send_kind::batch) {
        if (const json::array* list = c.array(body, "to", "", true, max_batch)) {
            for (std::size_t i = 0; i < list->size(); ++i) {
                if (!(*list)[i].is_string()) {
                    c.invalid(indexed("to", i), "must be a string");
                    break;
                }
                in.to.emplace_back(sv((*list)[i].get_string()));
            }
        }
    } else if (auto to = c.string(body, "to", "", true)) {
        if (!is_dialable_e164(*to)) c.fail("invalid_phone_number", "The phone number is not a valid E.164 number.", "to");
        in.to.emplace_back(*to);
    }
    if (auto url = c.string(body, "callback_url", "", false)) {
        if (!parse_callback_url(*url))
            c.fail("invalid_callback_url", "The callback URL is not a valid http or https URL.", "callback_url");
        in.callback_url = std::string(*url);
    }
    if (auto id = c.string(body, "correlation_id", "", false)) in.correlation_id = std::string(*id);
    if (const json::object* doc = c.object(body, "document", "", false)) {
        if (c.only(*doc, {"url", "filename"}, "document")) {
            if (auto url = c.string(*doc, "url", "document", true); url && url->substr(0, 8) != "https://")
                c.invalid("document.url", "must be an https:// URL");
            (void)c.string(*doc, "filename", "document", false);
        }
    }
    in.expires_at = date_time(c, body, "expires_at");
    if (kind != send_kind::transactional) in.schedule_at = date_time(c, body, "schedule_at");
    if (auto f = c.string(body, "from", "", false)) in.from = std::string(*f);
    if (auto l = c.string(body, "locale", "", false)) in.locale = std::string(*l);
    if (auto n = c.integer(body, "max_auto_retries", ""); n && *n < 0) c.invalid("max_auto_retries", "must be at least 0");
    if (auto p = c.string(body, "preferred_channel", "", false, {"sms", "rcs", "whatsapp"})) in.preferred_channel = std::string(*p);
    if (const json::object* vars = c.object(body, "variables", "", false)) {
        for (const auto& kv : *vars)
            if (!kv.value().is_string()) {
                c.invalid(join("variables", kv.key()), "must be a string");
                return in;
            }
        in.variables = *vars;
    }
    return in;
}

// SMS (no preferred channel, or sms): GSM-7 unless a variable holds a non-ASCII byte.
void sms_fields(const send_input& in, json::object& o) {
    if (in.preferred_channel && *in.preferred_channel != "sms") return;
    bool unicode = false;
    for (const auto& kv : in.variables)
        for (char ch : kv.value().get_string())
            if (static_cast<unsigned char>(ch) >= 0x80) unicode = true;
    o["encoding"] = unicode ? "UCS-2" : "GSM-7";
    o["estimated_segment_count"] = 1;
}

sandbox_response unsubscribed_error() {
    return v2_error(400, "recipient_unsubscribed", "The recipient has unsubscribed (opted out) from your messages.", "to");
}

}  // namespace

sandbox_response sandbox_state::v2_notify(const sandbox_request& r, bool transactional) {
    checker c;
    auto body = parse_body(c, r.body);
    send_input in;
    if (body) in = parse_send(c, *body, transactional ? send_kind::transactional : send_kind::notify);
    if (c.error) return std::move(*c.error);

    std::lock_guard lock(mutex_);
    const time_point t = now_locked();
    if (in.from && v2_sender_status(*in.from, t) != "approved")
        return v2_error(400, "invalid_sender_id", "The sender ID is not approved for this account.", "from");
    if (v2_unsubscribed(in.to.front())) return unsubscribed_error();

    json::object out;
    out["id"] = new_prefixed_id(transactional ? "tx_" : "msg_");
    out["created_at"] = rfc3339(t);
    out["expires_at"] = rfc3339(in.expires_at ? *in.expires_at : (in.schedule_at ? *in.schedule_at : t) + default_lifetime);
    out["template_id"] = in.template_id;
    out["to"] = in.to.front();
    out["variables"] = in.variables;
    if (in.callback_url) out["callback_url"] = *in.callback_url;
    if (in.correlation_id) out["correlation_id"] = *in.correlation_id;
    if (!transactional) sms_fields(in, out);
    if (in.from) out["from"] = *in.from;
    if (in.schedule_at) out["schedule_at"] = rfc3339(*in.schedule_at);
    return json_response(200, out);
}

sandbox_response sandbox_state::v2_notify_batch(const sandbox_request& r) {
    checker c;
    auto body = parse_body(c, r.body);
    send_input in;
    if (body) in = parse_send(c, *body, send_kind::batch);
    if (c.error) return std::move(*c.error);

    std::lock_guard lock(mutex_);
    const time_point t = now_locked();
    if (in.from && v2_sender_status(*in.from, t) != "approved")
        return v2_error(400, "invalid_sender_id", "The sender ID is not approved for this account.", "from");

    const std::string created = rfc3339(t);
    const std::string expires =
        rfc3339(in.expires_at ? *in.expires_at : (in.schedule_at ? *in.schedule_at : t) + default_lifetime);
    json::array results;
    std::int64_t ok = 0;
    for (const std::string& to : in.to) {
        json::object item{{"phone_number", to}};
        std::string_view code, text;
        if (!is_dialable_e164(to)) {
            code = "invalid_phone_number";
            text = "The phone number is not a valid E.164 number.";
        } else if (v2_unsubscribed(to)) {
            code = "recipient_unsubscribed";
            text = "The recipient has unsubscribed (opted out) from your messages.";
        }
        if (!code.empty()) {
            item["success"] = false;
            item["error"] = json::object{{"code", code}, {"message", text}};
        } else {
            json::object m;
            m["id"] = new_prefixed_id("msg_");
            if (in.correlation_id) m["correlation_id"] = *in.correlation_id;
            m["created_at"] = created;
            sms_fields(in, m);
            m["expires_at"] = expires;
            if (in.from) m["from"] = *in.from;
            if (in.locale) m["locale"] = *in.locale;
            if (in.schedule_at) m["schedule_at"] = rfc3339(*in.schedule_at);
            m["to"] = to;
            item["success"] = true;
            item["message"] = std::move(m);
            ++ok;
        }
        results.push_back(std::move(item));
    }
    const auto total = static_cast<std::int64_t>(in.to.size());
    json::object out;
    out["error_count"] = total - ok;
    out["results"] = std::move(results);
    out["success_count"] = ok;
    out["total_count"] = total;
    if (in.callback_url) out["callback_url"] = *in.callback_url;
    out["request_id"] = new_uuid();
    out["template_id"] = in.template_id;
    out["variables"] = in.variables;
    return json_response(200, out);
}

}  // namespace ding::detail

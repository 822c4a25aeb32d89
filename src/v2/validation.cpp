#include "v2/validation.hpp"

#include "codec/text.hpp"

namespace ding::v2::detail {
namespace {

using result = std::optional<std::string>;

using ding::detail::quoted;

std::string join(std::string_view prefix, std::string_view field) {
    std::string path(prefix);
    path.append(field);
    return path;
}

// One '@' with something on both sides, no whitespace or control bytes: enough to catch a
// phone number given as an email target or a truncated value; the API checks the rest.
bool plausible_email(std::string_view v) noexcept {
    const auto at = v.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == v.size() || v.find('@', at + 1) != std::string_view::npos)
        return false;
    for (const char ch : v) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c == 0x7F) return false;
    }
    return v.size() <= 254;
}

result check_target(std::string_view prefix, const target& t) {
    const std::string field = join(prefix, "target");
    switch (t.type) {
    case target_type::phone_number:
        if (t.value.empty()) return field + ".value: is required (an E.164 number)";
        if (!ding::detail::is_e164(t.value))
            return ding::detail::e164_refusal(field + ".value", t.value);
        return std::nullopt;
    case target_type::email_address:
        if (t.value.empty()) return field + ".value: is required (an email address)";
        if (!plausible_email(t.value)) return field + ".value: " + quoted(t.value) + " is not an email address";
        return std::nullopt;
    default: return field + ".type: must be phone_number or email_address";
    }
}

template <class E>
result check_enum(const std::string& field, const std::optional<E>& e) {
    if (e && *e == E{}) return field + ": 'unknown' cannot be sent; choose one of the contract's values";
    return std::nullopt;
}

result check_dispatch_id(std::string_view prefix, const std::optional<std::string>& id) {
    if (id && id->size() != 36)
        return join(prefix, "dispatch_id") + ": " + quoted(*id) + " must be exactly 36 characters (a UUID in text form)";
    return std::nullopt;
}

result check_signals(const std::optional<signals>& s) {
    if (!s) return std::nullopt;
    return check_enum("signals.device_platform", s->device_platform);
}

result check_options(const std::optional<verification_options>& o) {
    if (!o) return std::nullopt;
    if (o->code_size && (*o->code_size < 4 || *o->code_size > 8))
        return "options.code_size: " + std::to_string(*o->code_size) + " is outside 4..8";
    if (o->custom_code && o->code_size)
        return std::string("options.custom_code: cannot be combined with options.code_size (mutually exclusive)");
    if (o->custom_code && o->custom_code->empty()) return std::string("options.custom_code: must not be empty");
    if (o->channels && o->preferred_channel)
        return std::string("options.channels: cannot be combined with options.preferred_channel (mutually exclusive)");
    if (o->max_auto_fallbacks && *o->max_auto_fallbacks < 0)
        return "options.max_auto_fallbacks: " + std::to_string(*o->max_auto_fallbacks) + " is negative";
    if (auto bad = check_enum("options.method", o->method)) return bad;
    if (auto bad = check_enum("options.preferred_channel", o->preferred_channel)) return bad;
    if (o->channels) {
        for (std::size_t i = 0; i < o->channels->size(); ++i)
            if ((*o->channels)[i] == delivery_channel::unknown)
                return "options.channels[" + std::to_string(i) + "]: 'unknown' cannot be sent";
    }
    if (o->app_realm) {
        if (o->app_realm->platform == app_realm_platform::unknown)
            return std::string("options.app_realm.platform: must be android or web");
        if (o->app_realm->value.empty()) return std::string("options.app_realm.value: is required");
    }
    return std::nullopt;
}


result check_phone(const std::string& field, std::string_view v) {
    if (v.empty()) return field + ": is required (an E.164 number)";
    if (!ding::detail::is_e164(v)) return ding::detail::e164_refusal(field, v);
    return std::nullopt;
}

result check_required(const std::string& field, std::string_view v) {
    if (v.empty()) return field + ": is required";
    return std::nullopt;
}

result check_limit(const std::optional<std::int64_t>& limit) {
    if (limit && *limit < 1) return "limit: " + std::to_string(*limit) + " is below 1 (a page holds at least one item)";
    return std::nullopt;
}

result check_cursor(const std::optional<std::string>& cursor) {
    if (cursor && cursor->empty()) return std::string("cursor: must not be empty when set (omit it for the first page)");
    return std::nullopt;
}

// The fields notify send, notify batch and transactional send share.
template <class Send>
result check_send_common(const Send& r) {
    if (auto bad = check_required("template_id", r.template_id)) return bad;
    if (r.document && r.document->url.empty()) return std::string("document.url: is required");
    if (r.max_auto_retries && *r.max_auto_retries < 0)
        return "max_auto_retries: " + std::to_string(*r.max_auto_retries) + " is negative (a number of retries)";
    return check_enum("preferred_channel", r.preferred_channel);
}

}  // namespace

result validate_list(phone_list list) {
    if (list != phone_list::allow && list != phone_list::block) return std::string("action: must be allow or block");
    return std::nullopt;
}

result validate_config_id(std::string_view field, std::string_view id) {
    const std::string name(field);
    if (id.empty()) return name + ": is required";
    if (id == "." || id == "..") return name + ": " + quoted(id) + " is a dot segment and would change the request path";
    for (const char ch : id) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F || c == '/' || c == '?' || c == '#' || c == '%')
            return name + ": " + quoted(id) +
                   " contains '/', '?', '#', '%' or a control character, which could change the request path";
    }
    return std::nullopt;
}

result validate_path_phone_number(std::string_view field, std::string_view phone_number) {
    // E.164 is '+' and digits only, so the value can never alter the request path.
    return check_phone(std::string(field), phone_number);
}

void append_percent_encoded(std::string_view value, std::string& out) {
    static constexpr char hex[] = "0123456789ABCDEF";
    for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xF]);
        }
    }
}

result validate(const create_verification_request& r) {
    if (auto bad = check_target("", r.target)) return bad;
    if (auto bad = check_dispatch_id("", r.dispatch_id)) return bad;
    if (auto bad = check_options(r.options)) return bad;
    return check_signals(r.signals);
}

result validate(const check_verification_request& r) {
    if (auto bad = check_target("", r.target)) return bad;
    if (r.code.empty()) return std::string("code: is required (the code the user typed)");
    if (r.psd2) {
        if (r.psd2->amount.empty()) return std::string("psd2.amount: is required");
        if (r.psd2->currency.empty()) return std::string("psd2.currency: is required");
        if (r.psd2->recipient.empty()) return std::string("psd2.recipient: is required");
    }
    return std::nullopt;
}

result validate(const lookup_request& r) {
    if (r.phone_number.empty()) return std::string("phone_number: is required (an E.164 number)");
    // E.164 is '+' and digits only, so the value can never alter the request path.
    if (!ding::detail::is_e164(r.phone_number))
        return ding::detail::e164_refusal("phone_number", r.phone_number);
    for (std::size_t i = 0; i < r.type.size(); ++i)
        if (r.type[i] == lookup_feature::unknown) return "type[" + std::to_string(i) + "]: 'unknown' cannot be sent";
    return std::nullopt;
}

result validate(const predict_request& r) {
    if (auto bad = check_target("", r.target)) return bad;
    if (auto bad = check_dispatch_id("", r.dispatch_id)) return bad;
    return check_signals(r.signals);
}

result validate(const send_events_request& r) {
    if (r.events.size() > 100)
        return "events: " + std::to_string(r.events.size()) + " items, at most 100 per request";
    for (std::size_t i = 0; i < r.events.size(); ++i) {
        const std::string prefix = "events[" + std::to_string(i) + "].";
        const watch_event& e = r.events[i];
        if (auto bad = check_target(prefix, e.target)) return bad;
        if (e.label.empty()) return prefix + "label: is required";
        if (e.confidence == event_confidence::unknown)
            return prefix + "confidence: must be maximum, high, neutral, low or minimum";
    }
    return std::nullopt;
}

result validate(const send_feedbacks_request& r) {
    if (r.feedbacks.size() > 100)
        return "feedbacks: " + std::to_string(r.feedbacks.size()) + " items, at most 100 per request";
    for (std::size_t i = 0; i < r.feedbacks.size(); ++i) {
        const std::string prefix = "feedbacks[" + std::to_string(i) + "].";
        const feedback& f = r.feedbacks[i];
        if (auto bad = check_target(prefix, f.target)) return bad;
        if (f.type == feedback_type::unknown)
            return prefix + "type: must be verification.started or verification.completed";
    }
    return std::nullopt;
}

}  // namespace ding::v2::detail

namespace ding::v2::detail {

result validate(const set_phone_number_request& r) { return check_phone("phone_number", r.phone_number); }

result validate(const delete_phone_number_request& r) { return check_phone("phone_number", r.phone_number); }

result validate(const submit_sender_id_request& r) { return check_required("sender_id", r.sender_id); }

result validate(const notify_send_request& r) {
    if (auto bad = check_send_common(r)) return bad;
    return check_phone("to", r.to);
}

result validate(const notify_send_batch_request& r) {
    if (auto bad = check_send_common(r)) return bad;
    if (r.to.empty()) return std::string("to: is required (at least one E.164 number)");
    for (std::size_t i = 0; i < r.to.size(); ++i)
        if (auto bad = check_phone("to[" + std::to_string(i) + "]", r.to[i])) return bad;
    return std::nullopt;
}

result validate(const list_subscription_configs_request& r) {
    if (auto bad = check_cursor(r.cursor)) return bad;
    return check_limit(r.limit);
}

result validate(const list_subscription_phone_numbers_request& r) {
    if (auto bad = validate_config_id("config_id", r.config_id)) return bad;
    if (auto bad = check_cursor(r.cursor)) return bad;
    if (auto bad = check_limit(r.limit)) return bad;
    return check_enum("state", r.state);
}

result validate(const list_subscription_phone_number_events_request& r) {
    if (auto bad = validate_config_id("config_id", r.config_id)) return bad;
    if (auto bad = check_phone("phone_number", r.phone_number)) return bad;
    if (auto bad = check_cursor(r.cursor)) return bad;
    return check_limit(r.limit);
}

result validate(const transactional_send_request& r) {
    if (auto bad = check_send_common(r)) return bad;
    if (r.expires_at && r.expires_at->empty()) return std::string("expires_at: must not be empty when set");
    return check_phone("to", r.to);
}

}  // namespace ding::v2::detail

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

}  // namespace

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

#include "v1/validation.hpp"

namespace ding::detail {
namespace {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_with_nocase(std::string_view s, std::string_view prefix) noexcept {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (lower(s[i]) != prefix[i]) return false;
    return true;
}


std::string problem(std::string_view field, std::string_view value, std::string_view what) {
    std::string m(field);
    m.append(": ");
    m.append(quoted(value));
    m.append(" ");
    m.append(what);
    return m;
}

std::optional<std::string> check_uuid(std::string_view field, std::string_view v) {
    if (v.empty()) return std::string(field) + ": is required (a UUID)";
    if (!is_uuid(v)) return problem(field, v, "is not a UUID (8-4-4-4-12 hex digits)");
    return std::nullopt;
}

std::optional<std::string> check_phone(std::string_view field, std::string_view v) {
    if (v.empty()) return std::string(field) + ": is required (an E.164 number)";
    if (!is_e164(v)) return e164_refusal(field, v);
    return std::nullopt;
}

std::optional<std::string> check_not_empty(std::string_view field, const std::optional<std::string>& v) {
    if (v && v->empty()) return std::string(field) + ": must not be empty when set";
    return std::nullopt;
}

}  // namespace




bool is_ipv4(std::string_view s) noexcept {
    int parts = 0;
    std::size_t i = 0;
    while (true) {
        const std::size_t start = i;
        unsigned v = 0;
        while (i < s.size() && is_digit(s[i]) && i - start < 3) v = v * 10 + static_cast<unsigned>(s[i++] - '0');
        const std::size_t len = i - start;
        if (len == 0 || v > 255 || (len > 1 && s[start] == '0')) return false;
        if (++parts == 4) return i == s.size();
        if (i >= s.size() || s[i] != '.') return false;
        ++i;
    }
}


std::optional<std::string> validate(const create_authentication_request& r) {
    if (auto e = check_uuid("customer_uuid", r.customer_uuid)) return e;
    if (auto e = check_phone("phone_number", r.phone_number)) return e;
    if (r.ip) {
        if (r.ip->empty()) return std::string("ip: must not be empty when set");
        if (!is_ipv4(*r.ip)) return problem("ip", *r.ip, "is not an IPv4 address (dotted quad such as 203.0.113.42)");
    }
    if (auto e = check_not_empty("device_id", r.device_id)) return e;
    if (r.device_type && *r.device_type != device_type::ios && *r.device_type != device_type::android &&
        *r.device_type != device_type::web)
        return "device_type: " + std::string(to_string(*r.device_type)) +
               " is not accepted when creating an authentication (use IOS, ANDROID or WEB)";
    if (auto e = check_not_empty("app_version", r.app_version)) return e;
    if (auto e = check_not_empty("sender_id", r.sender_id)) return e;
    if (r.callback_url) {
        const std::string_view u = *r.callback_url;
        std::size_t rest = 0;
        if (starts_with_nocase(u, "https://")) rest = 8;
        else if (starts_with_nocase(u, "http://")) rest = 7;
        if (rest == 0 || u.size() == rest)
            return problem("callback_url", u, "is not an http:// or https:// URL");
        for (const char ch : u) {
            const auto c = static_cast<unsigned char>(ch);
            if (c <= 0x20 || c == 0x7F)
                return problem("callback_url", u, "contains a space or control character");
        }
    }
    if (auto e = check_not_empty("app_realm", r.app_realm)) return e;
    if (r.app_realm && !r.device_type)
        return std::string("app_realm: requires device_type to be set (app_realm_require_device_type)");
    if (auto e = check_not_empty("os_version", r.os_version)) return e;
    if (auto e = check_not_empty("device_model", r.device_model)) return e;
    if (auto e = check_not_empty("template_id", r.template_id)) return e;
    if (auto e = check_not_empty("correlation_id", r.correlation_id)) return e;
    if (auto e = check_not_empty("locale", r.locale)) return e;
    return std::nullopt;
}

std::optional<std::string> validate(const create_check_request& r) {
    if (auto e = check_uuid("customer_uuid", r.customer_uuid)) return e;
    if (auto e = check_uuid("authentication_uuid", r.authentication_uuid)) return e;
    if (r.check_code.empty()) return std::string("check_code: is required");
    if (r.check_code.size() > 64)
        return "check_code: is " + std::to_string(r.check_code.size()) + " characters long (at most 64)";
    if (!is_header_safe(r.check_code))
        return std::string("check_code: contains a character that is not printable ASCII");  // code not echoed
    return std::nullopt;
}

std::optional<std::string> validate(const retry_authentication_request& r) {
    if (auto e = check_uuid("customer_uuid", r.customer_uuid)) return e;
    if (auto e = check_uuid("authentication_uuid", r.authentication_uuid)) return e;
    return std::nullopt;
}

std::optional<std::string> validate(const feedback_request& r) {
    if (auto e = check_uuid("customer_uuid", r.customer_uuid)) return e;
    if (auto e = check_phone("phone_number", r.phone_number)) return e;
    if (r.status != feedback_status::onboarded && r.status != feedback_status::not_onboarded)
        return std::string("status: must be onboarded or not_onboarded");
    return std::nullopt;
}

std::optional<std::string> validate(const lookup_request& r) {
    if (auto e = check_uuid("customer_uuid", r.customer_uuid)) return e;
    if (auto e = check_phone("phone_number", r.phone_number)) return e;
    for (std::size_t i = 0; i < r.types.size(); ++i)
        if (r.types[i] != lookup_type::cnam)
            return "types[" + std::to_string(i) + "]: is not a known lookup type (only cnam)";
    return std::nullopt;
}

std::optional<std::string> validate_authentication_uuid(std::string_view authentication_uuid) {
    return check_uuid("authentication_uuid", authentication_uuid);
}

}  // namespace ding::detail

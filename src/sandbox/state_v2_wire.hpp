// Internal to the sandbox: the wire helpers of its v2 service (the contract's error body, and
// the checker that validates request bodies against the contract's request schemas), shared
// by state_v2.cpp (Verify, Lookup, Watch), state_v2_manage.cpp (verification management,
// subscriptions) and state_v2_notify.cpp (Notify, Transactional).
#pragma once

#include "state.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace ding::detail::v2wire {

namespace json = boost::json;

inline sandbox_response json_response(unsigned status, const json::object& o) {
    sandbox_response r;
    r.status = status;
    r.body = json::serialize(o);
    return r;
}

// The contract's error body: code, message and (when the error is about one field) param.
inline sandbox_response v2_error(unsigned status, std::string_view code, std::string_view message,
                          std::string_view param = {}) {
    json::object o;
    o["code"] = code;
    o["message"] = message;
    if (!param.empty()) o["param"] = param;
    return json_response(status, o);
}

inline std::string join(std::string_view at, std::string_view key) {
    std::string s(at);
    if (!s.empty()) s += '.';
    s += key;
    return s;
}

inline std::string indexed(std::string_view at, std::size_t i) {
    std::string s(at);
    s += '[';
    s += std::to_string(i);
    s += ']';
    return s;
}

inline std::string_view sv(const json::string& s) noexcept { return {s.data(), s.size()}; }

inline bool is_email(std::string_view e) noexcept {
    if (e.size() < 3 || e.size() > 254) return false;
    const auto at = e.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= e.size() || e.find('@', at + 1) != std::string_view::npos)
        return false;
    return std::none_of(e.begin(), e.end(), [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; });
}

// Checks a request body field by field against the contract's request schemas
// (additionalProperties: false). The first problem found becomes the 400 response.
class checker {
public:
    std::optional<sandbox_response> error;

    bool fail(std::string_view code, std::string_view message, std::string_view param) {
        if (!error) error = v2_error(400, code, message, param);
        return false;
    }
    bool invalid(std::string_view param, std::string_view what) {
        std::string m = "'";
        m += param;
        m += "' ";
        m += what;
        return fail("invalid_request", m, param);
    }

    bool only(const json::object& o, std::initializer_list<std::string_view> keys, std::string_view at) {
        for (const auto& kv : o)
            if (std::find(keys.begin(), keys.end(), kv.key()) == keys.end())
                return invalid(join(at, kv.key()), "is not a property of this request");
        return true;
    }

    const json::object* object(const json::object& o, std::string_view key, std::string_view at, bool required) {
        const json::value* v = o.if_contains(key);
        if (!v) {
            if (required) invalid(join(at, key), "is required");
            return nullptr;
        }
        if (!v->is_object()) {
            invalid(join(at, key), "must be an object");
            return nullptr;
        }
        return &v->get_object();
    }

    // nullopt: absent or invalid (error tells which).
    std::optional<std::string_view> string(const json::object& o, std::string_view key, std::string_view at,
                                           bool required, std::initializer_list<std::string_view> allowed = {}) {
        const json::value* v = o.if_contains(key);
        if (!v) {
            if (required) invalid(join(at, key), "is required");
            return std::nullopt;
        }
        if (!v->is_string()) {
            invalid(join(at, key), "must be a string");
            return std::nullopt;
        }
        const std::string_view s = sv(v->get_string());
        if (allowed.size() != 0 && std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
            invalid(join(at, key), "has a value that is not allowed");
            return std::nullopt;
        }
        return s;
    }

    std::optional<bool> boolean(const json::object& o, std::string_view key, std::string_view at) {
        const json::value* v = o.if_contains(key);
        if (!v) return std::nullopt;
        if (!v->is_bool()) {
            invalid(join(at, key), "must be a boolean");
            return std::nullopt;
        }
        return v->get_bool();
    }

    std::optional<std::int64_t> integer(const json::object& o, std::string_view key, std::string_view at) {
        const json::value* v = o.if_contains(key);
        if (!v) return std::nullopt;
        if (v->is_int64()) return v->get_int64();
        if (v->is_uint64()) return v->get_uint64() > 1'000'000u ? std::int64_t(1'000'000) : std::int64_t(v->get_uint64());
        invalid(join(at, key), "must be an integer");
        return std::nullopt;
    }

    const json::array* array(const json::object& o, std::string_view key, std::string_view at, bool required,
                             std::size_t max_items) {
        const json::value* v = o.if_contains(key);
        if (!v) {
            if (required) invalid(join(at, key), "is required");
            return nullptr;
        }
        if (!v->is_array()) {
            invalid(join(at, key), "must be an array");
            return nullptr;
        }
        if (v->get_array().size() > max_items) {
            invalid(join(at, key), "has more than " + std::to_string(max_items) + " items");
            return nullptr;
        }
        return &v->get_array();
    }

    struct target_value {
        std::string type;
        std::string value;
    };

    // Target {type, value}; value checked by type. `phone_only` for Watch events and feedback.
    std::optional<target_value> target(const json::object& parent, std::string_view at, bool phone_only = false) {
        const json::object* t = object(parent, "target", at, true);
        if (!t) return std::nullopt;
        const std::string where = join(at, "target");
        if (!only(*t, {"type", "value"}, where)) return std::nullopt;
        auto type = phone_only ? string(*t, "type", where, true, {"phone_number"})
                               : string(*t, "type", where, true, {"phone_number", "email_address"});
        auto value = string(*t, "value", where, true);
        if (!type || !value) return std::nullopt;
        if (*type == "phone_number" && !is_dialable_e164(*value)) {
            fail("invalid_phone_number", "The phone number is not a valid E.164 number.", join(where, "value"));
            return std::nullopt;
        }
        if (*type == "email_address" && !is_email(*value)) {
            fail("invalid_email_address", "The email address is not valid.", join(where, "value"));
            return std::nullopt;
        }
        return target_value{std::string(*type), std::string(*value)};
    }

    // RequestMetadata; returns the correlation id if any.
    std::optional<std::string> metadata(const json::object& parent, std::string_view at) {
        const json::object* m = object(parent, "metadata", at, false);
        if (!m) return std::nullopt;
        const std::string where = join(at, "metadata");
        if (!only(*m, {"correlation_id"}, where)) return std::nullopt;
        auto id = string(*m, "correlation_id", where, false);
        return id ? std::optional<std::string>(std::string(*id)) : std::nullopt;
    }

    void signals(const json::object& parent, std::string_view at) {
        const json::object* s = object(parent, "signals", at, false);
        if (!s) return;
        const std::string where = join(at, "signals");
        if (!only(*s, {"ip", "device_id", "device_platform", "device_model", "os_version", "app_version", "user_agent",
                       "ja4_fingerprint", "is_trusted_user"},
                  where))
            return;
        for (std::string_view k :
             {"ip", "device_id", "device_model", "os_version", "app_version", "user_agent", "ja4_fingerprint"})
            (void)string(*s, k, where, false);
        (void)string(*s, "device_platform", where, false, {"android", "ios", "ipados", "tvos", "web"});
        (void)boolean(*s, "is_trusted_user", where);
    }

    void dispatch_id(const json::object& parent, std::string_view at) {
        auto d = string(parent, "dispatch_id", at, false);
        if (d && d->size() != 36) invalid(join(at, "dispatch_id"), "must be 36 characters long");
    }
};

// Parses `body` as a JSON object; on failure sets the checker's error.
inline std::optional<json::object> parse_body(checker& c, std::string_view body) {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec) {
        c.fail("invalid_request", "The request body is not valid JSON.", "");
        return std::nullopt;
    }
    if (!v.is_object()) {
        c.fail("invalid_request", "The request body must be a JSON object.", "");
        return std::nullopt;
    }
    return std::move(v.as_object());
}

inline json::object target_json(std::string_view type, std::string_view value) {
    return json::object{{"type", type}, {"value", value}};
}

}  // namespace ding::detail::v2wire

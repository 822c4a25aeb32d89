#include "v2/codec.hpp"

#include "codec/json_number.hpp"
#include "codec/json_parse.hpp"
#include "codec/json_string.hpp"
#include "codec/rfc3339.hpp"

#include <boost/describe/class.hpp>
#include <boost/describe/members.hpp>
#include <boost/json.hpp>
#include <boost/mp11/algorithm.hpp>

#include <charconv>
#include <cmath>
#include <concepts>
#include <map>
#include <optional>
#include <type_traits>
#include <vector>

namespace ding::v2::detail {
namespace {

namespace json = boost::json;
using time_point = std::chrono::system_clock::time_point;
using ding::detail::append_json_string;

}  // namespace
}  // namespace ding::v2::detail

namespace ding::v2 {

// ---------------------------------------------------------------------------------------------
// One field list per struct, in the contract's order (Boost.Describe). The JSON name of a
// property is its member's name; a std::optional member is optional on the wire, any other
// member is required. The same list drives the encoder and the decoder, so the two can never
// disagree on a name. Boost.Describe finds these by argument-dependent lookup, so they sit in the
// models' namespace; they are visible to this file only.
// ---------------------------------------------------------------------------------------------

// Verify, Lookup, Watch, webhooks
BOOST_DESCRIBE_STRUCT(target, (), (type, value))
BOOST_DESCRIBE_STRUCT(request_metadata, (), (correlation_id))
BOOST_DESCRIBE_STRUCT(signals, (),
                      (ip, device_id, device_platform, device_model, os_version, app_version, user_agent,
                       ja4_fingerprint, is_trusted_user))
BOOST_DESCRIBE_STRUCT(app_realm, (), (platform, value))
BOOST_DESCRIBE_STRUCT(verification_options, (),
                      (template_id, variables, locale, sender_id, callback_url, code_size, custom_code, method,
                       preferred_channel, channels, max_auto_fallbacks, force_challenge, app_realm))
BOOST_DESCRIBE_STRUCT(psd2_transaction, (), (amount, currency, recipient))
BOOST_DESCRIBE_STRUCT(create_verification_request, (), (target, dispatch_id, metadata, options, signals))
BOOST_DESCRIBE_STRUCT(check_verification_request, (), (target, code, psd2))
BOOST_DESCRIBE_STRUCT(predict_request, (), (target, dispatch_id, metadata, signals))
BOOST_DESCRIBE_STRUCT(watch_event, (), (target, label, confidence))
BOOST_DESCRIBE_STRUCT(send_events_request, (), (events))
BOOST_DESCRIBE_STRUCT(feedback, (), (target, type, metadata))
BOOST_DESCRIBE_STRUCT(send_feedbacks_request, (), (feedbacks))
BOOST_DESCRIBE_STRUCT(silent_verification, (), (request_url))
BOOST_DESCRIBE_STRUCT(response_metadata, (), (correlation_id))
BOOST_DESCRIBE_STRUCT(create_verification_response, (),
                      (id, status, method, channels, reason, risk_factors, silent, metadata, request_id))
BOOST_DESCRIBE_STRUCT(check_verification_response, (), (status, id, metadata, request_id))
BOOST_DESCRIBE_STRUCT(network_info, (), (carrier_name, mcc, mnc))
BOOST_DESCRIBE_STRUCT(lookup_response, (),
                      (phone_number, country_code, line_type, network_info, original_network_info, flags,
                       caller_name))
BOOST_DESCRIBE_STRUCT(predict_response, (), (id, prediction, risk_factors, request_id))
BOOST_DESCRIBE_STRUCT(send_events_response, (), (status, request_id))
BOOST_DESCRIBE_STRUCT(send_feedbacks_response, (), (status, request_id))
BOOST_DESCRIBE_STRUCT(error_body, (), (code, message, param))
BOOST_DESCRIBE_STRUCT(webhook_price, (), (amount, currency))
BOOST_DESCRIBE_STRUCT(carrier_information, (), (mcc, mnc))
BOOST_DESCRIBE_STRUCT(authentication_payload, (), (verification_id, target, metadata, price, time))
BOOST_DESCRIBE_STRUCT(attempt_payload, (),
                      (id, verification_id, target, channel, delivery_status, carrier_information, metadata,
                       price, time))
BOOST_DESCRIBE_STRUCT(delivery_status_payload, (),
                      (id, verification_id, target, status, channel, carrier_information, metadata, price,
                       time))

// Verify management, Notify, Transactional
BOOST_DESCRIBE_STRUCT(listed_phone_number, (), (created_at, phone_number))
BOOST_DESCRIBE_STRUCT(list_phone_numbers_response, (), (phone_numbers))
BOOST_DESCRIBE_STRUCT(set_phone_number_request, (), (phone_number))
BOOST_DESCRIBE_STRUCT(set_phone_number_response, (), (phone_number))
BOOST_DESCRIBE_STRUCT(delete_phone_number_request, (), (phone_number))
BOOST_DESCRIBE_STRUCT(delete_phone_number_response, (), (phone_number))
BOOST_DESCRIBE_STRUCT(sender_id_entry, (), (sender_id, status))
BOOST_DESCRIBE_STRUCT(list_sender_ids_response, (), (sender_ids))
BOOST_DESCRIBE_STRUCT(submit_sender_id_request, (), (sender_id))
BOOST_DESCRIBE_STRUCT(submit_sender_id_response, (), (sender_id, status, reason))
BOOST_DESCRIBE_STRUCT(message_document, (), (url, filename))
BOOST_DESCRIBE_STRUCT(notify_send_request, (),
                      (template_id, to, callback_url, correlation_id, document, expires_at, from, locale,
                       max_auto_retries, preferred_channel, schedule_at, variables))
BOOST_DESCRIBE_STRUCT(notify_send_response, (),
                      (id, created_at, expires_at, template_id, to, variables, callback_url, correlation_id,
                       encoding, estimated_segment_count, from, schedule_at))
BOOST_DESCRIBE_STRUCT(notify_send_batch_request, (),
                      (template_id, to, callback_url, correlation_id, document, expires_at, from, locale,
                       max_auto_retries, preferred_channel, schedule_at, variables))
BOOST_DESCRIBE_STRUCT(notify_batch_result_error, (), (code, message))
BOOST_DESCRIBE_STRUCT(notify_batch_result_message, (),
                      (id, correlation_id, created_at, encoding, estimated_segment_count, expires_at, from,
                       locale, schedule_at, to))
BOOST_DESCRIBE_STRUCT(notify_batch_result, (), (phone_number, success, error, message))
BOOST_DESCRIBE_STRUCT(notify_send_batch_response, (),
                      (error_count, results, success_count, total_count, callback_url, request_id, template_id,
                       variables))
BOOST_DESCRIBE_STRUCT(subscription_messages, (), (help_message, start_message, stop_message))
BOOST_DESCRIBE_STRUCT(mo_phone_number, (), (country_code, phone_number))
BOOST_DESCRIBE_STRUCT(subscription_config, (),
                      (id, callback_url, created_at, messages, name, updated_at, mo_phone_numbers))
BOOST_DESCRIBE_STRUCT(list_subscription_configs_response, (), (configs, next_cursor))
BOOST_DESCRIBE_STRUCT(subscription_phone_number, (), (config_id, phone_number, source, state, updated_at, reason))
BOOST_DESCRIBE_STRUCT(list_subscription_phone_numbers_response, (), (phone_numbers, next_cursor))
BOOST_DESCRIBE_STRUCT(subscription_event, (), (config_id, phone_number, source, state, timestamp, reason))
BOOST_DESCRIBE_STRUCT(list_subscription_phone_number_events_response, (), (events, next_cursor))
BOOST_DESCRIBE_STRUCT(transactional_send_request, (),
                      (template_id, to, callback_url, correlation_id, document, expires_at, from, locale,
                       max_auto_retries, preferred_channel, variables))
BOOST_DESCRIBE_STRUCT(transactional_send_response, (),
                      (id, created_at, expires_at, template_id, to, variables, callback_url, correlation_id,
                       from))

}  // namespace ding::v2

namespace ding::v2::detail {
namespace {

/// Calls `v(name, member)` for every described member of `s`, in the list's order.
template <class S, class V>
    requires boost::describe::has_describe_members<std::remove_const_t<S>>::value
void describe(S& s, V& v) {
    using members = boost::describe::describe_members<std::remove_const_t<S>, boost::describe::mod_public>;
    boost::mp11::mp_for_each<members>([&](auto d) { v(d.name, s.*d.pointer); });
}

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

using string_map = std::map<std::string, std::string>;

// ---------------------------------------------------------------------------------------------
// Encoding. Static members so that the overloads see each other whatever their order.
// ---------------------------------------------------------------------------------------------

struct json_out {
    std::string& out;
    bool first = true;

    template <class T>
    void operator()(std::string_view key, const T& value) {
        if constexpr (is_optional<T>::value) {
            if (value && writable(*value)) {
                write_key(key);
                write(*value, out);
            }
        } else if (writable(value)) {
            write_key(key);
            write(value, out);
        }
    }

    void write_key(std::string_view key) {
        if (!first) out.push_back(',');
        first = false;
        out.push_back('"');
        out.append(key); // names are ASCII identifiers: nothing to escape
        out.append("\":");
    }

    // JSON has no NaN or infinity: such a value is omitted rather than written invalid.
    template <class T>
    static bool writable(const T& value) {
        if constexpr (std::is_floating_point_v<T>) return std::isfinite(value);
        else return true;
    }

    static void write(const std::string& s, std::string& out) { append_json_string(s, out); }
    static void write(bool b, std::string& out) { out.append(b ? "true" : "false"); }
    static void write(double d, std::string& out) {
        char buf[32];
        const auto r = std::to_chars(buf, buf + sizeof buf, d); // shortest round-trip form
        out.append(buf, r.ptr);
    }
    template <ding::detail::json_integer_target I>
    static void write(I i, std::string& out) {
        char buf[24];
        const auto r = std::to_chars(buf, buf + sizeof buf, i);
        out.append(buf, r.ptr);
    }
    static void write(time_point tp, std::string& out) {
        out.push_back('"');
        ding::detail::format_rfc3339(tp, out);
        out.push_back('"');
    }
    template <class E>
        requires std::is_enum_v<E>
    static void write(E e, std::string& out) {
        append_json_string(to_string(e), out);
    }
    static void write(const string_map& m, std::string& out) {
        out.push_back('{');
        bool first_entry = true;
        for (const auto& [k, val] : m) {
            if (!first_entry) out.push_back(',');
            first_entry = false;
            append_json_string(k, out);
            out.push_back(':');
            append_json_string(val, out);
        }
        out.push_back('}');
    }
    template <class T>
    static void write(const std::vector<T>& items, std::string& out) {
        out.push_back('[');
        bool first_item = true;
        for (const T& item : items) {
            if (!first_item) out.push_back(',');
            first_item = false;
            if (writable(item)) write(item, out);
            else out.append("null"); // keeps positions; only reachable for a non-finite double
        }
        out.push_back(']');
    }
    template <class S>
        requires std::is_class_v<S> && requires(const S& s, json_out& w) { describe(s, w); }
    static void write(const S& s, std::string& out) {
        out.push_back('{');
        json_out w{out};
        describe(s, w);
        out.push_back('}');
    }
};

template <class T>
void encode_struct(const T& in, std::string& out) {
    json_out::write(in, out);
}

// ---------------------------------------------------------------------------------------------
// Decoding.
// ---------------------------------------------------------------------------------------------

// Where in the body we are, for messages: "" at the top, "options." or "events[2]." below.
struct context {
    std::string& why;
    std::string prefix;

    bool fail(std::string_view field, std::string_view problem) const {
        why.assign("field '");
        why.append(prefix);
        why.append(field);
        why.append("': ");
        why.append(problem);
        return false;
    }
    context nested(std::string_view field) const { return context{why, prefix + std::string(field) + "."}; }
};

// Quotes at most 64 bytes of a server-sent value for a message.
std::string excerpt(std::string_view v) {
    constexpr std::size_t max = 64;
    std::string s;
    append_json_string(v.substr(0, max), s);
    if (v.size() > max) s.append("...");
    return s;
}

// The value of `key`, or nullptr when it is absent or null.
const json::value* member(const json::object& o, std::string_view key) noexcept {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return nullptr;
    return v;
}

struct json_in {
    const json::object& object;
    const context& where;
    bool ok = true;

    template <class T>
    void operator()(std::string_view key, T& value) {
        if (!ok) return;
        const json::value* v = member(object, key);
        if constexpr (is_optional<T>::value) {
            if (v == nullptr) return; // absent: stays nullopt
            typename T::value_type item{};
            if (!read(*v, item, where, key)) {
                ok = false;
                return;
            }
            value = std::move(item);
        } else {
            if (v == nullptr) {
                ok = where.fail(key, "missing (the contract requires it)");
                return;
            }
            ok = read(*v, value, where, key);
        }
    }

    static bool read(const json::value& v, std::string& out, const context& c, std::string_view field) {
        const json::string* s = v.if_string();
        if (s == nullptr) return c.fail(field, "expected string");
        out.assign(s->data(), s->size());
        return true;
    }
    static bool read(const json::value& v, bool& out, const context& c, std::string_view field) {
        const bool* b = v.if_bool();
        if (b == nullptr) return c.fail(field, "expected boolean");
        out = *b;
        return true;
    }
    static bool read(const json::value& v, double& out, const context& c, std::string_view field) {
        if (const double* d = v.if_double()) {
            if (!std::isfinite(*d)) return c.fail(field, "number too large for a double");
            out = *d;
        } else if (const std::int64_t* i = v.if_int64()) out = static_cast<double>(*i);
        else if (const std::uint64_t* u = v.if_uint64()) out = static_cast<double>(*u);
        else return c.fail(field, "expected number");
        return true;
    }
    template <ding::detail::json_integer_target I>
    static bool read(const json::value& v, I& out, const context& c, std::string_view field) {
        const auto r = ding::detail::json_to_integer(v, out);
        if (r != ding::detail::json_integer_result::ok) return c.fail(field, ding::detail::json_integer_problem<I>(r));
        return true;
    }
    static bool read(const json::value& v, time_point& out, const context& c, std::string_view field) {
        const json::string* s = v.if_string();
        if (s == nullptr) return c.fail(field, "expected string (RFC 3339 date-time)");
        const std::string_view text(s->data(), s->size());
        if (!ding::detail::parse_rfc3339(text, out)) return c.fail(field, excerpt(text) + " is not an RFC 3339 date-time");
        return true;
    }
    template <class E>
        requires std::is_enum_v<E>
    static bool read(const json::value& v, E& out, const context& c, std::string_view field) {
        const json::string* s = v.if_string();
        if (s == nullptr) return c.fail(field, "expected string");
        (void)from_string(std::string_view(s->data(), s->size()), out); // unknown spelling -> E::unknown
        return true;
    }
    static bool read(const json::value& v, string_map& out, const context& c, std::string_view field) {
        const json::object* o = v.if_object();
        if (o == nullptr) return c.fail(field, "expected object");
        const context inner = c.nested(field);
        for (const auto& entry : *o) {
            const std::string_view k(entry.key().data(), entry.key().size());
            const json::string* s = entry.value().if_string();
            if (s == nullptr) return inner.fail(k, "expected string");
            out.insert_or_assign(std::string(k), std::string(s->data(), s->size()));
        }
        return true;
    }
    template <class T>
    static bool read(const json::value& v, std::vector<T>& out, const context& c, std::string_view field) {
        const json::array* a = v.if_array();
        if (a == nullptr) return c.fail(field, "expected array");
        out.clear();
        out.reserve(a->size());
        for (std::size_t i = 0; i < a->size(); ++i) {
            T item{};
            const std::string element = std::string(field) + "[" + std::to_string(i) + "]";
            if ((*a)[i].is_null()) return c.fail(element, "null is not allowed in this array");
            if (!read((*a)[i], item, c, element)) return false;
            out.push_back(std::move(item));
        }
        return true;
    }
    template <class S>
        requires std::is_class_v<S> && requires(S& s, json_in& r) { describe(s, r); }
    static bool read(const json::value& v, S& out, const context& c, std::string_view field) {
        const json::object* o = v.if_object();
        if (o == nullptr) return c.fail(field, "expected object");
        return read_object(*o, out, c.nested(field));
    }
    template <class S>
    static bool read_object(const json::object& o, S& out, const context& c) {
        json_in r{o, c};
        describe(out, r);
        return r.ok;
    }
};

// Parses `body` as one JSON object and hands it to `f(object, context)`.
template <class F>
bool with_object(std::string_view body, std::string& why, F&& f) {
    // Small bodies are parsed without touching the heap; larger ones spill over.
    alignas(std::max_align_t) unsigned char buffer[4096];
    json::monotonic_resource resource(buffer, sizeof buffer);
    json::error_code ec;
    const json::value doc = ding::detail::parse_json(body, &resource, ec);
    if (ec) {
        why.assign("body is not valid JSON: ");
        why.append(ec.message());
        return false;
    }
    const json::object* obj = doc.if_object();
    if (obj == nullptr) {
        why.assign("body is not a JSON object");
        return false;
    }
    return f(*obj, context{why, {}});
}

template <class T>
bool decode_struct(std::string_view body, T& out, std::string& why) {
    return with_object(body, why, [&](const json::object& o, const context& c) {
        T result{};
        if (!json_in::read_object(o, result, c)) return false;
        out = std::move(result);
        return true;
    });
}

template <class Payload>
bool read_payload(const json::object& o, webhook_payload& out, const context& c) {
    Payload p{};
    if (!json_in::read_object(o, p, c.nested("payload"))) return false;
    out = std::move(p);
    return true;
}

// Whether every number in `v` is finite. A number beyond the double range parses as an infinity
// (codec/json_parse.hpp), which Boost.JSON would write as `Infinity`: not JSON. Recursion is bounded
// by the parser's depth limit.
bool finite_numbers_only(const json::value& v) {
    if (const double* d = v.if_double()) return std::isfinite(*d);
    if (const json::object* o = v.if_object()) {
        for (const auto& m : *o)
            if (!finite_numbers_only(m.value())) return false;
    } else if (const json::array* a = v.if_array()) {
        for (const auto& e : *a)
            if (!finite_numbers_only(e)) return false;
    }
    return true;
}

}  // namespace

void encode(const create_verification_request& in, std::string& out) { encode_struct(in, out); }
void encode(const check_verification_request& in, std::string& out) { encode_struct(in, out); }
void encode(const predict_request& in, std::string& out) { encode_struct(in, out); }
void encode(const send_events_request& in, std::string& out) { encode_struct(in, out); }
void encode(const send_feedbacks_request& in, std::string& out) { encode_struct(in, out); }
void encode(const create_verification_response& in, std::string& out) { encode_struct(in, out); }
void encode(const check_verification_response& in, std::string& out) { encode_struct(in, out); }
void encode(const lookup_response& in, std::string& out) { encode_struct(in, out); }
void encode(const predict_response& in, std::string& out) { encode_struct(in, out); }
void encode(const send_events_response& in, std::string& out) { encode_struct(in, out); }
void encode(const send_feedbacks_response& in, std::string& out) { encode_struct(in, out); }
void encode(const error_body& in, std::string& out) { encode_struct(in, out); }
void encode(const list_phone_numbers_response& in, std::string& out) { encode_struct(in, out); }
void encode(const set_phone_number_request& in, std::string& out) { encode_struct(in, out); }
void encode(const set_phone_number_response& in, std::string& out) { encode_struct(in, out); }
void encode(const delete_phone_number_request& in, std::string& out) { encode_struct(in, out); }
void encode(const delete_phone_number_response& in, std::string& out) { encode_struct(in, out); }
void encode(const list_sender_ids_response& in, std::string& out) { encode_struct(in, out); }
void encode(const submit_sender_id_request& in, std::string& out) { encode_struct(in, out); }
void encode(const submit_sender_id_response& in, std::string& out) { encode_struct(in, out); }
void encode(const notify_send_request& in, std::string& out) { encode_struct(in, out); }
void encode(const notify_send_response& in, std::string& out) { encode_struct(in, out); }
void encode(const notify_send_batch_request& in, std::string& out) { encode_struct(in, out); }
void encode(const notify_send_batch_response& in, std::string& out) { encode_struct(in, out); }
void encode(const subscription_config& in, std::string& out) { encode_struct(in, out); }
void encode(const list_subscription_configs_response& in, std::string& out) { encode_struct(in, out); }
void encode(const subscription_phone_number& in, std::string& out) { encode_struct(in, out); }
void encode(const list_subscription_phone_numbers_response& in, std::string& out) { encode_struct(in, out); }
void encode(const list_subscription_phone_number_events_response& in, std::string& out) { encode_struct(in, out); }
void encode(const transactional_send_request& in, std::string& out) { encode_struct(in, out); }
void encode(const transactional_send_response& in, std::string& out) { encode_struct(in, out); }

void encode(const webhook_event& in, std::string& out) {
    json_out w{out};
    out.push_back('{');
    w("id", in.id);
    w("type", in.type);
    w.write_key("payload");
    std::visit(
        [&](const auto& p) {
            if constexpr (std::is_same_v<std::decay_t<decltype(p)>, unknown_payload>)
                out.append(in.payload_json.empty() ? std::string_view("{}") : std::string_view(in.payload_json));
            else
                json_out::write(p, out);
        },
        in.payload);
    w("created_at", in.created_at);
    out.push_back('}');
}

bool decode(std::string_view body, create_verification_request& out, std::string& why) {
    return decode_struct(body, out, why);
}
bool decode(std::string_view body, check_verification_request& out, std::string& why) {
    return decode_struct(body, out, why);
}
bool decode(std::string_view body, predict_request& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, send_events_request& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, send_feedbacks_request& out, std::string& why) {
    return decode_struct(body, out, why);
}
bool decode(std::string_view body, create_verification_response& out, std::string& why) {
    return decode_struct(body, out, why);
}
bool decode(std::string_view body, check_verification_response& out, std::string& why) {
    return decode_struct(body, out, why);
}
bool decode(std::string_view body, lookup_response& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, predict_response& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, send_events_response& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, send_feedbacks_response& out, std::string& why) {
    return decode_struct(body, out, why);
}
bool decode(std::string_view body, error_body& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, list_phone_numbers_response& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, set_phone_number_request& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, set_phone_number_response& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, delete_phone_number_request& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, delete_phone_number_response& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, list_sender_ids_response& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, submit_sender_id_request& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, submit_sender_id_response& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, notify_send_request& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, notify_send_response& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, notify_send_batch_request& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, notify_send_batch_response& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, subscription_config& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, list_subscription_configs_response& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, subscription_phone_number& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, list_subscription_phone_numbers_response& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, list_subscription_phone_number_events_response& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, transactional_send_request& out, std::string& why) { return decode_struct(body, out, why); }
bool decode(std::string_view body, transactional_send_response& out, std::string& why) { return decode_struct(body, out, why); }

bool decode(std::string_view body, webhook_event& out, std::string& why) {
    return with_object(body, why, [&](const json::object& o, const context& c) {
        webhook_event e;
        json_in envelope{o, c};
        envelope("id", e.id);
        envelope("type", e.type);
        envelope("created_at", e.created_at);
        if (!envelope.ok) return false;
        const json::value* p = member(o, "payload");
        if (p == nullptr) return c.fail("payload", "missing (every webhook has one)");
        const json::object* payload = p->if_object();
        if (payload == nullptr) return c.fail("payload", "expected object");
        bool ok = true;
        if (e.type == "verify.authentication") ok = read_payload<authentication_payload>(*payload, e.payload, c);
        else if (e.type == "verify.attempt") ok = read_payload<attempt_payload>(*payload, e.payload, c);
        else if (e.type == "verify.delivery_status") ok = read_payload<delivery_status_payload>(*payload, e.payload, c);
        else e.payload = unknown_payload{}; // a type this SDK does not know: payload_json has it all
        if (!ok) return false;
        // payload_json is handed out as JSON: a number that has no JSON spelling once parsed is refused.
        if (!finite_numbers_only(*p)) return c.fail("payload", "a number too large for a double");
        e.payload_json = json::serialize(*payload);
        out = std::move(e);
        return true;
    });
}

}  // namespace ding::v2::detail

#include "v1/codec.hpp"

#include "codec/json_number.hpp"
#include "codec/json_parse.hpp"
#include "codec/json_string.hpp"
#include "codec/rfc3339.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>

namespace ding::detail {
namespace {

namespace json = boost::json;
using time_point = std::chrono::system_clock::time_point;

// =====================================================================
// Encoding
// =====================================================================

void append_int(std::int64_t v, std::string& out) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

// Shortest representation that reads back to the same double.
void append_double(double v, std::string& out) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void append_time(time_point tp, std::string& out) {
    out.push_back('"');
    format_rfc3339(tp, out);
    out.push_back('"');
}

// Writes `"key":` with the separator that precedes it; opens the object on first use.
class object_writer {
public:
    explicit object_writer(std::string& out) : out_(out) { out_.push_back('{'); }
    ~object_writer() = default;
    object_writer(const object_writer&) = delete;
    object_writer& operator=(const object_writer&) = delete;

    void close() { out_.push_back('}'); }

    std::string& key(std::string_view k) {
        if (!first_) out_.push_back(',');
        first_ = false;
        out_.push_back('"');
        out_.append(k);  // keys are ASCII identifiers, no escaping needed
        out_.append("\":");
        return out_;
    }

    void field(std::string_view k, std::string_view v) { append_json_string(v, key(k)); }
    void field(std::string_view k, bool v) { key(k).append(v ? "true" : "false"); }
    void field(std::string_view k, std::int64_t v) { append_int(v, key(k)); }
    void field(std::string_view k, double v) {
        if (std::isfinite(v)) append_double(v, key(k));
    }
    void field(std::string_view k, time_point v) { append_time(v, key(k)); }
    template <class E, std::enable_if_t<std::is_enum_v<E>, int> = 0>
    void field(std::string_view k, E v) {
        append_json_string(to_string(v), key(k));
    }
    template <class T>
    void field(std::string_view k, const std::optional<T>& v) {
        if (v) field(k, *v);
    }

private:
    std::string& out_;
    bool first_ = true;
};

void encode_event(const attempt_event& e, std::string& out) {
    object_writer w(out);
    w.field("type", std::string_view("attempt"));
    w.field("id", e.id);
    w.field("content", e.content);
    w.field("sender_id", e.sender_id);
    w.field("capability", e.capability);
    w.field("attempt_number", e.attempt_number);
    w.field("status", e.status);
    w.field("created_at", e.created_at);
    w.close();
}

void encode_event(const check_event& e, std::string& out) {
    object_writer w(out);
    w.field("type", std::string_view("check"));
    w.field("id", e.id);
    w.field("code", e.code);
    w.field("status", e.status);
    w.field("created_at", e.created_at);
    w.close();
}

void encode_event(const delivery_status_event& e, std::string& out) {
    object_writer w(out);
    w.field("type", std::string_view("delivery_status"));
    w.field("attempt_id", e.attempt_id);
    w.field("attempt_number", e.attempt_number);
    w.field("status", e.status);
    w.field("originated_at", e.originated_at);
    w.field("created_at", e.created_at);
    w.close();
}

void encode_event(const balance_update_event& e, std::string& out) {
    object_writer w(out);
    w.field("type", std::string_view("balance_update"));
    w.field("balance_update_type", e.balance_update_type);
    w.field("amount", e.amount);
    w.field("created_at", e.created_at);
    w.close();
}

// =====================================================================
// Decoding
// =====================================================================

// Where in the body we are, for messages: "" at the top, "signals." or "events[2]." below.
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
};

// Quotes at most 64 bytes of a server-sent value for a message.
std::string excerpt(std::string_view v) {
    constexpr std::size_t max = 64;
    std::string s;
    if (v.size() > max) {
        append_json_string(v.substr(0, max), s);
        s.append("...");
    } else {
        append_json_string(v, s);
    }
    return s;
}

// Returns the value of `key`, or nullptr when it is absent or null.
const json::value* member(const json::object& o, std::string_view key) noexcept {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return nullptr;
    return v;
}

bool read(const json::object& o, std::string_view key, std::optional<std::string>& out, const context& c) {
    const json::value* v = member(o, key);
    if (v == nullptr) return true;
    const json::string* s = v->if_string();
    if (s == nullptr) return c.fail(key, "expected string");
    out.emplace(s->data(), s->size());
    return true;
}

bool read(const json::object& o, std::string_view key, std::optional<bool>& out, const context& c) {
    const json::value* v = member(o, key);
    if (v == nullptr) return true;
    const bool* b = v->if_bool();
    if (b == nullptr) return c.fail(key, "expected boolean");
    out = *b;
    return true;
}

// Every integer field goes through json_to_integer (json_number.hpp): only JSON integers within
// the field type's range, compared exactly; a double (fraction, exponent, beyond 64 bits) is refused.
template <json_integer_target T>
bool read(const json::object& o, std::string_view key, std::optional<T>& out, const context& c) {
    const json::value* v = member(o, key);
    if (v == nullptr) return true;
    T value{};
    const json_integer_result r = json_to_integer(*v, value);
    if (r != json_integer_result::ok) return c.fail(key, json_integer_problem<T>(r));
    out = value;
    return true;
}

bool read(const json::object& o, std::string_view key, std::optional<double>& out, const context& c) {
    const json::value* v = member(o, key);
    if (v == nullptr) return true;
    if (const double* d = v->if_double()) {
        if (!std::isfinite(*d)) return c.fail(key, "number too large for a double");
        out = *d;
    } else if (const std::int64_t* i = v->if_int64()) out = static_cast<double>(*i);
    else if (const std::uint64_t* u = v->if_uint64()) out = static_cast<double>(*u);
    else return c.fail(key, "expected number");
    return true;
}

bool read(const json::object& o, std::string_view key, std::optional<time_point>& out, const context& c) {
    const json::value* v = member(o, key);
    if (v == nullptr) return true;
    const json::string* s = v->if_string();
    if (s == nullptr) return c.fail(key, "expected string (RFC 3339 date-time)");
    time_point tp{};
    if (!parse_rfc3339(std::string_view(s->data(), s->size()), tp))
        return c.fail(key, excerpt(std::string_view(s->data(), s->size())) + " is not an RFC 3339 date-time");
    out = tp;
    return true;
}

template <class E, std::enable_if_t<std::is_enum_v<E>, int> = 0>
bool read(const json::object& o, std::string_view key, std::optional<E>& out, const context& c) {
    const json::value* v = member(o, key);
    if (v == nullptr) return true;
    const json::string* s = v->if_string();
    if (s == nullptr) return c.fail(key, "expected string");
    E e{};
    (void)from_string(std::string_view(s->data(), s->size()), e);  // unknown spelling -> E::unknown
    out = e;
    return true;
}

bool read_object(const json::object& o, signals& out, const context& c) {
    return read(o, "ip", out.ip, c) && read(o, "device_id", out.device_id, c) &&
           read(o, "device_type", out.device_type, c) && read(o, "app_version", out.app_version, c) &&
           read(o, "app_realm", out.app_realm, c) && read(o, "os_version", out.os_version, c) &&
           read(o, "device_model", out.device_model, c) && read(o, "is_returning_user", out.is_returning_user, c);
}

bool read_object(const json::object& o, attempt_event& out, const context& c) {
    return read(o, "id", out.id, c) && read(o, "content", out.content, c) && read(o, "sender_id", out.sender_id, c) &&
           read(o, "capability", out.capability, c) && read(o, "attempt_number", out.attempt_number, c) &&
           read(o, "status", out.status, c) && read(o, "created_at", out.created_at, c);
}

bool read_object(const json::object& o, check_event& out, const context& c) {
    return read(o, "id", out.id, c) && read(o, "code", out.code, c) && read(o, "status", out.status, c) &&
           read(o, "created_at", out.created_at, c);
}

bool read_object(const json::object& o, delivery_status_event& out, const context& c) {
    return read(o, "attempt_id", out.attempt_id, c) && read(o, "attempt_number", out.attempt_number, c) &&
           read(o, "status", out.status, c) && read(o, "originated_at", out.originated_at, c) &&
           read(o, "created_at", out.created_at, c);
}

bool read_object(const json::object& o, balance_update_event& out, const context& c) {
    return read(o, "balance_update_type", out.balance_update_type, c) && read(o, "amount", out.amount, c) &&
           read(o, "created_at", out.created_at, c);
}

template <class Event>
bool read_event(const json::object& o, std::vector<authentication_event>& out, const context& c) {
    Event e;
    if (!read_object(o, e, c)) return false;
    out.emplace_back(std::move(e));
    return true;
}

bool read(const json::object& o, std::string_view key, std::optional<ding::signals>& out, const context& c) {
    const json::value* v = member(o, key);
    if (v == nullptr) return true;
    const json::object* obj = v->if_object();
    if (obj == nullptr) return c.fail(key, "expected object");
    context inner{c.why, c.prefix + std::string(key) + "."};
    ding::signals s;
    if (!read_object(*obj, s, inner)) return false;
    out = std::move(s);
    return true;
}

bool read(const json::object& o, std::string_view key, std::optional<std::vector<authentication_event>>& out,
          const context& c) {
    const json::value* v = member(o, key);
    if (v == nullptr) return true;
    const json::array* arr = v->if_array();
    if (arr == nullptr) return c.fail(key, "expected array");
    std::vector<authentication_event> events;
    events.reserve(arr->size());
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const std::string element = std::string(key) + "[" + std::to_string(i) + "]";
        const json::object* obj = (*arr)[i].if_object();
        if (obj == nullptr) return c.fail(element, "expected object");
        const context inner{c.why, c.prefix + element + "."};
        const json::value* t = obj->if_contains("type");
        if (t == nullptr || t->is_null()) return inner.fail("type", "missing (the event kind is required)");
        const json::string* ts = t->if_string();
        if (ts == nullptr) return inner.fail("type", "expected string");
        const std::string_view type(ts->data(), ts->size());
        bool ok = true;
        if (type == "attempt") ok = read_event<attempt_event>(*obj, events, inner);
        else if (type == "check") ok = read_event<check_event>(*obj, events, inner);
        else if (type == "delivery_status") ok = read_event<delivery_status_event>(*obj, events, inner);
        else if (type == "balance_update") ok = read_event<balance_update_event>(*obj, events, inner);
        // else: an event kind this SDK does not know; skipped on purpose.
        if (!ok) return false;
    }
    out = std::move(events);
    return true;
}

bool read_object(const json::object& o, create_authentication_response& out, const context& c) {
    return read(o, "authentication_uuid", out.authentication_uuid, c) && read(o, "status", out.status, c) &&
           read(o, "created_at", out.created_at, c) && read(o, "expires_at", out.expires_at, c);
}

bool read_object(const json::object& o, create_check_response& out, const context& c) {
    return read(o, "authentication_uuid", out.authentication_uuid, c) && read(o, "status", out.status, c);
}

bool read_object(const json::object& o, retry_authentication_response& out, const context& c) {
    return read(o, "authentication_uuid", out.authentication_uuid, c) && read(o, "status", out.status, c) &&
           read(o, "created_at", out.created_at, c) && read(o, "next_retry_at", out.next_retry_at, c) &&
           read(o, "remaining_retry", out.remaining_retry, c);
}

bool read_object(const json::object& o, feedback_response& out, const context& c) {
    return read(o, "uuid", out.uuid, c);
}

bool read_object(const json::object& o, authentication_status_response& out, const context& c) {
    return read(o, "uuid", out.uuid, c) && read(o, "phone_number", out.phone_number, c) &&
           read(o, "template_id", out.template_id, c) && read(o, "correlation_id", out.correlation_id, c) &&
           read(o, "created_at", out.created_at, c) && read(o, "signals", out.signals, c) &&
           read(o, "events", out.events, c);
}

bool read_object(const json::object& o, lookup_response& out, const context& c) {
    return read(o, "phone_number", out.phone_number, c) && read(o, "mcc", out.mcc, c) && read(o, "mnc", out.mnc, c) &&
           read(o, "caller_name", out.caller_name, c) && read(o, "carrier", out.carrier, c) &&
           read(o, "country_code", out.country_code, c) && read(o, "number_ported", out.number_ported, c) &&
           read(o, "temporary_phone_number", out.temporary_phone_number, c) &&
           read(o, "line_type", out.line_type, c);
}

bool read_object(const json::object& o, error_response& out, const context& c) {
    return read(o, "code", out.code, c) && read(o, "message", out.message, c) && read(o, "doc_url", out.doc_url, c);
}

template <class T>
bool decode_body(std::string_view body, T& out, std::string& why) {
    // Small bodies are parsed without touching the heap; larger ones spill over.
    alignas(std::max_align_t) unsigned char buffer[4096];
    json::monotonic_resource resource(buffer, sizeof buffer);
    json::error_code ec;
    const json::value doc = parse_json(body, &resource, ec);
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
    T result{};
    if (!read_object(*obj, result, context{why, {}})) return false;
    out = std::move(result);
    return true;
}

// ---------------------------------------------------------------------
// Fast path: the hot responses (create_authentication, check) are small flat objects of plain
// strings. Such a body is read in place, without building a DOM (measured: about 4k instructions
// per call for the DOM). Anything else, including everything that could be an error (escapes,
// non-ASCII, numbers, nesting, duplicate keys, invalid JSON), goes through the DOM decoder, which
// owns every rule and every message.

struct flat_member {
    std::string_view key;
    std::string_view value;
    bool null = false;
};

struct flat_object {
    static constexpr std::size_t capacity = 16;
    flat_member members[capacity];
    std::size_t size = 0;

    const flat_member* find(std::string_view key) const noexcept {
        for (std::size_t i = 0; i < size; ++i)
            if (members[i].key == key) return &members[i];
        return nullptr;
    }
};

constexpr bool json_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// True if `body` is one object whose values are all strings without escapes or non-ASCII bytes, or
// null, with distinct keys of the same kind; fills `out` with views into `body`.
bool parse_flat(std::string_view body, flat_object& out) noexcept {
    std::size_t i = 0;
    const std::size_t n = body.size();
    auto skip = [&] {
        while (i < n && json_space(body[i])) ++i;
    };
    auto plain_string = [&](std::string_view& text) {
        if (i >= n || body[i] != '"') return false;
        const std::size_t start = ++i;
        for (; i < n; ++i) {
            const auto c = static_cast<unsigned char>(body[i]);
            if (c == '"') break;
            if (c < 0x20 || c >= 0x80 || c == '\\') return false;
        }
        if (i >= n) return false;
        text = body.substr(start, i - start);
        ++i;
        return true;
    };
    skip();
    if (i >= n || body[i] != '{') return false;
    ++i;
    skip();
    if (i < n && body[i] == '}') {
        ++i;
    } else {
        for (;;) {
            if (out.size == flat_object::capacity) return false;
            flat_member m;
            if (!plain_string(m.key)) return false;
            if (out.find(m.key) != nullptr) return false; // duplicate key: the DOM decoder decides
            skip();
            if (i >= n || body[i] != ':') return false;
            ++i;
            skip();
            if (body.substr(i, 4) == "null") {
                m.null = true;
                i += 4;
            } else if (!plain_string(m.value)) {
                return false;
            }
            out.members[out.size++] = m;
            skip();
            if (i >= n) return false;
            if (body[i] == ',') {
                ++i;
                skip();
                continue;
            }
            if (body[i] != '}') return false;
            ++i;
            break;
        }
    }
    skip();
    return i == n;
}

// The same rules as read() above, for a flat object: absent or null is nullopt.
const flat_member* flat_value(const flat_object& o, std::string_view key) noexcept {
    const flat_member* m = o.find(key);
    return m == nullptr || m->null ? nullptr : m;
}

void read_flat(const flat_object& o, std::string_view key, std::optional<std::string>& out) {
    if (const flat_member* m = flat_value(o, key)) out.emplace(m->value);
}

template <class E, std::enable_if_t<std::is_enum_v<E>, int> = 0>
void read_flat(const flat_object& o, std::string_view key, std::optional<E>& out) {
    if (const flat_member* m = flat_value(o, key)) {
        E e{};
        (void)from_string(m->value, e); // unknown spelling -> E::unknown
        out = e;
    }
}

bool read_flat(const flat_object& o, std::string_view key, std::optional<time_point>& out, const context& c) {
    if (const flat_member* m = flat_value(o, key)) {
        time_point tp{};
        if (!parse_rfc3339(m->value, tp)) return c.fail(key, excerpt(m->value) + " is not an RFC 3339 date-time");
        out = tp;
    }
    return true;
}

}  // namespace

// =====================================================================
// Public functions
// =====================================================================


void encode(const create_authentication_request& in, std::string& out) {
    object_writer w(out);
    w.field("customer_uuid", std::string_view(in.customer_uuid));
    w.field("phone_number", std::string_view(in.phone_number));
    w.field("ip", in.ip);
    w.field("device_id", in.device_id);
    w.field("device_type", in.device_type);
    w.field("app_version", in.app_version);
    w.field("sender_id", in.sender_id);
    w.field("callback_url", in.callback_url);
    w.field("app_realm", in.app_realm);
    w.field("os_version", in.os_version);
    w.field("device_model", in.device_model);
    w.field("is_returning_user", in.is_returning_user);
    w.field("template_id", in.template_id);
    w.field("correlation_id", in.correlation_id);
    w.field("locale", in.locale);
    w.close();
}

void encode(const create_check_request& in, std::string& out) {
    object_writer w(out);
    w.field("customer_uuid", std::string_view(in.customer_uuid));
    w.field("authentication_uuid", std::string_view(in.authentication_uuid));
    w.field("check_code", std::string_view(in.check_code));
    w.close();
}

void encode(const retry_authentication_request& in, std::string& out) {
    object_writer w(out);
    w.field("customer_uuid", std::string_view(in.customer_uuid));
    w.field("authentication_uuid", std::string_view(in.authentication_uuid));
    w.close();
}

void encode(const feedback_request& in, std::string& out) {
    object_writer w(out);
    w.field("customer_uuid", std::string_view(in.customer_uuid));
    w.field("phone_number", std::string_view(in.phone_number));
    w.field("status", in.status);
    w.close();
}

void encode(const create_authentication_response& in, std::string& out) {
    object_writer w(out);
    w.field("authentication_uuid", in.authentication_uuid);
    w.field("status", in.status);
    w.field("created_at", in.created_at);
    w.field("expires_at", in.expires_at);
    w.close();
}

void encode(const create_check_response& in, std::string& out) {
    object_writer w(out);
    w.field("authentication_uuid", in.authentication_uuid);
    w.field("status", in.status);
    w.close();
}

void encode(const retry_authentication_response& in, std::string& out) {
    object_writer w(out);
    w.field("authentication_uuid", in.authentication_uuid);
    w.field("status", in.status);
    w.field("created_at", in.created_at);
    w.field("next_retry_at", in.next_retry_at);
    w.field("remaining_retry", in.remaining_retry);
    w.close();
}

void encode(const feedback_response& in, std::string& out) {
    object_writer w(out);
    w.field("uuid", in.uuid);
    w.close();
}

void encode(const signals& in, std::string& out) {
    object_writer w(out);
    w.field("ip", in.ip);
    w.field("device_id", in.device_id);
    w.field("device_type", in.device_type);
    w.field("app_version", in.app_version);
    w.field("app_realm", in.app_realm);
    w.field("os_version", in.os_version);
    w.field("device_model", in.device_model);
    w.field("is_returning_user", in.is_returning_user);
    w.close();
}

void encode(const authentication_event& in, std::string& out) {
    std::visit([&out](const auto& e) { encode_event(e, out); }, in);
}

void encode(const authentication_status_response& in, std::string& out) {
    object_writer w(out);
    w.field("uuid", in.uuid);
    w.field("phone_number", in.phone_number);
    w.field("template_id", in.template_id);
    w.field("correlation_id", in.correlation_id);
    w.field("created_at", in.created_at);
    if (in.signals) encode(*in.signals, w.key("signals"));
    if (in.events) {
        std::string& o = w.key("events");
        o.push_back('[');
        bool first = true;
        for (const auto& e : *in.events) {
            if (!first) o.push_back(',');
            first = false;
            encode(e, o);
        }
        o.push_back(']');
    }
    w.close();
}

void encode(const lookup_response& in, std::string& out) {
    object_writer w(out);
    w.field("phone_number", in.phone_number);
    w.field("mcc", in.mcc);
    w.field("mnc", in.mnc);
    w.field("caller_name", in.caller_name);
    w.field("carrier", in.carrier);
    w.field("country_code", in.country_code);
    w.field("number_ported", in.number_ported);
    w.field("temporary_phone_number", in.temporary_phone_number);
    w.field("line_type", in.line_type);
    w.close();
}

void encode(const error_response& in, std::string& out) {
    object_writer w(out);
    w.field("code", in.code);
    w.field("message", in.message);
    w.field("doc_url", in.doc_url);
    w.close();
}

bool decode(std::string_view body, create_authentication_response& out, std::string& why) {
    flat_object flat;
    if (parse_flat(body, flat)) {
        create_authentication_response r{};
        const context c{why, {}};
        read_flat(flat, "authentication_uuid", r.authentication_uuid);
        read_flat(flat, "status", r.status);
        if (!read_flat(flat, "created_at", r.created_at, c) || !read_flat(flat, "expires_at", r.expires_at, c))
            return false;
        out = std::move(r);
        return true;
    }
    return decode_body(body, out, why);
}
bool decode(std::string_view body, create_check_response& out, std::string& why) {
    flat_object flat;
    if (parse_flat(body, flat)) {
        create_check_response r{};
        read_flat(flat, "authentication_uuid", r.authentication_uuid);
        read_flat(flat, "status", r.status);
        out = std::move(r);
        return true;
    }
    return decode_body(body, out, why);
}
bool decode(std::string_view body, retry_authentication_response& out, std::string& why) {
    return decode_body(body, out, why);
}
bool decode(std::string_view body, feedback_response& out, std::string& why) { return decode_body(body, out, why); }
bool decode(std::string_view body, authentication_status_response& out, std::string& why) {
    return decode_body(body, out, why);
}
bool decode(std::string_view body, lookup_response& out, std::string& why) { return decode_body(body, out, why); }
bool decode(std::string_view body, error_response& out, std::string& why) { return decode_body(body, out, why); }

}  // namespace ding::detail

#include "codec/json_parse.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

namespace ding::detail {
namespace {

namespace json = boost::json;

// The handler Boost.JSON's own parser uses (a value_stack fed by each event), except for doubles.
struct exact_number_handler {
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    json::value_stack st;
    std::string number_prefix; // the start of a number split across writes (never, for one whole text)

    exact_number_handler(json::storage_ptr sp, unsigned char* temp, std::size_t size) : st(std::move(sp), temp, size) {}

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_object_begin(json::error_code&) { return true; }
    bool on_object_end(std::size_t n, json::error_code&) {
        st.push_object(n);
        return true;
    }
    bool on_array_begin(json::error_code&) { return true; }
    bool on_array_end(std::size_t n, json::error_code&) {
        st.push_array(n);
        return true;
    }
    bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
        st.push_chars(s);
        return true;
    }
    bool on_key(json::string_view s, std::size_t, json::error_code&) {
        st.push_key(s);
        return true;
    }
    bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
        st.push_chars(s);
        return true;
    }
    bool on_string(json::string_view s, std::size_t, json::error_code&) {
        st.push_string(s);
        return true;
    }
    bool on_number_part(json::string_view s, json::error_code&) {
        number_prefix.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
        number_prefix.clear();
        st.push_int64(i);
        return true;
    }
    bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
        number_prefix.clear();
        st.push_uint64(u);
        return true;
    }
    bool on_double(double approximate, json::string_view s, json::error_code&) {
        std::string_view text(s.data(), s.size());
        if (!number_prefix.empty()) {
            number_prefix.append(text);
            text = number_prefix;
        }
        double exact = 0;
        const auto r = std::from_chars(text.data(), text.data() + text.size(), exact);
        if (r.ec == std::errc::result_out_of_range) {
            // Beyond the double range one way or the other; the parser's estimate says which.
            const double magnitude = std::fabs(approximate) >= 1 ? std::numeric_limits<double>::infinity() : 0.0;
            exact = text.starts_with('-') ? -magnitude : magnitude;
        } else if (r.ec != std::errc{} || r.ptr != text.data() + text.size()) {
            exact = approximate; // not reached: JSON's number grammar is a subset of from_chars'
        }
        number_prefix.clear();
        st.push_double(exact);
        return true;
    }
    bool on_bool(bool b, json::error_code&) {
        st.push_bool(b);
        return true;
    }
    bool on_null(json::error_code&) {
        st.push_null();
        return true;
    }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }
};

} // namespace

json::value parse_json(std::string_view text, json::storage_ptr sp, json::error_code& ec) {
    // The parser's working stack starts in this buffer (as in boost::json::parse).
    unsigned char temp[BOOST_JSON_STACK_BUFFER_SIZE];
    json::basic_parser<exact_number_handler> p(json::parse_options{}, json::storage_ptr(), temp, sizeof temp);
    p.reset();
    p.handler().st.reset(std::move(sp));
    const std::size_t n = p.write_some(false, text.data(), text.size(), ec);
    if (ec) return nullptr;
    if (n < text.size()) {
        ec = json::error::extra_data;
        return nullptr;
    }
    return p.handler().st.release();
}

} // namespace ding::detail

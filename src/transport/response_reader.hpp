#pragma once
// An HTTP/1.1 response parser that keeps only what the client uses: the status, the body, and the
// Content-Type (when it is not JSON) and Retry-After values. beast::http::response_parser stores
// every header field in its own allocation; this one allocates only the body.

#include <boost/beast/http/basic_parser.hpp>

#include <string>
#include <string_view>

namespace ding::detail {

/// True for application/json and any +json type, with or without parameters.
bool is_json_content_type(std::string_view value) noexcept;

class response_reader final : public boost::beast::http::basic_parser<false> {
public:
    using string_view = boost::beast::string_view;
    using error_code = boost::beast::error_code;

    /// Bound on the status line and header block, independent of max_response_body.
    static constexpr std::uint32_t header_limit_bytes = 16 * 1024;

    explicit response_reader(std::size_t max_body) {
        header_limit(header_limit_bytes);
        body_limit(max_body);
    }

    unsigned status() const noexcept { return status_; }
    std::string& body() noexcept { return body_; }
    /// Empty when the response said application/json (or said nothing).
    std::string& other_content_type() noexcept { return other_content_type_; }
    std::string& retry_after() noexcept { return retry_after_; }

private:
    void on_request_impl(boost::beast::http::verb, string_view, string_view, int, error_code&) override {}
    void on_response_impl(int code, string_view, int, error_code&) override { status_ = static_cast<unsigned>(code); }
    void on_field_impl(boost::beast::http::field name, string_view, string_view value, error_code&) override {
        const std::string_view v(value.data(), value.size());
        if (name == boost::beast::http::field::content_type) {
            if (!is_json_content_type(v)) other_content_type_.assign(v.substr(0, 256));
        } else if (name == boost::beast::http::field::retry_after) {
            retry_after_.assign(v.substr(0, 64));
        }
    }
    void on_header_impl(error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
        if (length) body_.reserve(static_cast<std::size_t>(*length)); // already checked against body_limit
    }
    std::size_t on_body_impl(string_view data, error_code&) override {
        body_.append(data.data(), data.size());
        return data.size();
    }
    void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, string_view data, error_code&) override {
        body_.append(data.data(), data.size());
        return data.size();
    }
    void on_finish_impl(error_code&) override {}

    unsigned status_ = 0;
    std::string body_;
    std::string other_content_type_;
    std::string retry_after_;
};

} // namespace ding::detail

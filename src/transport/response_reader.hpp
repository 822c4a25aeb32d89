#pragma once
// An HTTP/1.1 response parser that keeps only what the client uses: the status, the body, and the
// Content-Type (when it is not JSON) and Retry-After values. beast::http::response_parser stores
// every header field in its own allocation; this one allocates only the body.
//
// It also records what the connection's fate depends on (issue 9): whether the status is interim
// (1xx), the HTTP version, the `Connection` tokens, and how the body was framed, and decides
// persistence by RFC 9112 §9.3 in persistent().
//
// One reader reads one response. For an interim response (interim() is true after the header:
// 100, 102, 103 or any other 1xx but 101) beast completes the message at the end of its header;
// the exchange then reads the next response from the same buffer with a fresh reader. A `101
// Switching Protocols` (switching_protocols()) is never expected by this client, which sends no
// Upgrade: the caller reports it as an error and closes the connection.

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <string>
#include <string_view>

namespace ding::detail {

/// True for application/json and any +json type, with or without parameters.
bool is_json_content_type(std::string_view value) noexcept;

/// Builds Beast's table of header names, which it otherwise builds while parsing the first response
/// of the process (about 30k instructions). client::warm_up_async calls it.
void build_header_name_table() noexcept;

class response_reader final : public boost::beast::http::basic_parser<false> {
public:
    using string_view = boost::beast::string_view;
    using error_code = boost::beast::error_code;

    /// Bound of the status line plus header fields (beast reports http::error::header_limit).
    static constexpr std::size_t max_header_bytes = 16 * 1024;

    /// How the body of the response is delimited (RFC 9112 §6.3), known once the header is read.
    enum class framing {
        unknown,        ///< the header is not complete yet
        none,           ///< no body by status: 1xx, 204, 304
        content_length, ///< Content-Length
        chunked,        ///< Transfer-Encoding whose last coding is chunked
        until_close,    ///< neither: the body ends when the server closes the connection
    };

    /// `max_body`: bound of the body (beast reports http::error::body_limit); the client passes
    /// client_options::max_response_body.
    /// `header_bytes_before`: header bytes of the interim (1xx) responses this exchange already
    /// read; they count toward the same max_header_bytes, so a stream of 1xx cannot each get a
    /// fresh budget.
    explicit response_reader(std::size_t max_body, std::size_t header_bytes_before = 0)
        : max_body_(max_body), header_bytes_(std::min(header_bytes_before, max_header_bytes)) {
        header_limit(static_cast<std::uint32_t>(max_header_bytes - header_bytes_));
        body_limit(max_body);
    }

    /// Header bytes consumed so far in this exchange (interim responses included).
    std::size_t header_bytes() const noexcept { return header_bytes_; }

    /// basic_parser::put, with max_header_bytes bounding the whole header block. Beast applies its
    /// header_limit to what one put() holds beyond the fields it already consumed, so a header
    /// block whose first read held nearly 16 KiB of whole fields could reach about twice the
    /// bound (31.7 KB in one write, two TLS records, was accepted): here each put() of the header
    /// gets the room the earlier ones left. Once the header is done this is basic_parser::put and
    /// one test.
    std::size_t put(boost::asio::const_buffer buffer, error_code& ec) {
        if (is_header_done()) return basic_parser::put(buffer, ec);
        header_limit(static_cast<std::uint32_t>(max_header_bytes - header_bytes_));
        const std::size_t used = basic_parser::put(buffer, ec);
        // The put that completes the header stops at its end: `used` counts header bytes only.
        header_bytes_ += used;
        // A whole header block in one put() is bounded by Beast from the fields on (the status
        // line comes on top): the total is checked here, the same bound as for one in pieces.
        if (!ec && is_header_done() && header_bytes_ > max_header_bytes) ec = boost::beast::http::error::header_limit;
        // Beast clamps its look for the header's end to the limit and may then only ask for more:
        // bytes held that already reach the bound with the header unfinished exceed it.
        if (ec == boost::beast::http::error::need_more && !is_header_done() &&
            header_bytes_ + (buffer.size() - used) >= max_header_bytes)
            ec = boost::beast::http::error::header_limit;
        return used;
    }

    /// Reads the body into `buffer` (cleared; its capacity is reused). Before parsing starts.
    void reuse_body(std::string&& buffer) noexcept {
        body_ = std::move(buffer);
        body_.clear();
    }

    unsigned status() const noexcept { return status_; }
    std::string& body() noexcept { return body_; }
    /// Empty when the response said application/json (or said nothing).
    std::string& other_content_type() noexcept { return other_content_type_; }
    std::string& retry_after() noexcept { return retry_after_; }
    /// The `retry-after-ms` header (Prelude's API), verbatim; empty when absent.
    std::string& retry_after_ms() noexcept { return retry_after_ms_; }

    /// The body bound this reader was made with.
    std::size_t max_body_bytes() const noexcept { return max_body_; }

    /// A 1xx other than 101 (100 Continue, 102 Processing, 103 Early Hints, unknown 1xx): not the
    /// answer. Its message is complete at the end of its header; read the next response with a
    /// fresh reader, and never release the connection on an interim status.
    bool interim() const noexcept { return status_ >= 100 && status_ < 200 && status_ != 101; }
    /// 101 Switching Protocols: this client never asks for an upgrade, so it is an error.
    bool switching_protocols() const noexcept { return status_ == 101; }
    /// A final status (2xx to 5xx, or anything beast accepts that is not 1xx).
    bool final_status() const noexcept { return is_header_done() && !(status_ >= 100 && status_ < 200); }

    /// HTTP version of the status line: 10 for HTTP/1.0, 11 for HTTP/1.1 (0 until parsed).
    int http_version() const noexcept { return version_; }
    /// Tokens of the `Connection` header field(s), case-insensitive, any number of fields.
    bool connection_close() const noexcept { return connection_close_; }
    bool connection_keep_alive() const noexcept { return connection_keep_alive_; }
    bool has_content_length() const noexcept { return content_length_seen_; }
    bool has_transfer_encoding() const noexcept { return transfer_encoding_seen_; }
    /// Both Content-Length and Transfer-Encoding were sent (beast accepts a Content-Length after
    /// a non-chunked Transfer-Encoding, and frames by the Content-Length): the framing is in doubt.
    bool framing_conflict() const noexcept { return content_length_seen_ && transfer_encoding_seen_; }
    framing body_framing() const noexcept { return framing_; }

    /// Whether the connection may carry another request after this response: RFC 9112 §9.3,
    /// applied strictly. False unless the whole message was read. Then:
    ///  - a 1xx (interim or 101) never leaves the connection reusable by itself;
    ///  - a framing doubt closes: read-until-close, or Content-Length with Transfer-Encoding;
    ///  - HTTP/1.1 (and 1.x above): persistent unless `Connection: close`;
    ///  - HTTP/1.0: persistent only with `Connection: keep-alive`, no `close`, no
    ///    Transfer-Encoding (RFC 9112 §6.1: faulty framing in 1.0) and Content-Length framing;
    ///  - any other major version: not persistent.
    bool persistent() const noexcept {
        if (!is_done() || status_ < 200) return false;
        if (framing_ == framing::until_close || framing_ == framing::unknown || framing_conflict()) return false;
        if (connection_close_) return false;
        if (version_ >= 11 && version_ <= 19) return true;
        if (version_ == 10)
            return connection_keep_alive_ && !transfer_encoding_seen_ && framing_ == framing::content_length;
        return false;
    }

    /// For a parse error, the sentence that names the limit that was hit, or "" for any other
    /// error, e.g. "the response header block exceeds the limit of 16384 bytes".
    std::string limit_message(const error_code& ec) const {
        if (ec == boost::beast::http::error::header_limit)
            return "the response header block exceeds the limit of " + std::to_string(max_header_bytes) + " bytes";
        if (ec == boost::beast::http::error::body_limit)
            return "the response body exceeds the limit of " + std::to_string(max_body_) +
                   " bytes (max_response_body)";
        return {};
    }

private:
    void on_request_impl(boost::beast::http::verb, string_view, string_view, int, error_code&) override {}
    void on_response_impl(int code, string_view, int version, error_code&) override {
        status_ = static_cast<unsigned>(code);
        version_ = version;
    }
    // The callbacks run inside Beast's read operation, where an exception would escape
    // io_context::run: out of memory is reported as an error code instead.
    static void out_of_memory(error_code& ec) { ec = boost::system::errc::make_error_code(boost::system::errc::not_enough_memory); }

    void on_field_impl(boost::beast::http::field name, string_view name_text, string_view value, error_code& ec) override {
        if (is_header_done()) {
            // A chunked body's trailer field: Beast bounds the trailer only by the bytes it holds,
            // so it counts toward the same header bound here; its meaning is ignored (framing
            // and Content-Type were settled by the header).
            header_bytes_ += name_text.size() + value.size() + 4; // "name: value\r\n"
            if (header_bytes_ > max_header_bytes) ec = boost::beast::http::error::header_limit;
            return;
        }
        try {
            keep_field(name, name_text, value);
        } catch (const std::bad_alloc&) {
            out_of_memory(ec);
        }
    }
    void keep_field(boost::beast::http::field name, string_view name_text, string_view value) {
        namespace http = boost::beast::http;
        const std::string_view v(value.data(), value.size());
        switch (name) {
        case http::field::content_type:
            if (!is_json_content_type(v)) other_content_type_.assign(v.substr(0, 256));
            break;
        case http::field::retry_after:
            retry_after_.assign(v.substr(0, 64));
            break;
        case http::field::connection:
            // The usual values, whole, without walking a token list.
            if (boost::beast::iequals(value, "keep-alive")) {
                connection_keep_alive_ = true;
                break;
            }
            if (boost::beast::iequals(value, "close")) {
                connection_close_ = true;
                break;
            }
            for (const auto& token : http::opt_token_list{value}) {
                if (boost::beast::iequals(token, "close")) connection_close_ = true;
                else if (boost::beast::iequals(token, "keep-alive")) connection_keep_alive_ = true;
            }
            break;
        case http::field::content_length:
            content_length_seen_ = true;
            break;
        case http::field::transfer_encoding:
            transfer_encoding_seen_ = true;
            break;
        case http::field::unknown:
            // Prelude's API (v2) also says how long to wait in milliseconds.
            if (boost::beast::iequals(name_text, "retry-after-ms")) retry_after_ms_.assign(v.substr(0, 64));
            break;
        default:
            break;
        }
    }
    void on_header_impl(error_code&) override {
        // Mirrors basic_parser::finish_header (1xx, 204 and 304 have no body whatever they say).
        if ((status_ >= 100 && status_ < 200) || status_ == 204 || status_ == 304) framing_ = framing::none;
        else if (chunked()) framing_ = framing::chunked;
        else if (content_length()) framing_ = framing::content_length;
        else framing_ = framing::until_close;
    }
    void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code& ec) override {
        try {
            if (length) body_.reserve(static_cast<std::size_t>(*length)); // already checked against body_limit
        } catch (const std::bad_alloc&) {
            out_of_memory(ec);
        }
    }
    std::size_t on_body_impl(string_view data, error_code& ec) override { return append(data, ec); }
    void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, string_view data, error_code& ec) override { return append(data, ec); }
    std::size_t append(string_view data, error_code& ec) {
        try {
            body_.append(data.data(), data.size());
            return data.size();
        } catch (const std::bad_alloc&) {
            out_of_memory(ec);
            return 0;
        }
    }
    void on_finish_impl(error_code&) override {}

    std::size_t max_body_;
    std::size_t header_bytes_ = 0; ///< of the header block, consumed by put() so far
    unsigned status_ = 0;
    int version_ = 0;
    bool connection_close_ = false;
    bool connection_keep_alive_ = false;
    bool content_length_seen_ = false;
    bool transfer_encoding_seen_ = false;
    framing framing_ = framing::unknown;
    std::string body_;
    std::string other_content_type_;
    std::string retry_after_;
    std::string retry_after_ms_;
};

} // namespace ding::detail

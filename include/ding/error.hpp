#pragma once
// The error model: a machine-readable code in the `ding` category plus diagnostics.

#include <ding/models.hpp>

#include <boost/system/error_code.hpp>

#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

namespace ding {

/// What went wrong, as a code in the `ding` error category (`ding::error_category()`).
enum class errc {
    api_error = 1,      ///< v1: HTTP 400 with an ErrorResponse body, see error::api_code(). v2: any
                        ///< non-2xx whose body is the contract's error object, see api_code_string().
    http_status,        ///< Any other non-2xx status: see error::http_status() and error::body().
    transport,          ///< Resolve, connect, write or read failed, or the connection closed early.
    tls,                ///< TLS handshake failed (untrusted certificate, wrong host name, protocol).
    timeout,            ///< The per-call deadline or the connect timeout expired.
    cancelled,          ///< The caller cancelled the operation.
    decode,             ///< A 2xx (or 400) body that is not the JSON the contract describes, or a
                        ///< webhook body that is not a webhook envelope (v2::parse_webhook).
    invalid_argument,   ///< Input refused before any network I/O; the message names the field.
                        ///< Also a malformed webhook signature header or public key (v2).
    response_too_large, ///< The response headers or body exceeded the configured limit.
    internal,           ///< A bug or resource exhaustion inside the SDK (e.g. std::bad_alloc).
    invalid_signature,  ///< A webhook signature that does not verify (ding::v2::webhook_verifier).
};

/// Classes of errors, for tests such as `err.code() == ding::condition::network`.
enum class condition {
    network = 1, ///< transport, tls, timeout: the request may or may not have reached the server.
    rejected,    ///< api_error, http_status: the server answered with an error.
    caller,      ///< invalid_argument, cancelled: caused by the caller, not the network.
};

const boost::system::error_category& error_category() noexcept;
const boost::system::error_category& condition_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}
inline boost::system::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), condition_category()};
}

/// The result of a failed call. Cheap to copy and move (one error_code and one shared pointer).
///
/// `message()` is the library's own sentence; text that the server sent is kept apart in
/// `api_message()` and `body()`. The API key never appears in any of them.
class error {
public:
    /// Everything besides the code; built by the library, readable through the accessors.
    struct details {
        std::string message;                       ///< the library's description
        int http_status = 0;                       ///< 0 when no response arrived
        api_error_code api_code = api_error_code::unknown;
        std::string api_message;                   ///< ErrorResponse.message, verbatim from the server
        std::string doc_url;                       ///< ErrorResponse.doc_url
        std::string api_code_string;               ///< v2 error body `code`, verbatim (an open list)
        std::string api_param;                     ///< v2 error body `param`, verbatim
        std::string body;                          ///< the response body, at most `max_body_copy` bytes
        boost::system::error_code cause;           ///< the underlying Asio / Beast / OpenSSL error
        int attempts = 1;                          ///< how many attempts the call made
        std::string operation;                     ///< e.g. "check"
    };
    /// Bound on the copy of the response body kept in an error.
    static constexpr std::size_t max_body_copy = 4096;

    error() = default;
    error(errc code, details info);

    boost::system::error_code code() const noexcept { return make_error_code(code_); }
    errc value() const noexcept { return code_; }
    const std::string& message() const noexcept;
    int http_status() const noexcept { return info_ ? info_->http_status : 0; }
    api_error_code api_code() const noexcept { return info_ ? info_->api_code : api_error_code::unknown; }
    const std::string& api_message() const noexcept;
    const std::string& doc_url() const noexcept;
    /// v2: the error body's machine-readable `code` as the server spelled it (e.g.
    /// "invalid_phone_number"); empty when absent, and for v1 (see api_code()).
    const std::string& api_code_string() const noexcept;
    /// v2: the error body's `param`, the request parameter the error is about; empty when absent.
    const std::string& api_param() const noexcept;
    const std::string& body() const noexcept;
    boost::system::error_code cause() const noexcept { return info_ ? info_->cause : boost::system::error_code{}; }
    int attempts() const noexcept { return info_ ? info_->attempts : 0; }
    const std::string& operation() const noexcept;

    /// True where trying the same call again later can succeed: network failures, timeouts,
    /// 408, 429 and 5xx (with or without an error body). A caller-side error or any other API
    /// rejection is not retryable.
    bool retryable() const noexcept;

    /// The library's message followed by the diagnostics, on one line (for logs).
    std::string to_string() const;

private:
    errc code_ = errc::internal;
    std::shared_ptr<const details> info_;
};

/// Writes error::to_string().
std::ostream& operator<<(std::ostream& os, const error& e);

} // namespace ding

namespace boost::system {
template <> struct is_error_code_enum<ding::errc> : std::true_type {};
template <> struct is_error_condition_enum<ding::condition> : std::true_type {};
} // namespace boost::system

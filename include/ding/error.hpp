#pragma once
/// \file
/// The error model: a machine-readable code in the `ding` category plus diagnostics.

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
    api_error = 1,      ///< Any non-2xx whose body is the contract's error object with its `code`, v1
                        ///< and v2 alike: see api_code() (v1), api_code_string() (v2), api_message().
    http_status,        ///< Any other non-2xx status: see error::http_status(), error::body() and
                        ///< api_message() (a `message` the body held).
    transport,          ///< Resolve, connect, write or read failed, or the connection closed early.
    tls,                ///< A TLS failure at any stage (untrusted certificate, wrong host name, refused
                        ///< renegotiation, corrupted record, alert); never retried.
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

/// The code's name as the enumerator is spelled (`errc::invalid_argument` gives
/// "invalid_argument"); "unknown" for a value outside the enumeration. error::to_string() and
/// `operator<<` print it between brackets.
std::string_view to_string(errc code) noexcept;

/// The `ding` error category: `name()` is "ding", `message(ev)` a short sentence per errc, and
/// `default_error_condition` maps codes to ding::condition. One instance per process, so codes
/// compare equal across shared libraries.
const boost::system::error_category& error_category() noexcept;
/// The category of ding::condition (`name()` is "ding.condition").
const boost::system::error_category& condition_category() noexcept;

/// Makes `errc` usable as a boost::system::error_code (found by ADL).
inline boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}
/// Makes `condition` usable as a boost::system::error_condition (found by ADL).
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
        api_error_code api_code = api_error_code::unknown; ///< v1 ErrorResponse.code; unknown otherwise
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

    /// errc::internal without details (what a default-constructed outcome error holds).
    error() = default;
    /// An error with `code` and its diagnostics (the library builds these; tests and fakes may too).
    error(errc code, details info);

    /// The code as a boost::system::error_code in the `ding` category: compare it with a
    /// ding::errc (`e.code() == ding::errc::timeout`) or a ding::condition.
    boost::system::error_code code() const noexcept { return make_error_code(code_); }
    /// The code as the enumeration (for a `switch`).
    errc value() const noexcept { return code_; }
    /// The library's own sentence about what failed (empty only for a default-constructed error).
    /// Never contains server text or the API key.
    const std::string& message() const noexcept;
    /// The HTTP status of the last response, or 0 when no response arrived.
    int http_status() const noexcept { return info_ ? info_->http_status : 0; }
    /// v1: the ErrorResponse `code` of an HTTP 400 (errc::api_error); api_error_code::unknown otherwise.
    api_error_code api_code() const noexcept { return info_ ? info_->api_code : api_error_code::unknown; }
    /// The server's own `message` from its error body, verbatim; empty when absent.
    const std::string& api_message() const noexcept;
    /// v1: the ErrorResponse `doc_url`, verbatim; empty when absent.
    const std::string& doc_url() const noexcept;
    /// v2: the error body's machine-readable `code` as the server spelled it (e.g.
    /// "invalid_phone_number"); empty when absent, and for v1 (see api_code()).
    const std::string& api_code_string() const noexcept;
    /// v2: the error body's `param`, the request parameter the error is about; empty when absent.
    const std::string& api_param() const noexcept;
    /// The response body of a non-2xx or undecodable reply, at most max_body_copy bytes; empty
    /// when no response arrived.
    const std::string& body() const noexcept;
    /// The underlying Asio, Beast or OpenSSL error of a transport or TLS failure; empty otherwise.
    boost::system::error_code cause() const noexcept { return info_ ? info_->cause : boost::system::error_code{}; }
    /// How many attempts the call made (retries included); 0 for a default-constructed error.
    int attempts() const noexcept { return info_ ? info_->attempts : 0; }
    /// The operation that failed, e.g. "check" or "create_verification"; empty outside a call.
    const std::string& operation() const noexcept;

    /// True where trying the same call again later can succeed: network failures, timeouts,
    /// 408, 429 and 5xx (with or without an error body). A caller-side error or any other API
    /// rejection is not retryable.
    bool retryable() const noexcept;

    /// One line for logs: "<operation>: <message> [<code name> http=<status> api_code=<code>
    /// param=<param> cause=<error> attempts=<n>]", each diagnostic only when present, e.g.
    /// "check: HTTP 503 from the server [http_status http=503 attempts=3]". The code name is
    /// ding::to_string(errc). Server text is cut at 64 bytes and stripped of control characters.
    std::string to_string() const;

private:
    errc code_ = errc::internal;
    std::shared_ptr<const details> info_;
};

/// Writes error::to_string() (the code by name, e.g. "[invalid_argument]").
std::ostream& operator<<(std::ostream& os, const error& e);

} // namespace ding

namespace boost::system {
template <> struct is_error_code_enum<ding::errc> : std::true_type {};
template <> struct is_error_condition_enum<ding::condition> : std::true_type {};
} // namespace boost::system

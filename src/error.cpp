#include <ding/outcome.hpp>

#include <boost/throw_exception.hpp>

#include <ostream>

namespace ding {
namespace {

class ding_category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "ding"; }

    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::api_error: return "the API rejected the request";
        case errc::http_status: return "unexpected HTTP status";
        case errc::transport: return "connection failed";
        case errc::tls: return "TLS failure";
        case errc::timeout: return "timed out";
        case errc::cancelled: return "cancelled";
        case errc::decode: return "response body does not match the contract";
        case errc::invalid_argument: return "invalid argument";
        case errc::response_too_large: return "response too large";
        case errc::internal: return "internal error";
        case errc::invalid_signature: return "webhook signature does not verify";
        }
        return "unknown ding error";
    }

    boost::system::error_condition default_error_condition(int ev) const noexcept override {
        switch (static_cast<errc>(ev)) {
        case errc::transport:
        case errc::tls:
        case errc::timeout: return make_error_condition(condition::network);
        case errc::api_error:
        case errc::http_status: return make_error_condition(condition::rejected);
        case errc::invalid_argument:
        case errc::cancelled: return make_error_condition(condition::caller);
        default: return {ev, *this};
        }
    }
};

class condition_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "ding.condition"; }
    std::string message(int ev) const override {
        switch (static_cast<condition>(ev)) {
        case condition::network: return "network failure";
        case condition::rejected: return "rejected by the server";
        case condition::caller: return "caused by the caller";
        }
        return "unknown ding condition";
    }
};

const std::string& empty_string() {
    static const std::string empty;
    return empty;
}

} // namespace

std::string_view to_string(errc e) noexcept {
    switch (e) {
    case errc::api_error: return "api_error";
    case errc::http_status: return "http_status";
    case errc::transport: return "transport";
    case errc::tls: return "tls";
    case errc::timeout: return "timeout";
    case errc::cancelled: return "cancelled";
    case errc::decode: return "decode";
    case errc::invalid_argument: return "invalid_argument";
    case errc::response_too_large: return "response_too_large";
    case errc::internal: return "internal";
    case errc::invalid_signature: return "invalid_signature";
    }
    return "unknown";
}

const boost::system::error_category& error_category() noexcept {
    static const ding_category instance;
    return instance;
}

const boost::system::error_category& condition_category() noexcept {
    static const condition_category_impl instance;
    return instance;
}

error::error(errc code, details info) : code_(code), info_(std::make_shared<const details>(std::move(info))) {}

const std::string& error::message() const noexcept { return info_ ? info_->message : empty_string(); }
const std::string& error::api_message() const noexcept { return info_ ? info_->api_message : empty_string(); }
const std::string& error::doc_url() const noexcept { return info_ ? info_->doc_url : empty_string(); }
const std::string& error::api_code_string() const noexcept {
    return info_ ? info_->api_code_string : empty_string();
}
const std::string& error::api_param() const noexcept { return info_ ? info_->api_param : empty_string(); }
const std::string& error::body() const noexcept { return info_ ? info_->body : empty_string(); }
const std::string& error::operation() const noexcept { return info_ ? info_->operation : empty_string(); }

bool error::retryable() const noexcept {
    switch (code_) {
    case errc::transport:
    case errc::timeout: return true;
    case errc::api_error: // v1's are 400s; a v2 429 or 5xx may carry an error body
    case errc::http_status: {
        const int s = http_status();
        return s == 408 || s == 429 || s >= 500;
    }
    default: return false;
    }
}

std::string error::to_string() const {
    std::string out = operation().empty() ? std::string() : operation() + ": ";
    out += message().empty() ? code().message() : message();
    // The code's name, as the enumerator is spelled in source (what a reader greps for), rather
    // than the category-and-number form of error_code::to_string() ("ding:8").
    out += " [";
    out += ding::to_string(code_);
    if (http_status() != 0) out += " http=" + std::to_string(http_status());
    if (api_code() != api_error_code::unknown) out += " api_code=" + std::string(ding::to_string(api_code()));
    // Server text, bounded, with control bytes dropped so that a log line stays one line.
    const auto append_server_text = [&out](std::string_view label, const std::string& text) {
        if (text.empty()) return;
        out += label;
        for (std::size_t i = 0; i < text.size() && i < 64; ++i) {
            const char c = text[i];
            if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) out += c;
        }
        if (text.size() > 64) out += "...";
    };
    append_server_text(" api_code=", api_code_string());
    append_server_text(" param=", api_param());
    append_server_text(" server_message=", api_message());
    if (cause()) out += " cause=" + cause().to_string() + " (" + cause().message() + ")";
    if (attempts() > 1) out += " attempts=" + std::to_string(attempts());
    out += "]";
    return out;
}

std::ostream& operator<<(std::ostream& os, const error& e) { return os << e.to_string(); }

bad_outcome_access::bad_outcome_access(const ding::error& e)
    : boost::system::system_error(e.code(), e.message()), error_(e) {}

void throw_exception_from_error(const error& e, const boost::source_location& loc) {
    boost::throw_exception(bad_outcome_access(e), loc);
}

} // namespace ding

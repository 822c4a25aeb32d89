#pragma once
// Shared values and helpers of the integration tests.

#include "support/fixture.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>
#include <variant>

namespace ding::test {

inline constexpr const char* customer = "cf2edc1c-7fc6-48fb-86da-b7508c6b7b71";
inline constexpr const char* auth_uuid = "0b2c6f3e-9d1a-4c5b-8e7f-1a2b3c4d5e6f";
inline constexpr const char* phone = "+33612345678";

inline create_check_request check_request(std::string auth = auth_uuid) {
    return create_check_request{customer, std::move(auth), "123456"};
}

inline create_authentication_request create_request() {
    create_authentication_request r;
    r.customer_uuid = customer;
    r.phone_number = phone;
    return r;
}

inline std::string check_body(std::string_view auth = auth_uuid, std::string_view status = "valid") {
    return R"({"authentication_uuid":")" + std::string(auth) + R"(","status":")" + std::string(status) + R"("})";
}

/// Awaits `op` raced against a timer of `after` with the awaitable operators
/// (`op || timer.async_wait(...)`), and returns the operation's own outcome even when the timer
/// won and the operation was cancelled (the `||` operator waits for the loser to complete).
template <class T>
asio::awaitable<outcome<T>> cancel_after(asio::awaitable<outcome<T>> op, std::chrono::milliseconds after) {
    using namespace asio::experimental::awaitable_operators;
    std::optional<outcome<T>> got;
    auto keep = [](asio::awaitable<outcome<T>> inner, std::optional<outcome<T>>& out) -> asio::awaitable<void> {
        out.emplace(co_await std::move(inner));
    };
    asio::steady_timer timer(co_await asio::this_coro::executor, after);
    co_await (keep(std::move(op), got) || timer.async_wait(asio::use_awaitable));
    if (got) co_return std::move(*got);
    error::details d;
    d.message = "test: the operation never completed";
    co_return error(errc::internal, std::move(d));
}

/// Elapsed milliseconds since `start`.
inline long long ms_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

/// True if the API key appears nowhere in what an error shows.
inline bool free_of_key(const error& e) {
    for (const std::string* text : {&e.message(), &e.api_message(), &e.body(), &e.doc_url(), &e.operation()})
        if (text->find(secret_api_key) != std::string::npos) return false;
    return e.to_string().find(secret_api_key) == std::string::npos;
}

/// A distinct, valid UUID for index i.
inline std::string uuid_for(std::size_t i) {
    std::string digits = std::to_string(i);
    return "00000000-0000-4000-8000-" + std::string(12 - digits.size(), '0') + digits;
}

inline bool json_equal(const std::string& actual, const std::string& expected) {
    return boost::json::parse(actual) == boost::json::parse(expected);
}

} // namespace ding::test

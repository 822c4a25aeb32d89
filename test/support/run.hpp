#pragma once
// Bounded runs of a coroutine on an io_context, shared by the integration and e2e tests.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <exception>
#include <memory>
#include <optional>

namespace ding::test {

namespace asio = boost::asio;
using namespace std::chrono_literals;

/// Runs `work` on `ioc` until it completes; fails the test (REQUIRE) if `bound` passes first.
/// Exceptions thrown by the coroutine are rethrown.
template <class T>
T run(asio::io_context& ioc, asio::awaitable<T> work, std::chrono::milliseconds bound = 10s) {
    struct slot {
        bool done = false;
        std::exception_ptr ep;
        std::optional<T> value;
    };
    auto result = std::make_shared<slot>();
    asio::co_spawn(ioc, std::move(work), [result](std::exception_ptr ep, T v) {
        result->done = true;
        result->ep = ep;
        if (!ep) result->value.emplace(std::move(v));
    });
    ioc.restart();
    const auto until = std::chrono::steady_clock::now() + bound;
    while (!result->done && std::chrono::steady_clock::now() < until) ioc.run_one_until(until);
    if (!result->done) FAIL("the operation did not complete within " << bound.count() << " ms");
    if (result->ep) std::rethrow_exception(result->ep);
    return std::move(*result->value);
}

inline void run(asio::io_context& ioc, asio::awaitable<void> work, std::chrono::milliseconds bound = 10s) {
    struct slot {
        bool done = false;
        std::exception_ptr ep;
    };
    auto result = std::make_shared<slot>();
    asio::co_spawn(ioc, std::move(work), [result](std::exception_ptr ep) {
        result->done = true;
        result->ep = ep;
    });
    ioc.restart();
    const auto until = std::chrono::steady_clock::now() + bound;
    while (!result->done && std::chrono::steady_clock::now() < until) ioc.run_one_until(until);
    if (!result->done) FAIL("the operation did not complete within " << bound.count() << " ms");
    if (result->ep) std::rethrow_exception(result->ep);
}

} // namespace ding::test

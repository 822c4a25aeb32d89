#pragma once
// What every public operation header needs: the handler type the compiled library takes, the
// default completion token, and the concept that constrains tokens. Not for direct use.

#include <ding/outcome.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>

namespace ding {

/// The default completion token: `co_await op_async(...)` in a coroutine.
using default_token = boost::asio::use_awaitable_t<>;

/// A completion token for an operation that completes with `void(ding::outcome<T>)`.
template <class Token, class T>
concept completion_token_for = boost::asio::completion_token_for<Token, void(outcome<T>)>;

namespace detail {
/// The version-neutral core shared by ding::client and ding::v2::client (src/core).
class client_core;
/// Operations are type-erased at the library boundary and compiled once in src/.
template <class T>
using handler = boost::asio::any_completion_handler<void(outcome<T>)>;
} // namespace detail

} // namespace ding

#pragma once
// What every public operation header needs: the handler type the compiled library takes, the
// default completion token, and the concept that constrains tokens. Not for direct use.

#include <ding/outcome.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace ding {

/// The default completion token: `co_await op_async(...)` in a coroutine.
using default_token = boost::asio::use_awaitable_t<>;

/// A completion token for an operation that completes with `void(ding::outcome<T>)`.
template <class Token, class T>
concept completion_token_for = boost::asio::completion_token_for<Token, void(outcome<T>)>;

namespace detail {
/// The version-neutral core shared by ding::client and ding::v2::client (src/core).
class client_core;
/// Stands for "none" when asking which executor a handler is associated with.
struct no_associated_executor {};

/// Operations are type-erased at the library boundary and compiled once in src/. Before the
/// handler's type is erased, this notes whether its completion may run on the client's own
/// executor without asking the erased handler for its executor (which allocates): a handler with
/// no associated executor, or one associated with an any_io_executor (a coroutine's).
template <class T>
class handler {
public:
    using erased = boost::asio::any_completion_handler<void(outcome<T>)>;

    template <class H>
        requires(!std::is_same_v<std::decay_t<H>, handler>)
    handler(H&& h) // NOLINT: converts any completion handler, as any_completion_handler does
        : default_executor_(std::is_same_v<boost::asio::associated_executor_t<std::decay_t<H>, no_associated_executor>,
                                           no_associated_executor>),
          io_executor_(io_executor_of(h)),
          h_(std::forward<H>(h)) {}

    handler(handler&&) noexcept = default;
    handler& operator=(handler&&) = delete; // Boost 1.81: any_completion_handler's move assignment recurses

    explicit operator bool() const noexcept { return static_cast<bool>(h_); }
    void operator()(outcome<T> r) && { std::move(h_)(std::move(r)); }
    erased& get() noexcept { return h_; }
    /// The handler has no executor of its own: it runs on the client's (user's) executor.
    bool default_executor() const noexcept { return default_executor_; }
    /// The handler's executor when it is an any_io_executor, else null.
    const boost::asio::any_io_executor* io_executor() const noexcept { return io_executor_ ? &*io_executor_ : nullptr; }

private:
    template <class H>
    static std::optional<boost::asio::any_io_executor> io_executor_of(const H& h) noexcept {
        using E = boost::asio::associated_executor_t<std::decay_t<H>, no_associated_executor>;
        if constexpr (std::is_same_v<E, boost::asio::any_io_executor>)
            return boost::asio::get_associated_executor(h);
        else
            return std::nullopt;
    }

    bool default_executor_;
    std::optional<boost::asio::any_io_executor> io_executor_;
    erased h_;
};
} // namespace detail

} // namespace ding

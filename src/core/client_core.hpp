#pragma once
// The version-neutral core under ding::client (v1) and ding::v2::client: options, the executor
// (or strand) everything runs on, the pool and transport, the calls in flight, and launch(),
// which turns a validated request into a running call and delivers its outcome.
//
// The rule (issue 16; README, design notes): every object of a client's internals (this core,
// the pool, connections, timers, deadline watchers, DNS state, call states) is created, touched
// and destroyed on the client's executor (its strand with thread_safe). A completion handler
// receives only what is its own (the outcome, its own executor's work guard): the call's state
// is released on the client's executor before the handler is dispatched (launch.hpp, deliver()),
// never on the handler's thread. That is what lets the pool's deadline timer and a connection's
// watchdog (connection.hpp) read the state their owner clears in its destructor: both run where
// the owner is destroyed. The one exception is the execution context's destruction
// (context_shutdown()), when no other thread may run or call anything of it.
//
// Executor and threads:
// - Every call runs on core.executor(): the caller's executor, or a strand over it when
//   client_options::thread_safe is set. Pool, transport and registry state is only touched there.
// - No cancellation slot is ever bound to the co_spawn that runs a call: Boost 1.81's co_spawn
//   cancellation handler dispatches the emit and may then use a freed signal
//   (chriskohlhoff/asio#1332). launch() installs its own forwarder in the caller's slot: it
//   records the request in an atomic (seen by the call's next step) and dispatches the stop onto
//   core.executor(), where it closes the connection doing the call's I/O or cancels the timer the
//   call waits on (call_control).
// - The handler's associated executor counts as having work until the handler ran.
//
// Lifetimes: calls own the core (shared_ptr). ~client calls shutdown(): from then on every call
// ends with errc::cancelled at its next step, no hook runs and nothing is retried; a call
// launched later (a stored `deferred` operation) completes with errc::cancelled.

#include "core/call_state_machine.hpp"
#include "transport/http_client.hpp"

#include <ding/detail/operation.hpp>
#include <ding/options.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>
#include <string>
#include <string_view>

namespace ding::detail {

/// What distinguishes one API version's requests at the transport level.
struct api_profile {
    std::string credential_header; ///< "x-api-key" or "Authorization"
    std::string credential_prefix; ///< "" or "Bearer "
};

/// Maps a final reply to `call` to a value or an error (API-version specific; non-2xx replies go
/// through reply_error(), the rule both versions share).
template <class T>
using interpreter = outcome<T> (*)(http_reply& reply, const http_call& call);

/// One call in flight, as the core's registry sees it. Lives on core.executor().
struct call_base {
    call_control control;
    call_sm::machine sm; ///< where the call is (call_state_machine.hpp); launch.hpp drives it
    call_base* prev = nullptr;
    call_base* next = nullptr;
    bool registered = false;

    /// Stops the call (`why`: event::cancel or event::client_destroyed): marks it, and when the
    /// machine says so, ends the step in progress (closes the connection doing its I/O, cancels
    /// the timer it waits on); that step's completion then ends the call.
    void stop(asio::cancellation_type type, call_sm::event why) noexcept;
};

class client_core;

/// The cores of one execution context (see core_registry in client_core.cpp).
struct registry_state {
    std::mutex mutex;
    std::vector<client_core*> cores;
    bool shut_down = false; ///< the context is being destroyed: every core listed was told
};

class client_core : public std::enable_shared_from_this<client_core> {
public:
    static std::shared_ptr<client_core> create(asio::any_io_executor executor, const client_options& options,
                                               api_profile profile);
    ~client_core();

    const error* configuration_error() const noexcept { return config_error_ ? &*config_error_ : nullptr; }
    /// The base URL's path followed by `suffix`.
    std::string path(std::string_view suffix) const;
    /// The executor the caller gave.
    asio::any_io_executor get_executor() const noexcept { return user_executor_; }
    /// Where every call runs: the caller's executor, or a strand over it (thread_safe).
    const asio::any_io_executor& executor() const noexcept { return executor_; }
    const client_options& options() const noexcept { return options_; }

    pool_stats stats() const noexcept;
    void close_idle_connections();
    /// Ends every call in flight (and every call launched before this) with errc::cancelled.
    void cancel();
    /// ~client: cancel(), refuse later calls, close idle connections.
    void shutdown();

    bool closed() const noexcept { return stop_flags_.closed.load(std::memory_order_acquire); }

    /// The execution context is being destroyed (its services still exist): stop every call and
    /// release every I/O object and executor the core holds. Later calls are refused.
    /// The executors go into `release_later` when it is given (with room for two), so that the
    /// caller releases them after it unlocked the registry.
    void context_shutdown(std::vector<asio::any_io_executor>* release_later) noexcept;

    // Used by launch(); run on executor().
    void register_call(call_base& c) noexcept;
    void unregister_call(call_base& c) noexcept;
    http_client& http() noexcept { return *http_; }
    /// Prepares a call's control block: it sees shutdown() and cancel() made after now.
    void arm(call_control& control) const noexcept {
        control.flags = &stop_flags_;
        control.generation = stop_flags_.generation.load(std::memory_order_acquire);
    }

private:
    client_core(asio::any_io_executor executor, const client_options& options);
    std::string check_options();
    void stop_all(std::uint64_t before_generation, call_sm::event why) noexcept;
    template <class F>
    void on_executor(F&& f);

    asio::any_io_executor user_executor_;
    asio::any_io_executor executor_;
    client_options options_;
    std::optional<base_url> url_;
    std::optional<error> config_error_;
    std::shared_ptr<pool> pool_;
    std::optional<http_client> http_;
    call_stop_flags stop_flags_;
    call_base* calls_ = nullptr; ///< calls in flight (on executor())
    std::shared_ptr<registry_state> registry_; ///< of the executor's context
    std::atomic<bool> context_gone_{false};
};

/// Starts one call. `call` is the validated request or the validation error; never throws and
/// never completes inside this function.
template <class T>
void launch(const std::shared_ptr<client_core>& core, outcome<http_call> call, const call_options& overrides,
            handler<T> h, interpreter<T> interpret) noexcept;

/// An empty string for a request body, with the capacity of an earlier one when this thread has
/// one: a steady flow of calls encodes its bodies without allocating.
std::string take_body_buffer();
/// Keeps a finished call's body buffer for take_body_buffer() on this thread (a few, each small).
void recycle_body_buffer(std::string&& body) noexcept;

/// What every error made from a reply starts with: the operation, the HTTP status, the attempts.
error::details reply_details(const http_reply& reply, std::string_view operation);

/// A response body as kept in an error: at most error::max_body_copy bytes.
std::string bounded_body(const std::string& body);

/// An error in the `ding` category with the given message, for the operation named.
error make_error(errc code, std::string message, std::string_view operation);

} // namespace ding::detail

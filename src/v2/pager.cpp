// The pagers of ding/v2/pager.hpp: a next_async is one call of the single-page operation (with
// its validation, retries, deadline, cancellation and error model), whose completion moves the
// walk's position (page_walk) before the caller's handler runs.
//
// Threads: the walk is guarded by a mutex, because next_async may be initiated on any thread
// (with a thread_safe client) and a page's completion runs on the caller's executor. The mutex is
// never held while a handler runs or a call starts.

#include <ding/v2/client.hpp>

#include "core/launch.hpp"
#include "v2/page_walk.hpp"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <mutex>

namespace ding::v2::detail {

namespace asio = boost::asio;

/// Which request and which single-page call go with a list response.
template <class Response>
struct list_of;
template <>
struct list_of<list_subscription_configs_response> {
    using request = list_subscription_configs_request;
    static constexpr auto start = &start_list_subscription_configs;
};
template <>
struct list_of<list_subscription_phone_numbers_response> {
    using request = list_subscription_phone_numbers_request;
    static constexpr auto start = &start_list_subscription_phone_numbers;
};
template <>
struct list_of<list_subscription_phone_number_events_response> {
    using request = list_subscription_phone_number_events_request;
    static constexpr auto start = &start_list_subscription_phone_number_events;
};

template <class Response>
struct pager_state {
    using request_type = typename list_of<Response>::request;

    pager_state(std::shared_ptr<client_core> c, const request_type& r, std::size_t max_pages)
        : core(std::move(c)), request(r), walk(r.cursor, max_pages) {}

    const std::shared_ptr<client_core> core;
    const request_type request; ///< the caller's values; each page gets its own cursor
    std::mutex mutex;
    page_walk walk; ///< guarded by mutex
};

namespace {

/// The handler of one page's call: moves the walk, then runs the caller's handler with the page.
/// It carries the caller's cancellation slot and executor, so that the page's call is cancelled
/// and completed exactly as the caller asked.
template <class Response>
struct page_done {
    std::shared_ptr<pager_state<Response>> state;
    mutable ding::detail::handler<std::optional<Response>> user;

    using cancellation_slot_type = asio::cancellation_slot;
    cancellation_slot_type get_cancellation_slot() const noexcept {
        return asio::get_associated_cancellation_slot(user.get());
    }

    void operator()(outcome<Response> page) {
        {
            const std::lock_guard lock(state->mutex);
            if (page) state->walk.page(page->next_cursor);
            else state->walk.failed();
        }
        state.reset();
        if (page) std::move(user)(std::optional<Response>(std::move(*page)));
        else std::move(user)(std::move(page).error());
    }
};

} // namespace
} // namespace ding::v2::detail

namespace boost::asio {
/// The page's call completes on the caller's executor (the any_completion_handler's).
template <class Response, class Candidate>
struct associated_executor<ding::v2::detail::page_done<Response>, Candidate> {
    using type = any_completion_executor;
    static type get(const ding::v2::detail::page_done<Response>& h, const Candidate& candidate = Candidate()) noexcept {
        return get_associated_executor(h.user.get(), candidate);
    }
};
} // namespace boost::asio

namespace ding::v2::detail {
namespace {

/// Completes `h` with `r` without I/O: posted to the client's executor (an executor of a handler
/// need not support post), from there dispatched to the handler's own; never inside next_async.
template <class Response>
void complete_now(const std::shared_ptr<client_core>& core, ding::detail::handler<std::optional<Response>> h,
                  outcome<std::optional<Response>> r) noexcept {
    const asio::any_io_executor& ex = core->executor();
    if (!ex) return; // the client's execution context is gone: dropped, as Asio drops its operations
    try {
        asio::post(ex, [h = std::move(h), r = std::move(r), client_ex = core->get_executor()]() mutable {
            const asio::any_completion_executor handler_ex = asio::get_associated_executor(h.get(), client_ex);
            if (handler_ex) asio::dispatch(handler_ex, [h = std::move(h), r = std::move(r)]() mutable { std::move(h)(std::move(r)); });
            else std::move(h)(std::move(r)); // out of memory: run here rather than never
        });
    } catch (...) {
        // Out of memory: the handler is lost with the function that could not be queued (the
        // same as an operation of an executor that cannot take work).
    }
}

} // namespace

template <class Response>
void pager_next(const std::shared_ptr<pager_state<Response>>& state, const call_options& options,
                ding::detail::handler<std::optional<Response>> h) {
    constexpr std::string_view operation = "next_async";
    client_core& core = *state->core;
    if (core.closed()) {
        complete_now<Response>(state->core, std::move(h),
                               ding::detail::make_error(errc::cancelled, "the client was destroyed", operation));
        return;
    }
    page_walk::decision d;
    try {
        const std::lock_guard lock(state->mutex);
        d = state->walk.next();
    } catch (...) {
        complete_now<Response>(state->core, std::move(h), ding::detail::internal_error(std::current_exception(), operation));
        return;
    }
    switch (d.what) {
    case page_walk::step::end: return complete_now<Response>(state->core, std::move(h), std::optional<Response>());
    case page_walk::step::busy:
        return complete_now<Response>(state->core, std::move(h),
                                      ding::detail::make_error(errc::invalid_argument, std::move(d.why), operation));
    case page_walk::step::fail: {
        // A repeated cursor is the server breaking the contract; the bound is a limit of ours.
        const errc code = d.why.rfind("more than", 0) == 0 ? errc::response_too_large : errc::decode;
        return complete_now<Response>(state->core, std::move(h), ding::detail::make_error(code, std::move(d.why), operation));
    }
    case page_walk::step::fetch: break;
    }
    typename list_of<Response>::request request = state->request;
    request.cursor = std::move(d.cursor);
    list_of<Response>::start(state->core, request, options,
                             ding::detail::handler<Response>(page_done<Response>{state, std::move(h)}));
}

template <class Response>
std::shared_ptr<pager_state<Response>> make(std::shared_ptr<client_core> core,
                                            const typename list_of<Response>::request& request,
                                            std::size_t max_pages) {
    return std::make_shared<pager_state<Response>>(std::move(core), request, max_pages);
}

std::shared_ptr<pager_state<list_subscription_configs_response>>
make_pager(std::shared_ptr<client_core> core, const list_subscription_configs_request& request, std::size_t max_pages) {
    return make<list_subscription_configs_response>(std::move(core), request, max_pages);
}
std::shared_ptr<pager_state<list_subscription_phone_numbers_response>>
make_pager(std::shared_ptr<client_core> core, const list_subscription_phone_numbers_request& request,
           std::size_t max_pages) {
    return make<list_subscription_phone_numbers_response>(std::move(core), request, max_pages);
}
std::shared_ptr<pager_state<list_subscription_phone_number_events_response>>
make_pager(std::shared_ptr<client_core> core, const list_subscription_phone_number_events_request& request,
           std::size_t max_pages) {
    return make<list_subscription_phone_number_events_response>(std::move(core), request, max_pages);
}

template void pager_next(const std::shared_ptr<pager_state<list_subscription_configs_response>>&, const call_options&,
                         ding::detail::handler<std::optional<list_subscription_configs_response>>);
template void pager_next(const std::shared_ptr<pager_state<list_subscription_phone_numbers_response>>&,
                         const call_options&,
                         ding::detail::handler<std::optional<list_subscription_phone_numbers_response>>);
template void pager_next(const std::shared_ptr<pager_state<list_subscription_phone_number_events_response>>&,
                         const call_options&,
                         ding::detail::handler<std::optional<list_subscription_phone_number_events_response>>);

} // namespace ding::v2::detail

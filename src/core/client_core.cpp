#include "core/client_core.hpp"

#include "codec/text.hpp"

#include <ding/version.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <limits>
#include <mutex>
#include <utility>
#include <vector>

namespace ding::detail {

/// Tells the cores of an execution context that it is being destroyed, while its services still
/// exist, so that a client outliving its io_context holds no socket, timer or strand then (their
/// destructors would reach into the destroyed context's services).
///
/// The list and its mutex live in a registry_state the cores share: a core destroyed on another
/// thread while the context is destroyed may still lock it after the service itself is gone.
/// context_shutdown() runs under that mutex, so a core is either removed first (and never
/// touched) or shut down first (and its destructor waits for that to end).
class core_registry final : public asio::execution_context::service {
public:
    static inline asio::execution_context::id id;

    explicit core_registry(asio::execution_context& context)
        : service(context), state_(std::make_shared<registry_state>()) {}

    std::shared_ptr<registry_state> add(client_core& core) {
        std::lock_guard lock(state_->mutex);
        state_->cores.push_back(&core);
        return state_;
    }

private:
    void shutdown() override {
        // The cores' executors (a strand holds queued functions, one of which may hold a core's
        // last reference) are released after the lock: a core destroyed by that release takes the
        // same mutex in its destructor.
        std::vector<asio::any_io_executor> released; // destroyed last, after the lock is gone
        std::lock_guard lock(state_->mutex);
        try {
            released.reserve(2 * state_->cores.size());
        } catch (...) {
            // Out of memory: each core releases its executors itself, under the lock, as before.
        }
        state_->shut_down = true;
        for (client_core* core : state_->cores) {
            const bool room = released.capacity() - released.size() >= 2;
            core->context_shutdown(room ? &released : nullptr);
        }
        state_->cores.clear();
    }

    std::shared_ptr<registry_state> state_;
};

namespace {
// Per thread, like Asio's own recycling of operation memory: the thread that completes a call
// keeps its body buffer for the next call it starts. Bounded in count and in size.
constexpr std::size_t max_kept_bodies = 16;
constexpr std::size_t max_kept_body_capacity = 4096;
thread_local std::vector<std::string> kept_bodies;
// Trivially destructible: still readable after kept_bodies was destroyed at thread exit (a call
// state destroyed later, e.g. by a static io_context, must not touch the dead vector).
thread_local bool kept_bodies_gone = false;
struct kept_bodies_guard {
    ~kept_bodies_guard() { kept_bodies_gone = true; }
};
thread_local kept_bodies_guard kept_bodies_watch;
} // namespace

std::string take_body_buffer() {
    if (kept_bodies_gone || kept_bodies.empty()) {
        std::string body;
        // One allocation instead of one per doubling, sized for the common requests (a check is
        // 139 bytes, a create with a number about 90): with thousands of calls in flight each
        // holds its body, so a larger reservation is memory held for nothing. A larger body
        // grows once, and its buffer keeps that capacity when it is recycled.
        body.reserve(160);
        return body;
    }
    std::string body = std::move(kept_bodies.back());
    kept_bodies.pop_back();
    return body;
}

void recycle_body_buffer(std::string&& body) noexcept {
    if (body.capacity() < 64 || body.capacity() > max_kept_body_capacity || kept_bodies_gone) return;
    try {
        (void)&kept_bodies_watch; // constructed (and destroyed) after kept_bodies: destroyed first
        if (kept_bodies.capacity() == 0) kept_bodies.reserve(max_kept_bodies);
        if (kept_bodies.size() == max_kept_bodies) return;
        body.clear();
        kept_bodies.push_back(std::move(body)); // within the reserved capacity
    } catch (...) {
        // Out of memory reserving the list: the buffer is simply freed.
    }
}

error make_error(errc code, std::string message, std::string_view operation) {
    error::details d;
    d.message = std::move(message);
    d.operation = std::string(operation);
    return error(code, std::move(d));
}

error::details reply_details(const http_reply& reply, std::string_view operation) {
    error::details d;
    d.operation = std::string(operation);
    d.http_status = static_cast<int>(reply.status);
    d.attempts = reply.attempts;
    return d;
}

std::string bounded_body(const std::string& body) {
    return body.size() <= error::max_body_copy ? body : body.substr(0, error::max_body_copy);
}

void call_base::stop(asio::cancellation_type type, call_sm::event why) noexcept {
    control.cancelled |= type == asio::cancellation_type::none ? asio::cancellation_type::terminal : type;
    if (call_sm::step(sm, why) == call_sm::action::stop_step) control.interrupt();
}

client_core::client_core(asio::any_io_executor executor, const client_options& options)
    : user_executor_(executor),
      executor_(options.thread_safe ? asio::any_io_executor(asio::make_strand(executor)) : executor),
      options_(options) {}

std::shared_ptr<client_core> client_core::create(asio::any_io_executor executor, const client_options& options,
                                                 api_profile profile) {
    std::shared_ptr<client_core> core(new client_core(std::move(executor), options));
    core->registry_ =
        asio::use_service<core_registry>(asio::query(core->user_executor_, asio::execution::context)).add(*core);
    auto& o = core->options_;
    std::string why = core->check_options();
    if (why.empty()) {
        pool_config pc{*core->url_, pool_limits{o.max_connections, o.idle_timeout, o.dns_refresh_interval},
                       o.connect_timeout, o.tls};
        core->pool_ = pool::create(core->executor_, std::move(pc), why);
    }
    if (!why.empty()) {
        core->config_error_ = make_error(errc::invalid_argument, "invalid client_options: " + why, "");
        return core;
    }
    http_client_config hc;
    hc.auth = credentials{std::move(profile.credential_header), std::move(profile.credential_prefix), o.api_key,
                          o.api_key_provider};
    hc.hooks = o.hooks;
    hc.user_agent = "ding-cpp/" DING_VERSION_STRING;
    if (!o.user_agent_suffix.empty()) hc.user_agent += " " + o.user_agent_suffix;
    hc.max_response_body = o.max_response_body;
    core->http_.emplace(core->pool_, std::move(hc));
    return core;
}

client_core::~client_core() {
    if (!registry_) return;
    std::lock_guard lock(registry_->mutex);
    if (!registry_->shut_down) std::erase(registry_->cores, this);
}

void client_core::context_shutdown(std::vector<asio::any_io_executor>* release_later) noexcept {
    stop_flags_.closed.store(true, std::memory_order_release);
    context_gone_.store(true, std::memory_order_release);
    // Calls in flight are operations the context destroys next, uncalled: their machines say so
    // (drop), so that nothing could deliver them. What the core itself holds (idle connections,
    // the strand, executors) goes now, the executors into `release_later` (reserved by the
    // caller: push_back does not allocate) when given.
    for (call_base* c = calls_; c != nullptr; c = c->next) (void)call_sm::step(c->sm, call_sm::event::context_shutdown);
    if (pool_) pool_->abandon();
    if (release_later != nullptr) {
        release_later->push_back(std::exchange(executor_, asio::any_io_executor()));
        release_later->push_back(std::exchange(user_executor_, asio::any_io_executor()));
        return;
    }
    executor_ = asio::any_io_executor();
    user_executor_ = asio::any_io_executor();
}

std::string client_core::check_options() {
    std::string why;
    url_ = parse_base_url(options_.base_url, why);
    if (!url_) return why;
    if (!options_.api_key_provider) {
        if (auto bad = validate_api_key(options_.api_key)) return *bad;
    }
    if (!is_header_safe(options_.user_agent_suffix)) return "user_agent_suffix: contains control characters";
    if (options_.timeout.count() <= 0) return "timeout: must be positive";
    if (options_.connect_timeout.count() <= 0) return "connect_timeout: must be positive";
    if (options_.idle_timeout.count() < 0) return "idle_timeout: must not be negative";
    if (options_.dns_refresh_interval.count() < 0) return "dns_refresh_interval: must not be negative";
    if (options_.max_connections == 0) return "max_connections: must be at least 1";
    if (options_.max_connections > 100000) return "max_connections: at most 100000";
    if (options_.max_response_body == 0) return "max_response_body: must be positive";
    if (auto bad = check_retry_policy(options_.retry)) return *bad;
    return {};
}

std::string client_core::path(std::string_view suffix) const {
    return url_ ? url_->base_path + std::string(suffix) : std::string(suffix);
}

pool_stats client_core::stats() const noexcept { return pool_ ? pool_->stats() : pool_stats{}; }

void client_core::register_call(call_base& c) noexcept {
    c.prev = nullptr;
    c.next = calls_;
    if (calls_ != nullptr) calls_->prev = &c;
    calls_ = &c;
    c.registered = true;
}

void client_core::unregister_call(call_base& c) noexcept {
    if (!c.registered) return;
    (c.prev ? c.prev->next : calls_) = c.next;
    if (c.next != nullptr) c.next->prev = c.prev;
    c.prev = c.next = nullptr;
    c.registered = false;
}

void client_core::stop_all(std::uint64_t before_generation, call_sm::event why) noexcept {
    // stop() never re-enters the registry: the completions it causes are queued, not run inline.
    // Calls armed at `before_generation` or later started after the cancel() and go on.
    for (call_base* c = calls_; c != nullptr; c = c->next)
        if (c->control.generation < before_generation) c->stop(asio::cancellation_type::terminal, why);
}

// Without thread_safe the caller is on the client's thread by contract, so the work is done
// right here; with it, it is dispatched onto the strand.
template <class F>
void client_core::on_executor(F&& f) {
    if (context_gone_.load(std::memory_order_acquire)) return; // nothing left to act on
    if (!options_.thread_safe) {
        f();
        return;
    }
    asio::dispatch(executor_, [self = shared_from_this(), f = std::forward<F>(f)]() mutable { f(); });
}

void client_core::close_idle_connections() {
    if (pool_) on_executor([p = pool_] { p->close_idle(); });
}

void client_core::cancel() {
    // Visible at once to every call's next step check, from any thread; the rest ends the I/O or
    // wait each call is in.
    const std::uint64_t generation = stop_flags_.generation.fetch_add(1, std::memory_order_acq_rel) + 1;
    on_executor([this, generation] { stop_all(generation, call_sm::event::cancel); });
}

void client_core::shutdown() {
    stop_flags_.closed.store(true, std::memory_order_release);
    try {
        on_executor([this] {
            stop_all(std::numeric_limits<std::uint64_t>::max(), call_sm::event::client_destroyed);
            if (pool_) pool_->close_idle();
        });
    } catch (...) {
        // Out of memory in a destructor: the flag alone still stops every call at its next step.
    }
}

} // namespace ding::detail

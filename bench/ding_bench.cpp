// ding-bench: throughput, client CPU, latency, connections, TLS handshakes, heap allocations and
// peak RSS of ONE ding::client driven from ONE thread, K operations in flight.
//
//   ding-bench --url https://127.0.0.1:8443/v1 --ca-file cert.pem --api-key KEY
//              --operation check --calls 100000 --warmup 2000 --in-flight 64
//   ding-bench --sandbox --operation flow --calls 20000 --in-flight 64
//
// Phases: the process's first call (optionally after client::warm_up_async), warm-up (opens the
// connections, fills caches), measured (everything reported is a delta over this phase only), five
// calls each after 5 ms of idle (a control for the first call's latency), then a reconnect probe
// (idle connections closed, one more round of calls: shows whether new connections resume the TLS
// session). Exit status 0 only if every call succeeded.
//
// Heap allocations are counted by replacing the global operator new in this binary (a relaxed
// atomic counter) and, when OpenSSL lets us install its hooks early enough, OpenSSL's own
// CRYPTO_malloc/realloc as well. CPU is getrusage(RUSAGE_THREAD) of the client's thread, so an
// embedded sandbox (--sandbox, on its own thread, pinned to --sandbox-cpu) is not counted.

#include <ding/ding.hpp>
#include <ding/sandbox.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <openssl/crypto.h>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define DING_BENCH_CALLGRIND 1
#endif

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>
#include <map>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <vector>

// ------------------------------------------------------------------ allocation counting

namespace {
std::atomic<std::uint64_t> g_new_calls{0};
std::atomic<std::uint64_t> g_ssl_mallocs{0};

void* counted_alloc(std::size_t n) {
    g_new_calls.fetch_add(1, std::memory_order_relaxed);
    if (n == 0) n = 1;
    if (void* p = std::malloc(n)) return p;
    throw std::bad_alloc();
}
void* counted_aligned_alloc(std::size_t n, std::align_val_t al) {
    g_new_calls.fetch_add(1, std::memory_order_relaxed);
    const auto a = std::max(static_cast<std::size_t>(al), sizeof(void*));
    void* p = nullptr;
    if (posix_memalign(&p, a, n == 0 ? a : n) == 0) return p;
    throw std::bad_alloc();
}

void* ssl_malloc(std::size_t n, const char*, int) {
    g_ssl_mallocs.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(n);
}
void* ssl_realloc(void* p, std::size_t n, const char*, int) {
    if (p == nullptr) g_ssl_mallocs.fetch_add(1, std::memory_order_relaxed);
    return std::realloc(p, n);
}
void ssl_free(void* p, const char*, int) { std::free(p); }
} // namespace

void* operator new(std::size_t n) { return counted_alloc(n); }
void* operator new[](std::size_t n) { return counted_alloc(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    try { return counted_alloc(n); } catch (...) { return nullptr; }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    try { return counted_alloc(n); } catch (...) { return nullptr; }
}
void* operator new(std::size_t n, std::align_val_t a) { return counted_aligned_alloc(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_aligned_alloc(n, a); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    try { return counted_aligned_alloc(n, a); } catch (...) { return nullptr; }
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    try { return counted_aligned_alloc(n, a); } catch (...) { return nullptr; }
}
// Asio allocates coroutine frames and handlers it cannot recycle with ::aligned_alloc, not operator
// new; those are C++ heap allocations of the SDK too, so they are counted here as well.
extern "C" void* aligned_alloc(std::size_t alignment, std::size_t n) noexcept {
    g_new_calls.fetch_add(1, std::memory_order_relaxed);
    void* p = nullptr;
    return posix_memalign(&p, std::max(alignment, sizeof(void*)), n) == 0 ? p : nullptr;
}
extern "C" void* memalign(std::size_t alignment, std::size_t n) noexcept {
    g_new_calls.fetch_add(1, std::memory_order_relaxed);
    void* p = nullptr;
    return posix_memalign(&p, std::max(alignment, sizeof(void*)), n) == 0 ? p : nullptr;
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

// ------------------------------------------------------------------ the benchmark

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using clock_type = std::chrono::steady_clock;

// Installed before main() touches OpenSSL (static initialisation of this translation unit; it
// fails harmlessly, and OpenSSL mallocs are then reported as -1, if OpenSSL allocated before).
const bool g_ssl_hooks = CRYPTO_set_mem_functions(&ssl_malloc, &ssl_realloc, &ssl_free) == 1;

enum class operation { check, create, flow };

struct args {
    std::string url = "https://127.0.0.1:8443/v1";
    std::string ca_file;
    std::string api_key = "bench-api-key-0123456789";
    operation op = operation::check;
    std::size_t calls = 20000;
    std::optional<std::size_t> warmup;
    std::size_t in_flight = 1;
    std::optional<std::size_t> max_connections;
    bool sandbox = false;
    int sandbox_cpu = -1;
    bool reconnect_probe = true;
    bool quiet = false;
    bool callback = false;                     ///< --callback: check_async with a plain callback
    std::optional<std::size_t> warm_up_pool;   ///< --warm-up-pool N: client.warm_up_async(N) first
    bool count_first_call = false;             ///< --count-first-call: callgrind collects that call only
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "ding-bench: %s\n"
                 "usage: ding-bench [--url URL] [--ca-file PEM] [--api-key KEY] [--operation check|create|flow]\n"
                 "                  [--calls N] [--warmup N] [--in-flight K] [--max-connections M]\n"
                 "                  [--sandbox [--sandbox-cpu C]] [--no-reconnect-probe] [--quiet]\n"
                 "                  [--callback] [--warm-up-pool N] [--count-first-call]\n"
                 "  --callback: check calls complete to a plain callback instead of use_awaitable (check only).\n"
                 "  --warm-up-pool N: client.warm_up_async(N) before the first call; the first call's latency\n"
                 "  is reported either way (first_call_us), with a control: the median of 5 calls on warm\n"
                 "  connections each made after 5 ms of idle (idle_call_us).\n"
                 "  --count-first-call: under valgrind --tool=callgrind --collect-atstart=no, callgrind counts\n"
                 "  the first call only (its instructions are the profile's total).\n"
                 "  --calls counts operations (a flow is two API calls); per-call figures divide by API calls.\n"
                 "  defaults: --warmup max(1000, 4K), --max-connections min(K, 64), --in-flight 1\n",
                 why);
    std::exit(2);
}

std::size_t to_size(const char* text, const char* name) {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(text, &end, 10);
    if (end == text || *end != '\0') usage((std::string("bad number for ") + name).c_str());
    return static_cast<std::size_t>(v);
}

args parse(int argc, char** argv) {
    args a;
    for (int i = 1; i < argc; ++i) {
        const std::string k = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc) usage((k + " needs a value").c_str());
            return argv[++i];
        };
        if (k == "--url") a.url = value();
        else if (k == "--ca-file") a.ca_file = value();
        else if (k == "--api-key") a.api_key = value();
        else if (k == "--operation") {
            const std::string v = value();
            if (v == "check") a.op = operation::check;
            else if (v == "create") a.op = operation::create;
            else if (v == "flow") a.op = operation::flow;
            else usage("--operation must be check, create or flow");
        } else if (k == "--calls") a.calls = to_size(value(), "--calls");
        else if (k == "--warmup") a.warmup = to_size(value(), "--warmup");
        else if (k == "--in-flight") a.in_flight = std::max<std::size_t>(1, to_size(value(), "--in-flight"));
        else if (k == "--max-connections") a.max_connections = std::max<std::size_t>(1, to_size(value(), "--max-connections"));
        else if (k == "--sandbox") a.sandbox = true;
        else if (k == "--sandbox-cpu") a.sandbox_cpu = static_cast<int>(to_size(value(), "--sandbox-cpu"));
        else if (k == "--no-reconnect-probe") a.reconnect_probe = false;
        else if (k == "--quiet") a.quiet = true;
        else if (k == "--callback") a.callback = true;
        else if (k == "--count-first-call") {
#ifdef DING_BENCH_CALLGRIND
            a.count_first_call = true;
#else
            usage("--count-first-call needs valgrind's headers at build time (apt-get install valgrind)");
#endif
        }
        else if (k == "--warm-up-pool") a.warm_up_pool = to_size(value(), "--warm-up-pool");
        else if (k == "--help" || k == "-h") usage("help");
        else usage(("unknown option " + k).c_str());
    }
    if (a.calls == 0) usage("--calls must be positive");
    if (a.callback && a.op != operation::check) usage("--callback is for --operation check");
    return a;
}

const char* op_name(operation op) {
    switch (op) {
    case operation::check: return "check";
    case operation::create: return "create";
    case operation::flow: return "flow";
    }
    return "?";
}

double thread_cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_THREAD, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long peak_rss_kb() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

long current_rss_kb() {
    std::ifstream statm("/proc/self/statm");
    long pages_total = 0, pages_resident = 0;
    statm >> pages_total >> pages_resident;
    return pages_resident * (sysconf(_SC_PAGESIZE) / 1024);
}

const std::string customer_uuid = "cf2edc1c-7fc6-48fb-86da-b7508c6b7b71";
const std::string fixed_auth_uuid = "e0e7b0e9-739d-424b-922f-1c2cb48ab077";
const std::string fixed_code = "123456";

struct bench_state {
    explicit bench_state(ding::client& c) : client(c) {}
    ding::client& client;
    ding::sandbox* sandbox = nullptr; // set: codes come from the sandbox
    operation op = operation::check;
    bool callback = false;
    ding::create_check_request check_request{customer_uuid, fixed_auth_uuid, fixed_code}; // --operation check
    std::size_t phone_counter = 0; // distinct numbers: the sandbox rate-limits per number

    // per phase
    std::size_t next = 0;
    std::size_t total = 0;
    std::size_t done = 0;
    std::vector<std::uint64_t>* latencies_ns = nullptr; // reserved before the phase
    std::map<std::string, std::size_t> errors;          // by code (or "unexpected: ...")
};

void count_error(bench_state& st, const std::string& what) {
    auto [it, inserted] = st.errors.try_emplace(what, 0);
    if (inserted && st.errors.size() <= 8) std::fprintf(stderr, "ding-bench: first error of its kind: %s\n", what.c_str());
    ++it->second;
}

std::string describe(const ding::error& e) {
    std::string s = e.code().message();
    if (e.http_status() != 0) s += " (HTTP " + std::to_string(e.http_status()) + ")";
    return s + ": " + e.message();
}

void make_phone(bench_state& st, char (&phone)[20]) {
    // +33 6 + 8 digits, distinct per create (no per-number rate limit in the sandbox).
    std::snprintf(phone, sizeof phone, "+336%08zu", st.phone_counter++ % 100000000);
}

asio::awaitable<bool> create_once(bench_state& st, std::string* auth_uuid_out) {
    ding::create_authentication_request req;
    req.customer_uuid = customer_uuid;
    char phone[20];
    make_phone(st, phone);
    req.phone_number = phone;
    auto r = co_await st.client.otp().create_authentication_async(req);
    if (!r) {
        count_error(st, describe(r.error()));
        co_return false;
    }
    if (!r->authentication_uuid || r->status != ding::authentication_status::pending) {
        count_error(st, "unexpected create response (no uuid or status not pending)");
        co_return false;
    }
    if (auth_uuid_out != nullptr) *auth_uuid_out = std::move(*r->authentication_uuid);
    co_return true;
}

asio::awaitable<bool> check_once(bench_state& st, const std::string& auth_uuid, const std::string& code,
                                 bool already_validated_ok) {
    ding::create_check_request req;
    req.customer_uuid = customer_uuid;
    req.authentication_uuid = auth_uuid;
    req.check_code = code;
    auto r = co_await st.client.otp().check_async(req);
    if (!r) {
        count_error(st, describe(r.error()));
        co_return false;
    }
    const bool ok = r->status == ding::check_status::valid ||
                    (already_validated_ok && r->status == ding::check_status::already_validated);
    if (!ok) {
        count_error(st, std::string("unexpected check status ") +
                            std::string(r->status ? ding::to_string(*r->status) : "(absent)"));
        co_return false;
    }
    co_return true;
}

asio::awaitable<void> one_operation(bench_state& st) {
    switch (st.op) {
    case operation::check:
        break; // handled in worker()
    case operation::create:
        co_await create_once(st, nullptr);
        break;
    case operation::flow: {
        std::string auth;
        if (!co_await create_once(st, &auth)) break;
        std::string code = fixed_code;
        if (st.sandbox != nullptr) code = st.sandbox->code_for(auth).value_or("");
        co_await check_once(st, auth, code, false);
        break;
    }
    }
}

asio::awaitable<void> worker(bench_state& st) {
    for (;;) {
        const std::size_t i = st.next++;
        if (i >= st.total) co_return;
        const auto t0 = clock_type::now();
        if (st.op == operation::check) {
            auto r = co_await st.client.otp().check_async(st.check_request);
            if (!r) {
                count_error(st, describe(r.error()));
            } else if (!(r->status == ding::check_status::valid ||
                         (st.sandbox != nullptr && r->status == ding::check_status::already_validated))) {
                count_error(st, std::string("unexpected check status ") +
                                    std::string(r->status ? ding::to_string(*r->status) : "(absent)"));
            }
        } else {
            co_await one_operation(st);
        }
        const auto t1 = clock_type::now();
        if (st.latencies_ns != nullptr)
            (*st.latencies_ns)[i] = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
        ++st.done;
    }
}

// --callback: each of the K chains issues its next check from the completion of the previous one.
void check_with_callback(bench_state& st) {
    const std::size_t i = st.next++;
    if (i >= st.total) return;
    const auto t0 = clock_type::now();
    st.client.otp().check_async(st.check_request, [&st, i, t0](ding::outcome<ding::create_check_response> r) {
        if (!r) {
            count_error(st, describe(r.error()));
        } else if (!(r->status == ding::check_status::valid ||
                     (st.sandbox != nullptr && r->status == ding::check_status::already_validated))) {
            count_error(st, std::string("unexpected check status ") +
                                std::string(r->status ? ding::to_string(*r->status) : "(absent)"));
        }
        if (st.latencies_ns != nullptr)
            (*st.latencies_ns)[i] = static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - t0).count());
        ++st.done;
        check_with_callback(st);
    });
}

void run_phase(asio::io_context& ioc, bench_state& st, std::size_t operations, std::size_t in_flight,
               std::vector<std::uint64_t>* latencies) {
    st.next = 0;
    st.done = 0;
    st.total = operations;
    st.latencies_ns = latencies;
    const std::size_t workers = std::min(in_flight, operations);
    for (std::size_t w = 0; w < workers; ++w) {
        if (st.callback) check_with_callback(st);
        else asio::co_spawn(ioc, worker(st), asio::detached);
    }
    ioc.restart();
    ioc.run();
}

struct sandbox_host {
    asio::io_context ioc;
    asio::executor_work_guard<asio::io_context::executor_type> guard{ioc.get_executor()};
    std::optional<ding::sandbox> server;
    std::thread thread;

    explicit sandbox_host(int cpu) {
        ding::sandbox_options o;
        o.max_authentications_per_number = 1000000;
        o.seed = 42;
        server.emplace(ioc.get_executor(), o);
        thread = std::thread([this, cpu] {
            if (cpu >= 0) {
                cpu_set_t set;
                CPU_ZERO(&set);
                CPU_SET(cpu, &set);
                if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0)
                    std::fprintf(stderr, "ding-bench: cannot pin the sandbox thread to CPU %d\n", cpu);
            }
            ioc.run();
        });
    }
    ~sandbox_host() {
        server->stop();
        guard.reset();
        thread.join();
    }
};

double percentile(const std::vector<std::uint64_t>& sorted, double p) {
    if (sorted.empty()) return 0;
    const auto idx = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
    return static_cast<double>(sorted[std::min(idx, sorted.size() - 1)]) / 1000.0; // us
}

} // namespace

int main(int argc, char** argv) {
    const args a = parse(argc, argv);
    const std::size_t warmup = a.warmup.value_or(std::max<std::size_t>(1000, 4 * a.in_flight));
    const std::size_t max_conn = a.max_connections.value_or(std::min<std::size_t>(a.in_flight, 64));
    const std::size_t calls_per_op = a.op == operation::flow ? 2 : 1;

    std::optional<sandbox_host> sandbox;
    ding::client_options o;
    if (a.sandbox) {
        sandbox.emplace(a.sandbox_cpu);
        o.base_url = sandbox->server->base_url();
        o.api_key = sandbox->server->api_key();
        o.tls.ca_pem = sandbox->server->ca_pem();
    } else {
        o.base_url = a.url;
        o.api_key = a.api_key;
        o.tls.ca_file = a.ca_file;
        o.tls.use_system_trust_store = a.ca_file.empty();
    }
    o.max_connections = max_conn;
    o.timeout = std::chrono::seconds(120);
    o.connect_timeout = std::chrono::seconds(10);

    asio::io_context ioc(1);
    ding::client client(ioc.get_executor(), o);
    if (const auto* e = client.configuration_error()) {
        std::fprintf(stderr, "ding-bench: %s\n", e->message().c_str());
        return 2;
    }
    bench_state st(client);
    st.op = a.op;
    st.callback = a.callback;
    st.sandbox = a.sandbox ? &*sandbox->server : nullptr;

    const long rss_start_kb = current_rss_kb();

    // Against the sandbox, --operation check checks one authentication created here (valid, then
    // already_validated); against a static server the fixed request is answered as is.
    if (a.sandbox && a.op == operation::check) {
        asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
            std::string auth;
            if (co_await create_once(st, &auth)) {
                st.check_request.authentication_uuid = auth;
                st.check_request.check_code = st.sandbox->code_for(auth).value_or("");
            }
        }, asio::detached);
        ioc.run();
    }

    // The first call of the process, on a cold pool or after warm_up_async: what a login
    // endpoint's first OTP call waits for.
    double warm_up_us = 0;
    std::size_t warmed_up = 0;
    if (a.warm_up_pool) {
        const auto w0 = clock_type::now();
        client.warm_up_async(*a.warm_up_pool, [&](ding::outcome<std::size_t> r) {
            if (r) warmed_up = *r;
            else count_error(st, "warm_up: " + describe(r.error()));
        });
        ioc.restart();
        ioc.run();
        warm_up_us = std::chrono::duration<double, std::micro>(clock_type::now() - w0).count();
    }
    double first_call_us = 0, first_call_cpu_us = 0;
    {
        std::vector<std::uint64_t> first(1, 0);
        const double c0 = thread_cpu_seconds();
#ifdef DING_BENCH_CALLGRIND
        if (a.count_first_call) CALLGRIND_TOGGLE_COLLECT;
#endif
        run_phase(ioc, st, 1, 1, &first);
#ifdef DING_BENCH_CALLGRIND
        if (a.count_first_call) CALLGRIND_TOGGLE_COLLECT;
#endif
        first_call_cpu_us = (thread_cpu_seconds() - c0) * 1e6;
        first_call_us = static_cast<double>(first[0]) / 1000.0;
    }

    run_phase(ioc, st, warmup, a.in_flight, nullptr);
    const std::size_t warmup_errors = [&] { std::size_t n = 0; for (auto& [k, v] : st.errors) n += v; return n; }();
    const long rss_after_warmup_kb = current_rss_kb();

    std::vector<std::uint64_t> latencies(a.calls, 0);
    const auto s0 = client.stats();
    const std::uint64_t new0 = g_new_calls.load(std::memory_order_relaxed);
    const std::uint64_t ssl0 = g_ssl_mallocs.load(std::memory_order_relaxed);
    const double cpu0 = thread_cpu_seconds();
    const auto t0 = clock_type::now();

    run_phase(ioc, st, a.calls, a.in_flight, &latencies);

    const auto t1 = clock_type::now();
    const double cpu1 = thread_cpu_seconds();
    const std::uint64_t new1 = g_new_calls.load(std::memory_order_relaxed);
    const std::uint64_t ssl1 = g_ssl_mallocs.load(std::memory_order_relaxed);
    const auto s1 = client.stats();
    const std::size_t measured_done = st.done;
    const long peak_rss_measured_kb = peak_rss_kb();
    std::size_t errors_total = 0;
    for (auto& [k, v] : st.errors) errors_total += v;
    const std::size_t measured_errors = errors_total - warmup_errors;

    // Control for the first call: on this kind of machine, any call that follows a few ms of idle
    // is slower than back-to-back calls (caches and the idle CPU's wake-up), whatever the client.
    std::vector<std::uint64_t> after_idle;
    for (int i = 0; i < 5; ++i) {
        std::vector<std::uint64_t> one(1, 0);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        run_phase(ioc, st, 1, 1, &one);
        after_idle.push_back(one[0]);
    }
    std::sort(after_idle.begin(), after_idle.end());
    const double idle_call_us = static_cast<double>(after_idle[2]) / 1000.0;

    // Reconnect probe: drop the idle connections and run one more round; the new connections
    // should resume the TLS session the pool kept.
    ding::pool_stats r0{}, r1{};
    if (a.reconnect_probe) {
        client.close_idle_connections();
        r0 = client.stats();
        run_phase(ioc, st, std::min<std::size_t>(a.in_flight, max_conn), a.in_flight, nullptr);
        r1 = client.stats();
    }
    errors_total = 0;
    for (auto& [k, v] : st.errors) errors_total += v;

    const double seconds = std::chrono::duration<double>(t1 - t0).count();
    const double api_calls = static_cast<double>(a.calls * calls_per_op);
    std::vector<std::uint64_t> sorted = latencies;
    std::sort(sorted.begin(), sorted.end());

    json::object out;
    out["operation"] = op_name(a.op);
    out["target"] = a.sandbox ? std::string("sandbox") : a.url;
    out["in_flight"] = a.in_flight;
    out["max_connections"] = max_conn;
    out["warmup_operations"] = warmup;
    out["operations"] = a.calls;
    out["api_calls"] = a.calls * calls_per_op;
    out["seconds"] = seconds;
    out["calls_per_s"] = api_calls / seconds;
    out["operations_per_s"] = static_cast<double>(a.calls) / seconds;
    out["cpu_s"] = cpu1 - cpu0;
    out["cpu_us_per_call"] = (cpu1 - cpu0) * 1e6 / api_calls;
    out["callback"] = a.callback;
    out["warm_up_pool"] = a.warm_up_pool ? static_cast<std::int64_t>(*a.warm_up_pool) : -1;
    out["warm_up_connections"] = warmed_up;
    out["warm_up_us"] = warm_up_us;
    out["first_call_us"] = first_call_us;
    out["first_call_cpu_us"] = first_call_cpu_us;
    out["idle_call_us"] = idle_call_us;
    out["latency_p50_us"] = percentile(sorted, 0.50);
    out["latency_p99_us"] = percentile(sorted, 0.99);
    out["latency_max_us"] = sorted.empty() ? 0.0 : static_cast<double>(sorted.back()) / 1000.0;
    out["connections_opened"] = s1.connections_opened - s0.connections_opened;
    out["tls_handshakes_full"] = (s1.handshakes - s0.handshakes) - (s1.resumed_handshakes - s0.resumed_handshakes);
    out["tls_handshakes_resumed"] = s1.resumed_handshakes - s0.resumed_handshakes;
    out["requests_sent"] = s1.requests_sent - s0.requests_sent;
    out["retries"] = s1.retries - s0.retries;
    out["connections_open_at_end"] = s1.open;
    out["warmup_connections_opened"] = s0.connections_opened;
    out["warmup_tls_handshakes_full"] = s0.handshakes - s0.resumed_handshakes;
    out["warmup_tls_handshakes_resumed"] = s0.resumed_handshakes;
    out["allocs_per_call"] = static_cast<double>(new1 - new0) / api_calls;
    out["openssl_mallocs_per_call"] = g_ssl_hooks ? static_cast<double>(ssl1 - ssl0) / api_calls : -1.0;
    out["rss_start_kb"] = rss_start_kb;
    out["rss_after_warmup_kb"] = rss_after_warmup_kb;
    out["peak_rss_kb"] = peak_rss_measured_kb;
    if (a.reconnect_probe) {
        out["reconnect_connections_opened"] = r1.connections_opened - r0.connections_opened;
        out["reconnect_tls_handshakes_full"] =
            (r1.handshakes - r0.handshakes) - (r1.resumed_handshakes - r0.resumed_handshakes);
        out["reconnect_tls_handshakes_resumed"] = r1.resumed_handshakes - r0.resumed_handshakes;
    }
    out["errors"] = errors_total;
    out["measured_errors"] = measured_errors;
    json::object by_code;
    for (auto& [k, v] : st.errors) by_code[k] = v;
    out["errors_by_code"] = std::move(by_code);

    if (!a.quiet) {
        std::printf("ding-bench %s -> %s: %zu operations (%zu API calls) after %zu warm-up, %zu in flight, "
                    "max_connections %zu\n",
                    op_name(a.op), a.sandbox ? "embedded sandbox" : a.url.c_str(), a.calls, a.calls * calls_per_op,
                    warmup, a.in_flight, max_conn);
        std::printf("  throughput        %.0f calls/s (%.0f operations/s) in %.3f s\n", api_calls / seconds,
                    static_cast<double>(a.calls) / seconds, seconds);
        std::printf("  client CPU        %.2f us per call (user+sys of the client thread)\n",
                    (cpu1 - cpu0) * 1e6 / api_calls);
        std::printf("  latency per op    p50 %.0f us, p99 %.0f us, max %.0f us\n", percentile(sorted, 0.5),
                    percentile(sorted, 0.99), sorted.empty() ? 0.0 : static_cast<double>(sorted.back()) / 1000.0);
        std::printf("  first call        %.0f us, client CPU %.0f us (%s)\n", first_call_us, first_call_cpu_us,
                    a.warm_up_pool ? ("after warm_up_async(" + std::to_string(*a.warm_up_pool) + "): " +
                                      std::to_string(warmed_up) + " connections in " +
                                      std::to_string(static_cast<long>(warm_up_us)) + " us").c_str()
                                   : "cold pool: resolve, connect, TLS handshake");
        std::printf("  after 5 ms idle   %.0f us (median of 5 calls on warm connections)\n", idle_call_us);
        std::printf("  measured phase    %zu connections opened, TLS handshakes %zu full + %zu resumed, %zu retries\n",
                    static_cast<std::size_t>(s1.connections_opened - s0.connections_opened),
                    static_cast<std::size_t>((s1.handshakes - s0.handshakes) - (s1.resumed_handshakes - s0.resumed_handshakes)),
                    static_cast<std::size_t>(s1.resumed_handshakes - s0.resumed_handshakes),
                    static_cast<std::size_t>(s1.retries - s0.retries));
        std::printf("  warm-up           %zu connections opened, TLS handshakes %zu full + %zu resumed\n",
                    s0.connections_opened, s0.handshakes - s0.resumed_handshakes, s0.resumed_handshakes);
        if (a.reconnect_probe)
            std::printf("  reconnect probe   %zu connections opened, TLS handshakes %zu full + %zu resumed\n",
                        r1.connections_opened - r0.connections_opened,
                        (r1.handshakes - r0.handshakes) - (r1.resumed_handshakes - r0.resumed_handshakes),
                        r1.resumed_handshakes - r0.resumed_handshakes);
        std::printf("  heap allocations  %.2f per call (operator new + aligned_alloc)", static_cast<double>(new1 - new0) / api_calls);
        if (g_ssl_hooks)
            std::printf(", %.2f OpenSSL mallocs per call\n", static_cast<double>(ssl1 - ssl0) / api_calls);
        else
            std::printf(" (OpenSSL mallocs not counted: hooks could not be installed)\n");
        std::printf("  memory            peak RSS %ld kB (at start %ld kB, after warm-up %ld kB)\n",
                    peak_rss_measured_kb, rss_start_kb, rss_after_warmup_kb);
        std::printf("  errors            %zu\n", errors_total);
        for (auto& [k, v] : st.errors) std::printf("    %zu x %s\n", v, k.c_str());
    }
    std::printf("json: %s\n", json::serialize(out).c_str());
    std::fflush(stdout);
    return errors_total == 0 && measured_done == a.calls ? 0 : 1;
}

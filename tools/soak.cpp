// ding_soak: many calls through one ding::client (one thread) against a ding::sandbox (its own
// thread), with faults injected at random, then checks that
//   - every call completed exactly once (none lost, none completed twice),
//   - no connection leaked (pool: open <= max_connections, nothing in use or waiting; the
//     process's file descriptors back to the baseline once the pool and the sandbox are closed),
//   - memory stayed flat (VmRSS after warm-up vs. at the end).
// Prints one summary line; exits 0 if every check passed, 1 otherwise, 2 on bad arguments.
//
//   ding_soak [--calls N] [--in-flight K] [--fault-percent P] [--max-connections M] [--seed S]
//             [--max-seconds T] [--max-rss-growth-mb G] [--plain]
//
// The mix keeps the sandbox's state bounded (so that RSS measures the client, not a growing
// server): lookups, status reads of a fixed set of authentications, checks of an unknown
// authentication (an expected invalid_auth_uuid) and duplicate feedback (an expected
// duplicated_feedback_status).

#include <ding/ding.hpp>
#include <ding/sandbox.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

struct settings {
    std::size_t calls = 100000;
    std::size_t in_flight = 64;
    double fault_percent = 5;
    std::size_t max_connections = 16;
    std::uint64_t seed = 1;
    double max_seconds = 900;
    double max_rss_growth_mb = 32;
    bool plain = false;  // plain HTTP instead of TLS
};

const std::string customer = "cf2edc1c-7fc6-48fb-86da-b7508c6b7b71";
const std::string unknown_uuid = "0f0e0d0c-0b0a-4908-8706-050403020100";

long rss_kb() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    return -1;
}

struct fd_count {
    std::size_t total = 0;
    std::size_t sockets = 0;
    std::vector<std::string> targets;  // "fd -> target"
};

fd_count count_fds() {
    fd_count c;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
        ++c.total;
        std::error_code lec;
        const auto target = std::filesystem::read_symlink(entry.path(), lec);
        c.targets.push_back(entry.path().filename().string() + " -> " + (lec ? "?" : target.string()));
        if (!lec && target.string().rfind("socket:", 0) == 0) ++c.sockets;
    }
    return c;
}

const char* errc_name(ding::errc e) {
    switch (e) {
    case ding::errc::api_error: return "api_error";
    case ding::errc::http_status: return "http_status";
    case ding::errc::transport: return "transport";
    case ding::errc::tls: return "tls";
    case ding::errc::timeout: return "timeout";
    case ding::errc::cancelled: return "cancelled";
    case ding::errc::decode: return "decode";
    case ding::errc::invalid_argument: return "invalid_argument";
    case ding::errc::response_too_large: return "response_too_large";
    case ding::errc::internal: return "internal";
    case ding::errc::invalid_signature: return "invalid_signature";
    }
    return "?";
}

bool parse(int argc, char** argv, settings& s) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") return false;
        if (a == "--plain") {
            s.plain = true;
            continue;
        }
        if (i + 1 >= argc) {
            std::cerr << "ding_soak: " << a << " needs a value\n";
            return false;
        }
        const char* v = argv[++i];
        char* end = nullptr;
        const double d = std::strtod(v, &end);
        if (end == v || *end != '\0' || d < 0) {
            std::cerr << "ding_soak: bad value for " << a << ": " << v << '\n';
            return false;
        }
        if (a == "--calls") s.calls = static_cast<std::size_t>(d);
        else if (a == "--in-flight") s.in_flight = static_cast<std::size_t>(d);
        else if (a == "--fault-percent") s.fault_percent = d;
        else if (a == "--max-connections") s.max_connections = static_cast<std::size_t>(d);
        else if (a == "--seed") s.seed = std::strtoull(v, nullptr, 10);
        else if (a == "--max-seconds") s.max_seconds = d;
        else if (a == "--max-rss-growth-mb") s.max_rss_growth_mb = d;
        else {
            std::cerr << "ding_soak: unknown option " << a << '\n';
            return false;
        }
    }
    if (s.calls == 0 || s.in_flight == 0 || s.max_connections == 0 || s.fault_percent > 100) {
        std::cerr << "ding_soak: --calls, --in-flight and --max-connections must be positive, --fault-percent <= 100\n";
        return false;
    }
    return true;
}

struct run_state {
    settings cfg;
    ding::sandbox* sandbox = nullptr;
    ding::client* client = nullptr;
    std::vector<std::uint8_t> completions;  // per call id
    std::vector<std::string> auth_uuids;    // created before the run, read by status calls
    std::size_t next_id = 0;
    std::size_t completed = 0;
    std::size_t ok = 0;           // the expected outcome (a value, or the expected API error)
    std::size_t unexpected = 0;   // an outcome that no fault explains (e.g. a value that should be an error)
    std::size_t faults_injected = 0;
    std::size_t workers_done = 0;
    std::map<std::string, std::size_t> errors;  // by errc name
    std::mt19937_64 rng;
    long rss_after_warmup = -1;
};

void inject_random_fault(run_state& st) {
    std::uniform_real_distribution<double> pct(0, 100);
    if (pct(st.rng) >= st.cfg.fault_percent) return;
    static constexpr std::array kinds{
        ding::sandbox_fault_kind::status_429,     ding::sandbox_fault_kind::status_500,
        ding::sandbox_fault_kind::status_502,     ding::sandbox_fault_kind::status_503,
        ding::sandbox_fault_kind::close_before_response, ding::sandbox_fault_kind::close_mid_body,
        ding::sandbox_fault_kind::malformed_json, ding::sandbox_fault_kind::delay};
    ding::sandbox_fault f(kinds[std::uniform_int_distribution<std::size_t>(0, kinds.size() - 1)(st.rng)], 1);
    f.retry_after = 0s;
    f.delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(1, 5)(st.rng));
    st.sandbox->inject(f);
    ++st.faults_injected;
}

template <class T>
void account(run_state& st, const ding::outcome<T>& r, std::optional<ding::api_error_code> expected_api_error) {
    if (r) {
        if (expected_api_error) ++st.unexpected;
        else ++st.ok;
        return;
    }
    if (expected_api_error && r.error().value() == ding::errc::api_error && r.error().api_code() == *expected_api_error) {
        ++st.ok;
        return;
    }
    if (r.error().value() == ding::errc::api_error) ++st.unexpected;  // no fault produces an ErrorResponse
    ++st.errors[errc_name(r.error().value())];
}

asio::awaitable<void> worker(run_state& st) {
    ding::call_options per_call;
    per_call.timeout = 2s;
    while (st.next_id < st.cfg.calls) {
        const std::size_t id = st.next_id++;
        inject_random_fault(st);
        switch (id % 10) {
        case 0: case 1: case 2: case 3: {
            ding::lookup_request req{customer, "+3361" + std::to_string(10000000 + id % 5000000), {}};
            if (id % 20 == 0) req.types.push_back(ding::lookup_type::cnam);
            account(st, co_await st.client->lookup().lookup_async(req, per_call), std::nullopt);
            break;
        }
        case 4: case 5: case 6: {
            const auto& uuid = st.auth_uuids[id % st.auth_uuids.size()];
            account(st, co_await st.client->otp().get_authentication_status_async(uuid, per_call), std::nullopt);
            break;
        }
        case 7: case 8: {
            ding::create_check_request req{customer, unknown_uuid, "123456"};
            account(st, co_await st.client->otp().check_async(req, per_call), ding::api_error_code::invalid_auth_uuid);
            break;
        }
        default: {
            ding::feedback_request req{customer, "+33612345678", ding::feedback_status::onboarded};
            account(st, co_await st.client->otp().feedback_async(req, per_call),
                    ding::api_error_code::duplicated_feedback_status);
            break;
        }
        }
        if (st.completions[id] < 255) ++st.completions[id];
        ++st.completed;
        if (st.completed == st.cfg.calls / 10) st.rss_after_warmup = rss_kb();
    }
    ++st.workers_done;
}

// Runs one setup call to completion (bounded).
template <class T>
ding::outcome<T> run_one(asio::io_context& ioc, asio::awaitable<ding::outcome<T>> op) {
    std::optional<ding::outcome<T>> result;
    asio::co_spawn(ioc, std::move(op), [&](std::exception_ptr, ding::outcome<T> r) { result.emplace(std::move(r)); });
    ioc.restart();
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (!result && std::chrono::steady_clock::now() < until) ioc.run_one_until(until);
    if (!result) {
        std::cerr << "ding_soak: a setup call did not complete within 10 s\n";
        std::_Exit(1);
    }
    return std::move(*result);
}

}  // namespace

int main(int argc, char** argv) {
    settings cfg;
    if (!parse(argc, argv, cfg)) {
        std::cerr << "usage: ding_soak [--calls N] [--in-flight K] [--fault-percent P] [--max-connections M] "
                     "[--seed S] [--max-seconds T] [--max-rss-growth-mb G] [--plain]\n";
        return 2;
    }
    // The client's io_context first: its epoll/eventfd/timerfd descriptors are part of the baseline.
    asio::io_context ioc(1);
    { asio::steady_timer reactor_up(ioc); }  // the reactor is made on first use
    const fd_count fds_before = count_fds();

    run_state st;
    st.cfg = cfg;
    st.rng.seed(cfg.seed);
    st.completions.assign(cfg.calls, 0);

    auto sb = std::make_unique<ding::sandbox>([&] {
        ding::sandbox_options o;
        o.seed = cfg.seed;
        o.max_authentications_per_number = 1000000;
        o.idle_timeout = 60s;
        o.tls = !cfg.plain;
        return o;
    }());
    ding::client_options co;
    co.base_url = sb->base_url();
    co.api_key = sb->api_key();
    co.tls.use_system_trust_store = false;
    co.tls.ca_pem = sb->ca_pem();
    co.max_connections = cfg.max_connections;
    co.timeout = 2s;
    co.connect_timeout = 2s;
    co.retry.initial_backoff = 1ms;
    co.retry.max_backoff = 8ms;
    auto client = std::make_unique<ding::client>(ioc.get_executor(), co);
    st.sandbox = sb.get();
    st.client = client.get();

    // A few authentications to read, and one feedback so that the next ones are duplicates.
    for (int i = 0; i < 16; ++i) {
        ding::create_authentication_request req{customer, "+3370000" + std::to_string(1000 + i)};
        auto r = run_one(ioc, client->otp().create_authentication_async(req));
        if (!r || !r->authentication_uuid) {
            std::cerr << "ding_soak: setup create failed: " << (r ? "no uuid" : r.error().to_string()) << '\n';
            return 1;
        }
        st.auth_uuids.push_back(*r->authentication_uuid);
    }
    {
        ding::create_authentication_request req{customer, "+33612345678"};
        auto r = run_one(ioc, client->otp().create_authentication_async(req));
        auto f = run_one(ioc, client->otp().feedback_async(
                                  ding::feedback_request{customer, "+33612345678", ding::feedback_status::onboarded}));
        if (!r || !f) {
            std::cerr << "ding_soak: setup feedback failed\n";
            return 1;
        }
    }

    const auto started = std::chrono::steady_clock::now();
    const std::size_t workers = std::min(cfg.in_flight, cfg.calls);
    for (std::size_t i = 0; i < workers; ++i)
        asio::co_spawn(ioc, worker(st), [](std::exception_ptr ep) {
            if (ep) {
                std::cerr << "ding_soak: a worker threw\n";
                std::_Exit(1);
            }
        });
    ioc.restart();
    const auto until = started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                     std::chrono::duration<double>(cfg.max_seconds));
    while (st.workers_done < workers && std::chrono::steady_clock::now() < until) ioc.run_one_until(until);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const bool finished = st.workers_done == workers;

    std::vector<std::string> failures;
    std::size_t lost = 0, twice = 0;
    for (auto c : st.completions) {
        if (c == 0) ++lost;
        if (c > 1) ++twice;
    }
    if (!finished) failures.push_back("did not finish within --max-seconds");
    if (lost != 0) failures.push_back(std::to_string(lost) + " calls never completed");
    if (twice != 0) failures.push_back(std::to_string(twice) + " calls completed more than once");
    if (st.completed != cfg.calls) failures.push_back("completed count " + std::to_string(st.completed));
    if (st.unexpected != 0) failures.push_back(std::to_string(st.unexpected) + " outcomes no fault explains");

    const ding::pool_stats ps = client->stats();
    const fd_count fds_loaded = count_fds();
    if (ps.open > cfg.max_connections) failures.push_back("pool open " + std::to_string(ps.open) + " > max_connections");
    if (ps.in_use != 0) failures.push_back("pool in_use " + std::to_string(ps.in_use));
    if (ps.waiting != 0) failures.push_back("pool waiting " + std::to_string(ps.waiting));
    if (ps.connecting != 0) failures.push_back("pool connecting " + std::to_string(ps.connecting));
    // Client sockets = the pool's open connections; the sandbox (same process) holds the other
    // ends, at most one per client connection, plus its listener. A few closing ones may linger.
    if (fds_loaded.sockets > fds_before.sockets + 2 * ps.open + 1 + 4)
        failures.push_back("sockets open " + std::to_string(fds_loaded.sockets) + " for a pool of " +
                           std::to_string(ps.open));
    const long rss_after = rss_kb();

    sb->clear_faults();
    client->close_idle_connections();
    sb->stop();
    ioc.restart();
    ioc.run_for(100ms);  // nothing of the client's should be left; bounded anyway
    client.reset();
    sb.reset();  // joins the sandbox's thread
    const fd_count fds_after = count_fds();
    if (fds_after.total > fds_before.total + 2) {
        std::string list;
        for (const auto& t : fds_after.targets)
            if (std::find(fds_before.targets.begin(), fds_before.targets.end(), t) == fds_before.targets.end())
                list += " [" + t + "]";
        failures.push_back("fds " + std::to_string(fds_after.total) + " after vs " + std::to_string(fds_before.total) +
                           " before; new:" + list);
    }

    const long rss_before = st.rss_after_warmup;
    const double growth_mb = rss_before > 0 ? static_cast<double>(rss_after - rss_before) / 1024.0 : 0.0;
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DING_SOAK_UNDER_ASAN 1 // clang's spelling
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(DING_SOAK_UNDER_ASAN)
    const bool check_rss = false;  // ASan's quarantine holds freed memory: RSS is not meaningful
#else
    const bool check_rss = true;
#endif
    if (check_rss && growth_mb > cfg.max_rss_growth_mb)
        failures.push_back("RSS grew by " + std::to_string(growth_mb) + " MB");

    std::ostringstream errs;
    errs << '{';
    bool first = true;
    for (const auto& [name, n] : st.errors) {
        errs << (first ? "" : ",") << name << ':' << n;
        first = false;
    }
    errs << '}';
    char line[1024];
    std::snprintf(line, sizeof line,
                  "soak: calls=%zu completed=%zu ok=%zu errors=%s faults_injected=%zu in_flight=%zu "
                  "elapsed=%.2fs calls/s=%.0f rss_kb_before=%ld rss_kb_after=%ld fds_before=%zu fds_after=%zu "
                  "pool_open=%zu connections_opened=%zu requests_sent=%zu retries=%zu result=%s",
                  cfg.calls, st.completed, st.ok, errs.str().c_str(), st.faults_injected, workers, elapsed,
                  elapsed > 0 ? static_cast<double>(st.completed) / elapsed : 0.0, rss_before, rss_after,
                  fds_before.total, fds_after.total, ps.open, ps.connections_opened, ps.requests_sent, ps.retries,
                  failures.empty() ? "PASS" : "FAIL");
    std::cout << line << std::endl;
    for (const auto& f : failures) std::cerr << "ding_soak: FAILED: " << f << '\n';
    if (!finished) std::_Exit(1);  // coroutines are still suspended: do not wait in destructors
    return failures.empty() ? 0 : 1;
}

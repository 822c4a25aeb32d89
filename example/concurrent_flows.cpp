// Hundreds of verification flows in flight at once on one thread, sharing one connection pool.
// Usage: concurrent_flows [flows=500] [max_connections=16]
// The sandbox runs on its own thread so that the client's thread does only client work.

#include <ding/ding.hpp>
#include <ding/sandbox.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

namespace asio = boost::asio;

namespace {

const std::string customer = "cf2edc1c-7fc6-48fb-86da-b7508c6b7b71";

// One user signing in: send a code, then check the code the sandbox generated.
asio::awaitable<bool> sign_in(ding::client& client, ding::sandbox& sandbox, int user) {
    char phone[20];
    std::snprintf(phone, sizeof phone, "+3361%07d", user); // distinct numbers: no per-number rate limit
    ding::create_authentication_request req;
    req.customer_uuid = customer;
    req.phone_number = phone;
    auto sent = co_await client.otp().create_authentication_async(req);
    if (!sent || !sent->authentication_uuid) co_return false;

    ding::create_check_request chk;
    chk.customer_uuid = customer;
    chk.authentication_uuid = *sent->authentication_uuid;
    chk.check_code = sandbox.code_for(chk.authentication_uuid).value_or("");
    auto checked = co_await client.otp().check_async(chk);
    co_return checked && checked->status == ding::check_status::valid;
}

} // namespace

int main(int argc, char** argv) {
    const int flows = argc > 1 ? std::max(1, std::atoi(argv[1])) : 500;
    const int max_connections = argc > 2 ? std::max(1, std::atoi(argv[2])) : 16;

    ding::sandbox sandbox; // its own thread
    asio::io_context ioc;  // the client's one thread
    ding::client_options opts;
    opts.base_url = sandbox.base_url();
    opts.api_key = sandbox.api_key();
    opts.tls.ca_pem = sandbox.ca_pem();
    opts.max_connections = static_cast<std::size_t>(max_connections);
    opts.timeout = std::chrono::seconds(30);
    ding::client client(ioc.get_executor(), opts);

    int valid = 0, failed = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int user = 0; user < flows; ++user) {
        asio::co_spawn(ioc, sign_in(client, sandbox, user), [&](std::exception_ptr e, bool ok) {
            (ok && !e ? valid : failed) += 1;
            if (valid + failed == flows) client.close_idle_connections();
        });
    }
    ioc.run();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto s = client.stats();
    std::cout << flows << " flows on one thread: " << valid << " valid, " << failed << " failed, in " << seconds
              << " s (" << static_cast<int>(2 * flows / seconds) << " calls/s); connections opened "
              << s.connections_opened << " (max " << max_connections << "), TLS handshakes " << s.handshakes
              << " (" << s.resumed_handshakes << " resumed)\n";
    sandbox.stop();
    return failed == 0 ? 0 : 1;
}

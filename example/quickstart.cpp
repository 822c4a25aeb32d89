// A whole Ding flow: send a code, check it, retry, report feedback, read the status, look up the number.
//
// By default it runs offline against an embedded ding::sandbox (a local Ding API server).
// With DING_API_KEY and DING_CUSTOMER_UUID set, it talks to the real API instead, sends a code to
// DING_PHONE_NUMBER (default +33612345678) and reads the code you received from stdin.

#include <ding/ding.hpp>
#include <ding/sandbox.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

namespace asio = boost::asio;

namespace {

const char* env(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : nullptr;
}

template <class T>
bool report(const char* step, const ding::outcome<T>& result) {
    if (result) return true;
    std::cerr << step << " failed: " << result.error() << '\n';
    return false;
}

asio::awaitable<int> flow(ding::client& client, std::string customer_uuid, std::string phone,
                          ding::sandbox* sandbox) {
    ding::create_authentication_request req;
    req.customer_uuid = customer_uuid;
    req.phone_number = phone;
    req.locale = "fr-FR";
    req.device_type = ding::device_type::ios;

    auto sent = co_await client.otp().create_authentication_async(req);
    if (!report("create_authentication", sent)) co_return 1;
    const std::string uuid = sent->authentication_uuid.value_or("");
    std::cout << "sent: authentication " << uuid << ", status "
              << ding::to_string(sent->status.value_or(ding::authentication_status::unknown)) << '\n';

    std::string code;
    if (sandbox != nullptr) {
        code = sandbox->code_for(uuid).value_or("");
        std::cout << "the sandbox sent code " << code << '\n';
    } else {
        std::cout << "enter the code you received: " << std::flush;
        std::getline(std::cin, code); // blocks this thread: fine for a command-line quickstart
    }

    ding::create_check_request chk;
    chk.customer_uuid = customer_uuid;
    chk.authentication_uuid = uuid;
    chk.check_code = code;
    auto checked = co_await client.otp().check_async(chk);
    if (!report("check", checked)) co_return 1;
    const auto check_status = checked->status.value_or(ding::check_status::unknown);
    std::cout << "check: " << ding::to_string(check_status) << '\n';

    ding::retry_authentication_request again;
    again.customer_uuid = customer_uuid;
    again.authentication_uuid = uuid;
    auto retried = co_await client.otp().retry_async(again);
    if (!report("retry", retried)) co_return 1;
    std::cout << "retry: " << ding::to_string(retried->status.value_or(ding::retry_status::unknown))
              << ", remaining " << retried->remaining_retry.value_or(-1) << '\n';

    ding::feedback_request fb;
    fb.customer_uuid = customer_uuid;
    fb.phone_number = phone;
    fb.status = check_status == ding::check_status::valid ? ding::feedback_status::onboarded
                                                          : ding::feedback_status::not_onboarded;
    auto noted = co_await client.otp().feedback_async(fb);
    if (!report("feedback", noted)) co_return 1;
    std::cout << "feedback: recorded as " << noted->uuid.value_or("?") << '\n';

    auto status = co_await client.otp().get_authentication_status_async(uuid);
    if (!report("get_authentication_status", status)) co_return 1;
    std::cout << "status: " << (status->events ? status->events->size() : 0) << " events\n";

    auto info = co_await client.lookup().lookup_async(customer_uuid, phone);
    if (!report("lookup", info)) co_return 1;
    std::cout << "lookup: carrier " << info->carrier.value_or("?") << ", line type "
              << ding::to_string(info->line_type.value_or(ding::line_type::unknown)) << ", country "
              << info->country_code.value_or("?") << '\n';

    const auto s = client.stats();
    std::cout << "connections opened: " << s.connections_opened << ", requests sent: " << s.requests_sent << '\n';
    co_return check_status == ding::check_status::valid ? 0 : 1;
}

} // namespace

int main() {
    asio::io_context ioc; // one thread runs everything: the client and, offline, the sandbox
    const char* api_key = env("DING_API_KEY");
    const char* customer_uuid = env("DING_CUSTOMER_UUID");
    const bool online = api_key != nullptr && customer_uuid != nullptr;

    std::unique_ptr<ding::sandbox> sandbox;
    ding::client_options opts;
    opts.timeout = std::chrono::seconds(10);
    opts.max_connections = 16;
    if (online) {
        opts.api_key = api_key;
        std::cout << "talking to " << opts.base_url << '\n';
    } else {
        sandbox = std::make_unique<ding::sandbox>(ioc.get_executor());
        opts.base_url = sandbox->base_url();
        opts.api_key = sandbox->api_key();
        opts.tls.ca_pem = sandbox->ca_pem(); // verification stays on
        std::cout << "talking to the embedded sandbox at " << opts.base_url << '\n';
    }
    ding::client client(ioc.get_executor(), opts);

    int exit_code = 1;
    const std::string phone = env("DING_PHONE_NUMBER") ? env("DING_PHONE_NUMBER") : "+33612345678";
    asio::co_spawn(ioc, flow(client, online ? customer_uuid : "cf2edc1c-7fc6-48fb-86da-b7508c6b7b71", phone, sandbox.get()),
                   [&](std::exception_ptr, int code) {
                       exit_code = code;
                       if (sandbox) sandbox->stop();
                       client.close_idle_connections();
                   });
    ioc.run();
    std::cout << (exit_code == 0 ? "quickstart: OK" : "quickstart: FAILED") << '\n';
    return exit_code;
}

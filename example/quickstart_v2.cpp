// A whole Prelude v2 flow: score the number, send a code, send it again (the v2 retry), check
// it, look the number up, and report the funnel to Watch.
//
// By default it runs offline against an embedded ding::sandbox, which serves v2 beside v1.
// With PRELUDE_API_KEY set, it talks to the real API (https://api.prelude.dev) instead, sends a
// code to PRELUDE_PHONE_NUMBER (default +33612345678) and reads the code you received from
// stdin. Note that the online run sends two messages (the retry step) and may be billed.

#include <ding/sandbox.hpp>
#include <ding/v2.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace v2 = ding::v2;

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

asio::awaitable<int> flow(v2::client& client, std::string phone, ding::sandbox* sandbox) {
    const v2::target target{v2::target_type::phone_number, phone};
    const v2::request_metadata correlation{"quickstart-v2"};

    v2::predict_request p;
    p.target = target;
    p.metadata = correlation;
    auto risk = co_await client.watch().predict_async(p);
    if (!report("predict", risk)) co_return 1;
    std::cout << "predict: " << v2::to_string(risk->prediction) << '\n';

    v2::create_verification_request req;
    req.target = target;
    req.metadata = correlation;
    req.signals = v2::signals{};
    req.signals->device_platform = v2::device_platform::ios;
    req.options = v2::verification_options{};
    req.options->locale = "fr-FR";
    auto sent = co_await client.verification().create_async(req);
    if (!report("create verification", sent)) co_return 1;
    std::cout << "sent: verification " << sent->id << ", status " << v2::to_string(sent->status) << ", method "
              << v2::to_string(sent->method) << '\n';
    if (sent->status == v2::verification_status::blocked) co_return 1;

    // No retry endpoint in v2: the same call again while the window is open is the retry.
    auto again = co_await client.verification().create_async(req);
    if (!report("create verification (retry)", again)) co_return 1;
    std::cout << "sent again: status " << v2::to_string(again->status)
              << (again->id == sent->id ? " (same verification)" : " (a new verification)") << '\n';

    std::string code;
    if (sandbox != nullptr) {
        code = sandbox->code_for_target(phone).value_or("");
        std::cout << "the sandbox sent code " << code << '\n';
    } else {
        std::cout << "enter the latest code you received: " << std::flush;
        std::getline(std::cin, code);  // blocks this thread: fine for a command-line quickstart
    }

    v2::check_verification_request chk;
    chk.target = target;
    chk.code = code;
    auto checked = co_await client.verification().check_async(chk);
    if (!report("check verification", checked)) co_return 1;
    std::cout << "check: " << v2::to_string(checked->status) << '\n';

    auto info = co_await client.lookup().lookup_async(phone);
    if (!report("lookup", info)) co_return 1;
    std::cout << "lookup: country " << info->country_code.value_or("?") << ", line type "
              << v2::to_string(info->line_type.value_or(v2::line_type::unknown)) << ", carrier "
              << (info->network_info ? info->network_info->carrier_name.value_or("?") : std::string("?")) << '\n';

    if (checked->status == v2::check_status::success) {
        v2::send_feedbacks_request fb;
        fb.feedbacks.push_back(v2::feedback{target, v2::feedback_type::verification_completed, correlation});
        auto noted = co_await client.watch().send_feedbacks_async(fb);
        if (!report("send feedbacks", noted)) co_return 1;
        std::cout << "feedback: " << v2::to_string(noted->status) << '\n';
    }

    const auto s = client.stats();
    std::cout << "connections opened: " << s.connections_opened << ", requests sent: " << s.requests_sent << '\n';
    co_return checked->status == v2::check_status::success ? 0 : 1;
}

}  // namespace

int main() {
    asio::io_context ioc;  // one thread runs everything: the client and, offline, the sandbox
    const char* api_key = env("PRELUDE_API_KEY");

    std::unique_ptr<ding::sandbox> sandbox;
    v2::client_options opts;  // base_url defaults to https://api.prelude.dev
    opts.timeout = std::chrono::seconds(10);
    if (api_key != nullptr) {
        opts.api_key = api_key;
        std::cout << "talking to " << opts.base_url << '\n';
    } else {
        sandbox = std::make_unique<ding::sandbox>(ioc.get_executor());
        opts.base_url = sandbox->v2_base_url();
        opts.api_key = sandbox->v2_api_key();
        opts.tls.ca_pem = sandbox->ca_pem();  // verification stays on
        std::cout << "talking to the embedded sandbox at " << opts.base_url << '\n';
    }
    v2::client client(ioc.get_executor(), opts);

    int exit_code = 1;
    const std::string phone = env("PRELUDE_PHONE_NUMBER") ? env("PRELUDE_PHONE_NUMBER") : "+33612345678";
    asio::co_spawn(ioc, flow(client, phone, sandbox.get()), [&](std::exception_ptr e, int code) {
        exit_code = e ? 1 : code;
        if (sandbox) sandbox->stop();
        client.close_idle_connections();
    });
    ioc.run();
    std::cout << (exit_code == 0 ? "quickstart_v2: OK" : "quickstart_v2: FAILED") << '\n';
    return exit_code;
}

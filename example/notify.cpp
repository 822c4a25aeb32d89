// Notify with the Prelude v2 client: one message from a template, the same message to several
// numbers (a batch answers per recipient), and every subscription configuration of the account,
// page by page, with a pager (no cursor handling).
//
// By default it runs offline against an embedded ding::sandbox, which serves Notify beside Verify.
// With PRELUDE_API_KEY set, it talks to the real API (https://api.prelude.dev) instead: it then
// needs PRELUDE_TEMPLATE_ID (a Notify template of your account) and sends to
// PRELUDE_PHONE_NUMBER (default +33612345678). The online run sends three messages and may be
// billed.

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

asio::awaitable<int> flow(v2::client& client, std::string template_id, std::string phone, std::string second) {
    // One message. Never resent by the SDK once it may have reached the server: a repeat would
    // be a second message.
    v2::notify_send_request msg;
    msg.template_id = template_id;
    msg.to = phone;
    msg.variables = v2::message_variables{{"order", "1234"}};
    msg.correlation_id = "notify-example";
    auto sent = co_await client.notify().send_async(msg);
    if (!report("notify send", sent)) co_return 1;
    std::cout << "sent: message " << sent->id << " to " << sent->to << ", expires "
              << std::chrono::duration_cast<std::chrono::seconds>(sent->expires_at - sent->created_at).count()
              << " s after its creation" << (sent->encoding ? ", encoding " + std::string(v2::to_string(*sent->encoding)) : "")
              << '\n';

    // A batch: one result per recipient; a recipient the API refuses is a result, not an error.
    v2::notify_send_batch_request batch;
    batch.template_id = template_id;
    batch.to = {phone, second};
    auto many = co_await client.notify().send_batch_async(batch);
    if (!report("notify batch", many)) co_return 1;
    std::cout << "batch: " << many->success_count << " of " << many->total_count << " sent\n";
    for (const v2::notify_batch_result& r : many->results) {
        if (r.success)
            std::cout << "  " << r.phone_number << ": message " << (r.message ? r.message->id.value_or("?") : "?") << '\n';
        else
            std::cout << "  " << r.phone_number << ": refused, "
                      << (r.error ? r.error->code.value_or("?") + " (" + r.error->message.value_or("") + ")" : "?") << '\n';
    }

    // Every subscription configuration, two per page.
    v2::list_subscription_configs_request all;
    all.limit = 2;
    auto pages = client.notify().subscription_configs(all);
    int page_count = 0, config_count = 0;
    while (true) {
        ding::outcome<std::optional<v2::list_subscription_configs_response>> page = co_await pages.next_async();
        if (!report("subscription configurations", page)) co_return 1;
        if (!*page) break; // the last page was already returned
        ++page_count;
        for (const v2::subscription_config& c : (*page)->configs) {
            ++config_count;
            std::cout << "  configuration " << c.id << ": " << c.name << ", "
                      << (c.mo_phone_numbers ? c.mo_phone_numbers->size() : 0) << " inbound number(s)\n";
        }
    }
    std::cout << "subscription configurations: " << config_count << " on " << page_count << " page(s)\n";

    const auto s = client.stats();
    std::cout << "connections opened: " << s.connections_opened << ", requests sent: " << s.requests_sent << '\n';
    co_return 0;
}

}  // namespace

int main() {
    asio::io_context ioc;  // one thread runs everything: the client and, offline, the sandbox
    const char* api_key = env("PRELUDE_API_KEY");

    std::unique_ptr<ding::sandbox> sandbox;
    v2::client_options opts;  // base_url defaults to https://api.prelude.dev
    opts.timeout = std::chrono::seconds(10);
    std::string template_id = "template_sandbox";
    // Offline, the second recipient of the batch is one the sandbox knows as unsubscribed: its
    // result is an error while the first recipient's message goes out.
    std::string second = "+15005550011";
    if (api_key != nullptr) {
        opts.api_key = api_key;
        if (env("PRELUDE_TEMPLATE_ID") == nullptr) {
            std::cerr << "PRELUDE_TEMPLATE_ID is needed with PRELUDE_API_KEY (a Notify template of your account)\n";
            return 2;
        }
        template_id = env("PRELUDE_TEMPLATE_ID");
        second = env("PRELUDE_SECOND_PHONE_NUMBER") ? env("PRELUDE_SECOND_PHONE_NUMBER") : "+33700000000";
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
    asio::co_spawn(ioc, flow(client, template_id, phone, second), [&](std::exception_ptr e, int code) {
        exit_code = e ? 1 : code;
        if (sandbox) sandbox->stop();
        client.close_idle_connections();
    });
    ioc.run();
    std::cout << (exit_code == 0 ? "notify: OK" : "notify: FAILED") << '\n';
    return exit_code;
}

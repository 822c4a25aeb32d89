// Builds against ding-sandbox (pkg-config ding-sandbox, or ding::sandbox through add_subdirectory)
// and makes one v2 lookup against it over TLS.
#include <ding/sandbox.hpp>
#include <ding/v2.hpp>

#include <boost/asio/io_context.hpp>

#include <cstdio>

int main() {
    ding::sandbox sandbox;  // its own thread
    boost::asio::io_context ioc;
    ding::v2::client_options options;
    options.base_url = sandbox.v2_base_url();
    options.api_key = sandbox.v2_api_key();
    options.tls.ca_pem = sandbox.ca_pem();
    ding::v2::client client(ioc.get_executor(), options);
    bool ok = false;
    client.lookup().lookup_async("+33612345678", [&](ding::outcome<ding::v2::lookup_response> r) {
        ok = r.has_value();
        ioc.stop();  // the pooled keep-alive connection would keep run() busy until its idle timeout
    });
    ioc.run();
    std::printf("sandbox_consumer: %s\n", ok ? "OK" : "FAILED");
    return ok ? 0 : 1;
}

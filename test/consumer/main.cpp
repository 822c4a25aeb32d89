// Builds against an installed ding and makes one call that fails validation (no network).
#include <ding/ding.hpp>

#include <boost/asio/io_context.hpp>

#include <iostream>

int main() {
    boost::asio::io_context ioc;
    ding::client_options options;
    options.api_key = "consumer-test";
    ding::client client(ioc.get_executor(), options);
    int status = 1;
    client.otp().get_authentication_status_async("not-a-uuid", [&](ding::outcome<ding::authentication_status_response> r) {
        status = !r && r.error().code() == ding::errc::invalid_argument ? 0 : 1;
    });
    ioc.run();
    std::cout << "consumer: " << (status == 0 ? "OK" : "FAILED") << '\n';
    return status;
}

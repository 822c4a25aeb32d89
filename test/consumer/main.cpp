// Builds against an installed ding and makes one v1 and one v2 call that fail validation (no network).
#include <ding/ding.hpp>
#include <ding/v2.hpp>

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
    ding::v2::client_options v2_options;
    v2_options.api_key = "consumer-test";
    ding::v2::client v2_client(ioc.get_executor(), v2_options);
    int v2_status = 1;
    v2_client.lookup().lookup_async("not-a-number", [&](ding::outcome<ding::v2::lookup_response> r) {
        v2_status = !r && r.error().code() == ding::errc::invalid_argument ? 0 : 1;
    });
    ioc.run();
    status = status == 0 && v2_status == 0 ? 0 : 1;
    std::cout << "consumer: " << (status == 0 ? "OK" : "FAILED") << '\n';
    return status;
}

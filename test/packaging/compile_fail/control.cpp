// The control of the two compile_fail cases: the same program with each client given its own
// options compiles, so their failure is the refusal and not a broken command line.
#include <ding/client.hpp>
#include <ding/v2/client.hpp>

#include <boost/asio/io_context.hpp>

int main() {
    boost::asio::io_context ioc;
    ding::client_options options;
    options.api_key = "k";
    ding::client client(ioc.get_executor(), options);
    ding::v2::client_options v2_options;
    v2_options.api_key = "k";
    ding::v2::client v2_client(ioc.get_executor(), v2_options);
}

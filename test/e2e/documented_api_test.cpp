// The code of issue 2 ("this must compile and run as written"): flow() below is that text verbatim;
// only main()'s options are pointed at an embedded sandbox instead of the real API.
#include <ding/ding.hpp>
#include <ding/sandbox.hpp>

#include <boost/asio.hpp>
#include <catch2/catch.hpp>

#include <iostream>

namespace asio = boost::asio;

namespace {

asio::awaitable<void> flow(ding::client& client) {
    ding::create_authentication_request req;
    req.customer_uuid = "cf2edc1c-7fc6-48fb-86da-b7508c6b7b71";
    req.phone_number  = "+33612345678";
    req.locale        = "fr-FR";                        // optional fields are std::optional
    req.device_type   = ding::device_type::ios;

    ding::outcome<ding::create_authentication_response> sent =
        co_await client.otp().create_authentication_async(req);
    if (!sent) {                                        // a typed error, never an exception
        std::cerr << sent.error().message() << " http=" << sent.error().http_status() << '\n';
        if (sent.error().api_code() == ding::api_error_code::invalid_phone_number) { /* ... */ }
        co_return;
    }

    ding::create_check_request chk;
    chk.customer_uuid       = req.customer_uuid;
    chk.authentication_uuid = *sent->authentication_uuid;
    chk.check_code          = "123456";
    auto checked = co_await client.otp().check_async(chk);
    if (checked && checked->status == ding::check_status::valid) { /* signed in */ }

    ding::retry_authentication_request again;
    again.customer_uuid = req.customer_uuid;
    again.authentication_uuid = *sent->authentication_uuid;
    auto retried = co_await client.otp().retry_async(again);        // ->status, ->remaining_retry, ->next_retry_at

    ding::feedback_request fb;
    fb.customer_uuid = req.customer_uuid;
    fb.phone_number  = req.phone_number;
    fb.status        = ding::feedback_status::onboarded;
    auto noted = co_await client.otp().feedback_async(fb);

    auto status = co_await client.otp().get_authentication_status_async(*sent->authentication_uuid);
    // status->events: attempts, checks, delivery statuses, balance updates, in order

    auto info = co_await client.lookup().lookup_async(req.customer_uuid, req.phone_number);
    // info->carrier, info->line_type, ...

    // Not part of the text: what the test checks of the results.
    CHECK(checked.has_value());
    CHECK(retried.has_value());
    CHECK(noted.has_value());
    REQUIRE(status.has_value());
    REQUIRE(status->events);
    CHECK(status->events->size() >= 4);
    REQUIRE(info.has_value());
    CHECK(info->carrier);
    CHECK(info->line_type);
}

} // namespace

TEST_CASE("e2e: the issue's sample flow compiles and runs as written against the sandbox") {
    asio::io_context ioc;                               // caller-supplied; one thread
    ding::sandbox sandbox(ioc.get_executor());
    ding::client_options opts;
    opts.api_key         = sandbox.api_key();
    opts.base_url        = sandbox.base_url();
    opts.timeout         = std::chrono::seconds(10);   // per-call deadline
    opts.max_connections = 16;                          // pool bound
    opts.tls.ca_pem      = sandbox.ca_pem();
    ding::client client(ioc.get_executor(), opts);
    bool finished = false;
    asio::co_spawn(ioc, flow(client), [&](std::exception_ptr e) {
        finished = !e;
        client.close_idle_connections();
        sandbox.stop();
    });
    ioc.run_for(std::chrono::seconds(20));
    CHECK(finished);
    CHECK(ioc.stopped()); // nothing left behind
}

# Every dependency comes from the system (Debian 12 packages); configure never downloads.
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(Boost 1.81 REQUIRED COMPONENTS json)

#pragma once
// Network and mount namespaces for the DNS tests.
//
// Each test case calls dns_test::enter(). In the test process it forks a child that unshares
// CLONE_NEWNET | CLONE_NEWNS (root only) and re-executes this binary with the same test case
// (environment DING_DNS_NETNS=1); the parent waits (bounded) and requires exit status 0, then
// returns false (the case's body ran in the child). In the child, enter() sets the namespace up
// once and returns true:
// - `lo` up (127.0.0.0/8 and ::1 are then local; nothing else is reachable),
// - every mount private, then temporary files bind-mounted over /etc/resolv.conf
//   (`nameserver 127.0.0.1`), /etc/hosts and /etc/nsswitch.conf (`hosts: files dns`),
// - a UDP socket and a TCP listener on 127.0.0.1:53 that never answer.
// If the namespaces cannot be made (not root, seccomp, no /proc/self/exe), the case is skipped
// with a WARN, or fails when CI_REQUIRE_DNS_TIER=1 (CI runs as root: it must not pass silently).

#include <catch2/catch.hpp>

#include <string>

namespace dns_test {

/// True: the caller is inside the namespaces and runs the test body. False: the body ran in a
/// child (its result is this case's result) or the case was skipped; the caller returns.
bool enter();

/// Replaces the content of the namespace's /etc/hosts (only ever the temporary file).
void write_hosts(const std::string& content);

/// Datagrams the never-answering DNS server has received and not answered so far.
int dns_queries_received();

} // namespace dns_test

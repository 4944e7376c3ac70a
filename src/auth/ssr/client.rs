//! Who a request comes from, as throttling counts it: the TCP peer, or behind
//! trusted proxies the address they vouch for in `X-Forwarded-For`.
//!
//! Each proxy appends the address it got the request from, so the list reads
//! left to right from the client to the nearest proxy, and only the entries our own
//! proxies appended can be believed: the client writes whatever it likes to the
//! left. So the client is the rightmost entry that is not one of our proxies.

use std::net::{IpAddr, SocketAddr};

use axum::{extract::ConnectInfo, http::request::Parts};
use ipnet::Ipv6Net;

use crate::config::Proxies;

/// The client's identity for throttling: its IPv4 address, or its IPv6 /64 (one
/// subscriber's usual allocation, so one machine cannot walk through 2^64
/// addresses). None when the server was not told the peer (tests without one).
pub fn client_key(parts: &Parts, proxies: &Proxies) -> Option<String> {
    client_ip(parts, proxies).map(key_of)
}

/// `client_key` of the request a server function is answering.
pub fn of_this_request(proxies: &Proxies) -> Option<String> {
    client_key(&leptos::prelude::use_context::<Parts>()?, proxies)
}

fn client_ip(parts: &Parts, proxies: &Proxies) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_canonical())?;
    // Every header line, in order (a proxy may add a line instead of extending one).
    let hops: Vec<Option<IpAddr>> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|line| line.to_str().unwrap_or("").split(','))
        .map(|hop| parse_hop(hop.trim()).map(|ip| ip.to_canonical()))
        .collect();
    if proxies.trust_last_hop {
        // The deprecated TRUST_FORWARDED_FOR: one proxy, whatever its address.
        return Some(hops.last().copied().flatten().unwrap_or(peer));
    }
    if !proxies.trusts(peer) {
        return Some(peer);
    }
    let mut nearest = peer;
    for hop in hops.iter().rev() {
        let Some(hop) = *hop else {
            // Our proxy wrote something unreadable: it is the last hop we can vouch for.
            return Some(nearest);
        };
        if !proxies.trusts(hop) {
            return Some(hop);
        }
        nearest = hop;
    }
    // Every hop was one of ours: the request started at the leftmost.
    Some(nearest)
}

/// An address as proxies write it: bare, or with a port (`203.0.113.9:5123`,
/// `[2001:db8::1]:5123`), as some load balancers do.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .or_else(|| {
            hop.strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|inner| inner.parse().ok())
        })
}

fn key_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => Ipv6Net::new(v6, 64)
            .map(|net| net.trunc().to_string())
            .unwrap_or_else(|_| v6.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::Request;

    use super::*;

    fn proxies(list: &str) -> Proxies {
        Proxies {
            trusted: Proxies::parse(list).unwrap(),
            trust_last_hop: false,
        }
    }

    fn client(peer: &str, forwarded: &[&str], proxies: &Proxies) -> Option<String> {
        let mut request = Request::get("/");
        for line in forwarded {
            request = request.header("x-forwarded-for", *line);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        parts
            .extensions
            .insert(ConnectInfo(SocketAddr::new(peer.parse().unwrap(), 443)));
        client_key(&parts, proxies)
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = proxies("");
        assert_eq!(
            client("198.51.100.7", &["203.0.113.9"], &none).as_deref(),
            Some("198.51.100.7")
        );
    }

    #[test]
    fn the_client_is_the_rightmost_hop_that_is_not_a_trusted_proxy() {
        let ours = proxies("10.0.0.0/8, 192.0.2.1");
        // The client claimed 6.6.6.6; our two proxies appended what they saw.
        let forwarded = ["6.6.6.6, 203.0.113.9, 10.1.2.3"];
        assert_eq!(
            client("192.0.2.1", &forwarded, &ours).as_deref(),
            Some("203.0.113.9")
        );
    }

    #[test]
    fn every_header_line_is_read_in_order() {
        let ours = proxies("10.0.0.0/8");
        let lines = ["6.6.6.6", "203.0.113.9", "10.0.0.2"];
        assert_eq!(
            client("10.0.0.1", &lines, &ours).as_deref(),
            Some("203.0.113.9")
        );
    }

    #[test]
    fn a_peer_that_is_not_a_trusted_proxy_is_the_client_whatever_it_claims() {
        let ours = proxies("10.0.0.0/8");
        assert_eq!(
            client("203.0.113.9", &["10.0.0.5"], &ours).as_deref(),
            Some("203.0.113.9")
        );
    }

    #[test]
    fn an_unreadable_hop_stops_the_walk_at_the_last_hop_we_can_vouch_for() {
        let ours = proxies("10.0.0.0/8");
        let forwarded = ["203.0.113.9, not-an-address, 10.0.0.3"];
        assert_eq!(
            client("10.0.0.1", &forwarded, &ours).as_deref(),
            Some("10.0.0.3")
        );
    }

    #[test]
    fn hops_written_with_a_port_are_read() {
        let ours = proxies("10.0.0.0/8");
        let forwarded = ["203.0.113.9:5123, [2001:db8:1:2::7]:443, [10.0.0.4]"];
        assert_eq!(
            client("10.0.0.1", &forwarded, &ours).as_deref(),
            Some("2001:db8:1:2::/64")
        );
    }

    #[test]
    fn ipv6_clients_count_per_slash_64() {
        let none = proxies("");
        let one = client("2001:db8:1:2::1", &[], &none);
        let same_subscriber = client("2001:db8:1:2:ffff::9", &[], &none);
        let neighbour = client("2001:db8:1:3::1", &[], &none);
        assert_eq!(one.as_deref(), Some("2001:db8:1:2::/64"));
        assert_eq!(one, same_subscriber);
        assert_ne!(one, neighbour);
        assert_eq!(
            client("::ffff:192.0.2.7", &[], &none).as_deref(),
            Some("192.0.2.7")
        );
    }

    #[test]
    fn the_deprecated_trust_forwarded_for_takes_the_last_hop() {
        let legacy = Proxies {
            trusted: Vec::new(),
            trust_last_hop: true,
        };
        assert_eq!(
            client("203.0.113.1", &["6.6.6.6, 198.51.100.7"], &legacy).as_deref(),
            Some("198.51.100.7")
        );
        assert_eq!(
            client("203.0.113.1", &[], &legacy).as_deref(),
            Some("203.0.113.1")
        );
    }
}

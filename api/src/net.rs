//! Who is on the other end: the client address a request came from, seen through the
//! reverse proxies the deployment trusts (`XUEFA_TRUSTED_PROXIES`).

use std::net::IpAddr;

use ipnet::IpNet;

/// The client's address: the peer's, or — only when the peer is a trusted proxy — the last
/// address in `X-Forwarded-For` that is not itself a trusted proxy (the rightmost entries
/// were added by our own proxies; anything left of the first untrusted one is what the
/// client claimed, and is ignored). `""` when the peer is unknown.
pub fn client_address(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[IpNet],
) -> String {
    let Some(peer) = peer else {
        return String::new();
    };
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer.to_string();
    }
    let hops: Vec<IpAddr> = forwarded_for
        .unwrap_or_default()
        .split(',')
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|hop| !is_trusted(hop))
        .or(hops.first())
        .unwrap_or(&peer)
        .to_string()
}

/// `XUEFA_TRUSTED_PROXIES`: addresses or CIDRs, separated by commas.
pub fn parse_trusted(text: &str) -> Result<Vec<IpNet>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{s:?} is neither an address nor a CIDR"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let trusted = parse_trusted("10.0.0.0/8").unwrap();
        assert_eq!(
            client_address(ip("203.0.113.9"), Some("1.2.3.4"), &trusted),
            "203.0.113.9"
        );
    }

    #[test]
    fn behind_trusted_proxies_the_last_untrusted_hop_is_the_client() {
        let trusted = parse_trusted("10.0.0.0/8, 127.0.0.1").unwrap();
        assert_eq!(
            client_address(
                ip("127.0.0.1"),
                Some("6.6.6.6, 198.51.100.7, 10.1.2.3"),
                &trusted
            ),
            "198.51.100.7",
            "the client's own claim (6.6.6.6) is ignored"
        );
        assert_eq!(client_address(ip("10.0.0.2"), None, &trusted), "10.0.0.2");
        assert_eq!(
            client_address(ip("10.0.0.2"), Some("garbage"), &trusted),
            "10.0.0.2"
        );
        assert_eq!(client_address(None, Some("1.2.3.4"), &trusted), "");
    }

    #[test]
    fn the_setting_takes_addresses_and_cidrs() {
        assert_eq!(parse_trusted("").unwrap(), vec![]);
        assert_eq!(parse_trusted("127.0.0.1,::1,10.0.0.0/8").unwrap().len(), 3);
        assert!(parse_trusted("localhost").is_err());
    }
}

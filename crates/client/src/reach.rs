//! Which hosts the wallet may connect to, and over what.
//!
//! An address the user chose (typed into the app, given to `centime fetch`) may be anywhere,
//! this computer and the local network included. An address a web page chose (a
//! `centime://pay` link) may not: otherwise any page could make the wallet send requests to the
//! user's router, printer or development servers. Such a request may only reach public
//! addresses, checked on the address actually connected to: an IP-literal host before the
//! request, a host name in the resolver (so that a name answering with a public address to one
//! lookup and a private one to the next gains nothing), unless its origin is one the user trusts.
//!
//! Plain `http://` is only for this computer (loopback, or a `localhost` name, which the
//! wallet's resolver answers with loopback addresses itself, as browsers do), unless the user
//! allowed it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs as _};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// Where a client's requests may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// An address the user chose: any host.
    Anywhere,
    /// An address a web page chose: public addresses only, except the origins the user trusts.
    PublicOnly,
}

/// What kind of non-public address `ip` is (`"a loopback address"`…); `None` when it is public.
pub fn private_kind(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_kind(v4),
        IpAddr::V6(v6) => v6_kind(v6),
    }
}

fn v4_kind(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, ..) => "an unspecified address",
        (127, ..) => "a loopback address",
        (10, ..) | (172, 16..=31, _) | (192, 168, _) => "a private address",
        (100, 64..=127, _) => "a shared (carrier-grade NAT) address",
        (169, 254, _) => "a link-local address",
        (192, 0, 0) => "a reserved address",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "a documentation address",
        (198, 18..=19, _) => "a benchmarking address",
        (224..=239, ..) => "a multicast address",
        (240.., ..) => "a reserved address",
        _ => return None,
    })
}

fn v6_kind(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    if ip.is_unspecified() {
        return Some("an unspecified address");
    }
    if ip.is_loopback() {
        return Some("a loopback address");
    }
    // Forms that carry an IPv4 address reach that address: judge it.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_kind(v4);
    }
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if s[..6] == [0; 6] {
        // IPv4-compatible (::a.b.c.d, deprecated).
        return v4_kind(embedded(s[6], s[7]));
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        // NAT64: the gateway connects to the embedded IPv4 address.
        return v4_kind(embedded(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        // 6to4: the relay delivers to the embedded IPv4 address.
        return v4_kind(embedded(s[1], s[2]));
    }
    Some(match s[0] {
        0xfc00..=0xfdff => "a unique-local address",
        0xfe80..=0xfebf => "a link-local address",
        0xfec0..=0xfeff => "a site-local address",
        0xff00..=0xffff => "a multicast address",
        0x0064 if s[1] == 0xff9b && s[2] == 1 => "a private address",
        0x0100 if s[1..4] == [0; 3] => "a reserved address",
        0x2001 if s[1] == 0x0db8 => "a documentation address",
        _ => return None,
    })
}

/// Whether `ip` is this computer.
pub fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}

/// `localhost` and its subdomains, which name this computer (RFC 6761).
pub fn is_localhost_name(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    h == "localhost" || h.ends_with(".localhost")
}

/// Whether `url` is on this computer: a loopback address or a `localhost` name.
pub fn is_local(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => is_loopback(ip.into()),
        Some(Host::Ipv6(ip)) => is_loopback(ip.into()),
        Some(Host::Domain(d)) => is_localhost_name(d),
        None => false,
    }
}

/// Whether a request to `url` crosses the network unencrypted: plain `http://` to anything
/// but this computer. (The app's prompt says so in red when the user allowed it.)
pub fn is_plain_http(url: &Url) -> bool {
    url.scheme() == "http" && !is_local(url)
}

/// Why a `PublicOnly` request may not go to `url`'s host as written (an IP literal or a
/// `localhost` name); `None` when it may, as far as the URL tells (a host name is checked
/// again on the addresses it resolves to).
pub(crate) fn refused_host(url: &Url) -> Option<String> {
    match url.host() {
        Some(Host::Ipv4(ip)) => private_kind(ip.into()).map(|k| format!("{ip} is {k}")),
        Some(Host::Ipv6(ip)) => private_kind(ip.into()).map(|k| format!("{ip} is {k}")),
        Some(Host::Domain(d)) if is_localhost_name(d) => Some(format!("{d} names this computer")),
        Some(Host::Domain(_)) => None,
        None => Some("the address has no host".to_owned()),
    }
}

/// The resolver's refusal of a name that resolves only to non-public addresses. It travels
/// inside reqwest's error; [`blocked_in`] finds it there.
#[derive(Debug)]
pub(crate) struct Blocked(pub String);

impl std::fmt::Display for Blocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Blocked {}

/// The resolver's refusal inside a request's error, if that is why it failed.
pub(crate) fn blocked_in<'e>(e: &'e (dyn std::error::Error + 'static)) -> Option<&'e Blocked> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(b) = c.downcast_ref::<Blocked>() {
            return Some(b);
        }
        cause = c.source();
    }
    None
}

/// What a lookup of `host` found, kept to what a request may connect to: for `PublicOnly`,
/// public addresses only (a refusal when nothing is left).
pub(crate) fn screen(host: &str, found: Vec<SocketAddr>, public_only: bool) -> Result<Vec<SocketAddr>, Blocked> {
    if !public_only {
        return Ok(found);
    }
    let first_private = found.iter().find_map(|a| private_kind(a.ip()).map(|k| (a.ip(), k)));
    let kept: Vec<SocketAddr> = found.into_iter().filter(|a| private_kind(a.ip()).is_none()).collect();
    match (kept.is_empty(), first_private) {
        (true, Some((ip, kind))) => Err(Blocked(format!("{host} resolves to {ip}, {kind}"))),
        _ => Ok(kept),
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The system's resolver, with the wallet's rules on top: `localhost` names are answered with
/// loopback addresses without asking anyone (refused outright when `public_only`), and, when
/// `public_only`, non-public addresses are dropped from every answer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resolver {
    pub public_only: bool,
}

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let public_only = self.public_only;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            if is_localhost_name(&host) {
                if public_only {
                    return Err(Box::new(Blocked(format!("{host} names this computer"))) as BoxError);
                }
                let local: Vec<SocketAddr> = vec![(Ipv4Addr::LOCALHOST, 0).into(), (Ipv6Addr::LOCALHOST, 0).into()];
                return Ok(Box::new(local.into_iter()) as Addrs);
            }
            let lookup = host.clone();
            // getaddrinfo blocks: off the client's runtime thread, as reqwest's own resolver does.
            let found: Vec<SocketAddr> =
                tokio::task::spawn_blocking(move || (lookup.as_str(), 0).to_socket_addrs().map(Iterator::collect))
                    .await
                    .map_err(|e| Box::new(e) as BoxError)?
                    .map_err(|e| Box::new(e) as BoxError)?;
            let kept = screen(&host, found, public_only).map_err(|b| Box::new(b) as BoxError)?;
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn kind(s: &str) -> Option<&'static str> {
        private_kind(s.parse().unwrap())
    }

    #[test]
    fn local_and_private_addresses_are_not_public() {
        for (ip, want) in [
            ("127.0.0.1", "a loopback address"),
            ("127.200.3.4", "a loopback address"),
            ("0.0.0.0", "an unspecified address"),
            ("10.1.2.3", "a private address"),
            ("172.16.0.1", "a private address"),
            ("172.31.255.255", "a private address"),
            ("192.168.1.1", "a private address"),
            ("100.64.0.1", "a shared (carrier-grade NAT) address"),
            ("100.127.255.254", "a shared (carrier-grade NAT) address"),
            ("169.254.169.254", "a link-local address"),
            ("224.0.0.251", "a multicast address"),
            ("255.255.255.255", "a reserved address"),
            ("::", "an unspecified address"),
            ("::1", "a loopback address"),
            ("::ffff:127.0.0.1", "a loopback address"),
            ("::ffff:192.168.0.10", "a private address"),
            ("::127.0.0.1", "a loopback address"),
            ("64:ff9b::10.0.0.1", "a private address"),
            ("2002:c0a8:0101::1", "a private address"),
            ("fc00::1", "a unique-local address"),
            ("fd12:3456::1", "a unique-local address"),
            ("fe80::1", "a link-local address"),
            ("ff02::1", "a multicast address"),
            ("2001:db8::1", "a documentation address"),
        ] {
            assert_eq!(kind(ip), Some(want), "{ip}");
        }
    }

    #[test]
    fn public_addresses_are_public() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.0.1",
            "172.32.0.1",
            "192.169.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::8.8.8.8",
            "2002:0808:0808::1",
        ] {
            assert_eq!(kind(ip), None, "{ip}");
        }
    }

    #[test]
    fn a_name_that_resolves_to_a_private_address_is_refused() {
        let a = |s: &str| -> SocketAddr { s.parse().unwrap() };
        let err = screen("rebind.example", vec![a("127.0.0.1:0")], true).unwrap_err();
        assert_eq!(err.to_string(), "rebind.example resolves to 127.0.0.1, a loopback address");
        let err = screen("lan.example", vec![a("192.168.0.2:0"), a("[fd00::2]:0")], true).unwrap_err();
        assert!(err.to_string().contains("192.168.0.2, a private address"), "{err}");
        // A mixed answer keeps only what is public: the connection can only go there.
        let kept = screen("mixed.example", vec![a("10.0.0.1:0"), a("93.184.215.14:0")], true).unwrap();
        assert_eq!(kept, vec![a("93.184.215.14:0")]);
        // An address the user chose may be anywhere.
        assert_eq!(screen("lan.example", vec![a("10.0.0.1:0")], false).unwrap(), vec![a("10.0.0.1:0")]);
    }

    #[test]
    fn the_resolver_drops_what_a_link_may_not_reach() {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let resolve = |public_only: bool, name: &str| {
            rt.block_on(Resolver { public_only }.resolve(name.parse().unwrap())).map(Iterator::collect::<Vec<_>>)
        };
        let err = resolve(true, "127.0.0.1").unwrap_err();
        assert_eq!(err.to_string(), "127.0.0.1 resolves to 127.0.0.1, a loopback address");
        assert!(blocked_in(err.as_ref()).is_some());
        assert_eq!(resolve(true, "localhost").unwrap_err().to_string(), "localhost names this computer");
        // For an address the user chose, `localhost` is this computer, whatever the system says.
        let local = resolve(false, "localhost").unwrap();
        assert!(!local.is_empty() && local.iter().all(|a| a.ip().is_loopback()), "{local:?}");
        assert_eq!(resolve(false, "10.0.0.1").unwrap(), vec!["10.0.0.1:0".parse::<SocketAddr>().unwrap()]);
    }

    #[test]
    fn hosts_as_written() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert_eq!(refused_host(&u("http://127.0.0.1:8402/a")).unwrap(), "127.0.0.1 is a loopback address");
        assert_eq!(refused_host(&u("http://[::ffff:10.0.0.1]/")).unwrap(), "::ffff:10.0.0.1 is a private address");
        assert_eq!(refused_host(&u("http://LocalHost./a")).unwrap(), "localhost. names this computer");
        assert_eq!(refused_host(&u("http://app.localhost/a")).unwrap(), "app.localhost names this computer");
        assert_eq!(refused_host(&u("https://news.example/a")), None);
        assert!(is_plain_http(&u("http://news.example/a")));
        assert!(!is_plain_http(&u("http://127.0.0.1:8402/a")));
        assert!(!is_plain_http(&u("http://[::1]:8402/a")));
        assert!(!is_plain_http(&u("http://localhost:8402/a")));
        assert!(!is_plain_http(&u("https://news.example/a")));
    }
}

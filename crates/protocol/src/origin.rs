//! A web origin, `scheme://host[:port]`: what rules, payments and the by-site figures are
//! keyed by, so that two spellings of one site are one site.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// An http(s) origin in its canonical form: lowercase scheme and host, an internationalized
/// host in its ASCII (punycode) form, the scheme's default port dropped. Its `Display` and
/// serde form is that text, the one stored and shown.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Origin(String);

/// Why a text is not an origin: each refusal is its own value so that callers can tell them
/// apart without reading the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OriginProblem {
    /// Not parseable as an absolute URL (`news.example`, a relative path).
    #[error("is not an absolute URL")]
    NotAbsolute,
    /// A scheme other than http or https (`file:`, `data:`, `ftp:`, `javascript:`).
    #[error("is not an http(s) site")]
    NotHttp,
    /// No host to name the site by.
    #[error("has no host")]
    NoHost,
    /// A user name or password before the host: never part of an origin, and a way to make a
    /// link look like another site (`https://bank.example@evil.example`).
    #[error("names a user or a password, which a site's address may not")]
    Userinfo,
    /// A path, query or fragment where only an origin is expected ([`Origin::from_str`]).
    #[error("has a path, query or fragment: an origin is scheme://host[:port] only")]
    NotJustAnOrigin,
}

/// Longest part of a refused text a message quotes, in characters.
const CLIP: usize = 80;

fn refuse(text: &str, problem: OriginProblem) -> Error {
    Error::InvalidOrigin { text: text.chars().take(CLIP).collect(), problem }
}

impl Origin {
    /// The origin of a URL: the site a page, a payment request or a link belongs to. Path,
    /// query and fragment are dropped; a user name or password is refused.
    pub fn of(url: &str) -> Result<Origin> {
        let u = url::Url::parse(url.trim()).map_err(|_| refuse(url, OriginProblem::NotAbsolute))?;
        Origin::of_url(&u).map_err(|e| match e {
            Error::InvalidOrigin { problem, .. } => refuse(url, problem),
            other => other,
        })
    }

    /// The origin of a parsed URL ([`Origin::of`]).
    pub fn of_url(u: &url::Url) -> Result<Origin> {
        if !matches!(u.scheme(), "http" | "https") {
            return Err(refuse(u.as_str(), OriginProblem::NotHttp));
        }
        if !u.username().is_empty() || u.password().is_some() {
            return Err(refuse(u.as_str(), OriginProblem::Userinfo));
        }
        if u.host_str().is_none_or(str::is_empty) {
            return Err(refuse(u.as_str(), OriginProblem::NoHost));
        }
        match u.origin() {
            o @ url::Origin::Tuple(..) => Ok(Origin(o.ascii_serialization())),
            url::Origin::Opaque(_) => Err(refuse(u.as_str(), OriginProblem::NoHost)),
        }
    }

    /// The origin as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `url` is a page of this origin.
    pub fn holds(&self, url: &url::Url) -> bool {
        Origin::of_url(url).is_ok_and(|o| o == *self)
    }
}

/// An origin written as one, `scheme://host[:port]` with at most a trailing `/`: a URL with a
/// path, query or fragment is refused (take [`Origin::of`] for a page's site).
impl FromStr for Origin {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let u = url::Url::parse(s.trim()).map_err(|_| refuse(s, OriginProblem::NotAbsolute))?;
        let origin = Origin::of_url(&u).map_err(|e| match e {
            Error::InvalidOrigin { problem, .. } => refuse(s, problem),
            other => other,
        })?;
        if u.path() != "/" || u.query().is_some() || u.fragment().is_some() {
            return Err(refuse(s, OriginProblem::NotJustAnOrigin));
        }
        Ok(origin)
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Origin {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Origin {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Origin {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl Serialize for Origin {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Origin {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(r: Result<Origin>) -> OriginProblem {
        match r {
            Err(Error::InvalidOrigin { problem, .. }) => problem,
            other => panic!("not an origin refusal: {other:?}"),
        }
    }

    #[test]
    fn the_canonical_form() {
        for (url, origin) in [
            ("https://news.example/a/b?c#d", "https://news.example"),
            ("http://127.0.0.1:8402/x", "http://127.0.0.1:8402"),
            ("https://news.example:443/", "https://news.example"),
            ("http://news.example:80", "http://news.example"),
            ("https://news.example:80/", "https://news.example:80"),
            ("HTTPS://News.EXAMPLE/Path", "https://news.example"),
            ("  https://news.example/  ", "https://news.example"),
            ("https://bücher.example/", "https://xn--bcher-kva.example"),
            ("https://[::1]:8443/x", "https://[::1]:8443"),
        ] {
            let o = Origin::of(url).unwrap();
            assert_eq!(o.as_str(), origin, "{url}");
            assert_eq!(o.to_string().parse::<Origin>().unwrap(), o, "{url}: Display reads back");
        }
    }

    #[test]
    fn refusals_say_which() {
        use OriginProblem as P;
        for (text, why) in [
            ("news.example", P::NotAbsolute),
            ("/a/b", P::NotAbsolute),
            ("", P::NotAbsolute),
            ("ftp://news.example/", P::NotHttp),
            ("file:///etc/passwd", P::NotHttp),
            ("data:text/html,hi", P::NotHttp),
            ("javascript:alert(1)", P::NotHttp),
            ("https://user@news.example/", P::Userinfo),
            ("https://user:pw@news.example/", P::Userinfo),
            ("https://:pw@news.example/", P::Userinfo),
        ] {
            assert_eq!(problem(Origin::of(text)), why, "{text:?}");
            assert_eq!(problem(text.parse()), why, "{text:?}");
        }
        let e = Origin::of("ftp://news.example/").unwrap_err().to_string();
        assert_eq!(e, "\"ftp://news.example/\" is not an http(s) site");
    }

    #[test]
    fn parsing_takes_an_origin_only() {
        assert_eq!("https://News.example/".parse::<Origin>().unwrap(), "https://news.example");
        assert_eq!("https://news.example:443".parse::<Origin>().unwrap(), "https://news.example");
        for bad in ["https://news.example/a", "https://news.example/?q", "https://news.example/#f"] {
            assert_eq!(problem(bad.parse()), OriginProblem::NotJustAnOrigin, "{bad}");
        }
    }

    #[test]
    fn serde_is_the_text() {
        let o = Origin::of("https://news.example/a").unwrap();
        assert_eq!(serde_json::to_string(&o).unwrap(), "\"https://news.example\"");
        assert_eq!(serde_json::from_str::<Origin>("\"https://news.example\"").unwrap(), o);
        assert!(serde_json::from_str::<Origin>("\"file:///x\"").is_err());
        assert!(serde_json::from_str::<Origin>("\"https://news.example/page\"").is_err());
    }

    #[test]
    fn a_page_of_its_site() {
        let o = Origin::of("https://news.example").unwrap();
        assert!(o.holds(&url::Url::parse("https://NEWS.example:443/a").unwrap()));
        assert!(!o.holds(&url::Url::parse("http://news.example/a").unwrap()));
    }
}
